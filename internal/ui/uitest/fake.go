// Package uitest holds a small in-memory backend and key helpers for UI
// tests: a demo organisation small enough to read in a golden file, and
// switches to make any call fail.
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
}

var _ backend.Backend = (*Fake)(nil)

// NewFake returns the demo organisation: per environment a network stack,
// two payments stacks, one search stack, one stack no unit claims, and one
// administrative stack for the whole organisation.
func NewFake() *Fake {
	f := &Fake{runs: map[string][]model.Run{}, calls: map[string]int{}}
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

// GetRun implements backend.Backend.
func (f *Fake) GetRun(context.Context, string, string) (model.Run, error) {
	return model.Run{}, unsupported("GetRun")
}

// RunLogs implements backend.Backend.
func (f *Fake) RunLogs(context.Context, string, string, string) (backend.LogChunk, error) {
	return backend.LogChunk{}, unsupported("RunLogs")
}

// RunChanges implements backend.Backend.
func (f *Fake) RunChanges(context.Context, string, string) ([]model.ResourceChange, error) {
	return nil, unsupported("RunChanges")
}

// Trigger implements backend.Backend.
func (f *Fake) Trigger(context.Context, string, model.RunKind) (model.Run, error) {
	return model.Run{}, unsupported("Trigger")
}

// Confirm implements backend.Backend.
func (f *Fake) Confirm(context.Context, string, string) (model.Run, error) {
	return model.Run{}, unsupported("Confirm")
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

// Lock implements backend.Backend.
func (f *Fake) Lock(context.Context, string, string) (model.Stack, error) {
	return model.Stack{}, unsupported("Lock")
}

// Unlock implements backend.Backend.
func (f *Fake) Unlock(context.Context, string) (model.Stack, error) {
	return model.Stack{}, unsupported("Unlock")
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
