// Package uitest holds a small in-memory backend and key helpers for UI
// tests: a demo organisation small enough to read in a golden file, and
// switches to make any call fail.
//
// The fake is a fixture for reading screens, not a backend: it lists
// stacks and runs and takes locks (what Capabilities claims), and answers
// every run action ErrUnsupported, so it does not pass the contract
// (backendtest.Run); tests of actions run on the sandbox engine.
package uitest

import (
	"context"
	"fmt"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// Epoch is the fake organisation's "now"; ages in goldens are relative to it.
var Epoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// Fake is a concurrency-safe in-memory backend.
type Fake struct {
	mu       sync.Mutex
	stacks   []model.Stack
	runs     map[string][]model.Run
	failList error
	failRuns error
	calls    map[string]int
	// planned are runs a test gave a plan (SetPlan): GetRun, RunChanges
	// and Confirm answer for them; confirmed counts each one's confirms.
	planned   map[string]plannedRun
	confirmed map[string]int
}

type plannedRun struct {
	run     model.Run
	changes []model.ResourceChange
}

var _ backend.Backend = (*Fake)(nil)

// NewFake returns the demo organisation: per environment a network stack,
// two payments stacks, one search stack, one stack no unit claims, and one
// administrative stack for the whole organisation.
func NewFake() *Fake {
	f := &Fake{runs: map[string][]model.Run{}, calls: map[string]int{}, planned: map[string]plannedRun{}, confirmed: map[string]int{}}
	for _, env := range model.DefaultEnvironments() {
		f.addEnv(env)
	}
	f.stacks = append(f.stacks, model.Stack{
		ID: "admin", Name: "stackview-admin", Repo: "acme/infra-admin", Branch: "main",
		ProjectRoot: "admin", State: model.StateFinished, Administrative: true,
		Labels: []string{"env:prod"}, TrackedCommit: "0a0a0a0a0a", BranchHead: "0a0a0a0a0a",
	})
	return f
}

func (f *Fake) addEnv(env model.Environment) {
	n := env.Name
	id := func(s string) string { return n + "-" + s }
	ago := func(d time.Duration) time.Time { return Epoch.Add(-d) }
	mk := func(name, bu string, state model.RunState, deps ...string) model.Stack {
		labels := []string{"env:" + n}
		if bu != "" {
			labels = append(labels, "bu:"+bu)
		}
		if name == "network" {
			labels = append(labels, "layer:environment")
		}
		commit := fmt.Sprintf("%s%07d", n[:1], len(f.stacks)+1)
		return model.Stack{
			ID: id(name), Name: id(name), Repo: "acme/" + name, Branch: env.Branch,
			ProjectRoot: "stacks/" + name, Labels: labels, State: state,
			TrackedCommit: commit, BranchHead: commit, DependsOn: deps,
			URL: "https://acme.example/stack/" + id(name), CanWrite: true,
		}
	}
	network := mk("network", "", model.StateFinished)
	api := mk("payments-api", "payments", model.StateFinished, id("network"))
	worker := mk("payments-worker", "payments", model.StateUnconfirmed, id("payments-api"))
	search := mk("search", "search", model.StateFailed, id("network"))
	legacy := mk("legacy-reports", "", model.StateFinished, id("network"))
	if n == "prod" {
		api.Drift = model.Drift{Drifted: true, CheckedAt: ago(2 * time.Hour),
			Resources: []string{"aws_security_group.api", "aws_iam_role.api"}}
		api.BranchHead, api.CommitsBehind = "p9999999", 2
		search.Lock = &model.Lock{Holder: "alice", Note: "incident 42", At: ago(30 * time.Minute)}
	}
	all := []*model.Stack{&network, &api, &worker, &search, &legacy}
	for i, s := range all {
		run := model.Run{
			ID: s.ID + "-run1", StackID: s.ID, Kind: model.RunDeploy, State: s.State,
			Commit: s.TrackedCommit, TriggeredBy: "bob", Delta: &model.Delta{Add: i, Change: 1},
			CreatedAt: ago(time.Duration(i+1) * 3 * time.Minute), UpdatedAt: ago(time.Duration(i+1) * time.Minute),
		}
		s.LatestRun, s.LatestTrackedRun = &run, &run
		f.runs[s.ID] = []model.Run{run, {
			ID: s.ID + "-run0", StackID: s.ID, Kind: model.RunPlan, State: model.StateFinished,
			Commit: s.TrackedCommit, TriggeredBy: "carol", Delta: &model.Delta{},
			CreatedAt: ago(26 * time.Hour), UpdatedAt: ago(26 * time.Hour),
		}}
		f.stacks = append(f.stacks, *s)
	}
}

// FailList makes ListStacks fail with err (nil heals it).
func (f *Fake) FailList(err error) { f.mu.Lock(); f.failList = err; f.mu.Unlock() }

// FailRuns makes ListRuns fail with err (nil heals it).
func (f *Fake) FailRuns(err error) { f.mu.Lock(); f.failRuns = err; f.mu.Unlock() }

// SetState changes a stack's state, as a run would.
func (f *Fake) SetState(id string, st model.RunState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.stacks {
		if f.stacks[i].ID == id {
			f.stacks[i].State = st
		}
	}
}

// Calls reports how often a method was called.
func (f *Fake) Calls(method string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls[method] }

func (f *Fake) count(method string) { f.mu.Lock(); f.calls[method]++; f.mu.Unlock() }

// Info implements backend.Backend.
func (f *Fake) Info() backend.Info {
	return backend.Info{Kind: "sandbox", Endpoint: "in-process", Account: "acme", Sandbox: true}
}

// Capabilities implements backend.Backend.
func (f *Fake) Capabilities() backend.Capabilities { return backend.Capabilities{Lock: true} }

// ListStacks implements backend.Backend.
func (f *Fake) ListStacks(ctx context.Context) ([]model.Stack, error) {
	f.count("ListStacks")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failList != nil {
		return nil, f.failList
	}
	out := make([]model.Stack, len(f.stacks))
	copy(out, f.stacks)
	for i := range out { // every unfinished run, oldest first, as a backend that reads them all
		runs := f.runs[out[i].ID]
		out[i].Pending, out[i].PendingKnown = []model.Run{}, true
		for j := len(runs) - 1; j >= 0; j-- {
			if !runs[j].State.Terminal() {
				out[i].Pending = append(out[i].Pending, runs[j])
			}
		}
	}
	return out, ctx.Err()
}

// ListRuns implements backend.Backend.
func (f *Fake) ListRuns(ctx context.Context, stackID, _ string) ([]model.Run, string, error) {
	f.count("ListRuns")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failRuns != nil {
		return nil, "", f.failRuns
	}
	runs, ok := f.runs[stackID]
	if !ok {
		return nil, "", backend.NotFoundf("stack %s", stackID)
	}
	return append([]model.Run(nil), runs...), "", ctx.Err()
}

func unsupported(what string) error { return fmt.Errorf("fake %s: %w", what, backend.ErrUnsupported) }

// SetPlan makes run the stack's latest run, waiting for confirmation with
// the plan given: GetRun, RunChanges and Confirm answer for it.
func (f *Fake) SetPlan(stackID, runID string, changes []model.ResourceChange) model.Run {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := model.Run{ID: runID, StackID: stackID, Kind: model.RunDeploy, State: model.StateUnconfirmed, Commit: "c0ffee0",
		Delta: &model.Delta{Change: len(changes)}, CreatedAt: Epoch.Add(-time.Minute), UpdatedAt: Epoch.Add(-time.Minute)}
	for i := range f.stacks {
		if f.stacks[i].ID == stackID {
			f.stacks[i].State, f.stacks[i].LatestRun, f.stacks[i].LatestTrackedRun = model.StateUnconfirmed, &r, &r
		}
	}
	f.runs[stackID] = append([]model.Run{r}, f.runs[stackID]...)
	f.planned[runID] = plannedRun{run: r, changes: changes}
	return r
}

// Confirmed is how often each planned run was confirmed, by run id.
func (f *Fake) Confirmed() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.confirmed {
		out[k] = v
	}
	return out
}

