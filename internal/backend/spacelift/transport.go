package spacelift

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/stackview/stackview/internal/backend"
)

type retryKey struct{}

// withRetry marks a request as idempotent: the transport may resend it after
// a 429 or a 5xx. Mutations are never marked, so they are sent once.
func withRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, retryKey{}, true)
}

type tokenKey struct{}

// withToken carries the bearer token a request must use, so the caller knows
// which token the server judged.
func withToken(ctx context.Context, tok string) context.Context {
	return context.WithValue(ctx, tokenKey{}, tok)
}

// transport adds the bearer token and retries idempotent requests on 429
// and 5xx with jittered exponential backoff, never past the context deadline.
type transport struct {
	base        http.RoundTripper
	maxAttempts int
	baseDelay   time.Duration
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		_ = req.Body.Close()
	}
	attempts := 1
	if retry, _ := ctx.Value(retryKey{}).(bool); retry {
		attempts = t.maxAttempts
	}
	for attempt := 1; ; attempt++ {
		r := req.Clone(ctx)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		if tok, _ := ctx.Value(tokenKey{}).(string); tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		r.Header.Set("Spacelift-Client-Type", "stackview")
		resp, err := t.base.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		status := resp.StatusCode
		if status != http.StatusTooManyRequests && status < 500 {
			return resp, nil
		}
		retryAfter := parseRetryAfter(resp.Header.Get("Retry-After"))
		msg := bodyMessage(resp.Body)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if attempt >= attempts {
			return nil, finalError(status, retryAfter, msg)
		}
		wait := max(retryAfter, t.backoff(attempt))
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, finalError(status, retryAfter, msg)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// backoff doubles from baseDelay with up to 50% jitter, so many clients
// rate limited together do not come back in step.
func (t *transport) backoff(attempt int) time.Duration {
	d := t.baseDelay << (attempt - 1)
	return d + time.Duration(rand.Int64N(int64(d)/2+1))
}

// finalError is the answer the transport gives up on: a rate limit, or the
// server error with what its body said.
func finalError(status int, retryAfter time.Duration, msg string) error {
	if status == http.StatusTooManyRequests {
		return &backend.RateLimitError{RetryAfter: retryAfter}
	}
	return statusError{code: status, msg: msg}
}

func parseRetryAfter(v string) time.Duration {
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	return 0
}
