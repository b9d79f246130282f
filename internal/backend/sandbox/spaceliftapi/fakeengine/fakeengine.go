// Package fakeengine is a small in-memory spaceliftapi.Engine for testing the
// Spacelift dialect server and client without the sandbox engine, and at
// sizes the sandbox's git repositories would make slow. It passes the
// backend contract (backendtest): runs are born QUEUED and move one state
// each time the test calls Advance, so every state is reachable on purpose.
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
	"github.com/stackview/stackview/internal/backend/fakerun"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// RunsPageSize and LogPageLines are the page sizes of ListRuns and RunLogs.
const (
	RunsPageSize = 10
	LogPageLines = 50
)

// LogLines is how many lines a run's plan writes; the last is its summary.
const LogLines = 120

// User is who the engine's callers act as; Holder holds the lock on the
// stack locked by someone else.
const (
	User   = "tester"
	Holder = "someone-else"
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
	approval map[string]bool // stacks whose deploys wait for an approval
	index    map[string]int  // stack id → position in stacks
}

var envs = []struct{ name, branch string }{{"dev", "dev"}, {"qa", "qa"}, {"prod", "main"}}

// New returns an engine with n stacks named stack-000…, spread over dev, qa
// and prod in turn: the first of each environment (stack-000, -001, -002)
// is its environment stack, the others business-unit stacks that depend on
// it. Every stack has one deploy; a module "vpc" has three versions. The
// seed leaves, when there are enough stacks: stack-000 drifted with its
// deploy UNCONFIRMED; stack-005's deploy held for an approval; stack-006's
// deploy FAILED; a plan on stack-007 PENDING_REVIEW; stack-008 locked by
// Holder; stack-009 drifted and behind its branch.
func New(n int) *Engine {
	e := &Engine{
		now:      time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC),
		runs:     map[string][]model.Run{},
		logs:     map[string][]string{},
		changes:  map[string][]model.ResourceChange{},
		versions: map[string][]model.ModuleVersion{},
		held:     map[string]bool{},
		approval: map[string]bool{},
		index:    make(map[string]int, n),
	}
	for i := range n {
		id := fmt.Sprintf("stack-%03d", i)
		env, j := envs[i%len(envs)], i/len(envs)
		st := model.Stack{
			ID: id, Name: id, Space: "root", Labels: []string{"env:" + env.name},
			Repository: model.Repository{Provider: "github", Namespace: "acme", Name: "infra"},
			Branch:     env.branch, ProjectRoot: "stacks/" + id, TrackedCommit: "c0ffee" + strconv.Itoa(i),
			BranchHead: "c0ffee" + strconv.Itoa(i), CanWrite: true,
		}
		if j == 0 {
			st.Labels = append(st.Labels, "layer:environment")
		} else {
			st.Labels = append(st.Labels, fmt.Sprintf("bu:unit%d", j))
			st.DependsOn = []string{fmt.Sprintf("stack-%03d", i%len(envs))}
		}
		e.index[id] = len(e.stacks)
		e.stacks = append(e.stacks, st)
	}
	for i := range e.stacks {
		st := &e.stacks[i]
		e.approval[st.ID] = i == 5
		r := e.newRun(st, model.RunDeploy, st.TrackedCommit)
		e.settle(st)
		switch i {
		case 0, 5:
			// stays UNCONFIRMED, stack-005's held for an approval
		case 6:
			e.fail(e.find(st.ID, r.ID), "Error: creating S3 bucket: AccessDenied")
		default:
			e.confirm(e.find(st.ID, r.ID))
			e.settle(st)
		}
		switch i {
		case 0:
			st.Drift = model.Drift{Drifted: true, CheckedAt: e.now, Resources: []string{"aws_vpc.main"}}
		case 7:
			e.held[st.ID] = true
			e.newRun(st, model.RunPlan, st.TrackedCommit)
			e.settle(st)
			delete(e.held, st.ID)
		case 8:
			st.Lock = &model.Lock{Holder: Holder, Note: "change freeze", At: e.now}
		case 9:
			st.Drift = model.Drift{Drifted: true, CheckedAt: e.now, Resources: []string{"aws_s3_bucket.logs"}}
			st.BranchHead, st.CommitsBehind = st.TrackedCommit+"-head", 1
		}
	}
	e.modules = []model.Module{{ID: "terraform-aws-vpc", Name: "vpc", Provider: "aws",
		Source: "spacelift.io/acme/vpc/aws", Repo: "acme/terraform-aws-vpc", Latest: "1.2.0"}}
	for i, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		e.versions["terraform-aws-vpc"] = append(e.versions["terraform-aws-vpc"],
			model.ModuleVersion{Number: v, Commit: "abc" + v, CreatedAt: e.now.Add(time.Duration(i) * time.Hour)})
	}
	return e
}

