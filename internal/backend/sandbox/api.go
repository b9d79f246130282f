package sandbox

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// RunsPageSize is how many runs ListRuns returns per page.
const RunsPageSize = 10

// logChunkLines bounds one RunLogs page, so long logs are really paged.
const logChunkLines = 50

// ListStacks returns every stack, sorted by id.
func (e *Engine) ListStacks(ctx context.Context) ([]model.Stack, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return nil, err
	}
	out := make([]model.Stack, len(e.stacks))
	for i, s := range e.stacks {
		out[i] = s.view()
	}
	return out, nil
}

// view copies a stack for a caller, with its state and latest run.
func (s *stack) view() model.Stack {
	v := s.Stack
	v.Repository, v.Repo = s.repo.ident, s.repo.ident.URL
	v.Labels = slices.Clone(s.Labels)
	v.DependsOn = slices.Clone(s.DependsOn)
	v.Drift.Resources = slices.Clone(s.Drift.Resources)
	v.Drift.Changes = cloneChanges(s.Drift.Changes)
	if s.Lock != nil {
		l := *s.Lock
		l.Mine = l.Holder == You
		v.Lock = &l
	}
	v.Pending, v.PendingKnown = []model.Run{}, true
	for _, r := range s.runs {
		if !r.State.Terminal() {
			v.Pending = append(v.Pending, r.view())
			if v.Blocker == nil && exclusive(r) {
				b := r.view()
				v.Blocker = &b
			}
		}
	}
	v.State = model.StateNone
	for i := len(s.runs) - 1; i >= 0; i-- {
		if s.runs[i].Kind.Tracked() {
			r := s.runs[i].view()
			v.State, v.LatestTrackedRun = r.State, &r
			break
		}
	}
	if n := len(s.runs); n > 0 {
		r := s.runs[n-1].view()
		v.LatestRun = &r
	}
	v.NeedsApproval = s.awaitingApproval()
	return v
}

func (r *run) view() model.Run {
	v := r.Run
	v.History = slices.Clone(r.History)
	if r.Delta != nil {
		d := *r.Delta
		v.Delta = &d
	}
	return v
}

// ListRuns pages a stack's runs newest first; the cursor is the id of the
// last run of the previous page, like Spacelift's "before".
func (e *Engine) ListRuns(ctx context.Context, stackID, cursor string) ([]model.Run, string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return nil, "", err
	}
	s, err := e.stack(stackID)
	if err != nil {
		return nil, "", err
	}
	end := len(s.runs)
	if cursor != "" {
		i := slices.IndexFunc(s.runs, func(r *run) bool { return r.ID == cursor })
		if i < 0 {
			return nil, "", backend.NotFoundf("run %q (cursor) on stack %q", cursor, stackID)
		}
		end = i
	}
	var out []model.Run
	for i := end - 1; i >= 0 && len(out) < RunsPageSize; i-- {
		out = append(out, s.runs[i].view())
	}
	next := ""
	if len(out) > 0 && end-len(out) > 0 {
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

func (e *Engine) run(stackID, runID string) (*run, error) {
	s, err := e.stack(stackID)
	if err != nil {
		return nil, err
	}
	for _, r := range s.runs {
		if r.ID == runID {
			return r, nil
		}
	}
	return nil, backend.NotFoundf("run %q on stack %q", runID, stackID)
}

// GetRun returns one run with its history.
func (e *Engine) GetRun(ctx context.Context, stackID, runID string) (model.Run, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return model.Run{}, err
	}
	r, err := e.run(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	return r.view(), nil
}

// RunLogs pages the run's log; the token is the number of lines already read.
func (e *Engine) RunLogs(ctx context.Context, stackID, runID, token string) (backend.LogChunk, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return backend.LogChunk{}, err
	}
	r, err := e.run(stackID, runID)
	if err != nil {
		return backend.LogChunk{}, err
	}
	offset := 0
	if token != "" {
		if offset, err = strconv.Atoi(token); err != nil || offset < 0 {
			return backend.LogChunk{}, backend.NotFoundf("log token %q of run %q", token, runID)
		}
	}
	var lines []string
	for _, l := range r.logs {
		lines = append(lines, l.Lines...)
	}
	offset = min(offset, len(lines))
	end := min(offset+logChunkLines, len(lines))
	var text string
	if end > offset {
		text = strings.Join(lines[offset:end], "\n") + "\n"
	}
	done := end == len(lines) && (r.State.Terminal() || r.State.Waiting())
	return backend.LogChunk{Text: text, Next: strconv.Itoa(end), Done: done}, nil
}

