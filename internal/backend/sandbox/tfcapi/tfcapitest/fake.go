// Package tfcapitest holds an in-memory backend.Backend small enough to
// reason about in tests of the TFC dialect and the TFC client, and able to
// hold thousands of stacks for the scale tests. Its runs move only when the
// test calls Advance.
package tfcapitest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// Organization is the account the fake reports, and user the one it
// acts as.
const (
	Organization = "fake-org"
	user         = "fake-user"
)

// runsPerPage is the fake's ListRuns page size, small so paging is exercised.
const runsPerPage = 5

var envs = []struct{ name, branch string }{{"dev", "dev"}, {"qa", "qa"}, {"prod", "main"}}

// Fake is an in-memory backend. The zero value is not usable; call New.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	seq     int
	order   []string
	stacks  map[string]*model.Stack
	runs    map[string][]*model.Run       // newest first
	logs    map[string][]sandbox.StateLog // by run id
	extras  map[string]sandbox.RunExtra   // by run id
	changes map[string][]model.ResourceChange
	modules []model.Module
	vers    map[string][]model.ModuleVersion
}

// Holder is who holds the lock on a stack the fake's user did not lock.
const Holder = "someone-else"

// New builds n stacks spread over dev, qa and prod: the first of each
// environment is its environment stack (network-<env>, labelled
// layer:environment), the others business-unit stacks (buNNN-<env>,
// labelled bu:buNNN) that depend on it. Every stack has one finished deploy;
// the first business-unit stack of dev has drifted; the second business
// unit's qa deploy failed and its prod stack is locked by Holder, so every
// state the contract acts on exists (from 9 stacks on).
func New(n int) *Fake {
	f := &Fake{
		now:     time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		stacks:  map[string]*model.Stack{},
		runs:    map[string][]*model.Run{},
		logs:    map[string][]sandbox.StateLog{},
		extras:  map[string]sandbox.RunExtra{},
		changes: map[string][]model.ResourceChange{},
		vers:    map[string][]model.ModuleVersion{},
	}
	for i := range n {
		env, j := envs[i%len(envs)], i/len(envs)
		st := &model.Stack{
			Branch: env.branch, CanWrite: true, Labels: []string{"env:" + env.name},
			TrackedCommit: fmt.Sprintf("c%039d", i),
		}
		if j == 0 {
			st.Name, st.Repository = "network-"+env.name, repository("network")
			st.Labels = append(st.Labels, "layer:environment")
		} else {
			bu := fmt.Sprintf("bu%03d", j)
			st.Name, st.Repository = bu+"-"+env.name, repository(bu)
			st.Labels = append(st.Labels, "bu:"+bu)
			st.DependsOn = []string{"network-" + env.name}
			if j == 1 && env.name == "dev" {
				st.Drift = model.Drift{Drifted: true, CheckedAt: f.now, Resources: []string{"aws_s3_bucket.logs"}}
			}
		}
		st.ID = st.Name
		f.stacks[st.ID], f.order = st, append(f.order, st.ID)
		r := f.newRun(st, model.RunDeploy)
		r.Delta = &model.Delta{Add: 1}
		switch {
		case j == 2 && env.name == "qa":
			f.move(r, model.StateFailed, "Error: creating S3 bucket: AccessDenied")
		case j == 2 && env.name == "prod":
			f.move(r, model.StateFinished, "applied")
			st.Lock = &model.Lock{Holder: Holder, Note: "change freeze", At: f.now}
		default:
			f.move(r, model.StateFinished, "applied")
		}
	}
	f.modules = []model.Module{
		{ID: "vpc", Name: "vpc", Provider: "aws", Source: "app.terraform.io/" + Organization + "/vpc/aws",
			Repo: "https://github.com/stackview/terraform-aws-vpc.git", Latest: "2.0.0"},
		{ID: "eks", Name: "eks", Provider: "aws", Source: "app.terraform.io/" + Organization + "/eks/aws",
			Repo: "https://github.com/stackview/terraform-aws-eks.git", Latest: "1.0.0"},
	}
	f.vers["vpc"] = []model.ModuleVersion{{Number: "2.0.0"}, {Number: "1.1.0"}, {Number: "1.0.0"}}
	f.vers["eks"] = []model.ModuleVersion{{Number: "1.0.0"}, {Number: "0.9.0"}}
	return f
}

