package scheduler

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
)

// virtualClock moves only when something sleeps on it, so pacing is
// measured in virtual time and the tests never wait.
type virtualClock struct {
	mu  sync.Mutex
	now time.Time
}

func newVirtualClock() *virtualClock {
	return &virtualClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *virtualClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return ctx.Err()
}

// recorder is a server that notes the virtual time of every request.
type recorder struct {
	mu    sync.Mutex
	clock *virtualClock
	at    []time.Time
	paths []string
}

func (r *recorder) note(req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.at = append(r.at, r.clock.Now())
	r.paths = append(r.paths, req.Method+" "+req.URL.Path)
}

// maxInWindow is the most requests seen within any window of length w.
func (r *recorder) maxInWindow(w time.Duration) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	best := 0
	for i := range r.at {
		n := 0
		for j := i; j < len(r.at) && r.at[j].Sub(r.at[i]) < w; j++ {
			n++
		}
		best = max(best, n)
	}
	return best
}

func serve(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(h))
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, c *http.Client, ctx context.Context, method, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestSteadyStateUsesHalfTheLimit(t *testing.T) {
	clock := newVirtualClock()
	rec := &recorder{clock: clock}
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) { rec.note(r) })
	s := New(nil, Options{Limit: 30, Clock: clock})
	c := &http.Client{Transport: s}
	for range 90 {
		if _, err := get(t, c, deadline(t), "GET", ts.URL+"/x"); err != nil {
			t.Fatal(err)
		}
	}
	if n := rec.maxInWindow(time.Second); n > 15+burst {
		t.Errorf("%d requests within one second, want at most half the limit (15) plus the burst (%d)", n, burst)
	}
	if took := rec.at[len(rec.at)-1].Sub(rec.at[0]); took < 5*time.Second {
		t.Errorf("90 requests took %s of virtual time: not paced at 15/s", took)
	}
}

func TestInitialLoadUsesNearlyTheWholeLimit(t *testing.T) {
	clock := newVirtualClock()
	rec := &recorder{clock: clock}
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) { rec.note(r) })
	s := New(nil, Options{Limit: 30, Clock: clock})
	c := &http.Client{Transport: s}
	for range 90 {
		if _, err := get(t, c, InitialLoad(deadline(t)), "GET", ts.URL+"/x"); err != nil {
			t.Fatal(err)
		}
	}
	n := rec.maxInWindow(time.Second)
	if n > 30 || n < 25 {
		t.Errorf("%d requests within one second of an initial load, want close to but not over the limit of 30", n)
	}
}

func TestClassesArePacedUnderTheirOwnLimit(t *testing.T) {
	clock := newVirtualClock()
	rec := &recorder{clock: clock}
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/runs") {
			rec.note(r)
		}
	})
	s := New(nil, Options{Limit: 30, Clock: clock, Classes: []Class{{
		Name: "run lists", PerMinute: 30, Match: func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/runs") },
	}}})
	c := &http.Client{Transport: s}
	for i := range 100 {
		path := "/other"
		if i%2 == 0 {
			path = "/ws/runs"
		}
		if _, err := get(t, c, deadline(t), "GET", ts.URL+path); err != nil {
			t.Fatal(err)
		}
	}
	if n := rec.maxInWindow(time.Minute); n >= 30 {
		t.Errorf("%d run-list reads within a minute, want under 30", n)
	}
}

func TestTheLimitIsLearnedFromTheServer(t *testing.T) {
	clock := newVirtualClock()
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-RateLimit-Limit", "10") })
	s := New(nil, Options{Clock: clock})
	if _, err := get(t, &http.Client{Transport: s}, deadline(t), "GET", ts.URL+"/ping"); err != nil {
		t.Fatal(err)
	}
	if s.Limit() != 10 {
		t.Errorf("limit = %v, want 10 from X-RateLimit-Limit", s.Limit())
	}
}

func TestReadsAreRetriedMutationsAreNot(t *testing.T) {
	for _, tc := range []struct {
		method string
		read   bool
		want   int32 // requests the server sees
	}{
		{"GET", false, 3},
		{"POST", false, 1},
		{"POST", true, 3}, // a query marked Read
	} {
		t.Run(tc.method, func(t *testing.T) {
			var n atomic.Int32
			ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if string(body) != "body" && r.Method == "POST" {
					t.Errorf("attempt %d had body %q", n.Load()+1, body)
				}
				if n.Add(1) < 3 {
					w.WriteHeader(http.StatusServiceUnavailable)
				}
			})
			s := New(nil, Options{Limit: 30, Clock: newVirtualClock()})
			ctx := deadline(t)
			if tc.read {
				ctx = Read(ctx)
			}
			resp, err := get(t, &http.Client{Transport: s}, ctx, tc.method, ts.URL+"/x")
			if err != nil {
				t.Fatal(err)
			}
			if n.Load() != tc.want {
				t.Errorf("server saw %d requests, want %d", n.Load(), tc.want)
			}
			if tc.want == 1 && resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("a mutation's 503 came back as %d", resp.StatusCode)
			}
		})
	}
}