// RunChanges returns the resources the run's plan changes (none before planning).
func (e *Engine) RunChanges(ctx context.Context, stackID, runID string) ([]model.ResourceChange, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return nil, err
	}
	r, err := e.run(stackID, runID)
	if err != nil {
		return nil, err
	}
	if r.Delta == nil {
		return nil, nil
	}
	return cloneChanges(r.changes), nil
}

// Trigger starts a run of the stack's tracked commit. A deploy on a stack
// with a deploy in progress is accepted and waits QUEUED behind it, as in
// Spacelift; plans and drift checks run at once.
func (e *Engine) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	switch kind {
	case model.RunPlan, model.RunDeploy, model.RunDriftCheck:
	default:
		return model.Run{}, backend.Conflictf("unknown run kind %q", kind)
	}
	en := entry{Op: opStart, Stack: stackID, Kind: kind, Assess: kind == model.RunDriftCheck}
	if kind == model.RunDriftCheck {
		en.Message = "Drift check (on demand)"
	}
	return e.runOp(ctx, en)
}

// PlanCommit starts a proposed run of a commit of the stack's repository
// (backend.CommitPlanner): what the stack would do at that commit, nothing
// applied. A commit the repository does not have is refused.
func (e *Engine) PlanCommit(ctx context.Context, stackID, commit string) (model.Run, error) {
	return e.runOp(ctx, entry{Op: opPlanCommit, Stack: stackID, Commit: commit})
}

// writable finds a stack that the sandbox user may act on: not locked by someone else.
func (e *Engine) writable(stackID string) (*stack, error) {
	s, err := e.stack(stackID)
	if err != nil {
		return nil, err
	}
	if s.Lock != nil && s.Lock.Holder != You {
		return nil, &backend.LockedError{Stack: stackID, Lock: *s.Lock}
	}
	return s, nil
}

// runOp applies a mutation that answers with a run (mutate).
func (e *Engine) runOp(ctx context.Context, en entry) (model.Run, error) {
	r, _, err := e.mutate(ctx, en)
	if err != nil {
		return model.Run{}, err
	}
	return r.view(), nil
}

// stackOp applies a mutation that answers with the stack.
func (e *Engine) stackOp(ctx context.Context, en entry) (model.Stack, error) {
	_, s, err := e.mutate(ctx, en)
	if err != nil {
		return model.Stack{}, err
	}
	return s.view(), nil
}

// apply applies one journaled mutation at its time, live or replayed.
// Callers hold e.mu.
func (e *Engine) apply(ctx context.Context, en *entry) (*run, *stack, error) {
	if act, ok := runActions[en.Op]; ok {
		if _, err := e.writable(en.Stack); err != nil {
			return nil, nil, err
		}
		r, err := e.run(en.Stack, en.Run)
		if err != nil {
			return nil, nil, err
		}
		out, err := act(e, ctx, r, en)
		return out, nil, err
	}
	if !stackOps[en.Op] {
		return nil, nil, fmt.Errorf("sandbox: unknown operation %q", en.Op)
	}
	s, err := e.writable(en.Stack)
	if err != nil {
		return nil, nil, err
	}
	switch en.Op {
	case opStart:
		return e.startRun(ctx, s, en), nil, nil
	case opPlanCommit:
		c, err := s.repo.commit(ctx, en.Commit)
		if err != nil {
			return nil, nil, backend.NotFoundf("commit %q in the repository of %s", en.Commit, s.ID)
		}
		return e.newRun(s, model.RunPlan, c.Hash, You, c.Message, en.At), nil, nil
	case opLock:
		s.Lock = &model.Lock{Holder: You, Note: en.Note, At: en.At}
	case opUnlock:
		s.Lock = nil
	case opSyncCommit:
		s.TrackedCommit, s.CommitsBehind = s.BranchHead, 0
	}
	return nil, s, nil
}

// stackOps are the mutations addressed to a stack (apply).
var stackOps = map[string]bool{opStart: true, opPlanCommit: true, opLock: true, opUnlock: true, opSyncCommit: true}

// runActions are the mutations addressed to one run of a stack the user
// may act on. Each changes the run at en.At, or refuses before changing
// anything.
var runActions = map[string]func(e *Engine, ctx context.Context, r *run, en *entry) (*run, error){
	opConfirm:     (*Engine).confirm,
	opDiscard:     (*Engine).discard,
	opRetry:       (*Engine).retry,
	opCancel:      (*Engine).cancel,
	opInterrupt:   (*Engine).interrupt,
	opStop:        (*Engine).stop,
	opForceCancel: (*Engine).forceCancel,
	opReview:      (*Engine).review,
	opPromote:     (*Engine).promote,
}

// Confirm applies an UNCONFIRMED run. A saved plan applies only while the
// stack still has what it planned against.
func (e *Engine) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.runOp(ctx, entry{Op: opConfirm, Stack: stackID, Run: runID})
}