// repository is a GitHub repository of the fake's organisation.
func repository(name string) model.Repository {
	return model.Repository{Provider: "github", Namespace: "stackview", Name: name, WebURL: "https://github.com/stackview/" + name}
}

// Now is the fake's clock.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *Fake) newRun(st *model.Stack, kind model.RunKind) *model.Run {
	f.seq++
	r := &model.Run{ID: fmt.Sprintf("run%04d", f.seq), StackID: st.ID, Kind: kind, Commit: st.TrackedCommit,
		Title: string(kind) + " of " + st.Name, TriggeredBy: user, CreatedAt: f.now,
		AutoApply: kind.Tracked() && st.Autodeploy}
	f.runs[st.ID] = append([]*model.Run{r}, f.runs[st.ID]...)
	f.move(r, model.StateQueued, "queued")
	return r
}

func (f *Fake) move(r *model.Run, s model.RunState, line string) {
	r.State, r.RawState, r.UpdatedAt = s, string(s), f.now
	r.History = append(r.History, model.RunTransition{State: s, At: f.now})
	f.logs[r.ID] = append(f.logs[r.ID], sandbox.StateLog{State: s, Lines: []string{line}})
}

// Advance steps the clock by d and every active run one state forward:
// queued → planning → (plan: finished | deploy: unconfirmed, or applying
// when the stack autodeploys); confirmed → applying → finished.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	for _, id := range f.order {
		rs := f.runs[id] // newest first
		for i, r := range rs {
			if r.State == model.StateQueued && r.Exclusive() && slices.ContainsFunc(rs[i+1:], holds) {
				continue // queued behind an earlier run that holds the workspace
			}
			f.step(f.stacks[id], r)
		}
	}
}

// holds reports a run that keeps the workspace's later runs that apply
// queued, as TFC runs one at a time (plan-only runs aside).
func holds(r *model.Run) bool { return !r.State.Terminal() && r.Exclusive() }

func (f *Fake) step(st *model.Stack, r *model.Run) {
	x := f.extras[r.ID]
	if !x.CanceledAt.IsZero() && r.State.Active() {
		f.move(r, model.StateStopped, "canceled")
		return
	}
	switch r.State {
	case model.StateQueued:
		f.move(r, model.StatePlanning, "planning")
	case model.StatePlanning:
		r.Delta = &model.Delta{Add: 1, Change: 1}
		f.changes[r.ID] = []model.ResourceChange{
			{Address: "aws_s3_bucket.new", Action: model.ActionAdd},
			{Address: "aws_iam_role.app", Action: model.ActionChange, Attributes: []string{"policy"}},
		}
		x.PlannedAt = f.now
		f.extras[r.ID] = x
		switch {
		case !r.Kind.Tracked():
			f.move(r, model.StateFinished, planSummary)
		case r.AutoApply && !r.SavedPlan:
			f.move(r, model.StateApplying, planSummary)
		default:
			f.move(r, model.StateUnconfirmed, planSummary)
		}
	case model.StateConfirmed:
		f.move(r, model.StateApplying, "applying")
	case model.StateApplying:
		f.move(r, model.StateFinished, "apply complete")
	}
}

// planSummary is the last line of every plan's log, as Terraform prints it.
const planSummary = "Plan: 1 to add, 1 to change, 0 to destroy."

func (f *Fake) Info() backend.Info {
	return backend.Info{Kind: "fake", Endpoint: "in-process", Account: Organization}
}

func (f *Fake) Capabilities() backend.Capabilities {
	return backend.Capabilities{DriftCheck: true, Lock: true, Stop: true}
}

// startable refuses a run on a stack someone else has locked, as TFC
// refuses to queue one on a locked workspace.
func startable(st *model.Stack) error {
	if st.Lock != nil && st.Lock.Holder != user {
		return backend.Conflictf("workspace %s is locked by %s", st.ID, st.Lock.Holder)
	}
	return nil
}

