package ui

import (
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
)

// Result messages carry the id of the request that produced them; Update
// drops any whose id is not the latest, so a slow answer never overwrites a
// newer one.

// stacksMsg is the answer to ListStacks.
type stacksMsg struct {
	req    int
	stacks []model.Stack
	// arranged is stacks laid out off the UI loop; nil means Update
	// arranges them itself.
	arranged *arranged
	err      error
	// The drift ignore files of the drifted stacks, read in the same
	// command so that drift and its rules always arrive together.
	repoRules map[string][]drift.Rule
	rulesErr  error
}

// runsMsg is the answer to ListRuns for the selected stack.
type runsMsg struct {
	req     int
	stackID string
	runs    []model.Run
	err     error
}

// tickMsg asks for an automatic refresh. Only the tick of the current
// generation counts, so a manual refresh does not start a second loop.
type tickMsg struct{ gen int }

// clockMsg repaints once a second so "updated Ns ago" and run ages move
// between refreshes. Only Init starts its chain, so there is only one.
type clockMsg struct{}
