package uitest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/fakerun"
	"github.com/stackview/stackview/internal/model"
)

// The fake's run engine. A run is born QUEUED; each Advance moves every
// active run one state on, as the sandbox's runs move with its clock:
//
//	QUEUED → PLANNING → FINISHED                  a plan
//	                  → PENDING_REVIEW            a plan on a stack that wants reviews
//	                  → UNCONFIRMED               a deploy (held if the stack wants approvals)
//	                  → FINISHED                  a drift check, which records the stack's drift
//	CONFIRMED → APPLYING → FINISHED               a confirmed deploy
//
// A deploy stays QUEUED while an earlier deploy of its stack is
// unfinished; plans and drift checks do not wait. Nothing moves unless a
// test calls Advance, so the fixture's screens stay as NewFake made them.

// LogPageLines is how many lines of a run's log RunLogs returns at once.
const LogPageLines = 20

// planChanges is what every plan and deploy of the fake finds to do.
var planChanges = []model.ResourceChange{
	{Address: "aws_security_group.app", Action: model.ActionAdd},
	{Address: "aws_iam_role.app", Action: model.ActionChange},
	{Address: "aws_s3_bucket.logs", Action: model.ActionChange},
}

// planDelta is planChanges summed up.
var planDelta = model.Delta{Add: 1, Change: 2}

// Advance moves the fake's time by d and every active run one state on.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	for i := range f.stacks {
		f.step(&f.stacks[i])
	}
}

// WantReview makes the plans run on a stack from now on wait for a review.
func (f *Fake) WantReview(stackID string) {
	f.mu.Lock()
	f.review[stackID] = true
	f.mu.Unlock()
}

// WantApproval makes the deploys run on a stack from now on wait for an
// approval before they can be confirmed.
func (f *Fake) WantApproval(stackID string) {
	f.mu.Lock()
	f.approval[stackID] = true
	f.mu.Unlock()
}

// step moves the stack's active runs one state on, oldest first.
func (f *Fake) step(s *model.Stack) {
	runs := f.runs[s.ID]
	moved := false
	for j := len(runs) - 1; j >= 0; j-- {
		r := &runs[j]
		if r.State == model.StatePlanning {
			f.plan(s, r)
			moved = true
			continue
		}
		to, ok := fakerun.Next(r)
		if !ok || r.State == model.StateQueued && r.Exclusive() && slices.ContainsFunc(runs[j+1:], fakerun.Holds) {
			continue // waiting, ended, or behind an earlier run that holds the stack
		}
		f.transition(r, to, "")
		if to == model.StateFinished {
			s.Drift = model.Drift{CheckedAt: s.Drift.CheckedAt} // applied: nothing drifts
		}
		moved = true
	}
	if moved {
		f.sync(s)
	}
}

