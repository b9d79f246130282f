// Package fakeengine is a small in-memory spaceliftapi.Engine for testing the
// Spacelift dialect server and client without the sandbox engine: runs move
// only when a test calls a method, so every state is reachable on purpose.
package fakeengine

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// RunsPageSize and LogPageLines are the page sizes of ListRuns and RunLogs.
const (
	RunsPageSize = 10
	LogPageLines = 50
)

// Engine holds stacks, runs, logs and modules.
type Engine struct {
	mu       sync.Mutex
	now      time.Time
	stacks   []model.Stack
	runs     map[string][]model.Run // per stack, oldest first
	logs     map[string][]string    // per run id
	changes  map[string][]model.ResourceChange
	modules  []model.Module
	versions map[string][]model.ModuleVersion
	nextID   int
	held     map[string]bool // stacks whose plans wait for review
	index    map[string]int  // stack id → position in stacks
}

// New returns an engine with n stacks named stack-000…, a module "vpc" with
// three versions, and a deploy run awaiting confirmation on stack-000.
func New(n int) *Engine {
	e := &Engine{
		now:      time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC),
		runs:     map[string][]model.Run{},
		logs:     map[string][]string{},
		changes:  map[string][]model.ResourceChange{},
		versions: map[string][]model.ModuleVersion{},
	}
	for i := range n {
		id := fmt.Sprintf("stack-%03d", i)
		st := model.Stack{
			ID: id, Name: id, Space: "root", Labels: []string{"env:dev"},
			Repository: model.Repository{Provider: "github", Namespace: "acme", Name: "infra"},
			Branch:     "dev", ProjectRoot: "stacks/" + id, TrackedCommit: "c0ffee" + strconv.Itoa(i),
			BranchHead: "c0ffee" + strconv.Itoa(i), CanWrite: true,
		}
		if i > 0 {
			st.DependsOn = []string{"stack-000"}
		}
		e.stacks = append(e.stacks, st)
	}
	e.index = make(map[string]int, n)
	for i, st := range e.stacks {
		e.index[st.ID] = i
	}
	if n > 0 {
		e.stacks[0].Drift = model.Drift{Drifted: true, CheckedAt: e.now, Resources: []string{"aws_vpc.main"}}
		_, _ = e.Trigger(context.Background(), "stack-000", model.RunDeploy)
	}
	e.modules = []model.Module{{ID: "terraform-aws-vpc", Name: "vpc", Provider: "aws",
		Source: "spacelift.io/acme/vpc/aws", Repo: "acme/terraform-aws-vpc", Latest: "1.2.0"}}
	for i, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		e.versions["terraform-aws-vpc"] = append(e.versions["terraform-aws-vpc"],
			model.ModuleVersion{Number: v, Commit: "abc" + v, CreatedAt: e.now.Add(time.Duration(i) * time.Hour)})
	}
	return e
}

func (e *Engine) Info() backend.Info {
	return backend.Info{Kind: "sandbox", Endpoint: "in-process", Account: "acme", Sandbox: true}
}

func (e *Engine) Capabilities() backend.Capabilities {
	return backend.Capabilities{DriftCheck: true, Lock: true}
}

func (e *Engine) ListStacks(ctx context.Context) ([]model.Stack, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := slices.Clone(e.stacks)
	for i := range out {
		rs := e.runs[out[i].ID]
		if len(rs) > 0 {
			r := rs[len(rs)-1]
			out[i].LatestRun = &r
		}
		for j := len(rs) - 1; j >= 0; j-- {
			if rs[j].Kind.Tracked() {
				r := rs[j]
				out[i].LatestTrackedRun, out[i].State = &r, r.State
				break
			}
		}
		for _, r := range rs { // runs in creation order: the first unfinished exclusive one holds the stack
			if !r.State.Terminal() && r.Exclusive() {
				out[i].Blocker = &r
				break
			}
		}
	}
	return out, ctx.Err()
}

// EntitiesPerStack is how many resources each fake stack manages.
const EntitiesPerStack = 60

// StackEntities lists EntitiesPerStack resources per stack; the drifted
// ones (Drift.Resources) first, stamped with the check's time.
func (e *Engine) StackEntities(_ context.Context, stackID string) ([]sandbox.Entity, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.stack(stackID)
	if err != nil {
		return nil, err
	}
	var out []sandbox.Entity
	for _, addr := range st.Drift.Resources {
		out = append(out, sandbox.Entity{ID: stackID + "/" + addr, Address: addr, Type: "aws_vpc", Name: "main", Drifted: st.Drift.CheckedAt})
	}
	for i := len(out); i < EntitiesPerStack; i++ {
		addr := fmt.Sprintf("aws_route53_record.service[%d]", i)
		out = append(out, sandbox.Entity{ID: stackID + "/" + addr, Address: addr, Type: "aws_route53_record", Name: fmt.Sprintf("service[%d]", i)})
	}
	return out, nil
}

