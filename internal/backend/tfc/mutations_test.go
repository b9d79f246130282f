package tfc_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi/tfcapitest"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/model"
)

// TestRetryOnlyRetriesFailedRuns: TFC queues a run on any configuration
// version, so it is the client that keeps Retry to failed runs: for a run
// that did not fail, no run is created.
func TestRetryOnlyRetriesFailedRuns(t *testing.T) {
	var creates atomic.Int32
	h := newHarness(t, harnessOpts{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/api/v2/runs" {
				creates.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}})
	ctx := ctxFor(t)
	const ws = "ws-bu001-qa"
	plan, err := h.client.Trigger(ctx, ws, model.RunPlan)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"queued", "planning"} {
		before := creates.Load()
		if _, err := h.client.Retry(ctx, ws, plan.ID); !errors.Is(err, backend.ErrConflict) {
			t.Errorf("retrying a %s run: %v, want ErrConflict", step, err)
		}
		if n := creates.Load() - before; n != 0 {
			t.Errorf("retrying a %s run sent %d run creations", step, n)
		}
		h.fake.Advance(time.Minute)
	}
	if got, err := h.client.GetRun(ctx, ws, plan.ID); err != nil || got.State != model.StateFinished {
		t.Fatalf("plan = %+v, %v", got, err)
	}
	before := creates.Load()
	if _, err := h.client.Retry(ctx, ws, plan.ID); !errors.Is(err, backend.ErrConflict) || creates.Load() != before {
		t.Errorf("retrying a finished run: %v after %d run creations, want ErrConflict and none", err, creates.Load()-before)
	}
}

// countingFake counts the mutations that reach the fake behind the
// dialect, whatever becomes of their answers.
type countingFake struct {
	*tfcapitest.Fake
	mu   sync.Mutex
	sent map[string]int
}

func (f *countingFake) add(what string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent[what]++
}

func (f *countingFake) count(what string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sent[what]
}

func (f *countingFake) StartRun(ctx context.Context, stackID string, o sandbox.RunOptions) (model.Run, error) {
	f.add("trigger")
	return f.Fake.StartRun(ctx, stackID, o)
}

func (f *countingFake) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	f.add("confirm")
	return f.Fake.Confirm(ctx, stackID, runID)
}

func (f *countingFake) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	f.add("lock")
	return f.Fake.Lock(ctx, stackID, note)
}

func (f *countingFake) Discard(ctx context.Context, stackID, runID string) (model.Run, error) {
	f.add("discard")
	return f.Fake.Discard(ctx, stackID, runID)
}

// TestAMutationAnsweredWithAServerErrorReachesTheServerOnce: the server
// itself applies a mutation and then answers 5xx. The client reports the
// failure and never sends the mutation again (go-tfe retries server errors
// only when asked to, and the scheduler never resends a mutation).
func TestAMutationAnsweredWithAServerErrorReachesTheServerOnce(t *testing.T) {
	for _, code := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			fake := &countingFake{Fake: tfcapitest.New(9), sent: map[string]int{}}
			var fail atomic.Bool
			srv := tfcapi.New(fake, tfcapi.Options{})
			inner := srv.Handler()
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !fail.Load() || r.Method == http.MethodGet {
					inner.ServeHTTP(w, r)
					return
				}
				inner.ServeHTTP(httptest.NewRecorder(), r) // applied...
				w.Header().Set("Content-Type", "application/vnd.api+json")
				w.WriteHeader(code) // ...and answered with an error
				_, _ = w.Write([]byte(`{"errors":[{"status":"` + http.StatusText(code) + `","title":"upstream failed"}]}`))
			}))
			t.Cleanup(ts.Close)
			c, err := tfc.New(ctxFor(t), tfc.Config{
				Address: ts.URL, Organization: srv.Organization(), HomeDir: t.TempDir(),
				Env: envOf(map[string]string{"TFE_TOKEN": srv.Token()}), Clock: virtualTime(),
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx := ctxFor(t)
			run, err := c.Trigger(ctx, "ws-bu001-dev", model.RunDeploy)
			if err != nil {
				t.Fatal(err)
			}
			fake.Advance(time.Minute)
			fake.Advance(time.Minute)
			other, err := c.Trigger(ctx, "ws-bu001-qa", model.RunDeploy)
			if err != nil {
				t.Fatal(err)
			}
			fake.Advance(time.Minute)
			fake.Advance(time.Minute)
			fail.Store(true)
			for _, m := range []struct {
				what string
				send func() error
			}{
				{"trigger", func() error { _, err := c.Trigger(ctx, "ws-network-dev", model.RunPlan); return err }},
				{"confirm", func() error { _, err := c.Confirm(ctx, "ws-bu001-dev", run.ID); return err }},
				{"discard", func() error { _, err := c.Discard(ctx, "ws-bu001-qa", other.ID); return err }},
				{"lock", func() error { _, err := c.Lock(ctx, "ws-network-qa", "x"); return err }},
			} {
				before := fake.count(m.what)
				if err := m.send(); err == nil {
					t.Errorf("%s answered %d: no error", m.what, code)
				}
				if got := fake.count(m.what) - before; got != 1 {
					t.Errorf("%s answered %d reached the engine %d times, want once", m.what, code, got)
				}
			}
		})
	}
}

// TestAConflictTheRunsFlagsDoNotExplainIsTheLocks: a run action its flags
// allowed, refused with a 409 (the workspace was locked between the read
// and the action), is the lock's doing and names its holder; the same 409
// on a workspace with no lock stays a plain conflict.
func TestAConflictTheRunsFlagsDoNotExplainIsTheLocks(t *testing.T) {
	h := newHarness(t, harnessOpts{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/actions/apply") {
				w.Header().Set("Content-Type", "application/vnd.api+json")
				w.WriteHeader(http.StatusConflict)
				_, _ = io.WriteString(w, `{"errors":[{"status":"409","title":"conflict","detail":"Workspace is locked"}]}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	ctx := ctxFor(t)
	const ws = "ws-bu001-qa"
	run, err := h.client.Trigger(ctx, ws, model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	h.fake.Advance(time.Minute)
	h.fake.Advance(time.Minute)
	if run, err = h.client.GetRun(ctx, ws, run.ID); err != nil || run.State != model.StateUnconfirmed || !run.Actions.Confirm {
		t.Fatalf("the deploy before confirming: %+v, %v", run, err)
	}
	var locked *backend.LockedError
	_, err = h.client.Confirm(ctx, ws, run.ID)
	if !errors.Is(err, backend.ErrConflict) || errors.As(err, &locked) {
		t.Errorf("a 409 on a workspace with no lock: %v", err)
	}
	if _, err := h.client.Lock(ctx, ws, "release freeze"); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.Confirm(ctx, ws, run.ID)
	if !errors.Is(err, backend.ErrConflict) || !errors.As(err, &locked) || locked.Lock.Note != "release freeze" {
		t.Errorf("a 409 the run's flags do not explain on a locked workspace: %v", err)
	}
}