// settle steps a stack's runs until none moves on by itself. Seeding
// settles each stack alone: stepping every stack for each one seeded made
// New quadratic (minutes for the 4,010 stacks of the paging tests).
func (e *Engine) settle(st *model.Stack) {
	for e.stepStack(st) {
	}
}

func (e *Engine) Info() backend.Info {
	return backend.Info{Kind: "sandbox", Endpoint: "in-process", Account: "acme", Sandbox: true}
}

// Capabilities are the Spacelift sandbox's: everything.
func (e *Engine) Capabilities() backend.Capabilities {
	return backend.Capabilities{DriftCheck: true, Review: true, Lock: true, Stop: true, Promote: true, SyncCommit: true}
}

// Advance moves the engine's time by d and every active run one state on:
// QUEUED → PLANNING → FINISHED (a plan; PENDING_REVIEW on a held stack) or
// UNCONFIRMED (a deploy); CONFIRMED → APPLYING → FINISHED.
func (e *Engine) Advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
	e.step()
}

// step moves every active run one state on and reports whether any moved.
func (e *Engine) step() bool {
	moved := false
	for i := range e.stacks {
		moved = e.stepStack(&e.stacks[i]) || moved
	}
	return moved
}

// stepStack moves one stack's active runs one state on.
func (e *Engine) stepStack(st *model.Stack) bool {
	moved := false
	rs := e.runs[st.ID]
	for j := range rs {
		if rs[j].State == model.StateQueued && rs[j].Exclusive() && slices.ContainsFunc(rs[:j], fakerun.Holds) {
			continue // queued behind an earlier run that holds the stack
		}
		moved = e.stepRun(st, &rs[j]) || moved
	}
	return moved
}

func (e *Engine) stepRun(st *model.Stack, r *model.Run) bool {
	if r.State == model.StatePlanning {
		e.plan(st, r)
		return true
	}
	to, ok := fakerun.Next(r)
	if !ok {
		return false
	}
	e.transition(r, to, "")
	if to == model.StateFinished && st.Drift.Drifted { // applied: nothing drifts
		st.Drift = model.Drift{CheckedAt: st.Drift.CheckedAt}
	}
	return true
}