// plan writes a run's plan, log and delta, and ends its planning.
func (f *Fake) plan(s *model.Stack, r *model.Run) {
	changes := planChanges
	if r.Kind == model.RunDriftCheck {
		changes = nil
		for _, addr := range s.Drift.Resources {
			changes = append(changes, model.ResourceChange{Address: addr, Action: model.ActionChange})
		}
	}
	d := planDelta
	if r.Kind == model.RunDriftCheck {
		d = model.Delta{Change: len(changes)}
	}
	r.Delta, f.changes[r.ID] = &d, slices.Clone(changes)
	log := []string{"Initializing the backend...", "Refreshing state..."}
	for _, c := range changes {
		log = append(log, fmt.Sprintf("  # %s will be %s", c.Address, c.Action))
	}
	f.logs[r.ID] = append(log, fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy.", d.Add, d.Change, d.Destroy))
	f.transition(r, fakerun.Planned(r, f.review[s.ID]), "")
	switch {
	case r.Kind == model.RunDriftCheck:
		s.Drift = model.Drift{Drifted: !d.Empty(), CheckedAt: f.now, RunID: r.ID, Resources: slices.Clone(s.Drift.Resources)}
		if !s.Drift.Drifted {
			s.Drift.Resources = nil
		}
	case r.Kind.Tracked():
		r.NeedsApproval = f.approval[s.ID]
	}
}

// transition moves a run to a state now, with a note.
func (f *Fake) transition(r *model.Run, to model.RunState, note string) {
	fakerun.Transition(r, to, f.now, note)
}

// actor is the fake's user, now.
func (f *Fake) actor() fakerun.Actor { return fakerun.Actor{User: You, At: f.now} }

// sync makes the stack's latest runs and state its runs' own; f.mu is held.
func (f *Fake) sync(s *model.Stack) {
	runs := f.runs[s.ID]
	if len(runs) == 0 {
		return
	}
	latest := fakerun.Clone(runs[0])
	s.LatestRun = &latest
	if i := slices.IndexFunc(runs, func(r model.Run) bool { return r.Kind.Tracked() }); i >= 0 {
		tracked := fakerun.Clone(runs[i])
		s.LatestTrackedRun, s.State, s.NeedsApproval = &tracked, tracked.State, tracked.NeedsApproval
	}
}

// newRun queues a run on the stack; f.mu is held.
func (f *Fake) newRun(s *model.Stack, kind model.RunKind, commit string) model.Run {
	f.next++
	r := model.Run{ID: fmt.Sprintf("%s-q%04d", s.ID, f.next), StackID: s.ID, Kind: kind, Commit: commit,
		Title: string(kind), TriggeredBy: You, CreatedAt: f.now}
	f.transition(&r, model.StateQueued, "")
	f.runs[s.ID] = append([]model.Run{r}, f.runs[s.ID]...)
	f.sync(s)
	return fakerun.Clone(r)
}

// startable is the stack, unless it is unknown or someone else holds its
// lock; f.mu is held.
func (f *Fake) startable(stackID string) (*model.Stack, error) {
	s := f.stack(stackID)
	switch {
	case s == nil:
		return nil, backend.NotFoundf("stack %s", stackID)
	case s.Lock != nil && !s.Lock.Mine:
		return nil, lockedBy(s)
	}
	return s, nil
}

// find is the run of the stack with the id; f.mu is held.
func (f *Fake) find(stackID, runID string) (*model.Stack, *model.Run, error) {
	s := f.stack(stackID)
	if s == nil {
		return nil, nil, backend.NotFoundf("stack %s", stackID)
	}
	runs := f.runs[stackID]
	if i := slices.IndexFunc(runs, func(r model.Run) bool { return r.ID == runID }); i >= 0 {
		return s, &runs[i], nil
	}
	return nil, nil, backend.NotFoundf("run %s of stack %s", runID, stackID)
}

// read answers from a run under the lock.
func (f *Fake) read(ctx context.Context, stackID, runID string, do func(*model.Run)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, r, err := f.find(stackID, runID)
	if err != nil {
		return err
	}
	do(r)
	return nil
}

// act changes a run under the lock; a done context changes nothing.
func (f *Fake) act(ctx context.Context, stackID, runID string, do func(*model.Stack, *model.Run) (model.Run, error)) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, r, err := f.find(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	out, err := do(s, r)
	if err != nil {
		return model.Run{}, err
	}
	f.sync(s)
	return out, nil
}

// GetRun implements backend.Backend.
func (f *Fake) GetRun(ctx context.Context, stackID, runID string) (model.Run, error) {
	var out model.Run
	err := f.read(ctx, stackID, runID, func(r *model.Run) { out = fakerun.Clone(*r) })
	return out, err
}

// RunLogs implements backend.Backend: LogPageLines lines at a time, the
// token the line to go on from; the log is done once its run stops writing.
func (f *Fake) RunLogs(ctx context.Context, stackID, runID, token string) (backend.LogChunk, error) {
	var out backend.LogChunk
	err := f.read(ctx, stackID, runID, func(r *model.Run) {
		lines := f.logs[runID]
		off, _ := strconv.Atoi(token)
		off = min(max(off, 0), len(lines))
		end := min(off+LogPageLines, len(lines))
		if end > off {
			out.Text = strings.Join(lines[off:end], "\n") + "\n"
		}
		out.Next, out.Done = strconv.Itoa(end), end == len(lines) && !r.State.Active()
	})
	return out, err
}

// RunChanges implements backend.Backend.
func (f *Fake) RunChanges(ctx context.Context, stackID, runID string) ([]model.ResourceChange, error) {
	var out []model.ResourceChange
	err := f.read(ctx, stackID, runID, func(*model.Run) { out = slices.Clone(f.changes[runID]) })
	return out, err
}

// Trigger implements backend.Backend: a plan, deploy or drift check of the
// tracked commit, queued.
func (f *Fake) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.startable(stackID)
	if err != nil {
		return model.Run{}, err
	}
	switch {
	case kind == model.RunDriftCheck && !f.caps.DriftCheck, kind != model.RunPlan && kind != model.RunDeploy && kind != model.RunDriftCheck:
		return model.Run{}, fmt.Errorf("fake: a %s run: %w", kind, backend.ErrUnsupported)
	}
	return f.newRun(s, kind, s.TrackedCommit), nil
}

// SetPlan makes run the stack's latest run, waiting for confirmation with
// the plan given.
func (f *Fake) SetPlan(stackID, runID string, changes []model.ResourceChange) model.Run {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := model.Run{ID: runID, StackID: stackID, Kind: model.RunDeploy, State: model.StateUnconfirmed, Commit: "c0ffee0",
		Delta: &model.Delta{Change: len(changes)}, CreatedAt: Epoch.Add(-time.Minute), UpdatedAt: Epoch.Add(-time.Minute)}
	f.runs[stackID] = append([]model.Run{r}, f.runs[stackID]...)
	f.changes[runID] = changes
	if s := f.stack(stackID); s != nil {
		f.sync(s)
	}
	return r
}

