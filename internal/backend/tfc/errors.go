package tfc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/backend"
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
// lastResponse, found through the request context.
type recordingTransport struct{ base http.RoundTripper }

func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
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
	switch {
	case status == http.StatusTooManyRequests:
		return &backend.RateLimitError{RetryAfter: reset}
	case errors.Is(err, tfe.ErrUnauthorized) || status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %s rejected the API token from %s", backend.ErrUnauthorized, c.address, c.cred.source)
	case errors.Is(err, tfe.ErrResourceNotFound) || status == http.StatusNotFound:
		return fmt.Errorf("%w (or the token cannot see it)", backend.ErrNotFound)
	case errors.Is(err, tfe.ErrWorkspaceLocked), errors.Is(err, tfe.ErrWorkspaceNotLocked),
		errors.Is(err, tfe.ErrWorkspaceLockedByRun), errors.Is(err, tfe.ErrWorkspaceLockedByTeam),
		errors.Is(err, tfe.ErrWorkspaceLockedByUser):
		return fmt.Errorf("%w: %s", backend.ErrConflict, err.Error())
	case status == http.StatusConflict:
		return fmt.Errorf("%w: %s", backend.ErrConflict, err.Error())
	}
	return err
}