func (f *Fake) stack(id string) (*model.Stack, error) {
	st, ok := f.stacks[id]
	if !ok {
		return nil, backend.NotFoundf("stack %s", id)
	}
	return st, nil
}

func (f *Fake) run(stackID, runID string) (*model.Stack, *model.Run, error) {
	st, err := f.stack(stackID)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range f.runs[stackID] {
		if r.ID == runID {
			return st, r, nil
		}
	}
	return nil, nil, backend.NotFoundf("run %s of stack %s", runID, stackID)
}

func copyRun(r *model.Run) model.Run {
	c := *r
	c.History = append([]model.RunTransition(nil), r.History...)
	if r.Delta != nil {
		d := *r.Delta
		c.Delta = &d
	}
	return c
}

func (f *Fake) view(st *model.Stack) model.Stack {
	c := *st
	c.Labels = append([]string(nil), st.Labels...)
	c.DependsOn = append([]string(nil), st.DependsOn...)
	c.State = model.StateNone
	if rs := f.runs[st.ID]; len(rs) > 0 {
		r := copyRun(rs[0])
		c.LatestRun, c.State = &r, r.State
	}
	for _, r := range f.runs[st.ID] {
		if r.Kind.Tracked() {
			tr := copyRun(r)
			c.LatestTrackedRun = &tr
			break
		}
	}
	c.Pending, c.PendingKnown = []model.Run{}, true // as the engine: unfinished runs, oldest first
	for i := len(f.runs[st.ID]) - 1; i >= 0; i-- {
		if r := f.runs[st.ID][i]; !r.State.Terminal() {
			c.Pending = append(c.Pending, copyRun(r))
		}
	}
	if st.Lock != nil {
		l := *st.Lock
		c.Lock = &l
	}
	return c
}

func (f *Fake) ListStacks(ctx context.Context) ([]model.Stack, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]model.Stack, 0, len(f.order))
	for _, id := range f.order {
		out = append(out, f.view(f.stacks[id]))
	}
	return out, ctx.Err()
}

func (f *Fake) ListRuns(ctx context.Context, stackID, cursor string) ([]model.Run, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.stack(stackID); err != nil {
		return nil, "", err
	}
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return nil, "", fmt.Errorf("fake: bad cursor %q", cursor)
		}
		start = n
	}
	all := f.runs[stackID]
	start = min(start, len(all))
	end := min(start+runsPerPage, len(all))
	out := make([]model.Run, 0, end-start)
	for _, r := range all[start:end] {
		out = append(out, copyRun(r))
	}
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return out, next, nil
}

func (f *Fake) GetRun(ctx context.Context, stackID, runID string) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, r, err := f.run(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	return copyRun(r), nil
}

// RunLogs pages by line: the token is the index of the next line.
func (f *Fake) RunLogs(ctx context.Context, stackID, runID, token string) (backend.LogChunk, error) {
	if err := ctx.Err(); err != nil {
		return backend.LogChunk{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, r, err := f.run(stackID, runID)
	if err != nil {
		return backend.LogChunk{}, err
	}
	from := 0
	if token != "" {
		if from, err = strconv.Atoi(token); err != nil {
			return backend.LogChunk{}, fmt.Errorf("fake: bad log token %q", token)
		}
	}
	var lines []string
	for _, l := range f.logs[runID] {
		lines = append(lines, l.Lines...)
	}
	from = min(max(from, 0), len(lines))
	text := ""
	for _, l := range lines[from:] {
		text += l + "\n"
	}
	return backend.LogChunk{Text: text, Next: strconv.Itoa(len(lines)),
		Done: r.State.Terminal() || r.State.Waiting()}, nil
}

func (f *Fake) RunChanges(ctx context.Context, stackID, runID string) ([]model.ResourceChange, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, _, err := f.run(stackID, runID); err != nil {
		return nil, err
	}
	return append([]model.ResourceChange(nil), f.changes[runID]...), nil
}

func (f *Fake) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := f.stack(stackID)
	if err != nil {
		return model.Run{}, err
	}
	if err := startable(st); err != nil {
		return model.Run{}, err
	}
	return copyRun(f.newRun(st, kind)), nil
}

// transition applies an action to a run when allowed reports it may.
func (f *Fake) transition(stackID, runID, what string, allowed func(model.RunState) bool, to model.RunState) (model.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, r, err := f.run(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	if !allowed(r.State) {
		return model.Run{}, backend.Conflictf("cannot %s run %s in state %s", what, runID, r.State)
	}
	f.move(r, to, what)
	return copyRun(r), nil
}

func (f *Fake) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	return f.transition(stackID, runID, "confirm", func(s model.RunState) bool { return s == model.StateUnconfirmed },
		model.StateConfirmed)
}

func (f *Fake) Discard(ctx context.Context, stackID, runID string) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	return f.transition(stackID, runID, "discard", model.RunState.Waiting, model.StateDiscarded)
}

