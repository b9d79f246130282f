package spacelift

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/scheduler"
)

// Config says where to find credentials. Zero values use the process
// environment, the user's home directory and a 60 s HTTP client.
type Config struct {
	Endpoint   string              // base URL, e.g. https://acme.app.spacelift.io; overrides the credentials' own
	Profile    string              // spacectl profile alias; "" = the current profile
	Env        func(string) string // os.Getenv when nil
	HomeDir    string              // where ~/.spacelift lives; os.UserHomeDir when ""
	HTTPClient *http.Client

	// Now is the clock token renewal is judged by; time.Now when nil.
	Now func() time.Time
	// RetryBaseDelay is the first backoff of a retried query (default 500 ms).
	RetryBaseDelay time.Duration
	// Log gets the request scheduler's line per request (--debug).
	Log func(format string, args ...any)
	// Sandbox says the endpoint is stackview's own sandbox server, so Info
	// reports the "sandbox" kind to the header and the audit log.
	Sandbox bool
}

// Client is a backend.Backend over the Spacelift GraphQL API.
type Client struct {
	endpoint string
	sandbox  bool
	gql      *graphql.Client
	gqlURL   string
	http     *http.Client // the one gql uses: token, retries
	sess     *session
}

var _ backend.Backend = (*Client)(nil)

// New finds credentials and, for an API key, exchanges it for a token now,
// so wrong credentials fail here rather than on the first screen.
func New(ctx context.Context, cfg Config) (*Client, error) {
	creds, err := resolveCredentials(cfg)
	if err != nil {
		return nil, err
	}
	base := http.DefaultTransport
	timeout := 60 * time.Second
	if cfg.HTTPClient != nil {
		if cfg.HTTPClient.Transport != nil {
			base = cfg.HTTPClient.Transport
		}
		timeout = cfg.HTTPClient.Timeout
	}
	delay := cfg.RetryBaseDelay
	if delay <= 0 {
		delay = 500 * time.Millisecond
	}
	// Spacelift publishes no rate limit: the scheduler paces only once the
	// API names one (X-RateLimit-Limit) or answers 429, and retries queries.
	sched := scheduler.New(base, scheduler.Options{FirstBackoff: delay, Log: cfg.Log})
	hc := &http.Client{Timeout: timeout, Transport: &transport{base: sched}}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	gqlURL := creds.endpoint + "/graphql"
	c := &Client{
		endpoint: creds.endpoint,
		sandbox:  cfg.Sandbox,
		gqlURL:   gqlURL,
		http:     hc,
		gql:      graphql.NewClient(gqlURL, hc),
		sess:     newSession(creds, now, graphql.NewClient(gqlURL, hc)),
	}
	if c.sess.renewable() {
		if _, err := c.sess.token(ctx); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Client) Info() backend.Info {
	if c.sandbox {
		return backend.Info{Kind: "sandbox", Endpoint: c.endpoint, Account: accountName(c.endpoint), Sandbox: true}
	}
	return backend.Info{Kind: "spacelift", Endpoint: c.endpoint, Account: accountName(c.endpoint)}
}

// Capabilities: Spacelift has every run and stack action stackview offers
// except an on-demand drift check (drift detection runs on a schedule; the
// sandbox's dialect adds one).
func (c *Client) Capabilities() backend.Capabilities {
	return backend.Capabilities{Lock: true, Review: true, Stop: true, Promote: true, SyncCommit: true, DriftCheck: c.sandbox}
}

// accountName is the subdomain of <account>.app.spacelift.io, or the host.
func accountName(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return endpoint
	}
	host := u.Hostname()
	if name, _, ok := strings.Cut(host, ".app."); ok {
		return name
	}
	return u.Host
}

// sessionChecker is a list query that also selects viewer: the API answers
// empty lists, not errors, to a token it no longer accepts.
type sessionChecker interface{ sessionLost() bool }

// errSessionEmpty marks an answer with viewer null: the API's way of
// saying the token is no longer accepted on list queries.
var errSessionEmpty = errors.New("session expired")

// query runs an idempotent query (retried on 429/5xx); mutate runs a
// mutation once. Both re-authenticate once when the server rejects the
// token and the session can renew: a rejected request did nothing, so
// resending it is safe even for a mutation.
func (c *Client) query(ctx context.Context, name string, q any, vars map[string]any) error {
	return c.do(ctx, name, false, func(ctx context.Context) error {
		if err := safeDecode(func() error { return c.gql.Query(withRetry(ctx), q, vars, graphql.OperationName(name)) }); err != nil {
			return err
		}
		if s, ok := q.(sessionChecker); ok && s.sessionLost() {
			return errSessionEmpty
		}
		return nil
	})
}

