package spacelift

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// flaky proxies to the fixture's server but answers the first fail
// requests with status (and Retry-After, when set).
func flaky(t *testing.T, f *fixture, fail int32, status int, retryAfter string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	target, _ := url.Parse(f.base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var seen atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= fail {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(status)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts, &seen
}

func tokenClient(t *testing.T, f *fixture, endpoint string) *Client {
	t.Helper()
	tok, err := f.srv.MintToken()
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(ctx(t), Config{Endpoint: endpoint, Env: func(k string) string {
		if k == "SPACELIFT_API_TOKEN" {
			return tok
		}
		return ""
	}, HomeDir: t.TempDir(), Now: f.clock.Now, RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestServerErrorsAreRetriedForQueries(t *testing.T) {
	f := newFixture(t, 3)
	ts, seen := flaky(t, f, 2, http.StatusServiceUnavailable, "")
	stacks, err := tokenClient(t, f, ts.URL).ListStacks(ctx(t))
	if err != nil || len(stacks) != 3 {
		t.Fatalf("stacks = %d, %v", len(stacks), err)
	}
	if n := seen.Load(); n != 4 {
		t.Fatalf("requests = %d, want 2 failures, 1 success and the drifted stack's entities", n)
	}
}

// A Retry-After longer than the time left gives up at once with the wait
// the server asked for, instead of sleeping past the deadline.
func TestRetryRespectsTheDeadline(t *testing.T) {
	f := newFixture(t, 1)
	ts, seen := flaky(t, f, 100, http.StatusTooManyRequests, "30")
	c := tokenClient(t, f, ts.URL)
	cx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.ListModules(cx)
	var rl *backend.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 30*time.Second {
		t.Fatalf("err = %v, want a rate limit with a 30s wait", err)
	}
	if n := seen.Load(); n != 1 {
		t.Fatalf("requests = %d, want 1", n)
	}
}

func TestDeadlineIsReportedAsSuch(t *testing.T) {
	f := newFixture(t, 1)
	c := tokenClient(t, f, f.base)
	cx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.ListStacks(cx)
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "Extensions") {
		t.Fatalf("err = %v, want a plain context.Canceled", err)
	}
}

// lossy proxies to the fixture but spoils the answers to the first fail
// requests of each operation: the connection drops mid-answer, or the body
// comes back garbled.
func lossy(t *testing.T, f *fixture, fail int, garble bool) (string, func(op string) int) {
	t.Helper()
	target, _ := url.Parse(f.base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	seen := map[string]int{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var req struct {
			OperationName string `json:"operationName"`
		}
		_ = json.Unmarshal(body, &req)
		mu.Lock()
		seen[req.OperationName]++
		n := seen[req.OperationName]
		mu.Unlock()
		switch {
		case n > fail:
			proxy.ServeHTTP(w, r)
		case garble:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"data":{"stacks":[{"id":`))
		default:
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"data\":")
			_ = buf.Flush()
			_ = conn.Close()
		}
	}))
	t.Cleanup(ts.Close)
	return ts.URL, func(op string) int { mu.Lock(); defer mu.Unlock(); return seen[op] }
}

// Queries are read again after a dropped or garbled answer; a mutation is
// sent once. Either way the error keeps its cause, on one line.
func TestLostAnswersAreReadAgainForQueriesOnly(t *testing.T) {
	f := newFixture(t, 2)
	for _, garble := range []bool{false, true} {
		base, seen := lossy(t, f, 2, garble)
		c := tokenClient(t, f, base)
		if stacks, err := c.ListStacks(ctx(t)); err != nil || len(stacks) != 2 || seen("Stacks") != 3 {
			t.Fatalf("garble=%v: ListStacks = %d stacks, %v after %d requests", garble, len(stacks), err, seen("Stacks"))
		}
		if _, err := c.GetRun(ctx(t), "stack-000", "nope"); !errors.Is(err, backend.ErrNotFound) || seen("Run") != 3 {
			t.Fatalf("garble=%v: GetRun = %v after %d requests", garble, err, seen("Run"))
		}
		_, err := c.Trigger(ctx(t), "stack-001", model.RunPlan)
		if err == nil || seen("RunTrigger") != 1 {
			t.Fatalf("garble=%v: mutation = %v after %d requests, want one request and an error", garble, err, seen("RunTrigger"))
		}
		oneLineCause(t, err)
	}
	base, seen := lossy(t, f, 100, false)
	_, err := tokenClient(t, f, base).ListModules(ctx(t))
	if err == nil || seen("Modules") != readAttempts {
		t.Fatalf("ListModules = %v after %d requests, want %d and an error", err, seen("Modules"), readAttempts)
	}
	oneLineCause(t, err)
}

func oneLineCause(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	t.Log(msg)
	if strings.Contains(msg, "\n") || strings.Contains(msg, "request failed") || strings.Contains(msg, "Extensions") ||
		!(strings.Contains(msg, "EOF") || strings.Contains(msg, "malformed") || strings.Contains(msg, "unexpected")) {
		t.Errorf("error %q does not keep its cause on one line", msg)
	}
}