func (f *Fake) Cancel(ctx context.Context, stackID, runID string) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	return f.transition(stackID, runID, "cancel", model.RunState.Active, model.StateCanceled)
}

// Stop force-cancels a started run.
func (f *Fake) Stop(ctx context.Context, stackID, runID string) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	started := func(s model.RunState) bool { return s.Active() && s != model.StateQueued }
	return f.transition(stackID, runID, "force-cancel", started, model.StateStopped)
}

// Review, Promote and SyncCommit do not exist in TFC.
func (f *Fake) Review(context.Context, string, string, bool, string) (model.Run, error) {
	return model.Run{}, fmt.Errorf("fake tfc review: %w", backend.ErrUnsupported)
}

func (f *Fake) Promote(context.Context, string, string) (model.Run, error) {
	return model.Run{}, fmt.Errorf("fake tfc promote: %w", backend.ErrUnsupported)
}

func (f *Fake) SyncCommit(context.Context, string) (model.Stack, error) {
	return model.Stack{}, fmt.Errorf("fake tfc sync: %w", backend.ErrUnsupported)
}

func (f *Fake) Retry(ctx context.Context, stackID, runID string) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, r, err := f.run(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	if r.State != model.StateFailed {
		return model.Run{}, backend.Conflictf("cannot retry run %s in state %s", runID, r.State)
	}
	if err := startable(st); err != nil {
		return model.Run{}, err
	}
	n := f.newRun(st, r.Kind)
	n.Commit = r.Commit
	return copyRun(n), nil
}

// Fail makes a run FAILED, for retry tests.
func (f *Fake) Fail(stackID, runID string) error {
	_, err := f.transition(stackID, runID, "fail", func(model.RunState) bool { return true }, model.StateFailed)
	return err
}

func (f *Fake) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	if err := ctx.Err(); err != nil {
		return model.Stack{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := f.stack(stackID)
	if err != nil {
		return model.Stack{}, err
	}
	if st.Lock != nil {
		return model.Stack{}, backend.Conflictf("stack %s is already locked", stackID)
	}
	st.Lock = &model.Lock{Holder: user, Note: note, At: f.now}
	return f.view(st), nil
}

func (f *Fake) Unlock(ctx context.Context, stackID string) (model.Stack, error) {
	if err := ctx.Err(); err != nil {
		return model.Stack{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := f.stack(stackID)
	if err != nil {
		return model.Stack{}, err
	}
	if st.Lock == nil {
		return model.Stack{}, backend.Conflictf("stack %s is not locked", stackID)
	}
	if st.Lock.Holder != user {
		return model.Stack{}, backend.Conflictf("stack %s is locked by %s", stackID, st.Lock.Holder)
	}
	st.Lock = nil
	return f.view(st), nil
}

func (f *Fake) ListModules(ctx context.Context) ([]model.Module, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]model.Module(nil), f.modules...), nil
}

func (f *Fake) ListModuleVersions(ctx context.Context, moduleID string) ([]model.ModuleVersion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.vers[moduleID]
	if !ok {
		return nil, backend.NotFoundf("module %s", moduleID)
	}
	return append([]model.ModuleVersion(nil), v...), nil
}

// StartRun starts a run with TFC's options (see sandbox.RunOptions).
func (f *Fake) StartRun(ctx context.Context, stackID string, o sandbox.RunOptions) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := f.stack(stackID)
	if err != nil {
		return model.Run{}, err
	}
	if err := startable(st); err != nil {
		return model.Run{}, err
	}
	r := f.newRun(st, o.Kind)
	if o.Message != "" {
		r.Title = o.Message
	}
	if o.Kind.Tracked() {
		r.SavedPlan = o.SavePlan
		if o.AutoApply != nil {
			r.AutoApply = *o.AutoApply
		}
	}
	return copyRun(r), nil
}

