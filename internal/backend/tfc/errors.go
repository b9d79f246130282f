package tfc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/scheduler"
)

// lastResponse records the final HTTP status of one call. go-tfe retries a
// 429 until the context ends and then reports only the context error (or, on
// its last attempt, a generic one), so the status is taken from the wire.
type lastResponse struct {
	mu     sync.Mutex
	status int
	reset  time.Duration
}

func (l *lastResponse) record(resp *http.Response) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.status = resp.StatusCode
	if secs, err := strconv.ParseFloat(resp.Header.Get("X-RateLimit-Reset"), 64); err == nil && secs > 0 {
		l.reset = time.Duration(secs * float64(time.Second))
	}
}

func (l *lastResponse) get() (int, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.status, l.reset
}

type lastResponseKey struct{}

// recordingTransport notes each response's status in the call's
// lastResponse, found through the request context. It also takes
// X-RateLimit-Limit off the answers: go-tfe would build a limiter of its
// own from the ping's, in real time and per client, and the scheduler under
// this transport, which has read the header, already paces every request.
type recordingTransport struct{ base http.RoundTripper }

func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		resp.Header.Del("X-RateLimit-Limit")
	}
	if l, ok := req.Context().Value(lastResponseKey{}).(*lastResponse); ok && resp != nil {
		l.record(resp)
	}
	return resp, err
}

// call runs fn with the client's deadline (unless ctx has an earlier one)
// and turns what went wrong into stackview's typed errors, prefixed by what.
func (c *Client) call(ctx context.Context, what string, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	last := &lastResponse{}
	err := fn(context.WithValue(ctx, lastResponseKey{}, last))
	if err == nil {
		return nil
	}
	status, reset := last.get()
	return fmt.Errorf("%s: %w", what, c.classify(err, status, reset))
}

// classify maps go-tfe's errors and the last status onto backend errors.
func (c *Client) classify(err error, status int, reset time.Duration) error {
	var rl *backend.RateLimitError
	var slow *scheduler.AttemptTimeoutError
	switch {
	case errors.As(err, &rl):
		return rl
	case status == http.StatusTooManyRequests:
		return &backend.RateLimitError{RetryAfter: reset}
	case errors.As(err, &slow):
		return slow
	case errors.Is(err, tfe.ErrUnauthorized) || status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %s rejected the API token from %s", backend.ErrUnauthorized, c.address, c.cred.source)
	case errors.Is(err, tfe.ErrResourceNotFound) || status == http.StatusNotFound || status == http.StatusForbidden:
		return &refusedError{status: status}
	case errors.Is(err, tfe.ErrWorkspaceLocked), errors.Is(err, tfe.ErrWorkspaceNotLocked),
		errors.Is(err, tfe.ErrWorkspaceLockedByRun), errors.Is(err, tfe.ErrWorkspaceLockedByTeam),
		errors.Is(err, tfe.ErrWorkspaceLockedByUser), status == http.StatusConflict:
		return &answerError{kind: backend.ErrConflict, err: err}
	}
	return backend.OneLine(err)
}

// answerError is a refusal go-tfe made of TFC's answer: kind is the backend
// error it is, and leads its text once (TFC titles a 409 "conflict" too),
// on one line (go-tfe writes "title\n\ndetail"). Both stay reachable with
// errors.Is and errors.As.
type answerError struct {
	kind error
	err  error
}

func (e *answerError) Error() string {
	return e.kind.Error() + ": " + strings.TrimPrefix(backend.Fold(e.err.Error()), e.kind.Error()+": ")
}

func (e *answerError) Unwrap() []error { return []error{e.kind, e.err} }

// changing is call for a change to one workspace. A conflict while the
// workspace is locked is the lock's doing (TFC's locks "prevent new runs";
// unlocking someone else's lock is refused), unless notLock says the
// answer is explained otherwise: the error then names the holder and their
// reason, whom to ask rather than what to refresh.
func (c *Client) changing(ctx context.Context, what, stackID string, notLock bool, fn func(ctx context.Context) error) error {
	err := c.call(ctx, what, fn)
	if err == nil || notLock || !errors.Is(err, backend.ErrConflict) {
		return err
	}
	st, rerr := c.readStack(ctx, stackID)
	if rerr != nil || st.Lock == nil {
		return err
	}
	return fmt.Errorf("%s: %w", what, &backend.LockedError{Stack: st.Name, Lock: *st.Lock, Err: err})
}

// refusedError is TFC's 404 (or 403): the resource does not exist or the
// token may not see it, which TFC does not tell apart.
type refusedError struct{ status int }

func (e *refusedError) Error() string {
	return notFoundText
}

func (e *refusedError) Unwrap() error { return backend.ErrNotFound }

// notFoundText is how a 404 reads.
const notFoundText = "not found (or the token cannot see it)"

// refused reports a read TFC refused: 404, or 403.
func refused(err error) bool {
	var r *refusedError
	return errors.As(err, &r)
}

// statusOf names the status of a refused read, "404" when unknown.
func statusOf(err error) string {
	var r *refusedError
	if errors.As(err, &r) && r.status != 0 {
		return strconv.Itoa(r.status)
	}
	return "404"
}

// refusal is a detail already refused this session, and why.
type refusal string

func (r refusal) Error() string { return string(r) }

// unknownBecause says why a detail is unknown after err.
func unknownBecause(err error) string {
	var r refusal
	if errors.As(err, &r) {
		return string(r)
	}
	return "could not read it: " + err.Error()
}
