package faults_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox/faults"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi/fakeengine"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi/tfcapitest"
	"github.com/stackview/stackview/internal/backend/spacelift"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/model"
)

// sends counts the mutations that reached the engine, whatever became of
// their answers.
type sends struct {
	mu sync.Mutex
	n  map[string]int
}

func (s *sends) add(what string) { s.mu.Lock(); s.n[what]++; s.mu.Unlock() }
func (s *sends) get(what string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n[what]
}

type countingSpacelift struct {
	*fakeengine.Engine
	sent *sends
}

func (e countingSpacelift) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	e.sent.add("trigger")
	return e.Engine.Trigger(ctx, stackID, kind)
}

func (e countingSpacelift) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	e.sent.add("confirm")
	return e.Engine.Confirm(ctx, stackID, runID)
}

type countingTFC struct {
	*tfcapitest.Fake
	sent *sends
}

func (e countingTFC) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	e.sent.add("trigger")
	return e.Fake.Trigger(ctx, stackID, kind)
}

func (e countingTFC) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	e.sent.add("confirm")
	return e.Fake.Confirm(ctx, stackID, runID)
}

// world is one dialect's server behind an injector, and a client over it.
type world struct {
	client  backend.Backend
	faults  *faults.Injector
	sent    *sends
	plan    func() // moves triggered runs on to awaiting confirmation
	dialect faults.Dialect
}

// noDelay stands in for latency: the fault is exercised, no time passes.
func noDelay(context.Context, time.Duration) {}

