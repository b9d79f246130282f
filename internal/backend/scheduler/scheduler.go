// Package scheduler is the one place where stackview's API requests wait
// for their turn and are retried. Each backend puts one Scheduler in front
// of every HTTP client it uses (go-tfe, raw requests, log reads; the
// GraphQL client), so however many clients a backend has, together they stay
// within the service's per-user rate limit:
//
//   - pacing: in steady state at most Share (half) of the per-user limit,
//     with a small burst; a request marked InitialLoad may use nearly all of
//     it; endpoint classes with limits of their own (TFC's run lists: 30 a
//     minute) are paced under those too. The limit is learned from the
//     X-RateLimit-Limit header when the server sends one.
//   - priority: a request marked Interactive (a keypress waits for it) takes
//     the next free turn; other requests take a turn only when it is at
//     most one interval away, and those marked Background only a turn free
//     now, so whatever is queued behind the limit, a keypress's read waits
//     for at most a turn or two. A listing's request that has waited
//     normalAging takes the next free turn too: keys pressed nonstop, each
//     rest reading a screen of details, must not stall a load for good.
//   - a 429 pauses every request until the server's X-RateLimit-Reset (or
//     Retry-After) has passed.
//   - reads (GET and HEAD, and requests marked Read, such as GraphQL
//     queries) are retried on 429, 5xx and transport errors with jittered
//     backoff, inside their context's deadline; mutations are sent once.
//   - each attempt must see response headers within AttemptTimeout, so a
//     server that accepts connections and never answers fails clearly and
//     early.
//
// A request that would have to wait past its deadline is not sent; it fails
// with a *backend.RateLimitError at once. Deadlines are real time, waits
// are the Clock's.
package scheduler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/backend"
)

// Defaults of Options.
const (
	DefaultShare          = 0.5
	DefaultAttemptTimeout = 15 * time.Second
	// initialShare is what an initial load may use of the limit: nearly
	// all, leaving room for the burst, so the server's window never sees
	// more than the limit.
	initialShare = 0.9
	// burst requests may go at once before pacing starts.
	burst = 3
	// classShare is what a class's own limit is paced at by default.
	classShare = 0.8
	classBurst = 2
	// maxAttempts bounds the tries of a read; a read without a deadline
	// gets fewer, so nothing retries for ever.
	maxAttempts        = 8
	maxAttemptsUnbound = 3
	firstBackoff       = 250 * time.Millisecond
	maxBackoff         = 8 * time.Second
	maxBodyForReplay   = 8 << 20
	// normalAging is how long a request of PriorityNormal waits behind
	// keypresses' reads before it books the next free turn as they do.
	normalAging = 2 * time.Second
)

// Clock tells time and waits; tests pass one that does not sleep.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Class is a set of endpoints with a limit of their own, per minute.
type Class struct {
	Name      string
	Match     func(*http.Request) bool
	PerMinute float64 // what the service allows
	Share     float64 // what is used of it; 0 = 0.8
}

// Options configure a Scheduler. Zero values take the defaults.
type Options struct {
	// Limit is the service's per-user limit in requests a second; an
	// X-RateLimit-Limit header replaces it. 0 paces nothing until the server
	// names a limit.
	Limit float64
	// Share is the part of Limit used in steady state (default 0.5).
	Share float64
	// Classes have limits of their own, on top of Limit.
	Classes []Class
	// Host, when set, limits pacing to requests for that host (host:port);
	// others (a log archive, say) are only retried.
	Host string
	// AttemptTimeout bounds the wait for one attempt's response headers
	// (default 15s).
	AttemptTimeout time.Duration
	// FirstBackoff is the wait before the first retry, doubled for each
	// next one (default 250ms).
	FirstBackoff time.Duration
	Clock        Clock
	// Log, when set, gets one line per request: its wait and its retries
	// (`--debug`). It never sees headers or bodies.
	Log func(format string, args ...any)
}

// Scheduler is an http.RoundTripper in front of Base. It is safe for
// concurrent use; share one between every client of a backend.
type Scheduler struct {
	base    http.RoundTripper
	opts    Options
	clock   Clock
	mu      sync.Mutex
	limit   float64
	main    bucket
	classes []bucket
	paused  time.Time // no request goes before this (after a 429)
}

