package sandbox

import (
	"context"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// Stop stops a run while it initializes or plans, the phases Spacelift's
// documentation says a run can be stopped in: tracked runs cannot be stopped
// while applying and tasks once they run their command; a queued run is
// canceled instead (Cancel).
func (e *Engine) Stop(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.runOp(ctx, entry{Op: opStop, Stack: stackID, Run: runID})
}

func (e *Engine) stop(ctx context.Context, r *run, en *entry) (*run, error) {
	if why := stopRefusal(r); why != "" {
		return nil, backend.Conflictf("run %s %s", r.ID, why)
	}
	e.transition(r, model.StateStopped, en.At, "stopped by "+You)
	e.advanceTo(ctx, en.At)
	return r, nil
}

// ForceCancel ends a run that works at once, whatever its phase, as HCP
// Terraform's force-cancel does (after a cancel and its cool-off: the
// dialect checks those).
func (e *Engine) ForceCancel(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.runOp(ctx, entry{Op: opForceCancel, Stack: stackID, Run: runID})
}

func (e *Engine) forceCancel(ctx context.Context, r *run, en *entry) (*run, error) {
	if !r.State.Active() || r.State == model.StateQueued || r.State == model.StateReady {
		return nil, backend.Conflictf("run %s is %s: it does not work", r.ID, r.State)
	}
	r.forced = true
	e.transition(r, model.StateStopped, en.At, "force-canceled by "+You)
	e.advanceTo(ctx, en.At)
	return r, nil
}

// stopRefusal says why r cannot be stopped now, or "".
func stopRefusal(r *run) string {
	switch r.State {
	case model.StateInitializing, model.StatePlanning:
		return ""
	case model.StateQueued, model.StateReady:
		return "is " + string(r.State) + ": it has not started; cancel it instead"
	case model.StateConfirmed, model.StatePreparingApply, model.StateApplying, model.StateDestroying:
		return "is " + string(r.State) + ": a tracked run cannot be stopped while it applies changes"
	case model.StatePerforming:
		return "is PERFORMING: a task cannot be stopped once it runs its command"
	case model.StatePreparing:
		return "is PREPARING: a run can be stopped while it initializes or plans"
	}
	return "is " + string(r.State) + ": only a run that initializes or plans can be stopped"
}

// Review approves or rejects a run: one that an approval policy holds
// (QUEUED or UNCONFIRMED with NeedsApproval), or a plan PENDING_REVIEW.
// Approving releases a held run where it stands (a queued one is scheduled,
// an unconfirmed one can be confirmed); approving a pending plan finishes it
// (a pending deploy waits for confirmation). Rejecting fails a held run at
// once, as approval policies do, and discards a pending plan. The note goes
// into the run's history when the state changes.
func (e *Engine) Review(ctx context.Context, stackID, runID string, approve bool, note string) (model.Run, error) {
	return e.runOp(ctx, entry{Op: opReview, Stack: stackID, Run: runID, Approve: approve, Note: note})
}

func (e *Engine) review(ctx context.Context, r *run, en *entry) (*run, error) {
	now := en.At
	verdict := "rejected"
	if en.Approve {
		verdict = "approved"
	}
	text := verdict + " by " + You
	if en.Note != "" {
		text += ": " + en.Note
	}
	switch {
	case r.NeedsApproval && en.Approve:
		r.NeedsApproval, r.approvedAt = false, now
	case r.NeedsApproval:
		e.transition(r, model.StateFailed, now, text)
	case r.State != model.StatePendingReview:
		return nil, backend.Conflictf("run %s is %s and needs no review", r.ID, r.State)
	case en.Approve && r.Kind.Tracked():
		e.transition(r, model.StateUnconfirmed, now, text)
	case en.Approve:
		e.transition(r, model.StateFinished, now, text)
	default:
		e.transition(r, model.StateDiscarded, now, text)
	}
	e.advanceTo(ctx, now)
	return r, nil
}

// Promote deploys a finished plan's commit as a tracked run, as Spacelift's
// run promotion does.
func (e *Engine) Promote(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.runOp(ctx, entry{Op: opPromote, Stack: stackID, Run: runID})
}

func (e *Engine) promote(ctx context.Context, r *run, en *entry) (*run, error) {
	if r.Kind != model.RunPlan || r.State != model.StateFinished {
		return nil, backend.Conflictf("run %s is a %s %s; only a finished plan can be deployed", r.ID, r.State, r.Kind)
	}
	return e.newRun(r.stack, model.RunDeploy, r.Commit, You, r.Title, en.At), nil
}

// SyncCommit moves the stack's tracked commit to its branch head.
func (e *Engine) SyncCommit(ctx context.Context, stackID string) (model.Stack, error) {
	return e.stackOp(ctx, entry{Op: opSyncCommit, Stack: stackID})
}
