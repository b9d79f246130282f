package spaceliftapi

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

//go:embed schema.graphql
var schemaSDL string

// Clock is the time source for token issue and expiry; the sandbox engine's
// ManualClock satisfies it, so tests step one clock for both.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Options configures a Server. Zero values pick sandbox defaults.
type Options struct {
	APIKeyID     string        // default DefaultAPIKeyID
	APIKeySecret string        // default: random per server
	TokenTTL     time.Duration // default 1 hour, like Spacelift API-key tokens
	Clock        Clock         // default: the system clock
	BaseURL      string        // the URL clients reach; Start sets it
	Viewer       string        // the user the API key belongs to; default "sandbox-admin"
	// Middleware, when set, wraps the handler Start serves (e.g. fault
	// injection for `sandbox serve --faults`).
	Middleware func(http.Handler) http.Handler
}

// DefaultAPIKeyID is the made-up API key id the sandbox accepts, shaped like
// a Spacelift ULID.
const DefaultAPIKeyID = "01SANDBOXAP1KEY000000000000"

// Engine is what the server needs from the sandbox engine: the Backend, the
// run logs split by state (how Spacelift serves them), and what a stack
// manages, outputs and references upstream.
type Engine interface {
	backend.Backend
	RunLogsByState(ctx context.Context, stackID, runID string) ([]sandbox.StateLog, error)
	StackEntities(ctx context.Context, stackID string) ([]sandbox.Entity, error)
	StackOutputs(ctx context.Context, stackID string) ([]sandbox.Output, error)
	StackDependencies(ctx context.Context, stackID string) ([]sandbox.Dependency, error)
}

// GitServer is an engine that serves its repositories over HTTP
// (sandbox.Engine.ServeGit), returning the base URL; it starts once.
type GitServer interface{ ServeGit() (string, error) }

// Server serves the Spacelift GraphQL dialect over an Engine.
type Server struct {
	engine     Engine
	schema     *graphql.Schema
	clock      Clock
	ttl        time.Duration
	keyID      string
	keySecret  string
	viewer     string
	signingKey []byte
	middleware func(http.Handler) http.Handler

	mu      sync.Mutex
	baseURL string
	revoked bool
	httpSrv *http.Server
}

// New builds a server over engine. An engine with repositories of its own
// (the sandbox's: a GitServer) serves them over git's smart HTTP first, so
// raw Git stacks and modules give an http repositoryURL, as a real raw Git
// integration's publicly reachable URL, never a path on this disk. New
// fails when that server cannot start, or if the embedded schema does not
// match the resolvers, which the package tests rule out.
func New(engine Engine, opts Options) (*Server, error) {
	if g, ok := engine.(GitServer); ok {
		if _, err := g.ServeGit(); err != nil {
			return nil, fmt.Errorf("spacelift dialect: serving the repositories: %w", err)
		}
	}
	s := &Server{
		engine:     engine,
		clock:      opts.Clock,
		ttl:        opts.TokenTTL,
		keyID:      opts.APIKeyID,
		keySecret:  opts.APIKeySecret,
		viewer:     opts.Viewer,
		middleware: opts.Middleware,
		baseURL:    strings.TrimRight(opts.BaseURL, "/"),
		signingKey: []byte(randomHex(32)),
	}
	if s.clock == nil {
		s.clock = systemClock{}
	}
	if s.ttl <= 0 {
		s.ttl = time.Hour
	}
	if s.keyID == "" {
		s.keyID = DefaultAPIKeyID
	}
	if s.keySecret == "" {
		s.keySecret = randomHex(20)
	}
	if s.viewer == "" {
		s.viewer = "sandbox-admin"
	}
	schema, err := graphql.ParseSchema(schemaSDL, &root{s: s}, graphql.UseFieldResolvers())
	if err != nil {
		return nil, fmt.Errorf("spacelift dialect schema: %w", err)
	}
	s.schema = schema
	return s, nil
}

// APIKeyID and APIKeySecret are the credentials apiKeyUser accepts.
func (s *Server) APIKeyID() string     { return s.keyID }
func (s *Server) APIKeySecret() string { return s.keySecret }

// BaseURL is the endpoint clients use (without /graphql); tokens carry it as
// their audience.
func (s *Server) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// MintToken returns a raw JWT for the API key's user, as `spacectl profile
// export-token` would print, valid for the configured TTL from now.
func (s *Server) MintToken() (string, error) {
	tok, _, err := s.mint(s.keyID, s.clock.Now(), s.ttl)
	return tok, err
}