func spaceliftWorld(t *testing.T, seed uint64) *world {
	t.Helper()
	w := &world{sent: &sends{n: map[string]int{}}, plan: func() {}, dialect: faults.Spacelift}
	w.faults = faults.New(faults.Options{Dialect: faults.Spacelift, Seed: seed, Delay: noDelay, RetryAfter: time.Millisecond})
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	srv, err := spaceliftapi.New(countingSpacelift{fakeengine.New(14), w.sent}, spaceliftapi.Options{BaseURL: base, APIKeySecret: "chaos-secret"})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = w.faults.Wrap(srv.Handler())
	ts.Start()
	t.Cleanup(ts.Close)
	env := map[string]string{"SPACELIFT_API_KEY_ENDPOINT": base, "SPACELIFT_API_KEY_ID": srv.APIKeyID(), "SPACELIFT_API_KEY_SECRET": "chaos-secret"}
	c, err := spacelift.New(context.Background(), spacelift.Config{Env: func(k string) string { return env[k] }, HomeDir: t.TempDir(), RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w.client = c
	return w
}

func tfcWorld(t *testing.T, seed uint64) *world {
	t.Helper()
	w := &world{sent: &sends{n: map[string]int{}}, dialect: faults.TFC}
	fake := tfcapitest.New(14)
	w.plan = func() { fake.Advance(time.Minute); fake.Advance(time.Minute) }
	w.faults = faults.New(faults.Options{Dialect: faults.TFC, Seed: seed, Delay: noDelay, RetryAfter: time.Millisecond})
	srv := tfcapi.New(countingTFC{fake, w.sent}, tfcapi.Options{})
	ts := httptest.NewServer(w.faults.Wrap(srv.Handler()))
	t.Cleanup(ts.Close)
	env := map[string]string{"TFE_TOKEN": srv.Token()}
	c, err := tfc.New(context.Background(), tfc.Config{Address: ts.URL, Organization: srv.Organization(), HomeDir: t.TempDir(),
		Env: func(k string) string { return env[k] }, RegistryHost: "app.terraform.io", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w.client = c
	return w
}

// tally is what the chaos line reports for one fault kind.
type tally struct{ attempted, completed, duplicates, crashes int }

// guard runs f, counting a panic as a crash instead of dying of it.
func (ta *tally) guard(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			ta.crashes++
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}

// readBack retries a read until it answers: queries are safe to repeat,
// and the state they read is how a lost mutation reply is reconciled.
func readBack[T any](ta *tally, read func() (T, error)) (T, error) {
	var v T
	var err error
	for range 30 {
		if err = ta.guard(func() error { v, err = read(); return err }); err == nil {
			return v, nil
		}
	}
	return v, err
}

// mutate performs one user action the way stackview must: send it once;
// if the answer is lost, read the state back and only resend when the
// state shows the action was not applied. It returns whether it took
// effect and how many times the engine received it.
func (w *world) mutate(ta *tally, kind string, send func() error, applied func() (bool, error)) (bool, int) {
	ta.attempted++
	before := w.sent.get(kind)
	for range 4 {
		if err := ta.guard(send); err == nil {
			break
		}
		ok, err := readBack(ta, func() (bool, error) { return applied() })
		if err != nil || ok {
			break
		}
	}
	ok, _ := readBack(ta, func() (bool, error) { return applied() })
	got := w.sent.get(kind) - before
	if got > 1 {
		ta.duplicates += got - 1
	}
	if ok && got >= 1 {
		ta.completed++
	}
	return ok, got
}

// drive lists the stacks, then on each of n of them triggers a deploy and
// confirms it, under whatever faults are on.
func (w *world) drive(t *testing.T, ta *tally, n int) {
	ctx := context.Background()
	stacks, err := readBack(ta, func() ([]model.Stack, error) { return w.client.ListStacks(ctx) })
	if err != nil {
		t.Fatalf("listing never succeeded: %v", err)
	}
	for _, s := range stacks[1 : n+1] {
		runIDs := func() ([]string, error) {
			runs, _, err := w.client.ListRuns(ctx, s.ID, "")
			ids := make([]string, len(runs))
			for i, r := range runs {
				ids[i] = r.ID
			}
			return ids, err
		}
		known, err := readBack(ta, runIDs)
		if err != nil {
			t.Fatalf("runs of %s: %v", s.ID, err)
		}
		var runID string
		triggered, _ := w.mutate(ta, "trigger", func() error {
			r, err := w.client.Trigger(ctx, s.ID, model.RunDeploy)
			runID = r.ID
			return err
		}, func() (bool, error) {
			ids, err := runIDs()
			for _, id := range ids {
				if !slices.Contains(known, id) {
					runID = id
					return true, err
				}
			}
			return false, err
		})
		if !triggered {
			continue
		}
		w.plan()
		w.mutate(ta, "confirm", func() error {
			_, err := w.client.Confirm(ctx, s.ID, runID)
			return err
		}, func() (bool, error) {
			r, err := w.client.GetRun(ctx, s.ID, runID)
			return err == nil && r.State != model.StateUnconfirmed, err
		})
	}
}

// TestChaos drives each dialect's client through list, trigger and confirm
// under each fault kind: no mutation may reach the server twice, nothing may
// panic, and once the fault stops everything works.
func TestChaos(t *testing.T) {
	const actions = 12 // stacks per kind, two mutations each
	for _, dialect := range []struct {
		name  string
		world func(*testing.T, uint64) *world
	}{{"spacelift", spaceliftWorld}, {"tfc", tfcWorld}} {
		for _, kind := range faults.Kinds {
			t.Run(dialect.name+"/"+string(kind), func(t *testing.T) {
				w := dialect.world(t, 11)
				if err := w.faults.Set(map[faults.Kind]float64{kind: 0.25}); err != nil {
					t.Fatal(err)
				}
				var ta tally
				w.drive(t, &ta, actions)
				fmt.Printf("chaos: kind=%s attempted=%d completed=%d duplicates=%d crashes=%d dialect=%s injected=%d\n",
					kind, ta.attempted, ta.completed, ta.duplicates, ta.crashes, dialect.name, w.faults.Injected(kind))
				if w.faults.Injected(kind) == 0 {
					t.Error("no fault was injected")
				}
				if ta.duplicates != 0 || ta.crashes != 0 {
					t.Errorf("duplicates=%d crashes=%d, want none", ta.duplicates, ta.crashes)
				}
				w.faults.Off()
				if _, err := w.client.ListStacks(context.Background()); err != nil {
					t.Errorf("after the fault stopped: %v", err)
				}
			})
		}
	}
}