func TestA429PausesAndIsNeverResentForAMutation(t *testing.T) {
	clock := newVirtualClock()
	var n atomic.Int32
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Reset", "2.5")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	s := New(nil, Options{Limit: 30, Clock: clock})
	c := &http.Client{Transport: s}
	start := clock.Now()
	if _, err := get(t, c, deadline(t), "GET", ts.URL+"/x"); err != nil {
		t.Fatal(err)
	}
	if waited := clock.Now().Sub(start); waited < 2500*time.Millisecond {
		t.Errorf("the retry came %s after a 429 asking for 2.5s", waited)
	}
	n.Store(0)
	_, err := get(t, c, deadline(t), "POST", ts.URL+"/x")
	var rl *backend.RateLimitError
	if !errors.As(err, &rl) || n.Load() != 1 {
		t.Errorf("POST after a 429: err %v after %d requests, want a RateLimitError after one", err, n.Load())
	}
}

func TestTransportErrorsAreRetriedForReads(t *testing.T) {
	var n atomic.Int32
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close() // the connection drops without an answer
		}
	})
	s := New(nil, Options{Clock: newVirtualClock()})
	resp, err := get(t, &http.Client{Transport: s}, deadline(t), "GET", ts.URL+"/x")
	if err != nil || resp.StatusCode != 200 || n.Load() != 2 {
		t.Errorf("got %v, %v after %d requests", resp, err, n.Load())
	}
}

func TestAServerThatNeverAnswersFailsWithinTheAttemptBound(t *testing.T) {
	release := make(chan struct{})
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	s := New(nil, Options{Clock: newVirtualClock(), AttemptTimeout: 50 * time.Millisecond})
	_, err := get(t, &http.Client{Transport: s}, context.Background(), "GET", ts.URL+"/x")
	var te *AttemptTimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "sent no answer within 50ms") {
		t.Errorf("err = %v, want an AttemptTimeoutError", err)
	}
}

func TestATurnPastTheDeadlineIsNotSent(t *testing.T) {
	clock := newVirtualClock()
	var n atomic.Int32
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1) })
	s := New(nil, Options{Limit: 1, Clock: clock})
	c := &http.Client{Transport: s}
	for range burst {
		if _, err := get(t, c, deadline(t), "GET", ts.URL+"/x"); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := get(t, c, ctx, "GET", ts.URL+"/x")
	if !errors.Is(err, backend.ErrRateLimited) || n.Load() != burst {
		t.Errorf("err %v after %d requests, want ErrRateLimited without sending", err, n.Load())
	}
}

// TestADoneRequestIsNotSent: a request whose context is already cancelled
// or past its deadline is not sent and fails with that error, not as
// rate limited (which would tell the user to wait for the API).
func TestADoneRequestIsNotSent(t *testing.T) {
	var n atomic.Int32
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1) })
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, limit := range []float64{0, 30} {
		s := New(nil, Options{Limit: limit, Clock: newVirtualClock()})
		for _, ctx := range []context.Context{cancelled, expired} {
			req, err := http.NewRequestWithContext(ctx, "POST", ts.URL+"/x", strings.NewReader("body"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.RoundTrip(req)
			if !errors.Is(err, ctx.Err()) || errors.Is(err, backend.ErrRateLimited) {
				t.Errorf("limit %v, %v: got %v, want only the context's error", limit, ctx.Err(), err)
			}
		}
	}
	if n.Load() != 0 {
		t.Errorf("the server saw %d requests whose context was done", n.Load())
	}
}

// TestAMutationAnsweredWithAServerErrorIsSentOnce: whatever 5xx the
// server itself answers a mutation with (it may have applied it), the
// scheduler hands that answer back and never sends the mutation again;
// the same answers to a read are retried.
func TestAMutationAnsweredWithAServerErrorIsSentOnce(t *testing.T) {
	for _, code := range []int{500, 502, 503, 504} {
		for _, method := range []string{"POST", "PATCH", "PUT", "DELETE"} {
			var n atomic.Int32
			ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.WriteHeader(code)
			})
			s := New(nil, Options{Limit: 30, Clock: newVirtualClock()})
			resp, err := get(t, &http.Client{Transport: s}, deadline(t), method, ts.URL+"/x")
			if err != nil || resp.StatusCode != code || n.Load() != 1 {
				t.Errorf("%s answered %d: got %v, %v after %d requests; want the %d after one", method, code, resp, err, n.Load(), code)
			}
		}
		var n atomic.Int32
		ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.WriteHeader(code)
			}
		})
		s := New(nil, Options{Limit: 30, Clock: newVirtualClock()})
		if resp, err := get(t, &http.Client{Transport: s}, Read(deadline(t)), "POST", ts.URL+"/x"); err != nil || resp.StatusCode != 200 || n.Load() != 2 {
			t.Errorf("a read answered %d once: got %v, %v after %d requests; want 200 after 2", code, resp, err, n.Load())
		}
	}
}