// plan writes the run's plan: its changes, delta and log; a drift check
// finds the stack's drifted resources and records its result.
func (e *Engine) plan(st *model.Stack, r *model.Run) {
	var changes []model.ResourceChange
	if r.Kind == model.RunDriftCheck {
		for _, addr := range st.Drift.Resources {
			changes = append(changes, model.ResourceChange{Address: addr, Action: model.ActionChange})
		}
	} else {
		changes = []model.ResourceChange{
			{Address: "aws_vpc.main", Action: model.ActionAdd},
			{Address: "aws_iam_role.app", Action: model.ActionChange},
			{Address: "aws_s3_bucket.logs", Action: model.ActionChange},
		}
	}
	d := model.DeltaOf(changes)
	r.Delta, e.changes[r.ID] = &d, changes
	for i := range LogLines - 1 {
		e.logs[r.ID] = append(e.logs[r.ID], fmt.Sprintf("%s line %d", r.ID, i))
	}
	e.logs[r.ID] = append(e.logs[r.ID], fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy.", d.Add, d.Change, d.Destroy))
	e.transition(r, fakerun.Planned(r, e.held[st.ID]), "")
	switch {
	case r.Kind == model.RunDriftCheck:
		st.Drift = model.Drift{Drifted: !d.Empty(), CheckedAt: e.now, RunID: r.ID, Resources: slices.Clone(st.Drift.Resources)}
	case r.Kind.Tracked():
		r.NeedsApproval = e.approval[st.ID]
	}
}

func (e *Engine) ListStacks(ctx context.Context) ([]model.Stack, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
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
				out[i].LatestTrackedRun, out[i].State, out[i].NeedsApproval = &r, r.State, r.NeedsApproval
				break
			}
		}
		if l := out[i].Lock; l != nil {
			c := *l
			out[i].Lock = &c
		}
		out[i].Pending, out[i].PendingKnown = []model.Run{}, true
		for _, r := range rs { // runs in creation order: the first unfinished exclusive one holds the stack
			if r.State.Terminal() {
				continue
			}
			out[i].Pending = append(out[i].Pending, r)
			if out[i].Blocker == nil && r.Exclusive() {
				out[i].Blocker = &r
			}
		}
	}
	return out, nil
}

// EntitiesPerStack is how many resources each fake stack manages.
const EntitiesPerStack = 60

// StackEntities lists EntitiesPerStack resources per stack; the drifted
// ones (Drift.Resources) first, stamped with the check's time.
func (e *Engine) StackEntities(ctx context.Context, stackID string) ([]sandbox.Entity, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.stack(stackID)
	if err != nil {
		return nil, err
	}
	var out []sandbox.Entity
	for _, addr := range st.Drift.Resources {
		typ, name, _ := strings.Cut(addr, ".")
		out = append(out, sandbox.Entity{ID: stackID + "/" + addr, Address: addr, Type: typ, Name: name, Drifted: st.Drift.CheckedAt})
	}
	for i := len(out); i < EntitiesPerStack; i++ {
		addr := fmt.Sprintf("aws_route53_record.service[%d]", i)
		out = append(out, sandbox.Entity{ID: stackID + "/" + addr, Address: addr, Type: "aws_route53_record", Name: fmt.Sprintf("service[%d]", i)})
	}
	return out, nil
}

// StackOutputs gives every stack one output.
func (e *Engine) StackOutputs(ctx context.Context, stackID string) ([]sandbox.Output, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.stack(stackID); err != nil {
		return nil, err
	}
	return []sandbox.Output{{ID: "vpc_id", Value: "vpc-" + stackID}}, nil
}

// StackDependencies are the stack's DependsOn, without references.
func (e *Engine) StackDependencies(ctx context.Context, stackID string) ([]sandbox.Dependency, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
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
	if r := e.find(stackID, runID); r != nil {
		return r, nil
	}
	return nil, backend.NotFoundf("run %q", runID)
}

func (e *Engine) find(stackID, runID string) *model.Run {
	rs := e.runs[stackID]
	if i := slices.IndexFunc(rs, func(r model.Run) bool { return r.ID == runID }); i >= 0 {
		return &rs[i]
	}
	return nil
}