// GetRun implements backend.Backend: runs given a plan only.
func (f *Fake) GetRun(_ context.Context, _, runID string) (model.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.planned[runID]; ok {
		return p.run, nil
	}
	return model.Run{}, unsupported("GetRun")
}

// RunLogs implements backend.Backend.
func (f *Fake) RunLogs(context.Context, string, string, string) (backend.LogChunk, error) {
	return backend.LogChunk{}, unsupported("RunLogs")
}

// RunChanges implements backend.Backend: runs given a plan only.
func (f *Fake) RunChanges(_ context.Context, _, runID string) ([]model.ResourceChange, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.planned[runID]; ok {
		return p.changes, nil
	}
	return nil, unsupported("RunChanges")
}

// Trigger implements backend.Backend.
func (f *Fake) Trigger(context.Context, string, model.RunKind) (model.Run, error) {
	return model.Run{}, unsupported("Trigger")
}

// Confirm implements backend.Backend: a run given a plan is confirmed
// (and counted); a second confirm is refused, as a real service would.
func (f *Fake) Confirm(_ context.Context, stackID, runID string) (model.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.planned[runID]
	if !ok {
		return model.Run{}, unsupported("Confirm")
	}
	f.confirmed[runID]++
	if p.run.State != model.StateUnconfirmed {
		return model.Run{}, fmt.Errorf("run %s is %s: %w", runID, p.run.State, backend.ErrConflict)
	}
	p.run.State = model.StateConfirmed
	f.planned[runID] = p
	for i := range f.stacks {
		if f.stacks[i].ID == stackID {
			r := p.run
			f.stacks[i].State, f.stacks[i].LatestRun, f.stacks[i].LatestTrackedRun = model.StateConfirmed, &r, &r
		}
	}
	return p.run, nil
}