// TestKeypressReadsGoFirst: requests nobody is waiting for never book turns
// far ahead, so a read a keypress waits for takes the next free turn
// whatever is queued.
func TestKeypressReadsGoFirst(t *testing.T) {
	clock := newVirtualClock()
	s := New(nil, Options{Limit: 1, Share: 1, Clock: clock})
	now := clock.Now()
	req := func(mark func(context.Context) context.Context) *http.Request {
		r, _ := http.NewRequestWithContext(mark(context.Background()), "GET", "http://api.example/x", nil)
		return r
	}
	same := func(ctx context.Context) context.Context { return ctx }
	for range burst { // the burst goes at once
		if start, booked, _, ok := s.reserve(req(same), now, time.Hour, 0, false); !booked || !ok || !start.Equal(now) {
			t.Fatalf("burst request: start %v booked %v ok %v", start.Sub(now), booked, ok)
		}
	}
	// The next turn is a second away: a listing request books it...
	if start, booked, _, _ := s.reserve(req(same), now, time.Hour, 0, false); !booked || start.Sub(now) != time.Second {
		t.Fatalf("normal request one turn away: start +%v booked %v, want +1s booked", start.Sub(now), booked)
	}
	// ...but not the one after, nor may a background read book a turn not free now.
	if start, booked, _, ok := s.reserve(req(same), now, time.Hour, 0, false); booked || !ok || start.Sub(now) != time.Second {
		t.Fatalf("normal request two turns away: start +%v booked %v ok %v, want to try again at +1s", start.Sub(now), booked, ok)
	}
	if _, booked, _, _ := s.reserve(req(Background), now, time.Hour, 0, false); booked {
		t.Fatal("a background read booked a turn that is not free now")
	}
	// A keypress's read takes the next turn at once, ahead of both.
	if start, booked, _, _ := s.reserve(req(Interactive), now, time.Hour, 0, false); !booked || start.Sub(now) != 2*time.Second {
		t.Fatalf("interactive request: start +%v booked %v, want +2s booked", start.Sub(now), booked)
	}
	// A listing's request that has waited normalAging behind them takes
	// the next turn as a keypress's does, so keys pressed nonstop do not
	// stall a load for good; a background read still waits for a free turn.
	if start, booked, _, _ := s.reserve(req(same), now, time.Hour, normalAging, false); !booked || start.Sub(now) != 3*time.Second {
		t.Fatalf("normal request that waited %v: start +%v booked %v, want +3s booked", normalAging, start.Sub(now), booked)
	}
	if _, booked, _, _ := s.reserve(req(Background), now, time.Hour, time.Hour, false); booked {
		t.Fatal("a background read that waited long booked a turn that is not free now")
	}
	// A turn past the deadline is refused whatever the priority.
	if _, _, _, ok := s.reserve(req(Interactive), now, time.Second, 0, false); ok {
		t.Fatal("a turn past the deadline was booked")
	}
}

// TestAClassTurnFarAwayHoldsNoOtherRequest: a run list waiting for its turn
// under TFC's 30 a minute does not hold up the other requests: only its
// class's turn is booked until that turn comes. (Booked together, the main
// limit's turn went that far away too, and every request after it waited
// behind: the UI's load of 10,000 workspaces stalled behind one run list.)
func TestAClassTurnFarAwayHoldsNoOtherRequest(t *testing.T) {
	clock := newVirtualClock()
	isRuns := func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/runs") }
	s := New(nil, Options{Limit: 10, Share: 1, Clock: clock, Classes: []Class{{Name: "run lists", PerMinute: 1, Share: 1, Match: isRuns}}})
	now := clock.Now()
	req := func(path string) *http.Request {
		r, _ := http.NewRequestWithContext(Interactive(context.Background()), "GET", "http://api.example"+path, nil)
		return r
	}
	for range classBurst { // the class's burst goes at once, under the main limit too
		if start, booked, _, ok := s.reserve(req("/ws/runs"), now, time.Hour, 0, false); !booked || !ok || !start.Equal(now) {
			t.Fatalf("run list in the class's burst: start +%v booked %v", start.Sub(now), booked)
		}
	}
	start, booked, held, ok := s.reserve(req("/ws/runs"), now, time.Hour, 0, false)
	if booked || !held || !ok || start.Sub(now) != time.Minute {
		t.Fatalf("the next run list: start +%v booked %v held %v ok %v, want its class's turn held at +1m, not booked", start.Sub(now), booked, held, ok)
	}
	if start, booked, _, _ := s.reserve(req("/ws/run-triggers"), now, time.Hour, 0, false); !booked || start.Sub(now) > 100*time.Millisecond {
		t.Fatalf("a request of no class waits +%v behind a run list's turn a minute away", start.Sub(now))
	}
	// When its class's turn comes, the run list books the main limit's.
	later := now.Add(time.Minute)
	if start, booked, _, _ := s.reserve(req("/ws/runs"), later, time.Hour, time.Minute, true); !booked || !start.Equal(later) {
		t.Fatalf("the run list at its class's turn: start +%v booked %v, want at once", start.Sub(later), booked)
	}
}