func (e *Engine) ListRuns(ctx context.Context, stackID, cursor string) ([]model.Run, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
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
		out = append(out, fakerun.Clone(rs[i]))
	}
	next := ""
	if len(out) > 0 && end-len(out) > 0 {
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

func (e *Engine) GetRun(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.read(ctx, stackID, runID)
}

func (e *Engine) read(ctx context.Context, stackID, runID string) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.run(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	return fakerun.Clone(*r), nil
}

// RunLogs pages LogPageLines lines at a time; the token is the line offset.
func (e *Engine) RunLogs(ctx context.Context, stackID, runID, token string) (backend.LogChunk, error) {
	if err := ctx.Err(); err != nil {
		return backend.LogChunk{}, err
	}
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
func (e *Engine) RunLogsByState(ctx context.Context, stackID, runID string) ([]sandbox.StateLog, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.run(stackID, runID); err != nil {
		return nil, err
	}
	return []sandbox.StateLog{{State: model.StatePlanning, Lines: slices.Clone(e.logs[runID])}}, nil
}

func (e *Engine) RunChanges(ctx context.Context, stackID, runID string) ([]model.ResourceChange, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.run(stackID, runID); err != nil {
		return nil, err
	}
	return slices.Clone(e.changes[runID]), nil
}

// Trigger queues a run of the tracked commit: a plan, a deploy or a drift
// check. A stack someone else locked starts none.
func (e *Engine) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.startable(stackID)
	if err != nil {
		return model.Run{}, err
	}
	switch kind {
	case model.RunPlan, model.RunDeploy, model.RunDriftCheck:
	default:
		return model.Run{}, fmt.Errorf("%w: a %s run", backend.ErrUnsupported, kind)
	}
	return fakerun.Clone(*e.newRun(st, kind, st.TrackedCommit)), nil
}

// startable is the stack, unless someone else holds its lock.
func (e *Engine) startable(stackID string) (*model.Stack, error) {
	st, err := e.stack(stackID)
	if err != nil {
		return nil, err
	}
	if st.Lock != nil && st.Lock.Holder != User {
		return nil, backend.Conflictf("stack %s is locked by %s", stackID, st.Lock.Holder)
	}
	return st, nil
}

func (e *Engine) newRun(st *model.Stack, kind model.RunKind, commit string) *model.Run {
	e.nextID++
	e.now = e.now.Add(time.Minute)
	r := model.Run{
		ID: fmt.Sprintf("01RUN%021d", e.nextID), StackID: st.ID, Kind: kind, Commit: commit,
		Title: "fake " + string(kind), TriggeredBy: User, CreatedAt: e.now,
	}
	e.transition(&r, model.StateQueued, "")
	e.runs[st.ID] = append(e.runs[st.ID], r)
	rs := e.runs[st.ID]
	return &rs[len(rs)-1]
}

// Hold makes the plans triggered on a stack from now on wait for review.
func (e *Engine) Hold(stackID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.held[stackID] = true
}

// transition moves a run to state to now, with a note.
func (e *Engine) transition(r *model.Run, to model.RunState, note string) {
	fakerun.Transition(r, to, e.now, note)
}

// actor is the engine's caller, now.
func (e *Engine) actor() fakerun.Actor { return fakerun.Actor{User: User, At: e.now} }

// act applies do to a run under the lock, after the checks every run
// action shares.
func (e *Engine) act(ctx context.Context, stackID, runID string, do func(*model.Stack, *model.Run) error) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.run(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	st, _ := e.stack(stackID)
	e.now = e.now.Add(time.Second)
	if err := do(st, r); err != nil {
		return model.Run{}, err
	}
	return fakerun.Clone(*r), nil
}

func (e *Engine) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.act(ctx, stackID, runID, func(_ *model.Stack, r *model.Run) error { return e.actor().Confirm(r) })
}

// confirm confirms a run the seed leaves waiting, without the checks.
func (e *Engine) confirm(r *model.Run) { e.transition(r, model.StateConfirmed, "confirmed by "+User) }

func (e *Engine) Discard(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.act(ctx, stackID, runID, func(_ *model.Stack, r *model.Run) error { return e.actor().Discard(r) })
}

// Cancel cancels a queued run and stops one that plans.
func (e *Engine) Cancel(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.act(ctx, stackID, runID, func(_ *model.Stack, r *model.Run) error { return e.actor().Cancel(r) })
}

