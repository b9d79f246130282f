package spacelift

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/stackview/stackview/internal/backend"
)

// renewBefore is how long before validUntil a token is renewed, as spacectl
// does, so a request never leaves with a token about to expire.
const renewBefore = 30 * time.Second

// session holds the bearer token and renews it from the API key.
type session struct {
	creds    credentials
	now      func() time.Time
	exchange *graphql.Client // unauthenticated client for apiKeyUser

	mu         sync.Mutex
	jwt        string
	validUntil time.Time
}

func newSession(creds credentials, now func() time.Time, exchange *graphql.Client) *session {
	s := &session{creds: creds, now: now, exchange: exchange}
	if creds.token != "" {
		s.jwt, s.validUntil = creds.token, tokenExpiry(creds.token)
	}
	return s
}

// renewable reports whether the session can get a new token by itself.
func (s *session) renewable() bool { return s.creds.keyID != "" }

// token returns a token valid for at least renewBefore, exchanging the API
// key when needed.
func (s *session) token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fresh := s.jwt != "" && (s.validUntil.IsZero() || s.now().Add(renewBefore).Before(s.validUntil))
	if fresh {
		return s.jwt, nil
	}
	if !s.renewable() {
		return "", s.expired()
	}
	return s.renewLocked(ctx)
}

// invalidate drops tok so the next call exchanges the key again; a token
// the server rejected early (revoked, clock skew) is not reused.
func (s *session) invalidate(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.renewable() && s.jwt == tok {
		s.jwt = ""
	}
}

func (s *session) expired() error {
	if s.renewable() {
		return fmt.Errorf("%w: Spacelift rejected the token just minted from the API key from %s; check the key's access", backend.ErrUnauthorized, s.creds.source)
	}
	return fmt.Errorf("%w: the Spacelift session from %s has expired or was rejected; get a new token (e.g. `spacectl profile login`) or use an API key", backend.ErrUnauthorized, s.creds.source)
}

type apiKeyUserMutation struct {
	APIKeyUser *struct {
		JWT        string `graphql:"jwt"`
		ValidUntil int64  `graphql:"validUntil"`
	} `graphql:"apiKeyUser(id: $id, secret: $secret)"`
}

// renewLocked exchanges the API key for a token. The exchange changes
// nothing on the server, so it is retried like a query.
func (s *session) renewLocked(ctx context.Context) (string, error) {
	var m apiKeyUserMutation
	vars := map[string]any{"id": graphql.ID(s.creds.keyID), "secret": graphql.String(s.creds.keySecret)}
	err := safeDecode(func() error {
		return s.exchange.Mutate(withRetry(ctx), &m, vars, graphql.OperationName("GetSpaceliftToken"))
	})
	if err != nil {
		terr := translate(err, false)
		if errors.Is(terr, backend.ErrUnauthorized) {
			return "", fmt.Errorf("%w: Spacelift refused the API key from %s (wrong id or secret, or the key was revoked)", backend.ErrUnauthorized, s.creds.source)
		}
		return "", fmt.Errorf("exchange API key from %s: %w", s.creds.source, terr)
	}
	if m.APIKeyUser == nil || m.APIKeyUser.JWT == "" {
		// The Terraform provider reads a null user as an unknown key id.
		return "", fmt.Errorf("%w: exchange API key from %s: no such API key (check the key id)", backend.ErrUnauthorized, s.creds.source)
	}
	s.jwt, s.validUntil = m.APIKeyUser.JWT, time.Unix(m.APIKeyUser.ValidUntil, 0)
	return s.jwt, nil
}