func (e *Engine) confirm(ctx context.Context, r *run, en *entry) (*run, error) {
	if r.State != model.StateUnconfirmed {
		return nil, backend.Conflictf("run %s is %s, not UNCONFIRMED", r.ID, r.State)
	}
	if r.NeedsApproval {
		return nil, backend.Conflictf("run %s needs approval before it can be confirmed (approval policy); approve it first", r.ID)
	}
	if stale(r) {
		return nil, backend.Conflictf("run %s is a saved plan of %s, which has applied other changes since", r.ID, r.stack.ID)
	}
	e.transition(r, model.StateConfirmed, en.At, "confirmed by "+You)
	return r, nil
}

// Discard drops a run waiting for confirmation or review, or not yet started.
func (e *Engine) Discard(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.runOp(ctx, entry{Op: opDiscard, Stack: stackID, Run: runID})
}

func (e *Engine) discard(ctx context.Context, r *run, en *entry) (*run, error) {
	switch r.State {
	case model.StateUnconfirmed, model.StatePendingReview, model.StateQueued, model.StateReady:
	default:
		return nil, backend.Conflictf("run %s is %s and cannot be discarded", r.ID, r.State)
	}
	e.transition(r, model.StateDiscarded, en.At, "discarded by "+You)
	e.advanceTo(ctx, en.At) // a deploy queued behind this one may start
	return r, nil
}

// Retry starts a new run of a failed run's kind and commit.
func (e *Engine) Retry(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.runOp(ctx, entry{Op: opRetry, Stack: stackID, Run: runID})
}

func (e *Engine) retry(ctx context.Context, r *run, en *entry) (*run, error) {
	if r.State != model.StateFailed {
		return nil, backend.Conflictf("run %s is %s; only failed runs can be retried", r.ID, r.State)
	}
	return e.newRun(r.stack, r.Kind, r.Commit, You, r.Title, en.At), nil
}

// Cancel cancels a run that has not started (a run held by an approval
// policy included), or stops one that is running where Stop would.
func (e *Engine) Cancel(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.runOp(ctx, entry{Op: opCancel, Stack: stackID, Run: runID})
}

func (e *Engine) cancel(ctx context.Context, r *run, en *entry) (*run, error) {
	switch {
	case r.State == model.StateQueued || r.State == model.StateReady:
		e.transition(r, model.StateCanceled, en.At, "canceled by "+You)
	case !r.State.Active():
		return nil, backend.Conflictf("run %s is %s and cannot be canceled", r.ID, r.State)
	case stopRefusal(r) != "":
		return nil, backend.Conflictf("run %s %s", r.ID, stopRefusal(r))
	default:
		e.transition(r, model.StateStopped, en.At, "stopped by "+You)
	}
	e.advanceTo(ctx, en.At)
	return r, nil
}

// Lock takes the stack's lock for the sandbox user.
func (e *Engine) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	return e.stackOp(ctx, entry{Op: opLock, Stack: stackID, Note: note})
}

// Unlock releases the sandbox user's lock; a lock held by someone else is a conflict.
func (e *Engine) Unlock(ctx context.Context, stackID string) (model.Stack, error) {
	return e.stackOp(ctx, entry{Op: opUnlock, Stack: stackID})
}

// ListModules returns the registry's modules by id.
func (e *Engine) ListModules(ctx context.Context) ([]model.Module, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return nil, err
	}
	out := make([]model.Module, len(e.modules))
	for i, m := range e.modules {
		out[i] = m.Module
	}
	return out, nil
}

// ListModuleVersions returns a module's versions (its repository's semver tags), newest first.
func (e *Engine) ListModuleVersions(ctx context.Context, moduleID string) ([]model.ModuleVersion, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return nil, err
	}
	for _, m := range e.modules {
		if m.ID == moduleID {
			return m.versions(), nil
		}
	}
	return nil, backend.NotFoundf("module %q", moduleID)
}

func (m *module) versions() []model.ModuleVersion {
	var out []model.ModuleVersion
	for name, ref := range m.repo.tags {
		out = append(out, model.ModuleVersion{Number: strings.TrimPrefix(name, "v"), Commit: ref.Commit, CreatedAt: ref.Date})
	}
	model.SortVersions(out)
	return out
}

// RunOptions are a run's settings as HCP Terraform's run API takes them
// (StartRun).
type RunOptions struct {
	// Kind: RunPlan (plan-only), RunDeploy, RunDestroy, or RunDriftCheck
	// (a refresh-only plan, which leaves the stack's drift alone).
	Kind    model.RunKind
	Message string // the run's title; "" = the commit's subject
	// AutoApply overrides the stack's autodeploy for a run that applies.
	AutoApply *bool
	// SavePlan makes a deploy or destroy a saved plan: it plans, then
	// waits to be applied, without holding up the stack's other runs.
	SavePlan bool
	By       string // who starts it; "" = You
}

