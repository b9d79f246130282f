package sandbox

import (
	"container/heap"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// StateLog is the log a run wrote while in one state; the Spacelift dialect
// pages logs per state.
type StateLog struct {
	State model.RunState
	Lines []string
}

type run struct {
	model.Run
	stack      *stack
	logs       []StateLog
	plan       *planResult // evaluated when the run starts initializing
	changes    []model.ResourceChange
	approvedAt time.Time // when a review released it from QUEUED
	// assess: a drift check that updates the stack's drift (scheduled
	// drift detection, Trigger); a refresh-only plan (StartRun) only
	// reports what it found and leaves the drift as the last check left it.
	assess bool
	// basedOn is, for a saved plan, the stack's applies when it planned:
	// applying the plan later needs nothing applied since.
	basedOn int
	// canceledAt is when a cancel was asked of the run while it worked
	// (Interrupt): it stops at the end of its phase.
	canceledAt time.Time
	forced     bool // Stop ended it at once
	// seq is the run's place in creation order across the engine; queuedAt
	// the due time it waits in advanceTo's queue for (zero: not queued).
	seq      uint64
	queuedAt time.Time
}

// Phase durations: a plan takes about ten seconds, an apply eight more.
const (
	queuedFor       = 1 * time.Second
	preparingFor    = 2 * time.Second
	initializingFor = 3 * time.Second
	planningFor     = 4 * time.Second
	// checksFor is the end of PLANNING that follows Terraform's plan: the
	// policy checks and run tasks HCP Terraform runs before a plan can be
	// confirmed or applied (RunExtra.PlannedAt).
	checksFor     = 1 * time.Second
	confirmedFor  = 1 * time.Second
	prepApplyFor  = 2 * time.Second
	applyingFor   = 5 * time.Second
	performingFor = 3 * time.Second
)

// planReadTimeout bounds the git reads of one plan.
const planReadTimeout = 20 * time.Second

// newRun creates a QUEUED run at time at and schedules it. Runs that apply
// do so without confirmation when the stack autodeploys; drift checks
// update the stack's drift.
func (e *Engine) newRun(s *stack, kind model.RunKind, commit, by, title string, at time.Time) *run {
	r := &run{stack: s, assess: kind == model.RunDriftCheck, Run: model.Run{
		ID: e.newID(at), StackID: s.ID, Kind: kind, Commit: commit, TriggeredBy: by, Title: title, CreatedAt: at,
		AutoApply: kind.Tracked() && s.Autodeploy,
	}}
	r.URL = e.stackURL(s.ID) + "/run/" + r.ID
	e.runSeq++
	r.seq = e.runSeq
	s.runs = append(s.runs, r)
	e.transition(r, model.StateQueued, at, "")
	e.active = append(e.active, r)
	return r
}

// transition moves r to state at time at, with the log lines written in it.
// Entering a state where the stack's approval policy wants a review holds
// the run until someone approves it.
func (e *Engine) transition(r *run, state model.RunState, at time.Time, note string, lines ...string) {
	r.State, r.RawState, r.UpdatedAt = state, string(state), at
	r.NeedsApproval = needsApproval(r.stack, r, state)
	r.History = append(r.History, model.RunTransition{State: state, At: at, Note: note})
	if len(lines) > 0 {
		r.logs = append(r.logs, StateLog{State: state, Lines: lines})
	}
}

// advanceTo applies every transition due at or before t in time order
// across all runs, creation order among transitions due at the same
// instant (so a queued run sees the run ahead of it finish first). The
// order never depends on when the engine was asked: advancing to t1 and
// then to t2 leaves the same world as advancing to t2 at once, which is
// what lets a resumed sandbox replay its journal into the same world.
func (e *Engine) advanceTo(ctx context.Context, t time.Time) {
	q := dueQueue{}
	for _, r := range e.active {
		e.schedule(&q, r, t)
	}
	for q.Len() > 0 {
		if ctx.Err() != nil {
			break // the rest is stepped by the next call; a large replay stops here
		}
		d := heap.Pop(&q).(dueRun)
		r := d.r
		if !r.queuedAt.Equal(d.at) {
			continue // superseded by a later schedule of the same run
		}
		r.queuedAt = time.Time{}
		created := len(e.active)
		if !e.step(ctx, r, t) {
			continue
		}
		e.schedule(&q, r, t)
		for _, n := range e.active[created:] { // runs the step started
			e.schedule(&q, n, t)
		}
		if r.State.Terminal() { // runs queued behind it may start
			for _, o := range r.stack.runs[slices.Index(r.stack.runs, r)+1:] {
				if !o.State.Terminal() {
					e.schedule(&q, o, t)
				}
			}
		}
	}
	for _, r := range e.active {
		r.queuedAt = time.Time{}
	}
	kept := e.active[:0]
	for _, r := range e.active {
		if !r.State.Terminal() {
			kept = append(kept, r)
		}
	}
	clear(e.active[len(kept):])
	e.active = kept
}

// schedule queues r's next transition if it is due by t.
func (e *Engine) schedule(q *dueQueue, r *run, t time.Time) {
	due, ok := e.nextDue(r, r.History[len(r.History)-1].At)
	if !ok || due.After(t) || r.queuedAt.Equal(due) {
		return
	}
	r.queuedAt = due
	heap.Push(q, dueRun{at: due, r: r})
}

// dueRun is a run's next transition; dueQueue orders them by time, then by
// the runs' creation.
type dueRun struct {
	at time.Time
	r  *run
}

type dueQueue []dueRun

func (q dueQueue) Len() int { return len(q) }
func (q dueQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].r.seq < q[j].r.seq
}
func (q dueQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *dueQueue) Push(x any)   { *q = append(*q, x.(dueRun)) }
func (q *dueQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// step applies r's next transition if it is due by t. A run asked to
// cancel stops instead of entering its next phase.
func (e *Engine) step(ctx context.Context, r *run, t time.Time) bool {
	last := r.History[len(r.History)-1].At
	due, ok := e.nextDue(r, last)
	if !ok || due.After(t) {
		return false
	}
	if !r.canceledAt.IsZero() {
		e.transition(r, model.StateStopped, due, "canceled: stopped at the end of "+strings.ToLower(string(r.State)))
		return true
	}
	switch r.State {
	case model.StateQueued:
		e.transition(r, model.StatePreparing, due, "", e.prepareLog(ctx, r)...)
	case model.StatePreparing:
		// The plan must not fail because the caller that happened to
		// advance the clock gave up: detach from its cancellation.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), planReadTimeout)
		res := e.evaluate(pctx, r)
		cancel()
		r.plan, r.changes = &res, res.changes
		e.transition(r, model.StateInitializing, due, "", initLog(res)...)
	case model.StateInitializing:
		switch {
		case r.plan.failure != nil:
			e.finishFailed(r, due)
		case r.Kind == model.RunTask:
			e.transition(r, model.StatePerforming, due, "", e.taskLog(ctx, r)...)
		default:
			d := deltaOf(r.changes)
			r.Delta = &d
			e.transition(r, model.StatePlanning, due, "", planLog(r.Kind, r.changes)...)
		}
	case model.StatePlanning:
		e.afterPlan(ctx, r, due)
	case model.StatePerforming:
		e.transition(r, model.StateFinished, due, "")
	case model.StateUnconfirmed:
		note := "confirmed by a reviewer"
		if r.NeedsApproval { // the seeded colleague approves before confirming
			r.NeedsApproval, note = false, "approved and confirmed by a reviewer"
		}
		e.transition(r, model.StateConfirmed, due, note)
	case model.StateConfirmed:
		e.transition(r, model.StatePreparingApply, due, "")
	case model.StatePreparingApply:
		e.transition(r, model.StateApplying, due, "", applyLog(r.changes)...)
	case model.StateApplying:
		e.transition(r, model.StateFinished, due, "")
		e.applied(ctx, r, due)
	default:
		return false
	}
	return true
}

// nextDue is when r leaves its state, or false when only a person (or the
// run ahead of it) can move it.
func (e *Engine) nextDue(r *run, last time.Time) (time.Time, bool) {
	switch r.State {
	case model.StateQueued:
		if r.NeedsApproval { // an approval policy holds it until approved
			return time.Time{}, false
		}
		start, ok := e.startAt(r, later(last, r.approvedAt))
		return start.Add(queuedFor), ok
	case model.StatePreparing:
		return last.Add(preparingFor), true
	case model.StateInitializing:
		return last.Add(initializingFor), true
	case model.StatePlanning:
		return last.Add(planningFor), true
	case model.StateUnconfirmed:
		if e.reviewer != nil {
			if d, ok := e.reviewer(r); ok {
				return last.Add(d), true
			}
		}
		return time.Time{}, false
	case model.StateConfirmed:
		return last.Add(confirmedFor), true
	case model.StatePreparingApply:
		return last.Add(prepApplyFor), true
	case model.StateApplying:
		return last.Add(applyingFor), true
	case model.StatePerforming:
		return last.Add(performingFor), true
	}
	return time.Time{}, false
}

// startAt: tracked runs and tasks of one stack run one at a time, as
// Spacelift serialises everything that can change a stack's state: a queued
// one starts when every earlier one is over. Plans, drift checks and saved
// plans run alongside.
func (e *Engine) startAt(r *run, queuedAt time.Time) (time.Time, bool) {
	if !exclusive(r) {
		return queuedAt, true
	}
	start := queuedAt
	for _, o := range r.stack.runs {
		if o == r {
			break
		}
		if !exclusive(o) {
			continue
		}
		if !o.State.Terminal() {
			return time.Time{}, false
		}
		if end := o.History[len(o.History)-1].At; end.After(start) {
			start = end
		}
	}
	return start, true
}

// exclusive reports runs that hold the stack's lock while they work; a
// saved plan does not.
func exclusive(r *run) bool { return (r.Kind.Tracked() || r.Kind == model.RunTask) && !r.SavedPlan }

func (e *Engine) afterPlan(ctx context.Context, r *run, at time.Time) {
	s := r.stack
	switch {
	case r.Kind == model.RunDriftCheck:
		e.transition(r, model.StateFinished, at, "")
		if r.assess {
			s.Drift = model.Drift{Drifted: len(r.changes) > 0, CheckedAt: at, Resources: addresses(r.changes),
				Changes: cloneChanges(r.changes), RunID: r.ID}
		}
	case r.Kind == model.RunPlan && needsReview(s, r.changes):
		e.transition(r, model.StatePendingReview, at, "approval policy: destroying resources in prod needs a review")
	case r.Kind == model.RunPlan:
		e.transition(r, model.StateFinished, at, "")
	case r.Delta.Empty():
		e.transition(r, model.StateFinished, at, "no changes")
		e.applied(ctx, r, at)
	case r.SavedPlan:
		r.basedOn = s.applies
		e.transition(r, model.StateUnconfirmed, at, "plan saved: apply it to make these changes")
	case r.AutoApply && s.Lock == nil && !needsApproval(s, r, model.StateUnconfirmed):
		e.transition(r, model.StatePreparingApply, at, "autodeploy")
	case r.AutoApply && s.Lock != nil:
		// A locked stack does not autodeploy (docs: stack locking).
		e.transition(r, model.StateUnconfirmed, at, "autodeploy is off while "+s.ID+" is locked by "+s.Lock.Holder)
	default:
		e.transition(r, model.StateUnconfirmed, at, "")
	}
}

// applied records a deploy that finished: its commit is now what runs, drift
// is reconciled, and the stacks depending on this one deploy as their
// dependency says (triggerDependents).
func (e *Engine) applied(ctx context.Context, r *run, at time.Time) {
	s := r.stack
	before := s.applied
	s.applied = r.Commit
	s.applies++
	if r.Kind == model.RunDestroy {
		s.applied = "" // nothing is left: the next deploy creates everything
	}
	if s.Drift.Drifted {
		s.Drift = model.Drift{CheckedAt: s.Drift.CheckedAt, RunID: s.Drift.RunID}
	}
	s.drift = nil
	e.triggerDependents(ctx, s, before, at)
}

// finishFailed fails r; a failed tracked run skips the runs it would have
// started downstream (a locked stack starts none); a failed drift check
// leaves the drift unknown.
func (e *Engine) finishFailed(r *run, at time.Time) {
	e.transition(r, model.StateFailed, at, "")
	if r.assess {
		r.stack.Drift = model.Drift{CheckedAt: at, RunID: r.ID, Unknown: "the drift check failed: see run " + r.ID}
	}
	if !r.Kind.Tracked() {
		return
	}
	for _, d := range e.dependents(r.stack.ID) {
		if d.Lock != nil {
			continue
		}
		sk := e.newRun(d, model.RunDeploy, d.TrackedCommit, "", "Skipped: upstream "+r.stack.ID+" failed", at)
		e.transition(sk, model.StateSkipped, at, "upstream run "+r.ID+" on "+r.stack.ID+" failed")
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func deltaOf(changes []model.ResourceChange) model.Delta {
	var d model.Delta
	for _, c := range changes {
		switch c.Action {
		case model.ActionAdd:
			d.Add++
		case model.ActionChange:
			d.Change++
		case model.ActionDestroy:
			d.Destroy++
		case model.ActionReplace: // Terraform counts a replacement as both
			d.Add++
			d.Destroy++
		}
	}
	return d
}

func addresses(changes []model.ResourceChange) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.Address
	}
	return out
}

func needsReview(s *stack, changes []model.ResourceChange) bool {
	if !hasLabel(s.Labels, "env:prod") {
		return false
	}
	for _, c := range changes {
		if c.Action == model.ActionDestroy || c.Action == model.ActionReplace {
			return true
		}
	}
	return false
}

func hasLabel(labels []string, l string) bool {
	for _, x := range labels {
		if x == l {
			return true
		}
	}
	return false
}
