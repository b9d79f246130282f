package spacelift

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/scheduler"
	"github.com/stackview/stackview/internal/model"
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
	// RateLimit is the per-user limit, in requests a second, the client
	// paces under until the API names one (X-RateLimit-Limit): the program
	// passes AssumedRateLimit. 0 paces nothing until the API names a limit
	// or answers 429.
	RateLimit float64
	// Sandbox says the endpoint is stackview's own sandbox server, so Info
	// reports the "sandbox" kind to the header and the audit log.
	Sandbox bool
}

// Client is a backend.Backend over the Spacelift GraphQL API.
type Client struct {
	endpoint   string
	sandbox    bool
	retryDelay time.Duration // first backoff of a read sent again
	gql        *graphql.Client
	gqlURL     string
	http       *http.Client // the one gql uses: token, retries
	sess       *session
	listing    listingState
	// viewer is who the last listing said the credentials belong to: the
	// locks it holds are the user's own.
	viewer atomic.Pointer[whoNode]
}

var _ backend.Backend = (*Client)(nil)

// New finds credentials and, for an API key, exchanges it for a token now,
// so wrong credentials fail here rather than on the first screen.
func New(ctx context.Context, cfg Config) (*Client, error) {
	c, err := Prepare(cfg)
	if err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Prepare is New without the network: the credentials found, or why not.
// Connect must succeed before any other call (backend/connect does it on
// first use, so a UI can show it).
func Prepare(cfg Config) (*Client, error) {
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
	// Spacelift publishes no rate limit: the scheduler paces under the one
	// the program assumes (AssumedRateLimit) until the API names one
	// (X-RateLimit-Limit) or answers 429, and retries queries.
	sched := scheduler.New(base, scheduler.Options{Limit: cfg.RateLimit, FirstBackoff: delay, Log: cfg.Log})
	hc := &http.Client{Timeout: timeout, Transport: &transport{base: sched}}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	gqlURL := creds.endpoint + "/graphql"
	c := &Client{
		endpoint:   creds.endpoint,
		sandbox:    cfg.Sandbox,
		retryDelay: delay,
		gqlURL:     gqlURL,
		http:       hc,
		gql:        graphql.NewClient(gqlURL, hc),
		sess:       newSession(creds, now, graphql.NewClient(gqlURL, hc)),
	}
	return c, nil
}

// Connect exchanges an API key for a token, so wrong credentials and an
// unreachable or silent endpoint are said before the first screen's data.
func (c *Client) Connect(ctx context.Context) error {
	if c.sess.renewable() {
		if _, err := c.sess.token(ctx); err != nil {
			return err
		}
	}
	return nil
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

// query runs an idempotent query: retried on 429/5xx by the transport, and
// here after a dropped or garbled answer (readAgain). mutate runs a mutation
// once. Both re-authenticate once when the server rejects the token and the
// session can renew: a rejected request did nothing, so resending it is safe
// even for a mutation.
func (c *Client) query(ctx context.Context, name string, q any, vars map[string]any) error {
	return c.do(ctx, name, false, func(ctx context.Context) error {
		return c.readAgain(ctx, func() error {
			if err := safeDecode(func() error { return c.gql.Query(withRetry(ctx), q, vars, graphql.OperationName(name)) }); err != nil {
				return err
			}
			if s, ok := q.(sessionChecker); ok && s.sessionLost() {
				return errSessionEmpty
			}
			return nil
		})
	})
}

// queryList runs a list query like query, but posts it itself and decodes
// the answer in one pass, with encoding/json, straight into q: the GraphQL
// client first copies the whole body into a raw message and then decodes
// it token by token, which was most of the client's time at 10,000 stacks.
// json matches field names case-insensitively, so q's fields must be named
// like the selection: no aliases, no fragments.
//
// An answer with data and field errors (each with a path) is kept: the
// errors are returned beside it for the caller to place, not instead of it.
func (c *Client) queryList(ctx context.Context, name string, q sessionChecker, vars map[string]any) (fieldErrors, error) {
	query, err := graphql.ConstructQuery(q, vars, graphql.OperationName(name))
	if err != nil {
		return nil, err
	}
	return c.queryText(ctx, name, query, q, vars)
}

// queryText is queryList for a query written out (one whose fields are
// made per call, such as a batch of aliased reads).
func (c *Client) queryText(ctx context.Context, name, query string, q sessionChecker, vars map[string]any) (fieldErrors, error) {
	body, err := json.Marshal(graphql.GraphQLRequestPayload{Query: query, Variables: vars, OperationName: name})
	if err != nil {
		return nil, err
	}
	var partial fieldErrors
	err = c.do(ctx, name, false, func(ctx context.Context) error {
		return c.readAgain(ctx, func() error {
			partial = nil
			req, err := http.NewRequestWithContext(withRetry(ctx), http.MethodPost, c.gqlURL, bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := c.http.Do(req)
			if err != nil {
				if isFinalStatus(err) || ctx.Err() != nil {
					return err
				}
				return transportError{err}
			}
			defer resp.Body.Close()
			if resp.StatusCode >= 400 {
				return statusError{code: resp.StatusCode, msg: bodyMessage(resp.Body)}
			}
			answer := struct {
				Data   json.RawMessage `json:"data"`
				Errors graphql.Errors  `json:"errors"`
			}{}
			if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
				return fmt.Errorf("%w: %s", errMalformed, backend.Fold(err.Error()))
			}
			hasData := len(answer.Data) > 0 && string(answer.Data) != "null"
			if hasData {
				if err := json.Unmarshal(answer.Data, q); err != nil {
					return fmt.Errorf("%w: %s", errMalformed, backend.Fold(err.Error()))
				}
			}
			if len(answer.Errors) > 0 && (!hasData || !allOnFields(answer.Errors)) {
				return answer.Errors
			}
			if q.sessionLost() {
				return errSessionEmpty
			}
			partial = fieldErrors(answer.Errors)
			return nil
		})
	})
	return partial, err
}

// readAttempts bounds how often a query is sent again after its answer was
// lost (a dropped connection) or garbled (an undecodable body).
const readAttempts = 3

// readAgain runs an idempotent read, sending it again after a lost or
// garbled answer with jittered backoff inside the context's deadline. Any
// other failure (an HTTP status the transport already retried, a GraphQL
// error) is final.
func (c *Client) readAgain(ctx context.Context, read func() error) error {
	for attempt := 1; ; attempt++ {
		err := read()
		if err == nil || attempt >= readAttempts || !answerLost(err) || ctx.Err() != nil {
			return err
		}
		wait := c.retryDelay << (attempt - 1)
		wait += time.Duration(rand.Int64N(int64(wait)/2 + 1))
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return err
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return err
		case <-timer.C:
		}
	}
}

// answerLost reports an error after which the same read may well succeed:
// the connection failed or the body could not be decoded.
func answerLost(err error) bool {
	var te transportError
	if errors.As(err, &te) || errors.Is(err, errMalformed) {
		return true
	}
	var gerrs graphql.Errors
	if !errors.As(err, &gerrs) || len(gerrs) == 0 {
		return false
	}
	var nerr graphql.NetworkError
	switch code, _ := gerrs[0].Extensions["code"].(string); {
	case code == graphql.ErrJsonDecode || code == graphql.ErrGraphQLDecode:
		return true
	case code == graphql.ErrRequestError:
		// A status answered (the transport retried 429/5xx already) is
		// final; a request that got no answer is not.
		return !errors.As(gerrs[0].Unwrap(), &nerr) && !errors.Is(gerrs[0].Unwrap(), context.Canceled) &&
			!errors.Is(gerrs[0].Unwrap(), context.DeadlineExceeded) && !isFinalStatus(gerrs[0].Unwrap())
	}
	return false
}

// isFinalStatus is the transport's own error after its retries of 429/5xx.
func isFinalStatus(err error) bool {
	var rl *backend.RateLimitError
	var se statusError
	return errors.As(err, &rl) || errors.As(err, &se)
}

// allOnFields reports errors that each name the field they come from: a
// resolver failed, the rest of the data stands.
func allOnFields(errs graphql.Errors) bool {
	for _, e := range errs {
		if len(e.Path) == 0 {
			return false
		}
	}
	return true
}

// fieldErrors are the field errors of an answer that also has data.
type fieldErrors graphql.Errors

// at lists, as "field: message", the errors under the path prefix (e.g.
// "stacks", 3 for the fourth stack).
func (f fieldErrors) at(prefix ...any) []string {
	var out []string
	for _, e := range f {
		if len(e.Path) < len(prefix) || !samePath(e.Path[:len(prefix)], prefix) {
			continue
		}
		var field []string
		for _, p := range e.Path[len(prefix):] {
			if name, ok := p.(string); ok {
				field = append(field, name)
			}
		}
		what := strings.Join(field, ".")
		if what == "" {
			what = "stack"
		}
		out = append(out, what+" could not be read: "+backend.Fold(e.Message))
	}
	return out
}

func samePath(a, b []any) bool {
	for i := range a {
		switch x := b[i].(type) {
		case string:
			if s, ok := a[i].(string); !ok || s != x {
				return false
			}
		case int:
			if n, ok := a[i].(float64); !ok || int(n) != x {
				return false
			}
		}
	}
	return true
}

// summary is the first error's message, and how many more there are.
func (f fieldErrors) summary() string {
	if len(f) == 0 {
		return "no reason given"
	}
	out := backend.Fold(f[0].Message)
	if len(f) > 1 {
		out += fmt.Sprintf(" (and %d more)", len(f)-1)
	}
	return out
}

// transportError is a request that got no answer.
type transportError struct{ err error }

func (e transportError) Error() string { return "no answer: " + backend.Fold(e.err.Error()) }
func (e transportError) Unwrap() error { return e.err }

// statusError is an HTTP error status queryList got, with what the body
// said.
type statusError struct {
	code int
	msg  string
}

func (e statusError) Error() string {
	if e.msg == "" {
		return fmt.Sprintf("HTTP %d", e.code)
	}
	return fmt.Sprintf("HTTP %d: %s", e.code, e.msg)
}

// bodyMessage is what an error body says, on one line: the GraphQL or JSON
// error message when it has one, else its text, cut short.
func bodyMessage(r io.Reader) string {
	data, _ := io.ReadAll(io.LimitReader(r, 4096))
	var gql struct {
		Errors  graphql.Errors `json:"errors"`
		Message string         `json:"message"`
		Error   string         `json:"error"`
	}
	if json.Unmarshal(data, &gql) == nil {
		switch {
		case len(gql.Errors) > 0 && gql.Errors[0].Message != "":
			return backend.Fold(gql.Errors[0].Message)
		case gql.Message != "":
			return backend.Fold(gql.Message)
		case gql.Error != "":
			return backend.Fold(gql.Error)
		}
	}
	msg := backend.Fold(string(data))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

func (c *Client) mutate(ctx context.Context, name string, m any, vars map[string]any) error {
	err := c.do(ctx, name, true, func(ctx context.Context) error {
		return safeDecode(func() error { return c.gql.Mutate(ctx, m, vars, graphql.OperationName(name)) })
	})
	var unexplained resolverError
	if !errors.Is(err, backend.ErrConflict) && !errors.As(err, &unexplained) {
		return err
	}
	id, _ := vars["stack"].(graphql.ID)
	if id == "" {
		id, _ = vars["id"].(graphql.ID)
	}
	if id != "" {
		return c.lockConflict(ctx, name, string(id), err)
	}
	return err
}

// lockConflict tells a refusal caused by someone else's lock on the stack
// (only the lock holder acts on a locked stack) from one its state
// explains: the first names the holder and their note, whom to ask rather
// than what to refresh. A resolver's error that names no refusal is the
// lock's refusal too when someone else holds it. When the lock cannot be
// read, err stands.
func (c *Client) lockConflict(ctx context.Context, name, stackID string, err error) error {
	var q struct {
		Viewer *viewerNode `graphql:"viewer"`
		Stack  *struct {
			LockedBy *string `graphql:"lockedBy"`
			LockNote *string `graphql:"lockNote"`
			LockedAt *int64  `graphql:"lockedAt"`
		} `graphql:"stack(id: $id)"`
	}
	if c.query(ctx, "StackLockHolder", &q, map[string]any{"id": graphql.ID(stackID)}) != nil ||
		q.Viewer == nil || q.Stack == nil || q.Stack.LockedBy == nil || *q.Stack.LockedBy == fmt.Sprint(q.Viewer.ID) {
		return err
	}
	lock := model.Lock{Holder: *q.Stack.LockedBy, Note: deref(q.Stack.LockNote), At: fromUnix(q.Stack.LockedAt)}
	return fmt.Errorf("spacelift %s: %w", name, &backend.LockedError{Stack: stackID, Lock: lock, Err: err})
}

// do runs op with the current token. A refused token is renewed once when
// the session can renew; a resolver's "unauthorized" with a live session
// (viewer still answers) is a permission error, not an expired session.
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
		if errors.Is(terr, backend.ErrUnauthorized) && resolverRefused(err) && c.viewerAnswers(withToken(ctx, tok)) {
			return fmt.Errorf("spacelift %s: %w: %s", name, backend.ErrForbidden, strings.TrimPrefix(terr.Error(), backend.ErrUnauthorized.Error()+": "))
		}
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

// resolverRefused reports an "unauthorized" a resolver gave (a GraphQL
// error), as opposed to a refused token (HTTP 401) or a lost session.
func resolverRefused(err error) bool {
	var gerrs graphql.Errors
	return errors.As(err, &gerrs) && len(gerrs) > 0 && gerrs[0].Extensions["code"] != graphql.ErrRequestError
}

// viewerAnswers asks who the token belongs to, as spacectl does before it
// calls an "unauthorized" an expired session: a viewer means the session
// is alive and the refusal is about permissions.
func (c *Client) viewerAnswers(ctx context.Context) bool {
	var q struct {
		Viewer *viewerNode `graphql:"viewer"`
	}
	err := safeDecode(func() error { return c.gql.Query(withRetry(ctx), &q, nil, graphql.OperationName("Viewer")) })
	return err == nil && q.Viewer != nil
}

func fromStatus(code int, msg string) error {
	text := fmt.Sprintf("HTTP %d", code)
	if msg != "" {
		text += ": " + msg
	}
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Errorf("%w: %s", backend.ErrUnauthorized, text)
	case code >= 400 && code < 500:
		// The server read the request and said what is wrong with it.
		return fmt.Errorf("%w: %s", backend.ErrInvalid, text)
	}
	// A 5xx after the request was sent: the server may have applied it.
	return errors.New(text)
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
		return err
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	var nerr graphql.NetworkError
	var serr statusError
	var terr transportError
	switch {
	case errors.As(err, &nerr):
		return fromStatus(nerr.StatusCode(), bodyMessage(strings.NewReader(nerr.Body())))
	case errors.As(err, &serr):
		return fromStatus(serr.code, serr.msg)
	case errors.As(err, &terr):
		return terr
	}
	var gerrs graphql.Errors
	if !errors.As(err, &gerrs) || len(gerrs) == 0 {
		return fmt.Errorf("request failed: %w", backend.OneLine(err))
	}
	e := gerrs[0]
	code, _ := e.Extensions["code"].(string)
	msg := backend.Fold(e.Message)
	lower := strings.ToLower(msg)
	switch {
	case code == "UNAUTHORIZED" || strings.Contains(lower, "unauthorized"):
		return fmt.Errorf("%w: %s", backend.ErrUnauthorized, msg)
	case code == "NOT_FOUND" || strings.Contains(lower, "not found"):
		return fmt.Errorf("%w: %s", backend.ErrNotFound, msg)
	case code == "CONFLICT":
		return backend.Conflictf("%s", msg)
	case code == "BAD_REQUEST":
		return fmt.Errorf("%w: %s", backend.ErrInvalid, msg)
	case code == "UNSUPPORTED":
		return fmt.Errorf("%w: %s", backend.ErrUnsupported, msg)
	case code == graphql.ErrJsonDecode || code == graphql.ErrGraphQLDecode:
		return fmt.Errorf("%w: %s", errMalformed, msg)
	case code == graphql.ErrRequestError:
		return fmt.Errorf("no answer: %s", msg)
	case code == graphql.ErrJsonEncode || code == graphql.ErrGraphQLEncode:
		return errors.New(msg)
	case mutation && len(e.Path) == 0:
		// An error on no field is raised before execution (GraphQL spec,
		// "Errors"): nothing ran.
		return fmt.Errorf("%w: %s", backend.ErrInvalid, msg)
	case mutation:
		return resolverError{msg: msg}
	}
	return errors.New(msg)
}

// resolverError is a mutation's field error with no code that names a
// refusal. Spacelift words refusals (a wrong run state) and its own
// failures alike, and a resolver may fail after its write: the outcome is
// unknown (backend.AnswerLost), unless the stack's lock explains it
// (lockConflict).
type resolverError struct{ msg string }

func (e resolverError) Error() string { return "the API answered an error: " + e.msg }
