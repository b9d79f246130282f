package spacelift

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi/fakeengine"
	"github.com/stackview/stackview/internal/model"
)

// TestReviewSendsTheDecisionAsked: approving sends APPROVE and rejecting
// REJECT, with the note, and the engine behind the dialect ends the run
// as the decision says: a rejected plan pending review is discarded, a
// rejected run held for an approval fails.
func TestReviewSendsTheDecisionAsked(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stack    string
		state    model.RunState // of the latest run (tracked for the held one)
		approve  bool
		decision string
		want     model.RunState
	}{
		{"approve pending review", "prod-identity", model.StatePendingReview, true, "APPROVE", model.StateFinished},
		{"reject pending review", "prod-identity", model.StatePendingReview, false, "REJECT", model.StateDiscarded},
		{"approve held", "prod-storefront", model.StateUnconfirmed, true, "APPROVE", model.StateUnconfirmed},
		{"reject held", "prod-storefront", model.StateUnconfirmed, false, "REJECT", model.StateFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newSandboxWorld(t)
			s := w.stack(t, tc.stack)
			r := s.LatestRun
			if tc.state == model.StateUnconfirmed {
				r = s.LatestTrackedRun
			}
			if r == nil || r.State != tc.state {
				t.Fatalf("the seed's %s has run %+v, want one %s", tc.stack, r, tc.state)
			}
			n := w.ops.len()
			got, err := w.c.Review(ctx(t), s.ID, r.ID, tc.approve, "from the test")
			if err != nil {
				t.Fatal(err)
			}
			var sent []sentOp
			for _, op := range w.ops.since(n) {
				if op.Name == "RunReview" {
					sent = append(sent, op)
				}
			}
			if len(sent) != 1 || sent[0].Variables["decision"] != tc.decision || sent[0].Variables["note"] != "from the test" ||
				sent[0].Variables["run"] != r.ID || sent[0].Variables["stack"] != s.ID {
				t.Fatalf("sent %+v, want one RunReview deciding %s", sent, tc.decision)
			}
			onServer, err := w.eng.GetRun(context.Background(), s.ID, r.ID)
			if err != nil || onServer.State != tc.want || got.State != tc.want {
				t.Fatalf("after the review the engine has %s (%v), the client says %s; want %s", onServer.State, err, got.State, tc.want)
			}
			if tc.approve && onServer.NeedsApproval {
				t.Errorf("an approved run still needs an approval")
			}
		})
	}
}

// countingEngine counts the mutations that reach the engine behind the
// dialect, whatever becomes of their answers.
type countingEngine struct {
	*fakeengine.Engine
	mu   sync.Mutex
	sent map[string]int
}

func (e *countingEngine) add(what string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sent[what]++
}

func (e *countingEngine) count(what string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sent[what]
}

func (e *countingEngine) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	e.add("trigger")
	return e.Engine.Trigger(ctx, stackID, kind)
}

func (e *countingEngine) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	e.add("confirm")
	return e.Engine.Confirm(ctx, stackID, runID)
}

func (e *countingEngine) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	e.add("lock")
	return e.Engine.Lock(ctx, stackID, note)
}

func (e *countingEngine) Review(ctx context.Context, stackID, runID string, approve bool, note string) (model.Run, error) {
	e.add("review")
	return e.Engine.Review(ctx, stackID, runID, approve, note)
}

// TestAMutationAnsweredWithAServerErrorReachesTheServerOnce: the server
// itself applies a mutation and then answers 5xx (it crashed while
// answering, a proxy gave up). The client reports the failure and never
// sends the mutation again: a retry would apply it twice.
func TestAMutationAnsweredWithAServerErrorReachesTheServerOnce(t *testing.T) {
	for _, code := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			eng := &countingEngine{Engine: fakeengine.New(12), sent: map[string]int{}}
			var failMutations sync.Mutex // held while mutations are answered code
			fail := false
			answer := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					failMutations.Lock()
					on := fail
					failMutations.Unlock()
					body := peekBody(r)
					if !on || !strings.Contains(body, "mutation") || strings.Contains(body, "apiKeyUser") {
						next.ServeHTTP(w, r)
						return
					}
					next.ServeHTTP(httptest.NewRecorder(), r) // applied...
					w.WriteHeader(code)                       // ...and answered with an error
					_, _ = w.Write([]byte(`{"errors":[{"message":"upstream failed"}]}`))
				})
			}
			clock := sandbox.NewManualClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
			srv, err := spaceliftapi.New(eng, spaceliftapi.Options{Clock: clock, APIKeySecret: secret, Middleware: answer})
			if err != nil {
				t.Fatal(err)
			}
			base, err := srv.Start("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = srv.Close() })
			env := map[string]string{"SPACELIFT_API_KEY_ENDPOINT": base, "SPACELIFT_API_KEY_ID": srv.APIKeyID(), "SPACELIFT_API_KEY_SECRET": secret}
			c, err := New(ctx(t), Config{Env: func(k string) string { return env[k] }, HomeDir: t.TempDir(), Now: clock.Now, RetryBaseDelay: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			run, err := c.Trigger(ctx(t), "stack-003", model.RunDeploy)
			if err != nil {
				t.Fatal(err)
			}
			eng.Advance(time.Second)
			eng.Advance(time.Second)
			failMutations.Lock()
			fail = true
			failMutations.Unlock()
			held := "stack-007" // its plan waits for review
			pending := stackByID(t, c, held).LatestRun
			for _, m := range []struct {
				what string
				send func() error
			}{
				{"trigger", func() error { _, err := c.Trigger(ctx(t), "stack-004", model.RunDeploy); return err }},
				{"confirm", func() error { _, err := c.Confirm(ctx(t), "stack-003", run.ID); return err }},
				{"lock", func() error { _, err := c.Lock(ctx(t), "stack-004", "x"); return err }},
				{"review", func() error { _, err := c.Review(ctx(t), held, pending.ID, false, "no"); return err }},
			} {
				before := eng.count(m.what)
				if err := m.send(); err == nil {
					t.Errorf("%s answered %d: no error", m.what, code)
				}
				if got := eng.count(m.what) - before; got != 1 {
					t.Errorf("%s answered %d reached the engine %d times, want once", m.what, code, got)
				}
			}
		})
	}
}

// peekBody reads a request's body and leaves it in place for the handler.
func peekBody(r *http.Request) string {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return string(body)
}