// ShellExports is what `stackview sandbox serve` prints: the API key in the
// variables spacectl and stackview read, and a raw token as a comment.
func (s *Server) ShellExports() (string, error) {
	tok, err := s.MintToken()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("export SPACELIFT_API_KEY_ENDPOINT=%s\nexport SPACELIFT_API_KEY_ID=%s\nexport SPACELIFT_API_KEY_SECRET=%s\n# SPACELIFT_API_TOKEN=%s\n",
		s.BaseURL(), s.keyID, s.keySecret, tok), nil
}

// RevokeKey disables the API key: it can no longer be exchanged and the
// tokens minted from it stop working.
func (s *Server) RevokeKey() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
}

func (s *Server) isRevoked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.revoked
}

// Start listens on addr, which must be a loopback address ("127.0.0.1:0"
// picks a free port), and serves until Close. It returns the base URL.
func (s *Server) Start(addr string) (string, error) {
	ln, err := sandbox.ListenLoopback(addr)
	if err != nil {
		return "", fmt.Errorf("spacelift sandbox: %w", err)
	}
	h := s.Handler()
	if s.middleware != nil {
		h = s.middleware(h)
	}
	srv := &http.Server{Handler: sandbox.LoopbackHosts(h), ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.baseURL = "http://" + ln.Addr().String()
	s.httpSrv = srv
	base := s.baseURL
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return base, nil
}

// Close stops a started server; it is a no-op otherwise.
func (s *Server) Close() error {
	s.mu.Lock()
	srv := s.httpSrv
	s.httpSrv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

// Handler serves POST /graphql and the web pages of stacks and runs. Use it
// directly (e.g. under httptest) with Options.BaseURL set to where it is
// reachable.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /graphql", s.serveGraphQL)
	mux.HandleFunc("GET /stack/{stack}", s.serveStackPage)
	mux.HandleFunc("GET /stack/{stack}/run/{run}", s.serveStackPage)
	return mux
}

type gqlRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

type viewerKey struct{}

func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	var req gqlRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, "invalid JSON body", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if c, ok := s.authenticate(r); ok {
		ctx = context.WithValue(ctx, viewerKey{}, c)
	}
	ctx = context.WithValue(ctx, stacksKey{}, &stacksMemo{})
	resp := s.schema.Exec(ctx, req.Query, req.OperationName, req.Variables)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// authenticate accepts a bearer JWT signed by this server, unexpired and
// not minted from a revoked key.
func (s *Server) authenticate(r *http.Request) (claims, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return claims{}, false
	}
	c, err := s.verify(tok, s.clock.Now())
	if err != nil || (c.Subject == s.keyID && s.isRevoked()) {
		return claims{}, false
	}
	return c, true
}

// stacksMemo holds the engine's stacks as one request first read them, so
// the fields of one request (a batch of aliased stack(id:) reads, say) see
// one snapshot and the engine lists its stacks once, not once per field.
type stacksMemo struct {
	once   sync.Once
	stacks []model.Stack
	err    error
}

type stacksKey struct{}

// listStacks is the engine's stacks, read once per request.
func (s *Server) listStacks(ctx context.Context) ([]model.Stack, error) {
	m, ok := ctx.Value(stacksKey{}).(*stacksMemo)
	if !ok {
		return s.engine.ListStacks(ctx)
	}
	m.once.Do(func() { m.stacks, m.err = s.engine.ListStacks(ctx) })
	return m.stacks, m.err
}

func authed(ctx context.Context) bool {
	_, ok := ctx.Value(viewerKey{}).(claims)
	return ok
}

// errUnauthorized is what Spacelift resolvers that need a user answer;
// errNotFound what runStack answers for an unknown run.
var (
	errUnauthorized = apiError{msg: "unauthorized", code: "UNAUTHORIZED"}
	errNotFound     = apiError{msg: "not found", code: "NOT_FOUND"}
)

// apiError is a resolver error with a machine-readable code in extensions.
type apiError struct {
	msg  string
	code string
}

func (e apiError) Error() string              { return e.msg }
func (e apiError) Extensions() map[string]any { return map[string]any{"code": e.code} }

// requireAuth guards single-entity queries and mutations.
func requireAuth(ctx context.Context) error {
	if !authed(ctx) {
		return errUnauthorized
	}
	return nil
}

// fromBackend turns an engine error into the error the real API would give:
// "not found" for unknown ids, the engine's prose for state conflicts.
func fromBackend(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, backend.ErrNotFound):
		return errNotFound
	case errors.Is(err, backend.ErrConflict):
		return apiError{msg: strings.TrimPrefix(err.Error(), backend.ErrConflict.Error()+": "), code: "CONFLICT"}
	case errors.Is(err, backend.ErrUnauthorized):
		return errUnauthorized
	case errors.Is(err, backend.ErrUnsupported):
		return apiError{msg: "not supported by the sandbox", code: "UNSUPPORTED"}
	}
	return apiError{msg: err.Error(), code: "INTERNAL"}
}
