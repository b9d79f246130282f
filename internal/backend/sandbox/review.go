package sandbox

import (
	"context"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// Stop stops a run that has started; a queued run is canceled instead (Cancel).
func (e *Engine) Stop(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.act(ctx, stackID, runID, func(r *run, now time.Time) (*run, error) {
		if !r.State.Active() || r.State == model.StateQueued || r.State == model.StateReady {
			return nil, backend.Conflictf("run %s is %s: it has not started (cancel it) or is over", runID, r.State)
		}
		r.forced = true
		e.transition(r, model.StateStopped, now, "stopped by "+You)
		e.advanceTo(ctx, now)
		return r, nil
	})
}

// Review approves or rejects a run waiting on an approval policy. An
// approved plan finishes and an approved deploy waits for confirmation; a
// rejected run is discarded. The note goes into the run's history.
func (e *Engine) Review(ctx context.Context, stackID, runID string, approve bool, note string) (model.Run, error) {
	return e.act(ctx, stackID, runID, func(r *run, now time.Time) (*run, error) {
		if r.State != model.StatePendingReview {
			return nil, backend.Conflictf("run %s is %s, not PENDING_REVIEW", runID, r.State)
		}
		verdict, next := "rejected", model.StateDiscarded
		if approve {
			verdict, next = "approved", model.StateFinished
			if r.Kind.Applies() {
				next = model.StateUnconfirmed
			}
		}
		text := verdict + " by " + You
		if note != "" {
			text += ": " + note
		}
		e.transition(r, next, now, text)
		e.advanceTo(ctx, now)
		return r, nil
	})
}

// Promote deploys a finished plan's commit as a tracked run, as Spacelift's
// run promotion does.
func (e *Engine) Promote(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.act(ctx, stackID, runID, func(r *run, now time.Time) (*run, error) {
		if r.Kind != model.RunPlan || r.State != model.StateFinished {
			return nil, backend.Conflictf("run %s is a %s %s; only a finished plan can be deployed", runID, r.State, r.Kind)
		}
		return e.newRun(r.stack, model.RunDeploy, r.Commit, You, r.Title, now), nil
	})
}

// SyncCommit moves the stack's tracked commit to its branch head.
func (e *Engine) SyncCommit(ctx context.Context, stackID string) (model.Stack, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return model.Stack{}, err
	}
	s, err := e.writable(stackID)
	if err != nil {
		return model.Stack{}, err
	}
	s.TrackedCommit, s.CommitsBehind = s.BranchHead, 0
	return s.view(), nil
}
