package ui

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
)

// callTimeout bounds every backend call so a hung API never freezes the
// refresh loop.
const callTimeout = 15 * time.Second

// runsShown is how many recent runs the detail pane asks for and shows.
const runsShown = 5

// fetchStacks lists the stacks. Inputs are copied before the closure so the
// command never reads the model from its goroutine.
func (m Model) fetchStacks(req int) tea.Cmd {
	ctx, b, files, envs, mapping := m.ctx, m.backend, m.repoFiles, m.envs, m.mapping
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		stacks, err := b.ListStacks(ctx)
		if err != nil {
			return stacksMsg{req: req, err: err}
		}
		rules, rerr := loadRepoRules(ctx, files, stacks)
		return stacksMsg{req: req, stacks: stacks, arranged: arrange(stacks, envs, mapping), repoRules: rules, rulesErr: rerr}
	}
}

// fetchRuns lists the first page of a stack's runs.
func (m Model) fetchRuns(req int, stackID string) tea.Cmd {
	ctx, b := m.ctx, m.backend
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		runs, _, err := b.ListRuns(ctx, stackID, "")
		if len(runs) > runsShown {
			runs = runs[:runsShown]
		}
		return runsMsg{req: req, stackID: stackID, runs: runs, err: err}
	}
}

// refresh starts a stack load now. Bumping the tick generation retires the
// pending tick, and the new request id retires any load still in flight, so
// exactly one loop survives.
func (m Model) refresh() (Model, tea.Cmd) {
	m.stacksReq++
	m.tickGen++
	m.loading = true
	return m, m.fetchStacks(m.stacksReq)
}

// armTick schedules the next automatic refresh of the current generation,
// later than usual when the API said how long to back off.
func (m Model) armTick(lastErr error) tea.Cmd {
	gen, wait := m.tickGen, m.interval
	var rl *backend.RateLimitError
	if errors.As(lastErr, &rl) {
		wait = max(wait, rl.RetryAfter)
	}
	return m.after(wait, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// loadRunsIfNeeded asks for the selected stack's runs when the selection
// moved to another stack (or force is set, after a refresh).
func (m Model) loadRunsIfNeeded(force bool) (Model, tea.Cmd) {
	if m.selectedID == "" || (!force && m.selectedID == m.runsFor) {
		return m, nil
	}
	if m.selectedID != m.runsFor {
		m.runs, m.runsErr = nil, nil
	}
	m.runsReq++
	m.runsFor = m.selectedID
	m.runsLoading = true
	return m, m.fetchRuns(m.runsReq, m.selectedID)
}

// armClock schedules the next once-a-second repaint.
func (m Model) armClock() tea.Cmd {
	return m.after(time.Second, func(time.Time) tea.Msg { return clockMsg{} })
}