// bucket is one GCRA pacer: tat is the theoretical arrival time of the
// next request.
type bucket struct {
	tat time.Time
}

// earliest is the first start at or after now for a request paced at one
// per interval, allowing n at once.
func (b *bucket) earliest(now time.Time, interval time.Duration, n int) time.Time {
	if t := b.tat.Add(-time.Duration(n-1) * interval); t.After(now) {
		return t
	}
	return now
}

// book takes the turn at start.
func (b *bucket) book(start time.Time, interval time.Duration) {
	if b.tat.Before(start) {
		b.tat = start
	}
	b.tat = b.tat.Add(interval)
}

// New puts a scheduler in front of base (http.DefaultTransport when nil).
func New(base http.RoundTripper, opts Options) *Scheduler {
	if base == nil {
		base = http.DefaultTransport
	}
	if opts.Share <= 0 || opts.Share > 1 {
		opts.Share = DefaultShare
	}
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = DefaultAttemptTimeout
	}
	if opts.FirstBackoff <= 0 {
		opts.FirstBackoff = firstBackoff
	}
	s := &Scheduler{base: base, opts: opts, clock: opts.Clock, limit: opts.Limit, classes: make([]bucket, len(opts.Classes))}
	if s.clock == nil {
		s.clock = realClock{}
	}
	return s
}

// Limit is the per-user limit in force, requests a second (0: none known).
func (s *Scheduler) Limit() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limit
}

type ctxKey int

const (
	readKey ctxKey = iota
	initialKey
	priorityKey
)

// Priority orders requests waiting for the rate limit.
type Priority int

const (
	// PriorityBackground: reads nobody waits for (filling details of
	// stacks off screen, revalidating caches).
	PriorityBackground Priority = -1
	// PriorityNormal: listings and refreshes.
	PriorityNormal Priority = 0
	// PriorityInteractive: reads a keypress waits for (the selected stack,
	// the rows on screen).
	PriorityInteractive Priority = 1
)

// Interactive marks requests made with ctx as waited for by a person.
func Interactive(ctx context.Context) context.Context {
	return context.WithValue(ctx, priorityKey, PriorityInteractive)
}

// Background marks requests made with ctx as waited for by nobody.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, priorityKey, PriorityBackground)
}

func priorityOf(req *http.Request) Priority {
	p, _ := req.Context().Value(priorityKey).(Priority)
	return p
}

// Read marks requests made with ctx as reads, safe to send again, whatever
// their method (a GraphQL query is a POST).
func Read(ctx context.Context) context.Context { return context.WithValue(ctx, readKey, true) }

// InitialLoad marks requests made with ctx as part of a first load, which
// may use nearly the whole rate limit rather than its steady share.
func InitialLoad(ctx context.Context) context.Context {
	return context.WithValue(ctx, initialKey, true)
}

func isRead(req *http.Request) bool {
	if v, _ := req.Context().Value(readKey).(bool); v {
		return true
	}
	return req.Method == http.MethodGet || req.Method == http.MethodHead
}

// AttemptTimeoutError is an attempt whose response headers did not come in
// time: the server accepted the request and did not answer.
type AttemptTimeoutError struct {
	Host  string
	After time.Duration
}

func (e *AttemptTimeoutError) Error() string {
	return fmt.Sprintf("%s accepted the request but sent no answer within %s", e.Host, e.After)
}

// RoundTrip waits for the request's turn, sends it, and retries a read that
// failed in a way worth retrying.
func (s *Scheduler) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(io.LimitReader(req.Body, maxBodyForReplay))
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
	}
	read := isRead(req)
	attempts := 1
	if read {
		attempts = maxAttempts
		if _, ok := ctx.Deadline(); !ok {
			attempts = maxAttemptsUnbound
		}
	}
	target := req.URL.Host + req.URL.Path
	for attempt := 1; ; attempt++ {
		wait, err := s.wait(req)
		if err != nil {
			s.log("sched %s %s: not sent: %v", req.Method, target, err)
			return nil, err
		}
		s.log("sched %s %s: attempt %d after waiting %s", req.Method, target, attempt, wait.Round(time.Millisecond))
		resp, err := s.attempt(req, body)
		retryAfter, why := s.judge(resp, err)
		if why == "" {
			return resp, err
		}
		last := attempt >= attempts
		backoff := max(retryAfter, s.backoff(attempt))
		if dl, ok := ctx.Deadline(); ok && backoff > time.Until(dl) {
			last = true
		}
		if last {
			s.log("sched %s %s: giving up after %d attempts: %s", req.Method, target, attempt, why)
			return s.giveUp(resp, err, retryAfter)
		}
		drain(resp)
		s.log("sched %s %s: %s; retrying in %s", req.Method, target, why, backoff.Round(time.Millisecond))
		if err := s.clock.Sleep(ctx, backoff); err != nil {
			return nil, err
		}
	}
}