// queryList runs a list query like query, but posts it itself and decodes
// the answer in one pass, with encoding/json, straight into q: the GraphQL
// client first copies the whole body into a raw message and then decodes
// it token by token, which was most of the client's time at 10,000 stacks.
// json matches field names case-insensitively, so q's fields must be named
// like the selection: no aliases, no fragments.
func (c *Client) queryList(ctx context.Context, name string, q sessionChecker, vars map[string]any) error {
	query, err := graphql.ConstructQuery(q, vars, graphql.OperationName(name))
	if err != nil {
		return err
	}
	body, err := json.Marshal(graphql.GraphQLRequestPayload{Query: query, Variables: vars, OperationName: name})
	if err != nil {
		return err
	}
	return c.do(ctx, name, false, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(withRetry(ctx), http.MethodPost, c.gqlURL, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 400 {
			return statusError(resp.StatusCode)
		}
		answer := struct {
			Data   any            `json:"data"`
			Errors graphql.Errors `json:"errors"`
		}{Data: q}
		if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
			return fmt.Errorf("decoding %s: %w", name, err)
		}
		if len(answer.Errors) > 0 {
			return answer.Errors
		}
		if q.sessionLost() {
			return errSessionEmpty
		}
		return nil
	})
}

// statusError is an HTTP error status that queryList got.
type statusError int

func (e statusError) Error() string { return fmt.Sprintf("HTTP %d", int(e)) }

func (c *Client) mutate(ctx context.Context, name string, m any, vars map[string]any) error {
	return c.do(ctx, name, true, func(ctx context.Context) error {
		return safeDecode(func() error { return c.gql.Mutate(ctx, m, vars, graphql.OperationName(name)) })
	})
}

// do runs op with the current token, renewing it once if it was refused.
func (c *Client) do(ctx context.Context, name string, mutation bool, op func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.sess.token(ctx)
		if err != nil {
			return err
		}
		err = op(withToken(ctx, tok))
		if err == nil {
			return nil
		}
		terr := translate(err, mutation)
		if errors.Is(terr, backend.ErrUnauthorized) && c.sess.renewable() && attempt == 0 {
			c.sess.invalidate(tok)
			continue
		}
		if errors.Is(terr, backend.ErrUnauthorized) {
			return fmt.Errorf("spacelift %s: %w", name, c.sess.expired())
		}
		return fmt.Errorf("spacelift %s: %w", name, terr)
	}
}

func fromStatus(code int) error {
	if code == http.StatusUnauthorized || code == http.StatusForbidden {
		return fmt.Errorf("%w: HTTP %d", backend.ErrUnauthorized, code)
	}
	return fmt.Errorf("HTTP %d", code)
}

// translate maps a go-graphql-client error to the typed backend errors. It
// reads only messages and codes, never the client's debug extensions,
// which can hold request headers and bodies (and so secrets).
func translate(err error, mutation bool) error {
	var rl *backend.RateLimitError
	switch {
	case errors.Is(err, errSessionEmpty):
		return fmt.Errorf("%w: the API returned no data and no viewer", backend.ErrUnauthorized)
	case errors.As(err, &rl):
		return rl
	case errors.Is(err, errMalformed):
		return errMalformed
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	var nerr graphql.NetworkError
	var serr statusError
	switch {
	case errors.As(err, &nerr):
		return fromStatus(nerr.StatusCode())
	case errors.As(err, &serr):
		return fromStatus(int(serr))
	}
	var gerrs graphql.Errors
	if !errors.As(err, &gerrs) || len(gerrs) == 0 {
		return errors.New("request failed")
	}
	e := gerrs[0]
	code, _ := e.Extensions["code"].(string)
	msg := e.Message
	lower := strings.ToLower(msg)
	switch {
	case code == "UNAUTHORIZED" || strings.Contains(lower, "unauthorized"):
		return fmt.Errorf("%w: %s", backend.ErrUnauthorized, msg)
	case code == "NOT_FOUND" || strings.Contains(lower, "not found"):
		return fmt.Errorf("%w: %s", backend.ErrNotFound, msg)
	case code == "CONFLICT":
		return backend.Conflictf("%s", msg)
	case code == graphql.ErrRequestError || code == graphql.ErrJsonDecode || code == graphql.ErrGraphQLDecode || code == graphql.ErrJsonEncode || code == graphql.ErrGraphQLEncode:
		return errors.New(msg)
	case mutation && len(e.Path) > 0:
		// A resolver refused the mutation: Spacelift reports business rules
		// (wrong run state, locked stack) as prose errors on the field.
		return backend.Conflictf("%s", msg)
	}
	return errors.New(msg)
}