// StackOutputs gives every stack one output.
func (e *Engine) StackOutputs(_ context.Context, stackID string) ([]sandbox.Output, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.stack(stackID); err != nil {
		return nil, err
	}
	return []sandbox.Output{{ID: "vpc_id", Value: "vpc-" + stackID}}, nil
}

// StackDependencies are the stack's DependsOn, without references.
func (e *Engine) StackDependencies(_ context.Context, stackID string) ([]sandbox.Dependency, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.stack(stackID)
	if err != nil {
		return nil, err
	}
	out := make([]sandbox.Dependency, len(st.DependsOn))
	for i, up := range st.DependsOn {
		out[i] = sandbox.Dependency{Upstream: up}
	}
	return out, nil
}

func (e *Engine) stack(id string) (*model.Stack, error) {
	i, ok := e.index[id] // every run list of every stack looks its stack up
	if !ok {
		return nil, backend.NotFoundf("stack %q", id)
	}
	return &e.stacks[i], nil
}

func (e *Engine) run(stackID, runID string) (*model.Run, error) {
	if _, err := e.stack(stackID); err != nil {
		return nil, err
	}
	rs := e.runs[stackID]
	i := slices.IndexFunc(rs, func(r model.Run) bool { return r.ID == runID })
	if i < 0 {
		return nil, backend.NotFoundf("run %q", runID)
	}
	return &rs[i], nil
}

