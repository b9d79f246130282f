package scheduler

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// starts sends one GET per path, in turn, through a scheduler with opts
// (on a virtual clock) and returns when the server saw each, as offsets
// from the first send.
func starts(t *testing.T, opts Options, h func(w http.ResponseWriter, r *http.Request), paths ...string) []time.Duration {
	t.Helper()
	clock := newVirtualClock()
	opts.Clock = clock
	rec := &recorder{clock: clock}
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		rec.note(r)
		if h != nil {
			h(w, r)
		}
	})
	s := New(nil, opts)
	c := &http.Client{Transport: s}
	t0 := clock.Now()
	for _, p := range paths {
		if _, err := get(t, c, deadline(t), "GET", ts.URL+p); err != nil {
			t.Fatal(err)
		}
	}
	out := make([]time.Duration, len(rec.at))
	for i, at := range rec.at {
		out[i] = at.Sub(t0)
	}
	return out
}

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, n := range v {
		out[i] = time.Duration(n) * time.Millisecond
	}
	return out
}

func repeat(path string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = path
	}
	return out
}

// TestPacing pins when each request goes: a burst of three at once, then
// one per interval of the share of the limit in force.
func TestPacing(t *testing.T) {
	runs := func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/runs") }
	for _, tc := range []struct {
		name  string
		opts  Options
		paths []string
		want  []time.Duration
	}{
		{"half of 10/s by default", Options{Limit: 10}, repeat("/x", 6), ms(0, 0, 0, 200, 400, 600)},
		{"a share out of range is the default", Options{Limit: 10, Share: 1.5}, repeat("/x", 6), ms(0, 0, 0, 200, 400, 600)},
		{"the whole limit when the share is 1", Options{Limit: 10, Share: 1}, repeat("/x", 6), ms(0, 0, 0, 100, 200, 300)},
		{"no limit, no pacing", Options{}, repeat("/x", 6), ms(0, 0, 0, 0, 0, 0)},
		{"a class at 0.8 of 60/min by default", Options{Classes: []Class{{PerMinute: 60, Match: runs}}},
			repeat("/runs", 4), ms(0, 0, 1250, 2500)},
		{"a class share out of range is the default", Options{Classes: []Class{{PerMinute: 60, Share: 2, Match: runs}}},
			repeat("/runs", 4), ms(0, 0, 1250, 2500)},
		{"a class at its whole limit when its share is 1", Options{Classes: []Class{{PerMinute: 60, Share: 1, Match: runs}}},
			repeat("/runs", 4), ms(0, 0, 1000, 2000)},
		{"a class without a limit paces nothing", Options{Classes: []Class{{PerMinute: 0, Match: runs}}},
			repeat("/runs", 4), ms(0, 0, 0, 0)},
		{"other endpoints are not the class's", Options{Classes: []Class{{PerMinute: 60, Match: runs}}},
			repeat("/other", 4), ms(0, 0, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := starts(t, tc.opts, nil, tc.paths...); !slices.Equal(got, tc.want) {
				t.Errorf("sent at %v, want %v", got, tc.want)
			}
		})
	}
}

// TestOnlyTheAPIHostIsPaced: with Host set, requests to another host (a
// log archive) go at once; the API's are paced.
func TestOnlyTheAPIHostIsPaced(t *testing.T) {
	other := serve(t, func(http.ResponseWriter, *http.Request) {})
	api := serve(t, func(http.ResponseWriter, *http.Request) {})
	clock := newVirtualClock()
	s := New(nil, Options{Limit: 10, Host: strings.TrimPrefix(api.URL, "http://"), Clock: clock})
	c := &http.Client{Transport: s}
	took := func(url string) time.Duration {
		t0 := clock.Now()
		for range 5 {
			if _, err := get(t, c, deadline(t), "GET", url); err != nil {
				t.Fatal(err)
			}
		}
		return clock.Now().Sub(t0)
	}
	if waited := took(other.URL + "/log"); waited != 0 {
		t.Errorf("five requests to another host took %s, want none", waited)
	}
	if waited := took(api.URL + "/x"); waited != 400*time.Millisecond {
		t.Errorf("five API requests took %s, want 400ms (a burst of three, then 200ms each)", waited)
	}
}