// Stop stops a run that plans; a queued one has not started.
func (e *Engine) Stop(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.act(ctx, stackID, runID, func(_ *model.Stack, r *model.Run) error { return e.actor().Stop(r) })
}

// Fail marks a run FAILED, so tests can retry it.
func (e *Engine) Fail(stackID, runID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.run(stackID, runID)
	if err != nil {
		return err
	}
	if r.State.Terminal() {
		return fakerun.Refuse(r, "failed")
	}
	e.fail(r, "failed by the test")
	return nil
}

func (e *Engine) fail(r *model.Run, note string) { e.transition(r, model.StateFailed, note) }

// Retry queues a new run of a failed run's kind and commit.
func (e *Engine) Retry(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.queue(ctx, stackID, runID, fakerun.Retryable, func(r *model.Run) model.RunKind { return r.Kind })
}

// Review approves or rejects a run pending review or held for an approval
// (fakerun.Actor.Review).
func (e *Engine) Review(ctx context.Context, stackID, runID string, approve bool, note string) (model.Run, error) {
	return e.act(ctx, stackID, runID, func(_ *model.Stack, r *model.Run) error { return e.actor().Review(r, approve, note) })
}

// Promote queues a deploy of a finished plan's commit.
func (e *Engine) Promote(ctx context.Context, stackID, runID string) (model.Run, error) {
	return e.queue(ctx, stackID, runID, fakerun.Promotable, func(*model.Run) model.RunKind { return model.RunDeploy })
}

// queue starts a new run of the kind given from a run the check accepts,
// of its commit, on a stack no one else holds.
func (e *Engine) queue(ctx context.Context, stackID, runID string, check func(*model.Run) error, kind func(*model.Run) model.RunKind) (model.Run, error) {
	var queued *model.Run
	_, err := e.act(ctx, stackID, runID, func(st *model.Stack, r *model.Run) error {
		if err := check(r); err != nil {
			return err
		}
		if _, err := e.startable(stackID); err != nil {
			return err
		}
		queued = e.newRun(st, kind(r), r.Commit)
		return nil
	})
	if err != nil {
		return model.Run{}, err
	}
	return e.read(ctx, stackID, queued.ID)
}

// SyncCommit moves the tracked commit to the branch head.
func (e *Engine) SyncCommit(ctx context.Context, stackID string) (model.Stack, error) {
	return e.stackAct(ctx, stackID, func(st *model.Stack) error {
		fakerun.SyncCommit(st)
		return nil
	})
}

// stackAct applies do to a stack under the lock.
func (e *Engine) stackAct(ctx context.Context, stackID string, do func(*model.Stack) error) (model.Stack, error) {
	if err := ctx.Err(); err != nil {
		return model.Stack{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.stack(stackID)
	if err != nil {
		return model.Stack{}, err
	}
	if err := do(st); err != nil {
		return model.Stack{}, err
	}
	out := *st
	if st.Lock != nil {
		l := *st.Lock
		out.Lock = &l
	}
	return out, nil
}

func (e *Engine) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	return e.stackAct(ctx, stackID, func(st *model.Stack) error {
		if st.Lock != nil {
			return backend.Conflictf("stack %s is locked by %s", stackID, st.Lock.Holder)
		}
		st.Lock = &model.Lock{Holder: User, Note: note, At: e.now}
		return nil
	})
}

func (e *Engine) Unlock(ctx context.Context, stackID string) (model.Stack, error) {
	return e.stackAct(ctx, stackID, func(st *model.Stack) error {
		switch {
		case st.Lock == nil:
			return backend.Conflictf("stack %s is not locked", stackID)
		case st.Lock.Holder != User:
			return backend.Conflictf("stack %s is locked by %s", stackID, st.Lock.Holder)
		}
		st.Lock = nil
		return nil
	})
}

func (e *Engine) ListModules(ctx context.Context) ([]model.Module, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.modules), nil
}

func (e *Engine) ListModuleVersions(ctx context.Context, moduleID string) ([]model.ModuleVersion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
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