// StartRun starts a run of the stack's tracked commit with TFC's options.
func (e *Engine) StartRun(ctx context.Context, stackID string, o RunOptions) (model.Run, error) {
	switch o.Kind {
	case model.RunPlan, model.RunDeploy, model.RunDriftCheck, model.RunDestroy:
	default:
		return model.Run{}, backend.Conflictf("unknown run kind %q", o.Kind)
	}
	return e.runOp(ctx, entry{Op: opStart, Stack: stackID, Kind: o.Kind, Message: o.Message,
		AutoApply: o.AutoApply, SavePlan: o.SavePlan, By: o.By})
}

// startRun starts a run of the stack's tracked commit (opStart); Assess
// makes a drift check update the stack's drift.
func (e *Engine) startRun(ctx context.Context, s *stack, en *entry) *run {
	title := en.Message
	if title == "" {
		title = s.repo.message(ctx, s.TrackedCommit)
	}
	by := en.By
	if by == "" {
		by = You
	}
	r := e.newRun(s, en.Kind, s.TrackedCommit, by, title, en.At)
	r.assess = en.Assess
	if en.Kind.Tracked() {
		r.SavedPlan = en.SavePlan
		if en.AutoApply != nil {
			r.AutoApply = *en.AutoApply
		}
	}
	return r
}

// ForceCancelCoolOff is how long after a cancel a run that is still working
// may be force-canceled (Stop), as HCP Terraform's cool-off.
const ForceCancelCoolOff = 3 * time.Second

// Interrupt cancels a run the way HCP Terraform does: one that has not
// started is canceled at once; one that works is sent the signal and stops
// at the end of its current phase (Terraform finishes what it is doing).
// After ForceCancelCoolOff, Stop ends it at once.
func (e *Engine) Interrupt(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.runOp(ctx, entry{Op: opInterrupt, Stack: stackID, Run: runID})
}

func (e *Engine) interrupt(ctx context.Context, r *run, en *entry) (*run, error) {
	switch {
	case r.State == model.StateQueued || r.State == model.StateReady:
		e.transition(r, model.StateCanceled, en.At, "canceled by "+You)
		e.advanceTo(ctx, en.At)
	case r.State.Active():
		if r.canceledAt.IsZero() {
			r.canceledAt = en.At
		}
	default:
		return nil, backend.Conflictf("run %s is %s and cannot be canceled", r.ID, r.State)
	}
	return r, nil
}

// RunExtra is what a run carries beyond model.Run that HCP Terraform shows.
type RunExtra struct {
	// Assessment: a drift check that updated the stack's drift, which
	// HCP Terraform calls a health assessment, not a run.
	Assessment bool
	// PlannedAt is when Terraform's plan finished (the run stays PLANNING
	// for checksFor more); zero until then.
	PlannedAt time.Time
	// CanceledAt is when a cancel was asked of the run while it worked;
	// ForceCancelAt when Stop may end it.
	CanceledAt    time.Time
	ForceCancelAt time.Time
	ForceCanceled bool // Stop ended it
	// Stale: a saved plan that can no longer be applied.
	Stale bool
}

// RunExtras returns the extras of every run of a stack, by run id.
func (e *Engine) RunExtras(ctx context.Context, stackID string) (map[string]RunExtra, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now, err := e.now(ctx)
	if err != nil {
		return nil, err
	}
	s, err := e.stack(stackID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]RunExtra, len(s.runs))
	for _, r := range s.runs {
		x := RunExtra{Assessment: r.assess, CanceledAt: r.canceledAt, ForceCanceled: r.forced, Stale: stale(r)}
		if !r.canceledAt.IsZero() {
			x.ForceCancelAt = r.canceledAt.Add(ForceCancelCoolOff)
		}
		x.PlannedAt = plannedAt(r, now)
		out[r.ID] = x
	}
	return out, nil
}

// plannedAt is when r's plan finished: the end of PLANNING less checksFor,
// once that has passed.
func plannedAt(r *run, now time.Time) time.Time {
	for _, h := range r.History {
		if h.State == model.StatePlanning {
			if at := h.At.Add(planningFor - checksFor); !at.After(now) {
				return at
			}
			return time.Time{}
		}
	}
	return time.Time{}
}

// stale reports a saved plan planned against what the stack no longer has.
func stale(r *run) bool {
	return r.SavedPlan && r.State == model.StateUnconfirmed && r.basedOn != r.stack.applies
}

// Now is the engine's clock.
func (e *Engine) Now() time.Time { return e.clock.Now() }