// Confirmed is how often each run was confirmed, by run id.
func (f *Fake) Confirmed() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.confirmed {
		out[k] = v
	}
	return out
}

// Confirm implements backend.Backend: every confirm is counted; one of a
// run not waiting for it, or held for an approval, is refused.
func (f *Fake) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	return f.act(ctx, stackID, runID, func(_ *model.Stack, r *model.Run) (model.Run, error) {
		f.confirmed[runID]++
		return f.changed(r, f.actor().Confirm(r))
	})
}

// Discard implements backend.Backend: a run waiting for confirmation, or
// queued, is discarded.
func (f *Fake) Discard(ctx context.Context, stackID, runID string) (model.Run, error) {
	return f.act(ctx, stackID, runID, func(_ *model.Stack, r *model.Run) (model.Run, error) {
		return f.changed(r, f.actor().Discard(r))
	})
}

// Cancel implements backend.Backend: a queued run is canceled, one that
// plans is stopped.
func (f *Fake) Cancel(ctx context.Context, stackID, runID string) (model.Run, error) {
	return f.act(ctx, stackID, runID, func(_ *model.Stack, r *model.Run) (model.Run, error) {
		return f.changed(r, f.actor().Cancel(r))
	})
}

// Stop implements backend.Backend: a run that plans is stopped; a queued
// one has not started.
func (f *Fake) Stop(ctx context.Context, stackID, runID string) (model.Run, error) {
	if err := lacks(f.Capabilities().Stop, "Stop"); err != nil {
		return model.Run{}, err
	}
	return f.act(ctx, stackID, runID, func(_ *model.Stack, r *model.Run) (model.Run, error) {
		return f.changed(r, f.actor().Stop(r))
	})
}

// Retry implements backend.Backend: a failed run's kind and commit, queued
// again.
func (f *Fake) Retry(ctx context.Context, stackID, runID string) (model.Run, error) {
	return f.act(ctx, stackID, runID, func(s *model.Stack, r *model.Run) (model.Run, error) {
		return f.queue(s, r, fakerun.Retryable(r), r.Kind)
	})
}

// Promote implements backend.Backend: a deploy of a finished plan's commit,
// queued.
func (f *Fake) Promote(ctx context.Context, stackID, runID string) (model.Run, error) {
	if err := lacks(f.Capabilities().Promote, "Promote"); err != nil {
		return model.Run{}, err
	}
	return f.act(ctx, stackID, runID, func(s *model.Stack, r *model.Run) (model.Run, error) {
		return f.queue(s, r, fakerun.Promotable(r), model.RunDeploy)
	})
}

// queue starts a run of the kind on r's commit, unless refused or someone
// else holds the stack; f.mu is held.
func (f *Fake) queue(s *model.Stack, r *model.Run, refused error, kind model.RunKind) (model.Run, error) {
	if refused != nil {
		return model.Run{}, refused
	}
	if _, err := f.startable(s.ID); err != nil {
		return model.Run{}, err
	}
	return f.newRun(s, kind, r.Commit), nil
}

// changed is r as it now stands, unless the action was refused.
func (f *Fake) changed(r *model.Run, err error) (model.Run, error) {
	if err != nil {
		return model.Run{}, err
	}
	return fakerun.Clone(*r), nil
}

// Review implements backend.Backend: a run pending review or held for an
// approval is approved or rejected (fakerun.Actor.Review).
func (f *Fake) Review(ctx context.Context, stackID, runID string, approve bool, note string) (model.Run, error) {
	if err := lacks(f.Capabilities().Review, "Review"); err != nil {
		return model.Run{}, err
	}
	return f.act(ctx, stackID, runID, func(_ *model.Stack, r *model.Run) (model.Run, error) {
		return f.changed(r, f.actor().Review(r, approve, note))
	})
}

// SyncCommit implements backend.Backend: the stack tracks its branch's head.
func (f *Fake) SyncCommit(ctx context.Context, stackID string) (model.Stack, error) {
	if err := lacks(f.Capabilities().SyncCommit, "SyncCommit"); err != nil {
		return model.Stack{}, err
	}
	return f.withStack(ctx, stackID, func(s *model.Stack) error {
		fakerun.SyncCommit(s)
		return nil
	})
}

// ListModules implements backend.Backend.
func (f *Fake) ListModules(ctx context.Context) ([]model.Module, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.modules), nil
}

// ListModuleVersions implements backend.Backend: newest first.
func (f *Fake) ListModuleVersions(ctx context.Context, moduleID string) ([]model.ModuleVersion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	vs, ok := f.versions[moduleID]
	if !ok {
		return nil, backend.NotFoundf("module %s", moduleID)
	}
	return slices.Clone(vs), nil
}
