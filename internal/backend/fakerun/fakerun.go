// Package fakerun holds the run rules the in-memory test fakes share (the
// Spacelift dialect's fakeengine and the UI's uitest.Fake): which states
// each run action accepts, what it moves the run to, the error that refuses
// it, and the history it writes. The fakes keep their own locking, storage,
// clocks and capability checks; these are pure functions over one run.
package fakerun

import (
	"slices"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// Actor is who acts on a run and when: the notes name User, the history
// and UpdatedAt carry At.
type Actor struct {
	User string
	At   time.Time
}

// Transition moves r to state to at time at, with a note in its history.
func Transition(r *model.Run, to model.RunState, at time.Time, note string) {
	r.State, r.RawState, r.UpdatedAt = to, string(to), at
	r.History = append(r.History, model.RunTransition{State: to, At: at, Note: note})
}

// Refuse is the conflict a run action meets in a state that does not
// accept it; what is the action's past participle ("confirmed").
func Refuse(r *model.Run, what string) error {
	return backend.Conflictf("run %s is %s and cannot be %s", r.ID, r.State, what)
}

// Confirm confirms a run waiting for confirmation and not held for an
// approval.
func (a Actor) Confirm(r *model.Run) error {
	switch {
	case r.State != model.StateUnconfirmed:
		return Refuse(r, "confirmed")
	case r.NeedsApproval:
		return backend.Conflictf("run %s needs an approval first", r.ID)
	}
	Transition(r, model.StateConfirmed, a.At, "confirmed by "+a.User)
	return nil
}

// Discard discards a run waiting for confirmation, or queued.
func (a Actor) Discard(r *model.Run) error {
	if r.State != model.StateUnconfirmed && r.State != model.StateQueued {
		return Refuse(r, "discarded")
	}
	Transition(r, model.StateDiscarded, a.At, "discarded by "+a.User)
	return nil
}

// Cancel cancels a queued run and stops one that plans.
func (a Actor) Cancel(r *model.Run) error {
	switch r.State {
	case model.StateQueued:
		Transition(r, model.StateCanceled, a.At, "canceled by "+a.User)
	case model.StatePlanning:
		Transition(r, model.StateStopped, a.At, "stopped by "+a.User)
	default:
		return Refuse(r, "canceled")
	}
	return nil
}

// Stop stops a run that plans; a queued one has not started.
func (a Actor) Stop(r *model.Run) error {
	if r.State != model.StatePlanning {
		return Refuse(r, "stopped")
	}
	Transition(r, model.StateStopped, a.At, "stopped by "+a.User)
	return nil
}

// Review approves or rejects a run pending review (approved: a plan
// finishes, a deploy waits for confirmation; rejected: discarded), or a
// deploy an approval policy holds (approved: it may be confirmed, the
// approval recorded in its history; rejected: it fails).
func (a Actor) Review(r *model.Run, approve bool, note string) error {
	text := "rejected by " + a.User
	if approve {
		text = "approved by " + a.User
	}
	if note != "" {
		text += ": " + note
	}
	switch {
	case r.NeedsApproval && r.State == model.StateUnconfirmed && approve:
		r.NeedsApproval = false
		r.History = append(r.History, model.RunTransition{State: r.State, At: a.At, Note: text})
	case r.NeedsApproval && r.State == model.StateUnconfirmed:
		r.NeedsApproval = false
		Transition(r, model.StateFailed, a.At, text)
	case r.State != model.StatePendingReview:
		return Refuse(r, "reviewed")
	case !approve:
		Transition(r, model.StateDiscarded, a.At, text)
	case r.Kind.Tracked():
		Transition(r, model.StateUnconfirmed, a.At, text)
	default:
		Transition(r, model.StateFinished, a.At, text)
	}
	return nil
}

// Retryable refuses to retry a run that has not failed; a retry queues the
// failed run's kind and commit again.
func Retryable(r *model.Run) error {
	if r.State != model.StateFailed {
		return Refuse(r, "retried")
	}
	return nil
}

// Promotable refuses to promote anything but a finished plan; a promotion
// queues a deploy of the plan's commit.
func Promotable(r *model.Run) error {
	if r.Kind != model.RunPlan || r.State != model.StateFinished {
		return backend.Conflictf("run %s is a %s %s; only a finished plan can be deployed", r.ID, r.State, r.Kind)
	}
	return nil
}

// SyncCommit makes a stack track its branch's head.
func SyncCommit(s *model.Stack) {
	s.TrackedCommit, s.CommitsBehind = s.BranchHead, 0
}

// Holds reports a run that keeps its stack's later exclusive runs queued.
func Holds(r model.Run) bool { return !r.State.Terminal() && r.Exclusive() }

// Clone copies a run with its own history and delta, so a fake's callers
// never share its runs.
func Clone(r model.Run) model.Run {
	r.History = slices.Clone(r.History)
	if r.Delta != nil {
		d := *r.Delta
		r.Delta = &d
	}
	return r
}

// Next is the state a run moves on to by itself from one it does not plan
// in (a queued run plans, a confirmed one applies, an applying one
// finishes), and false where it waits or has ended; a run that plans moves
// on to Planned.
func Next(r *model.Run) (model.RunState, bool) {
	switch r.State {
	case model.StateQueued:
		return model.StatePlanning, true
	case model.StateConfirmed:
		return model.StateApplying, true
	case model.StateApplying:
		return model.StateFinished, true
	}
	return "", false
}

// Planned is the state a run's plan leaves it in: a drift check finishes, a
// deploy waits for confirmation, a plan waits for a review where the stack
// wants one and finishes otherwise.
func Planned(r *model.Run, review bool) model.RunState {
	switch {
	case r.Kind == model.RunDriftCheck:
		return model.StateFinished
	case r.Kind.Tracked():
		return model.StateUnconfirmed
	case review:
		return model.StatePendingReview
	}
	return model.StateFinished
}
