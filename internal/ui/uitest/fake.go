// Package uitest holds a small in-memory backend and key helpers for UI
// tests: a demo organisation small enough to read in a golden file, and
// switches to make any call fail.
//
// The fake passes the backend contract (backendtest.Run), so a test built
// on it cannot pass on behaviour no real backend has: runs are born QUEUED
// and move one state each time Advance is called, as the sandbox's runs
// move with its clock. Until then the fixture stays as NewFake made it,
// which is what the goldens read.
package uitest

import (
	"context"
	"fmt"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/fakerun"
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
	caps     backend.Capabilities
	modules  []model.Module
	versions map[string][]model.ModuleVersion

	// The run engine (runs.go). runs above are per stack, newest first.
	now       time.Time
	next      int                               // the last run number given
	changes   map[string][]model.ResourceChange // per run id, once planned
	logs      map[string][]string               // per run id
	confirmed map[string]int                    // confirms sent, per run id
	review    map[string]bool                   // stacks whose plans wait for a review
	approval  map[string]bool                   // stacks whose deploys wait for an approval
}

var _ backend.Backend = (*Fake)(nil)

// NewFake returns the demo organisation: per environment a network stack,
// two payments stacks, one search stack, one stack no unit claims, and one
// administrative stack for the whole organisation.
func NewFake() *Fake {
	f := &Fake{runs: map[string][]model.Run{}, calls: map[string]int{}, now: Epoch,
		changes: map[string][]model.ResourceChange{}, logs: map[string][]string{}, confirmed: map[string]int{},
		review: map[string]bool{}, approval: map[string]bool{}, caps: backend.Capabilities{Lock: true}}
	for _, env := range model.DefaultEnvironments() {
		f.addEnv(env)
	}
	f.stacks = append(f.stacks, model.Stack{
		ID: "admin", Name: "stackview-admin", Repo: "acme/infra-admin", Branch: "main",
		ProjectRoot: "admin", State: model.StateFinished, Administrative: true,
		Labels: []string{"env:prod"}, TrackedCommit: "0a0a0a0a0a", BranchHead: "0a0a0a0a0a",
	})
	f.modules = []model.Module{{ID: "terraform-aws-vpc", Name: "vpc", Provider: "aws",
		Source: "acme/vpc/aws", Repo: "acme/terraform-aws-vpc", Latest: "1.2.0"}}
	f.versions = map[string][]model.ModuleVersion{"terraform-aws-vpc": {
		{Number: "1.2.0", Commit: "v120", CreatedAt: Epoch.Add(-24 * time.Hour)},
		{Number: "1.1.0", Commit: "v110", CreatedAt: Epoch.Add(-48 * time.Hour)},
		{Number: "1.0.0", Commit: "v100", CreatedAt: Epoch.Add(-72 * time.Hour)},
	}}
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
	worker := mk("payments-worker", "payments", model.StateUnconfirmed, id("network"), id("payments-api"))
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

// All is every capability: the fake claimed with it behaves as the
// Spacelift sandbox does.
var All = backend.Capabilities{DriftCheck: true, Review: true, Lock: true, Stop: true, Promote: true, SyncCommit: true}

// Claim sets what the fake can do: what it does not claim answers
// ErrUnsupported, as a backend without the feature does. NewFake claims
// Lock only, what the goldens were drawn with.
func (f *Fake) Claim(c backend.Capabilities) { f.mu.Lock(); f.caps = c; f.mu.Unlock() }

// Capabilities implements backend.Backend: what the fake does of the
// optional operations.
func (f *Fake) Capabilities() backend.Capabilities { f.mu.Lock(); defer f.mu.Unlock(); return f.caps }

// lacks is the error of an optional operation the fake does not claim.
func lacks(claimed bool, what string) error {
	if claimed {
		return nil
	}
	return fmt.Errorf("fake %s: %w", what, backend.ErrUnsupported)
}

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
	if f.stack(stackID) == nil {
		return nil, "", backend.NotFoundf("stack %s", stackID)
	}
	runs := f.runs[stackID]
	out := make([]model.Run, len(runs))
	for i, r := range runs {
		out[i] = fakerun.Clone(r)
	}
	return out, "", ctx.Err()
}

// You is the fake's user: the holder of the locks it takes.
const You = "you"

// Lock implements backend.Backend (Capabilities.Lock): the stack is
// locked by You with the note; a stack locked already is a conflict,
// naming its holder.
func (f *Fake) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	f.count("Lock")
	if err := lacks(f.Capabilities().Lock, "Lock"); err != nil {
		return model.Stack{}, err
	}
	return f.withStack(ctx, stackID, func(s *model.Stack) error {
		if s.Lock != nil {
			return lockedBy(s)
		}
		s.Lock = &model.Lock{Holder: You, Note: note, At: f.now, Mine: true}
		return nil
	})
}

// Unlock implements backend.Backend: only the holder unlocks a stack.
func (f *Fake) Unlock(ctx context.Context, stackID string) (model.Stack, error) {
	f.count("Unlock")
	if err := lacks(f.Capabilities().Lock, "Unlock"); err != nil {
		return model.Stack{}, err
	}
	return f.withStack(ctx, stackID, func(s *model.Stack) error {
		if s.Lock != nil && !s.Lock.Mine {
			return lockedBy(s)
		}
		s.Lock = nil
		return nil
	})
}

// withStack changes a stack and returns it as it is then; a done context
// changes nothing.
func (f *Fake) withStack(ctx context.Context, id string, change func(*model.Stack) error) (model.Stack, error) {
	if err := ctx.Err(); err != nil {
		return model.Stack{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stack(id)
	if s == nil {
		return model.Stack{}, backend.NotFoundf("stack %s", id)
	}
	if err := change(s); err != nil {
		return model.Stack{}, err
	}
	return *s, nil
}

// stack is the stack with the id, or nil; f.mu is held.
func (f *Fake) stack(id string) *model.Stack {
	for i := range f.stacks {
		if f.stacks[i].ID == id {
			return &f.stacks[i]
		}
	}
	return nil
}

func lockedBy(s *model.Stack) error {
	return fmt.Errorf("fake: %w", &backend.LockedError{Stack: s.ID, Lock: *s.Lock})
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