// Discard implements backend.Backend.
func (f *Fake) Discard(context.Context, string, string) (model.Run, error) {
	return model.Run{}, unsupported("Discard")
}

// Retry implements backend.Backend.
func (f *Fake) Retry(context.Context, string, string) (model.Run, error) {
	return model.Run{}, unsupported("Retry")
}

// Cancel implements backend.Backend.
func (f *Fake) Cancel(context.Context, string, string) (model.Run, error) {
	return model.Run{}, unsupported("Cancel")
}

// You is the fake's user: the holder of the locks it takes.
const You = "you"

// Lock implements backend.Backend (Capabilities.Lock): the stack is
// locked by You with the note; a stack locked already is a conflict,
// naming its holder.
func (f *Fake) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	f.count("Lock")
	return f.withStack(stackID, func(s *model.Stack) error {
		if s.Lock != nil {
			return lockedBy(s)
		}
		s.Lock = &model.Lock{Holder: You, Note: note, At: Epoch, Mine: true}
		return ctx.Err()
	})
}

// Unlock implements backend.Backend: only the holder unlocks a stack.
func (f *Fake) Unlock(ctx context.Context, stackID string) (model.Stack, error) {
	f.count("Unlock")
	return f.withStack(stackID, func(s *model.Stack) error {
		if s.Lock != nil && !s.Lock.Mine {
			return lockedBy(s)
		}
		s.Lock = nil
		return ctx.Err()
	})
}

// withStack changes a stack and returns it as it is then.
func (f *Fake) withStack(id string, change func(*model.Stack) error) (model.Stack, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.stacks {
		if f.stacks[i].ID == id {
			if err := change(&f.stacks[i]); err != nil {
				return model.Stack{}, err
			}
			return f.stacks[i], nil
		}
	}
	return model.Stack{}, backend.NotFoundf("stack %s", id)
}

func lockedBy(s *model.Stack) error {
	return fmt.Errorf("fake: %w", &backend.LockedError{Stack: s.ID, Lock: *s.Lock})
}

// ListModules implements backend.Backend.
func (f *Fake) ListModules(context.Context) ([]model.Module, error) {
	return nil, unsupported("ListModules")
}

// ListModuleVersions implements backend.Backend.
func (f *Fake) ListModuleVersions(context.Context, string) ([]model.ModuleVersion, error) {
	return nil, unsupported("ListModuleVersions")
}

// Press builds the key press a terminal sends for a v2 key name such as "j",
// "enter", "shift+tab" or "ctrl+c".
func Press(name string) tea.KeyPressMsg {
	special := map[string]tea.Key{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "backspace": {Code: tea.KeyBackspace},
		"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight},
		"pgup":   {Code: tea.KeyPgUp},
		"pgdown": {Code: tea.KeyPgDown}, "home": {Code: tea.KeyHome}, "end": {Code: tea.KeyEnd},
		"space": {Code: tea.KeySpace, Text: " "},
	}
	if k, ok := special[name]; ok {
		return tea.KeyPressMsg(k)
	}
	if len(name) > 5 && name[:5] == "ctrl+" {
		return tea.KeyPressMsg{Code: rune(name[5]), Mod: tea.ModCtrl}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

// Type returns one key press per rune of s, as typing it would.
func Type(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		if r == ' ' {
			out = append(out, Press("space"))
			continue
		}
		out = append(out, Press(string(r)))
	}
	return out
}

// AddStacks adds n stacks that no unit claims to env, named
// "<env>-extra-NNNN", for scrolling and scale tests.
func (f *Fake) AddStacks(env string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range n {
		name := fmt.Sprintf("%s-extra-%04d", env, i)
		f.stacks = append(f.stacks, model.Stack{
			ID: name, Name: name, Labels: []string{"env:" + env}, State: model.StateFinished,
			DependsOn: []string{env + "-network"}, TrackedCommit: "e0e0e0e0", BranchHead: "e0e0e0e0",
		})
		f.runs[name] = nil
	}
}

// AddUnmapped adds a stack that no mapping rule places in an environment.
func (f *Fake) AddUnmapped(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stacks = append(f.stacks, model.Stack{ID: name, Name: name, Branch: "feature-x", State: model.StateNone})
}

// Stop implements backend.Backend.
func (f *Fake) Stop(context.Context, string, string) (model.Run, error) {
	return model.Run{}, unsupported("Stop")
}

// Review implements backend.Backend.
func (f *Fake) Review(context.Context, string, string, bool, string) (model.Run, error) {
	return model.Run{}, unsupported("Review")
}

// Promote implements backend.Backend.
func (f *Fake) Promote(context.Context, string, string) (model.Run, error) {
	return model.Run{}, unsupported("Promote")
}

// SyncCommit implements backend.Backend.
func (f *Fake) SyncCommit(context.Context, string) (model.Stack, error) {
	return model.Stack{}, unsupported("SyncCommit")
}