// wait blocks until the request may go, or says why it may not. A turn
// past the request's deadline is not booked, so a refused request costs
// the others nothing.
func (s *Scheduler) wait(req *http.Request) (time.Duration, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return 0, err // done already: not the rate limit's doing
	}
	limit := time.Duration(1<<63 - 1)
	if dl, ok := ctx.Deadline(); ok {
		limit = time.Until(dl)
	}
	first := s.clock.Now()
	held := false // its endpoint class's turn is booked; the main limit's is next
	for {
		now := s.clock.Now()
		start, booked, h, ok := s.reserve(req, now, limit-now.Sub(first), now.Sub(first), held)
		held = held || h
		wait := start.Sub(now)
		if !ok {
			return now.Sub(first) + wait, fmt.Errorf("waiting %s for the API's rate limit would pass the request's deadline: %w",
				wait.Round(time.Millisecond), &backend.RateLimitError{RetryAfter: wait})
		}
		if booked && wait <= 0 {
			return now.Sub(first), ctx.Err()
		}
		// A request of lower priority that did not book comes back when its
		// turn is near; one that did waits for its turn; one that holds its
		// class's turn comes back then for the main limit's.
		if err := s.clock.Sleep(ctx, max(wait, time.Millisecond)); err != nil || booked {
			return s.clock.Now().Sub(first), err
		}
	}
}

// booking is one bucket a request is paced by, at its interval.
type booking struct {
	b        *bucket
	interval time.Duration
	n        int
}

// pacers are the buckets that pace req: the main limit's (nil when none)
// and those of the endpoint classes it belongs to.
func (s *Scheduler) pacers(req *http.Request) (main *booking, classes []booking) {
	if s.opts.Host != "" && req.URL.Host != s.opts.Host {
		return nil, nil
	}
	if s.limit > 0 {
		share := s.opts.Share
		if v, _ := req.Context().Value(initialKey).(bool); v {
			share = initialShare
		}
		main = &booking{&s.main, time.Duration(float64(time.Second) / (s.limit * share)), burst}
	}
	for i, c := range s.opts.Classes {
		if c.PerMinute <= 0 || !c.Match(req) {
			continue
		}
		share := c.Share
		if share <= 0 || share > 1 {
			share = classShare
		}
		classes = append(classes, booking{&s.classes[i], time.Duration(float64(time.Minute) / (c.PerMinute * share)), classBurst})
	}
	return main, classes
}

// reserve books the request's start in the buckets that pace it, unless
// that start is more than limit away (ok false) or, for a request below
// PriorityInteractive that has waited less than its aging, further away
// than its priority may book ahead (booked false: the returned start is
// when to try again).
//
// A request of an endpoint class books its class's turn first (held) and,
// when that turn has come (classHeld), its turn under the main limit: a
// turn booked in the main bucket is held by everyone after it, so booking
// both at a class turn a minute away (TFC's 30 run lists a minute) kept
// every other request of the client waiting that minute.
func (s *Scheduler) reserve(req *http.Request, now time.Time, limit, waited time.Duration, classHeld bool) (start time.Time, booked, held, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	main, classes := s.pacers(req)
	phase := classes
	if classHeld || len(classes) == 0 {
		phase = nil
		if main != nil {
			phase = []booking{*main}
		}
	}
	start = now
	if s.paused.After(start) {
		start = s.paused
	}
	var ahead time.Duration // how far ahead a request of this priority may book
	for _, bk := range phase {
		if t := bk.b.earliest(start, bk.interval, bk.n); t.After(start) {
			start = t
		}
		ahead = max(ahead, bk.interval)
	}
	if start.Sub(now) > limit {
		return start, false, false, false
	}
	switch p := priorityOf(req); {
	case p == PriorityInteractive, p == PriorityNormal && waited >= normalAging:
		ahead = start.Sub(now)
	case p == PriorityBackground:
		ahead = 0
	}
	if wait := start.Sub(now); wait > ahead {
		return start.Add(-ahead), false, false, true
	}
	for _, bk := range phase {
		bk.b.book(start, bk.interval)
	}
	if classHeld || len(classes) == 0 || main == nil {
		return start, true, false, true
	}
	// The class's turn is booked. If it is now and the main limit has a
	// turn free now, that is booked too; otherwise come back at the class's.
	if start.After(now) || main.b.earliest(start, main.interval, main.n).After(start) {
		return start, false, true, true
	}
	main.b.book(start, main.interval)
	return start, true, true, true
}

