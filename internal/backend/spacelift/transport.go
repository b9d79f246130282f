package spacelift

import (
	"context"
	"net/http"

	"github.com/stackview/stackview/internal/backend/scheduler"
)

// withRetry marks a request as idempotent: the scheduler under the
// transport may resend it after a 429, a 5xx or a transport error. Mutations
// are never marked, so they are sent once.
func withRetry(ctx context.Context) context.Context { return scheduler.Read(ctx) }

type tokenKey struct{}

// withToken carries the bearer token a request must use, so the caller knows
// which token the server judged.
func withToken(ctx context.Context, tok string) context.Context {
	return context.WithValue(ctx, tokenKey{}, tok)
}

// transport adds the bearer token and the client type to every request; a
// scheduler.Scheduler under it paces and retries them.
type transport struct {
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if tok, _ := req.Context().Value(tokenKey{}).(string); tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	r.Header.Set("Spacelift-Client-Type", "stackview")
	return t.base.RoundTrip(r)
}