func (e *Engine) ListRuns(_ context.Context, stackID, cursor string) ([]model.Run, string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.stack(stackID); err != nil {
		return nil, "", err
	}
	rs := e.runs[stackID]
	end := len(rs)
	if cursor != "" {
		end = slices.IndexFunc(rs, func(r model.Run) bool { return r.ID == cursor })
		if end < 0 {
			return nil, "", backend.NotFoundf("run %q", cursor)
		}
	}
	var out []model.Run
	for i := end - 1; i >= 0 && len(out) < RunsPageSize; i-- {
		out = append(out, rs[i])
	}
	next := ""
	if len(out) > 0 && end-len(out) > 0 {
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

func (e *Engine) GetRun(_ context.Context, stackID, runID string) (model.Run, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.run(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	return *r, nil
}

// RunLogs pages LogPageLines lines at a time; the token is the line offset.
func (e *Engine) RunLogs(_ context.Context, stackID, runID, token string) (backend.LogChunk, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.run(stackID, runID)
	if err != nil {
		return backend.LogChunk{}, err
	}
	off, _ := strconv.Atoi(token)
	lines := e.logs[runID]
	off = min(off, len(lines))
	end := min(off+LogPageLines, len(lines))
	text := ""
	if end > off {
		text = strings.Join(lines[off:end], "\n") + "\n"
	}
	done := end == len(lines) && (r.State.Terminal() || r.State.Waiting())
	return backend.LogChunk{Text: text, Next: strconv.Itoa(end), Done: done}, nil
}

// RunLogsByState attributes the whole log to PLANNING, the state that
// writes it.
func (e *Engine) RunLogsByState(_ context.Context, stackID, runID string) ([]sandbox.StateLog, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.run(stackID, runID); err != nil {
		return nil, err
	}
	return []sandbox.StateLog{{State: model.StatePlanning, Lines: slices.Clone(e.logs[runID])}}, nil
}

func (e *Engine) RunChanges(_ context.Context, stackID, runID string) ([]model.ResourceChange, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.run(stackID, runID); err != nil {
		return nil, err
	}
	return slices.Clone(e.changes[runID]), nil
}

// Trigger creates a run that has planned: a deploy waits UNCONFIRMED, a plan
// is FINISHED. Its log has 120 lines, so it takes three pages.
func (e *Engine) Trigger(_ context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.stack(stackID)
	if err != nil {
		return model.Run{}, err
	}
	return e.newRun(st, kind), nil
}

func (e *Engine) newRun(st *model.Stack, kind model.RunKind) model.Run {
	e.nextID++
	e.now = e.now.Add(time.Minute)
	final := model.StateUnconfirmed
	switch {
	case kind != model.RunDeploy && e.held[st.ID]:
		final = model.StatePendingReview
	case kind != model.RunDeploy:
		final = model.StateFinished
	}
	r := model.Run{
		ID: fmt.Sprintf("01RUN%021d", e.nextID), StackID: st.ID, Kind: kind, State: final, RawState: string(final),
		Commit: st.TrackedCommit, Title: "fake " + string(kind), TriggeredBy: "tester",
		Delta: &model.Delta{Add: 1, Change: 2}, CreatedAt: e.now, UpdatedAt: e.now,
		History: []model.RunTransition{
			{State: model.StateQueued, At: e.now}, {State: model.StatePlanning, At: e.now}, {State: final, At: e.now},
		},
	}
	e.runs[st.ID] = append(e.runs[st.ID], r)
	for i := range 120 {
		e.logs[r.ID] = append(e.logs[r.ID], fmt.Sprintf("%s line %d", r.ID, i))
	}
	e.changes[r.ID] = []model.ResourceChange{{Address: "aws_vpc.main", Action: model.ActionAdd}}
	return r
}

// Hold makes the plans triggered on a stack from now on wait for review.
func (e *Engine) Hold(stackID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.held == nil {
		e.held = map[string]bool{}
	}
	e.held[stackID] = true
}

// transition moves a run from one of the states in from to state to.
func (e *Engine) transition(stackID, runID string, to model.RunState, from ...model.RunState) (model.Run, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.run(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	if !slices.Contains(from, r.State) {
		return model.Run{}, backend.Conflictf("run %s is %s", runID, r.State)
	}
	e.now = e.now.Add(time.Minute)
	r.State, r.RawState, r.UpdatedAt = to, string(to), e.now
	r.History = append(r.History, model.RunTransition{State: to, At: e.now})
	return *r, nil
}

func (e *Engine) Confirm(_ context.Context, stackID, runID string) (model.Run, error) {
	return e.transition(stackID, runID, model.StateFinished, model.StateUnconfirmed)
}

func (e *Engine) Discard(_ context.Context, stackID, runID string) (model.Run, error) {
	return e.transition(stackID, runID, model.StateDiscarded, model.StateUnconfirmed, model.StateQueued)
}

func (e *Engine) Cancel(_ context.Context, stackID, runID string) (model.Run, error) {
	return e.transition(stackID, runID, model.StateCanceled, model.StateQueued)
}

// Fail marks a run FAILED, so tests can retry it.
func (e *Engine) Fail(stackID, runID string) error {
	_, err := e.transition(stackID, runID, model.StateFailed, model.StateUnconfirmed, model.StatePlanning)
	return err
}

func (e *Engine) Retry(_ context.Context, stackID, runID string) (model.Run, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.run(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	if r.State != model.StateFailed {
		return model.Run{}, backend.Conflictf("run %s is %s, only failed runs can be retried", runID, r.State)
	}
	st, _ := e.stack(stackID)
	return e.newRun(st, r.Kind), nil
}

func (e *Engine) Lock(_ context.Context, stackID, note string) (model.Stack, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.stack(stackID)
	if err != nil {
		return model.Stack{}, err
	}
	if st.Lock != nil {
		return model.Stack{}, backend.Conflictf("stack %s is locked by %s", stackID, st.Lock.Holder)
	}
	st.Lock = &model.Lock{Holder: "tester", Note: note, At: e.now}
	return *st, nil
}

func (e *Engine) Unlock(_ context.Context, stackID string) (model.Stack, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.stack(stackID)
	if err != nil {
		return model.Stack{}, err
	}
	if st.Lock == nil {
		return model.Stack{}, backend.Conflictf("stack %s is not locked", stackID)
	}
	st.Lock = nil
	return *st, nil
}

func (e *Engine) ListModules(context.Context) ([]model.Module, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.modules), nil
}

func (e *Engine) ListModuleVersions(_ context.Context, moduleID string) ([]model.ModuleVersion, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	vs, ok := e.versions[moduleID]
	if !ok {
		return nil, backend.NotFoundf("module %q", moduleID)
	}
	out := slices.Clone(vs)
	model.SortVersions(out)
	return out, nil
}

// Stop stops a started run; the fake's runs are started once they plan.
func (e *Engine) Stop(_ context.Context, stackID, runID string) (model.Run, error) {
	return e.transition(stackID, runID, model.StateStopped, model.StatePlanning)
}

// Review approves (FINISHED) or rejects (DISCARDED) a run pending review.
func (e *Engine) Review(_ context.Context, stackID, runID string, approve bool, _ string) (model.Run, error) {
	to := model.StateDiscarded
	if approve {
		to = model.StateFinished
	}
	return e.transition(stackID, runID, to, model.StatePendingReview)
}

// Promote deploys a finished plan.
func (e *Engine) Promote(_ context.Context, stackID, runID string) (model.Run, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.run(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	if r.Kind != model.RunPlan || r.State != model.StateFinished {
		return model.Run{}, backend.Conflictf("run %s is a %s %s", runID, r.State, r.Kind)
	}
	st, _ := e.stack(stackID)
	return e.newRun(st, model.RunDeploy), nil
}

// SyncCommit moves the tracked commit to the branch head.
func (e *Engine) SyncCommit(_ context.Context, stackID string) (model.Stack, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.stack(stackID)
	if err != nil {
		return model.Stack{}, err
	}
	st.TrackedCommit, st.CommitsBehind = st.BranchHead, 0
	return *st, nil
}

// Delete removes a stack, as deleting it on Spacelift would: it is no
// longer listed, and reading it finds nothing.
func (e *Engine) Delete(stackID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	i, ok := e.index[stackID]
	if !ok {
		return backend.NotFoundf("stack %q", stackID)
	}
	e.stacks = slices.Delete(e.stacks, i, i+1)
	delete(e.runs, stackID)
	e.index = make(map[string]int, len(e.stacks))
	for j, st := range e.stacks {
		e.index[st.ID] = j
	}
	return nil
}