// attempt sends the request once, bounding the wait for its headers.
func (s *Scheduler) attempt(req *http.Request, body []byte) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	r := req.Clone(ctx)
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	var timedOut bool
	var tmu sync.Mutex
	timer := time.AfterFunc(s.opts.AttemptTimeout, func() {
		tmu.Lock()
		timedOut = true
		tmu.Unlock()
		cancel()
	})
	resp, err := s.base.RoundTrip(r)
	stopped := timer.Stop()
	tmu.Lock()
	late := timedOut
	tmu.Unlock()
	if err != nil {
		cancel()
		if late && req.Context().Err() == nil {
			return nil, &AttemptTimeoutError{Host: req.URL.Host, After: s.opts.AttemptTimeout}
		}
		return nil, err
	}
	if !stopped && late {
		// Headers came just as the timer fired: the body's context is gone.
		drain(resp)
		cancel()
		return nil, &AttemptTimeoutError{Host: req.URL.Host, After: s.opts.AttemptTimeout}
	}
	s.learn(resp)
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// learn takes the limit from X-RateLimit-Limit, and after a 429 pauses
// every request until the server's reset.
func (s *Scheduler) learn(resp *http.Response) {
	limit, err := strconv.ParseFloat(resp.Header.Get("X-RateLimit-Limit"), 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && limit > 0 {
		s.limit = limit
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if until := s.clock.Now().Add(retryAfter(resp)); until.After(s.paused) {
			s.paused = until
		}
	}
}

// judge says whether a read should be tried again, why, and how long the
// server asked to wait.
func (s *Scheduler) judge(resp *http.Response, err error) (time.Duration, string) {
	switch {
	case err != nil:
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return 0, ""
		}
		return 0, "transport error: " + err.Error()
	case resp.StatusCode == http.StatusTooManyRequests:
		return retryAfter(resp), "rate limited (429)"
	case resp.StatusCode >= 500:
		return 0, "server error " + strconv.Itoa(resp.StatusCode)
	}
	return 0, ""
}

// giveUp returns the last outcome of a request that is not tried again. A
// 429 becomes an error, so no client above resends it on its own.
func (s *Scheduler) giveUp(resp *http.Response, err error, wait time.Duration) (*http.Response, error) {
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	drain(resp)
	return nil, &backend.RateLimitError{RetryAfter: wait}
}

// backoff doubles from FirstBackoff up to maxBackoff, with ±25% jitter so
// clients refused together do not come back in step.
func (s *Scheduler) backoff(attempt int) time.Duration {
	d := min(s.opts.FirstBackoff<<(attempt-1), maxBackoff)
	return d*3/4 + time.Duration(rand.Int64N(int64(d)/2+1))
}

func (s *Scheduler) log(format string, args ...any) {
	if s.opts.Log != nil {
		s.opts.Log(format, args...)
	}
}

// retryAfter reads X-RateLimit-Reset (TFC: seconds, fractional) or
// Retry-After (seconds); without either a 429 is retried after the backoff.
func retryAfter(resp *http.Response) time.Duration {
	for _, h := range []string{"X-RateLimit-Reset", "Retry-After"} {
		if secs, err := strconv.ParseFloat(resp.Header.Get(h), 64); err == nil && secs > 0 {
			return time.Duration(secs * float64(time.Second))
		}
	}
	return 0
}

func drain(resp *http.Response) {
	if resp == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
}

// cancelBody ends an attempt's context once its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