// Interrupt cancels a queued run at once; a started one stops at the next
// Advance, and may be force-canceled (Stop) a second after the cancel.
func (f *Fake) Interrupt(ctx context.Context, stackID, runID string) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, r, err := f.run(stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	switch {
	case r.State == model.StateQueued:
		f.move(r, model.StateCanceled, "canceled")
	case r.State.Active():
		x := f.extras[runID]
		x.CanceledAt, x.ForceCancelAt = f.now, f.now.Add(time.Second)
		f.extras[runID] = x
	default:
		return model.Run{}, backend.Conflictf("cannot cancel run %s in state %s", runID, r.State)
	}
	return copyRun(r), nil
}

// ForceCancel ends a started run at once.
func (f *Fake) ForceCancel(ctx context.Context, stackID, runID string) (model.Run, error) {
	if err := ctx.Err(); err != nil {
		return model.Run{}, err
	}
	r, err := f.Stop(ctx, stackID, runID)
	if err == nil {
		f.mu.Lock()
		x := f.extras[runID]
		x.ForceCanceled = true
		f.extras[runID] = x
		f.mu.Unlock()
	}
	return r, err
}

// RunExtras returns the extras of a stack's runs.
func (f *Fake) RunExtras(ctx context.Context, stackID string) (map[string]sandbox.RunExtra, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.stack(stackID); err != nil {
		return nil, err
	}
	out := map[string]sandbox.RunExtra{}
	for _, r := range f.runs[stackID] {
		out[r.ID] = f.extras[r.ID]
	}
	return out, nil
}

// RunLogsByState returns a run's log split by the state that wrote it.
func (f *Fake) RunLogsByState(ctx context.Context, stackID, runID string) ([]sandbox.StateLog, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, _, err := f.run(stackID, runID); err != nil {
		return nil, err
	}
	return append([]sandbox.StateLog(nil), f.logs[runID]...), nil
}

var _ backend.Backend = (*Fake)(nil)

// ResourceCount gives each stack a resource count between 20 and 300 fixed
// by its position.
func (f *Fake) ResourceCount(_ context.Context, stackID string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.stack(stackID); err != nil {
		return 0, err
	}
	return resourceCount(stackID), nil
}

func resourceCount(stackID string) int {
	h := 0
	for _, c := range stackID {
		h = h*31 + int(c)
	}
	return 20 + (h&0x7fffffff)%281
}

// StackEntities lists ResourceCount resources: the drifted ones first.
func (f *Fake) StackEntities(_ context.Context, stackID string) ([]sandbox.Entity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := f.stack(stackID)
	if err != nil {
		return nil, err
	}
	var out []sandbox.Entity
	for _, addr := range st.Drift.Resources {
		out = append(out, sandbox.Entity{ID: stackID + "/" + addr, Address: addr, Type: "aws_s3_bucket", Name: "logs", Drifted: st.Drift.CheckedAt})
	}
	for i := len(out); i < resourceCount(stackID); i++ {
		addr := fmt.Sprintf("aws_route53_record.service[%d]", i)
		out = append(out, sandbox.Entity{ID: stackID + "/" + addr, Address: addr, Type: "aws_route53_record", Name: fmt.Sprintf("service[%d]", i)})
	}
	return out, nil
}

// Delete removes a stack (its workspace), as deleting it in TFC would.
func (f *Fake) Delete(stackID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.stack(stackID); err != nil {
		return err
	}
	delete(f.stacks, stackID)
	delete(f.runs, stackID)
	f.order = slices.DeleteFunc(f.order, func(id string) bool { return id == stackID })
	return nil
}
