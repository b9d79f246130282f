package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
)

// actionKind is a mutating action the user can ask for from a key.
type actionKind int

const (
	actPlan actionKind = iota
	actDeploy
	actConfirm
	actDiscard
	actRetry
	actStop // stop a started run, cancel a queued one
	actReview
	actLock // lock, or unlock a locked stack
	actSync
)

// mutatingActions lists every action key in help order.
var mutatingActions = []actionKind{actPlan, actDeploy, actConfirm, actDiscard, actRetry, actStop, actReview, actLock, actSync}

func (k actionKind) String() string {
	return [...]string{"plan", "deploy", "confirm", "discard", "retry", "stop", "review", "lock", "sync"}[k]
}

func (m Model) binding(k actionKind) key.Binding {
	a := m.keys.Actions
	return [...]key.Binding{a.Plan, a.Deploy, a.Confirm, a.Discard, a.Retry, a.Stop, a.Review, a.Lock, a.Sync}[k]
}

// resolve turns an action on a stack (and the run in view, if any) into an
// op, or says why it cannot be done. Read-only mode is checked before.
func (m Model) resolve(k actionKind, s *model.Stack, viewed *model.Run) (mutation.StackOp, string) {
	o := mutation.StackOp{StackID: s.ID, Name: s.Name, Env: s.Env, Commit: s.TrackedCommit}
	switch {
	case !s.CanWrite:
		return o, "you have no write access to " + s.Name
	case s.Disabled:
		return o, s.Name + " is disabled"
	}
	caps := m.backend.Capabilities()
	runOp := func(action string, want func(model.RunState) bool, wantText string) (mutation.StackOp, string) {
		r := m.runMatching(s, viewed, want, action != "retry")
		if r == nil {
			return o, "no run " + wantText
		}
		o.Action, o.RunID, o.Commit, o.Delta, o.State = action, r.ID, r.Commit, r.Delta, r.State
		return o, ""
	}
	switch k {
	case actPlan:
		o.Action = "plan"
	case actDeploy:
		if viewed != nil && viewed.Kind == model.RunPlan && viewed.State == model.StateFinished {
			if !caps.Promote {
				return o, m.info.Kind + " cannot deploy a preview; D in the tree deploys the tracked commit"
			}
			o.Action, o.RunID, o.Commit, o.Delta = "promote", viewed.ID, viewed.Commit, viewed.Delta
			return o, ""
		}
		o.Action = "deploy"
	case actConfirm:
		return runOp("confirm", func(st model.RunState) bool { return st == model.StateUnconfirmed }, "waits for confirmation")
	case actDiscard:
		return runOp("discard", discardable, "can be discarded")
	case actRetry:
		return runOp("retry", func(st model.RunState) bool { return st == model.StateFailed }, "has failed")
	case actStop:
		o, why := runOp("stop", model.RunState.Active, "is queued or running")
		if why == "" && (!caps.Stop || notStarted(o.State)) {
			o.Action = "cancel"
		}
		return o, why
	case actReview:
		if !caps.Review {
			return o, m.info.Kind + " has no run reviews"
		}
		return runOp("review", func(st model.RunState) bool { return st == model.StatePendingReview }, "waits for review")
	case actLock:
		if !caps.Lock {
			return o, m.info.Kind + " cannot lock stacks"
		}
		o.Action = "lock"
		if s.Locked() {
			o.Action = "unlock"
		}
	case actSync:
		switch {
		case !caps.SyncCommit:
			return o, m.info.Kind + " cannot move the tracked commit"
		case s.BranchHead == "" || s.TrackedCommit == s.BranchHead:
			return o, s.Name + " already tracks its branch head"
		}
		o.Action, o.Commit = "sync", s.BranchHead
	}
	return o, ""
}

func discardable(st model.RunState) bool {
	switch st {
	case model.StateUnconfirmed, model.StatePendingReview, model.StateQueued, model.StateReady:
		return true
	}
	return false
}

func notStarted(st model.RunState) bool { return st == model.StateQueued || st == model.StateReady }

// runMatching finds the run an action applies to: the run on screen in the
// run view and history, else the stack's latest run or, when loaded and
// scan is set, its newest run in the wanted state (a plan may have come
// after the deploy that waits). Retry does not scan: an old failure that a
// newer run superseded is not worth retrying from the tree.
func (m Model) runMatching(s *model.Stack, viewed *model.Run, want func(model.RunState) bool, scan bool) *model.Run {
	if viewed != nil {
		if want(viewed.State) {
			return viewed
		}
		return nil
	}
	if s.LatestRun != nil && want(s.LatestRun.State) {
		return s.LatestRun
	}
	if scan && m.runsFor == s.ID {
		for i := range m.runs {
			if want(m.runs[i].State) {
				return &m.runs[i]
			}
		}
	}
	return nil
}

// runLevel reports actions that act on a run rather than the stack.
func (k actionKind) runLevel() bool {
	switch k {
	case actConfirm, actDiscard, actRetry, actStop, actReview:
		return true
	}
	return false
}

// latestText names the run the user sees, so a refusal explains itself.
func (m Model) latestText(s *model.Stack, viewed *model.Run) string {
	r := viewed
	if r == nil {
		r = s.LatestRun
	}
	if r == nil {
		return " (the stack has no runs)"
	}
	return fmt.Sprintf(" (this run is a %s %s)", r.Kind, r.State)
}

// protected reports whether env needs its names typed before a mutation.
func (m Model) protected(env string) bool {
	for _, e := range m.envs {
		if e.Name == env {
			return e.Protected
		}
	}
	return false
}

// proposeAction is the single entry of every mutating key: refused in
// read-only mode, on the marked stacks when there are marks, else on the
// stack (and run) in view with the reason when it does not apply; then the
// pipeline prepares and confirms it.
func (m Model) proposeAction(k actionKind) (Model, tea.Cmd) {
	if next, cmd, ok := m.refused(k.String()); ok {
		return next, cmd
	}
	if len(m.marks) > 0 && m.view == viewTree && (k == actPlan || k == actConfirm || k == actDiscard) {
		return m.proposeBulk(k)
	}
	s, viewed := m.actionTarget()
	if s == nil {
		return m.failed("no stack selected")
	}
	if busy, ok := m.ops.InFlight()[s.ID]; ok {
		return m.failed("%s on %s was sent; waiting for the answer", busy, s.Name)
	}
	o, why := m.resolve(k, s, viewed)
	if why != "" {
		if k.runLevel() && o.RunID == "" {
			why += m.latestText(s, viewed)
		}
		return m.failed("%s unavailable: %s", k, why)
	}
	return m.propose(mutation.Stacks{Ops: []mutation.StackOp{o}})
}
