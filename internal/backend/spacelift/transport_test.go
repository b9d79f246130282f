package spacelift

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
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