// TestWhatTheServerSaysOfTheLimit: X-RateLimit-Limit replaces the limit
// unless it is not a positive number; Retry-After on anything but a 429
// pauses nothing.
func TestWhatTheServerSaysOfTheLimit(t *testing.T) {
	for _, tc := range []struct{ header, want string }{{"20", "20"}, {"0", "10"}, {"-5", "10"}, {"many", "10"}} {
		ts := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-RateLimit-Limit", tc.header) })
		s := New(nil, Options{Limit: 10, Clock: newVirtualClock()})
		if _, err := get(t, &http.Client{Transport: s}, deadline(t), "GET", ts.URL+"/x"); err != nil {
			t.Fatal(err)
		}
		if got := s.Limit(); got != mustFloat(t, tc.want) {
			t.Errorf("X-RateLimit-Limit %q: limit %v, want %s", tc.header, got, tc.want)
		}
	}
	retryAfter := func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Retry-After", "5") }
	if got := starts(t, Options{}, retryAfter, repeat("/x", 3)...); !slices.Equal(got, ms(0, 0, 0)) {
		t.Errorf("after a 200 with Retry-After requests went at %v, want at once", got)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestA429WaitsForTheFirstPositiveReset: a reset of 0 says nothing, so
// Retry-After decides the wait.
func TestA429WaitsForTheFirstPositiveReset(t *testing.T) {
	n := 0
	h := func(w http.ResponseWriter, r *http.Request) {
		if n++; n == 1 {
			w.Header().Set("X-RateLimit-Reset", "0")
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}
	got := starts(t, Options{}, h, "/x")
	if len(got) != 2 || got[1] < 3*time.Second {
		t.Errorf("sent at %v, want the retry 3s after the 429", got)
	}
}

// TestBackoff: a read's first retry waits FirstBackoff (250ms unless set)
// give or take a quarter, doubling up to 8s.
func TestBackoff(t *testing.T) {
	fail := func() func(http.ResponseWriter, *http.Request) {
		n := 0
		return func(w http.ResponseWriter, r *http.Request) {
			if n++; n == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		}
	}
	for _, tc := range []struct {
		first time.Duration
		want  time.Duration
	}{{0, 250 * time.Millisecond}, {time.Second, time.Second}} {
		got := starts(t, Options{FirstBackoff: tc.first}, fail(), "/x")
		if len(got) != 2 || got[1] < tc.want*3/4 || got[1] > tc.want*5/4 {
			t.Errorf("FirstBackoff %s: sent at %v, want the retry %s ± 25%% later", tc.first, got, tc.want)
		}
	}
	s := New(nil, Options{})
	for attempt := 1; attempt <= 8; attempt++ {
		d := min(firstBackoff<<(attempt-1), maxBackoff)
		var lo, hi time.Duration = d, d
		for range 400 {
			b := s.backoff(attempt)
			lo, hi = min(lo, b), max(hi, b)
		}
		if lo < d*3/4 || hi > d*5/4 || hi-lo < d/4 {
			t.Errorf("attempt %d: backoffs from %s to %s, want spread over %s ± 25%%", attempt, lo, hi, d)
		}
	}
	// Any positive FirstBackoff is taken, down to a nanosecond, whose
	// quarter is nothing: the jitter is then none, never a panic.
	tiny := New(nil, Options{FirstBackoff: time.Nanosecond})
	for attempt := 1; attempt <= 3; attempt++ {
		d := time.Nanosecond << (attempt - 1)
		if b := tiny.backoff(attempt); b < d*3/4 || b > d*5/4 {
			t.Errorf("FirstBackoff 1ns, attempt %d: backoff %s, want %s ± 25%%", attempt, b, d)
		}
	}
}
