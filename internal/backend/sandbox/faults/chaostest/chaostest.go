// Package chaostest builds both dialects' sandbox servers behind a fault
// injector, over fake engines that count the mutations they receive, with a
// client over each: the rig of the chaos tests of the clients and the UI.
package chaostest

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/faults"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi/fakeengine"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi/tfcapitest"
	"github.com/stackview/stackview/internal/backend/spacelift"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/model"
)

// Sends counts the mutations that reached the engine, whatever became of
// their answers.
type Sends struct {
	mu sync.Mutex
	n  map[string]int
}

func (s *Sends) add(what string) { s.mu.Lock(); s.n[what]++; s.mu.Unlock() }

// Get is how many times the engine received mutation what ("trigger", "confirm").
func (s *Sends) Get(what string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n[what]
}

type countingSpacelift struct {
	*fakeengine.Engine
	sent *Sends
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
	sent *Sends
}

func (e countingTFC) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	e.sent.add("trigger")
	return e.Fake.Trigger(ctx, stackID, kind)
}

func (e countingTFC) StartRun(ctx context.Context, stackID string, o sandbox.RunOptions) (model.Run, error) {
	e.sent.add("trigger")
	return e.Fake.StartRun(ctx, stackID, o)
}

func (e countingTFC) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	e.sent.add("confirm")
	return e.Fake.Confirm(ctx, stackID, runID)
}

// World is one dialect's server behind an injector, and a client over it.
type World struct {
	Client backend.Backend
	Faults *faults.Injector
	Sent   *Sends
	// Plan moves triggered runs on to awaiting confirmation.
	Plan    func()
	Dialect faults.Dialect
}

// noDelay stands in for latency: the fault is exercised, no time passes.
func noDelay(context.Context, time.Duration) {}

// Spacelift serves the Spacelift dialect over a 14-stack fake engine behind
// an injector (faults off) and returns an API-key client over it.
func Spacelift(t testing.TB, seed uint64) *World {
	t.Helper()
	eng := fakeengine.New(14)
	w := &World{Sent: &Sends{n: map[string]int{}}, Dialect: faults.Spacelift}
	w.Plan = func() { eng.Advance(time.Minute); eng.Advance(time.Minute) }
	w.Faults = faults.New(faults.Options{Dialect: faults.Spacelift, Seed: seed, Delay: noDelay, RetryAfter: time.Millisecond})
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	srv, err := spaceliftapi.New(countingSpacelift{eng, w.Sent}, spaceliftapi.Options{BaseURL: base, APIKeySecret: "chaos-secret"})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = w.Faults.Wrap(srv.Handler())
	ts.Start()
	t.Cleanup(ts.Close)
	env := map[string]string{"SPACELIFT_API_KEY_ENDPOINT": base, "SPACELIFT_API_KEY_ID": srv.APIKeyID(), "SPACELIFT_API_KEY_SECRET": "chaos-secret"}
	c, err := spacelift.New(context.Background(), spacelift.Config{Env: func(k string) string { return env[k] }, HomeDir: t.TempDir(), RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w.Client = c
	return w
}

// TFC serves the TFC dialect over a 14-stack fake behind an injector
// (faults off) and returns a client over it.
func TFC(t testing.TB, seed uint64) *World {
	t.Helper()
	w := &World{Sent: &Sends{n: map[string]int{}}, Dialect: faults.TFC}
	fake := tfcapitest.New(14)
	w.Plan = func() { fake.Advance(time.Minute); fake.Advance(time.Minute) }
	w.Faults = faults.New(faults.Options{Dialect: faults.TFC, Seed: seed, Delay: noDelay, RetryAfter: time.Millisecond})
	srv := tfcapi.New(countingTFC{fake, w.Sent}, tfcapi.Options{})
	ts := httptest.NewServer(w.Faults.Wrap(srv.Handler()))
	t.Cleanup(ts.Close)
	env := map[string]string{"TFE_TOKEN": srv.Token()}
	c, err := tfc.New(context.Background(), tfc.Config{Address: ts.URL, Organization: srv.Organization(), HomeDir: t.TempDir(),
		Env: func(k string) string { return env[k] }, RegistryHost: "app.terraform.io", Timeout: 5 * time.Second,
		Clock: sandbox.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))}) // paced in virtual time
	if err != nil {
		t.Fatal(err)
	}
	w.Client = c
	return w
}
