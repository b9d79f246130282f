// Package tfcapi serves the sandbox engine in the HCP Terraform / TFE
// dialect: the JSON:API under /api/v2/ that github.com/hashicorp/go-tfe
// speaks, so the TFC client (and any go-tfe script or curl) can be pointed at
// the sandbox.
//
// How stacks look as workspaces (what TFC users commonly do, and what the
// TFC client maps back with stackview's default mapping):
//
//   - one workspace per stack, named like the stack;
//   - flat tags carry the placement: env:<env>, bu:<business unit>, and
//     layer:environment on each environment's environment stack, and
//     "administrative" on workspace-management stacks; the stack's own labels
//     are tags too (lower-cased; TFC tag names allow letters, digits, '-',
//     '_' and ':', per the organization tags API docs);
//   - one project per business unit ("Default Project" for the rest);
//   - dependencies are run triggers: a business-unit workspace has an inbound
//     run trigger whose source is its environment workspace;
//   - tracked runs are normal runs, proposed runs are plan-only runs, drift
//     checks are refresh-only plan-only runs; the run list includes plan-only
//     runs only when filter[operation] asks for them, as TFC does;
//   - drift is the workspace's current assessment result;
//   - locks carry the note as locked-reason and the holder as the locked-by
//     user; run authors are created-by users;
//   - the engine's modules are private registry modules of the organisation
//     (app.terraform.io/<org>/<name>/<provider> on HCP Terraform).
//
// Endpoints (under /api/v2/, bearer token required, 401 JSON:API error
// otherwise): ping; organizations/:org; organizations/:org/projects,
// projects/:id; organizations/:org/workspaces (page[number], page[size] ≤ 100,
// search[name], search[tags], search[exclude-tags], search[wildcard-name],
// filter[project][id], filter[current-run][status], filter[tagged],
// include=current_run, current_run.plan,
// current_run.configuration_version.ingress_attributes, project, locked_by,
// organization, effective_tag_bindings), organizations/:org/workspaces/:name,
// workspaces/:id, workspaces/:id/actions/{lock,unlock,force-unlock},
// workspaces/:id/run-triggers (filter[run-trigger][type] required),
// workspaces/:id/current-assessment-result, assessment-results/:id[/json-output];
// workspaces/:id/runs (filter[operation], filter[status], include), POST runs,
// runs/:id, runs/:id/actions/{apply,discard,cancel,force-cancel} (202, or 409),
// plans/:id, plans/:id/json-output and runs/:id/plan/json-output (204 while
// planning, else 307 to a one-minute download URL), applies/:id;
// organizations/:org/registry-modules,
// organizations/:org/registry-modules/private/:org/:name/:provider,
// registry-modules/:id. Log-read-urls (/sandbox-logs/…) and downloads
// (/sandbox-archivist/…) need no token, like TFC's pre-signed archivist
// URLs. Unknown query parameters are ignored.
//
// Two users hold tokens made afresh at every start: "you", with admin
// access to every workspace, and "reader", who may queue plans on dev
// workspaces and only read the others; admin-only reads (plan and
// assessment JSON, force-cancel) answer the reader 404, as TFC does for
// anything a token may not see. With Options.RateLimit the server holds
// each user to TFC's 30 requests a second and 30 run-list reads a minute on
// the engine's clock, answering 429 with X-RateLimit-Reset past them.
//
// The status mapping is in status.go; docs/FIDELITY.md lists every
// behaviour with its evidence.
package tfcapi

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// Engine is what the dialect serves: a backend.Backend (the sandbox engine,
// or tfcapitest's fake) with what HCP Terraform shows beyond it.
type Engine interface {
	backend.Backend
	// Now is the engine's clock: run timing and rate limits follow it.
	Now() time.Time
	// StartRun starts a run with HCP Terraform's run options.
	StartRun(ctx context.Context, stackID string, o sandbox.RunOptions) (model.Run, error)
	// Interrupt is HCP Terraform's cancel; ForceCancel its force-cancel.
	Interrupt(ctx context.Context, stackID, runID string) (model.Run, error)
	ForceCancel(ctx context.Context, stackID, runID string) (model.Run, error)
	// RunExtras are the runs' details beyond model.Run, by run id.
	RunExtras(ctx context.Context, stackID string) (map[string]sandbox.RunExtra, error)
	// RunLogsByState splits a run's log by the state that wrote it, so the
	// plan and apply logs can be served apart.
	RunLogsByState(ctx context.Context, stackID, runID string) ([]sandbox.StateLog, error)
	// ResourceCount is how many resources the stack manages (the
	// workspace's resource-count); StackEntities lists them (the state in
	// plan and assessment JSON).
	ResourceCount(ctx context.Context, stackID string) (int, error)
	StackEntities(ctx context.Context, stackID string) ([]sandbox.Entity, error)
}

// DefaultOrganization names the organisation when neither the options nor
// the engine do.
const DefaultOrganization = "stackview-sandbox"

// SandboxHeader is set on every API response, so a client can tell the
// user it is looking at the sandbox and not a real organisation.
const SandboxHeader = "Stackview-Sandbox"

// requestTimeout bounds every call into the engine.
const requestTimeout = 30 * time.Second

// TFC's rate limits (api-docs index, "Rate Limiting"; api-docs/run for the
// run lists).
const (
	perUserLimit    = 30 // requests a second, all of a user's tokens together
	runListsLimit   = 30 // run-list reads a minute
	rateLimitHeader = "30"
)

// Options configure a Server. Zero values take the defaults.
type Options struct {
	Organization string // default: the engine's Info().Account, else DefaultOrganization
	// Token is the admin user's API token, ReaderToken the reader's; empty
	// ones are made afresh, as TFC makes tokens.
	Token       string
	ReaderToken string
	// RateLimit holds users to TFC's limits on the engine's clock.
	RateLimit bool
	// Middleware, when set, wraps the handler Start serves (e.g. fault
	// injection for `sandbox serve --faults`).
	Middleware func(http.Handler) http.Handler
}

// user is a holder of a token.
type user struct {
	name  string
	token string
	admin bool // admin on every workspace; else plan on dev, read elsewhere
}

// Users of the sandbox's organisation.
const (
	adminUser  = sandbox.You
	readerUser = "reader"
)

// Server is the TFC-dialect HTTP server over an Engine.
type Server struct {
	b     Engine
	org   string
	users []*user
	ids   *runIDs
	mux   *http.ServeMux
	wrap  func(http.Handler) http.Handler
	limit *limiter // nil: no rate limits

	mu        sync.Mutex
	throttle  int           // how many API requests still get a 429
	resetWait time.Duration // X-RateLimit-Reset sent with them
	http      *http.Server
	url       string
	topo      *topology        // see topologyTTL
	listed    *listingSnapshot // see listingTTL
	downloads map[string]download
}

// New builds a server over b; nothing listens until Start.
func New(b Engine, opts Options) *Server {
	s := &Server{b: b, org: opts.Organization, ids: newRunIDs(), mux: http.NewServeMux(), wrap: opts.Middleware,
		downloads: map[string]download{}}
	if s.org == "" {
		s.org = sanitizeName(b.Info().Account)
	}
	if s.org == "" {
		s.org = DefaultOrganization
	}
	s.users = []*user{
		{name: adminUser, token: tokenOr(opts.Token), admin: true},
		{name: readerUser, token: tokenOr(opts.ReaderToken)},
	}
	if opts.RateLimit {
		s.limit = newLimiter()
	}
	s.routes()
	return s
}

// tokenOr is tok, or a token made like TFC's: an id, ".atlasv1.", a secret.
func tokenOr(tok string) string {
	if tok != "" {
		return tok
	}
	return rand.Text()[:14] + ".atlasv1." + strings.ToLower(rand.Text() + rand.Text() + rand.Text())[:67]
}

// Token is the admin user's API token (TFE_TOKEN).
func (s *Server) Token() string { return s.users[0].token }

// ReaderToken is the token of the user without admin rights.
func (s *Server) ReaderToken() string { return s.users[1].token }

// Organization is the organisation name (TF_CLOUD_ORGANIZATION).
func (s *Server) Organization() string { return s.org }

// BaseURL is the address after Start (TFE_ADDRESS), or "".
func (s *Server) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// ShellExports is what `stackview sandbox serve` prints: the variables
// go-tfe, the Terraform CLI's cloud block and stackview's TFC backend read,
// then, as comments, the host and organisation as TFE_HOSTNAME and
// TFE_ORGANIZATION name them, and the reader's token.
func (s *Server) ShellExports() string {
	base := s.BaseURL()
	return fmt.Sprintf("export TFE_ADDRESS=%s\nexport TFE_TOKEN=%s\nexport TF_CLOUD_ORGANIZATION=%s\n"+
		"# TFE_HOSTNAME=%s\n# TFE_ORGANIZATION=%s\n# TFE_TOKEN_READER=%s\n",
		base, s.Token(), s.org, strings.TrimPrefix(base, "http://"), s.org, s.ReaderToken())
}

// Handler serves the API; tests may wrap it in their own server.
func (s *Server) Handler() http.Handler { return s.mux }

// Start listens on addr, which must be a loopback address ("" means
// 127.0.0.1 on a free port), and returns the base URL.
func (s *Server) Start(addr string) (string, error) {
	ln, err := sandbox.ListenLoopback(addr)
	if err != nil {
		return "", fmt.Errorf("tfc sandbox: %w", err)
	}
	var h http.Handler = s.mux
	if s.wrap != nil {
		h = s.wrap(h)
	}
	srv := &http.Server{Handler: sandbox.LoopbackHosts(h), ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.http, s.url = srv, "http://"+ln.Addr().String()
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return s.BaseURL(), nil
}

// Close stops the listener started by Start.
func (s *Server) Close() error {
	s.mu.Lock()
	srv := s.http
	s.http, s.url = nil, ""
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	if err := srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("tfcapi: close: %w", err)
	}
	return nil
}

// RateLimitNext makes the next n authenticated API requests (not the ping)
// answer 429 with X-RateLimit-Reset set to reset: a test hook.
func (s *Server) RateLimitNext(n int, reset time.Duration) {
	s.mu.Lock()
	s.throttle, s.resetWait = n, reset
	s.mu.Unlock()
}

func (s *Server) throttled() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.throttle <= 0 {
		return 0, false
	}
	s.throttle--
	return s.resetWait, true
}

type userKey struct{}

// userOf is the user a request authenticated as.
func userOf(r *http.Request) *user {
	u, _ := r.Context().Value(userKey{}).(*user)
	return u
}

func (s *Server) authenticate(r *http.Request) *user {
	got := []byte(r.Header.Get("Authorization"))
	for _, u := range s.users {
		if subtle.ConstantTimeCompare(got, []byte("Bearer "+u.token)) == 1 {
			return u
		}
	}
	return nil
}

// api wraps an API handler with authentication, rate limits and a deadline.
func (s *Server) api(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(SandboxHeader, "true")
		u := s.authenticate(r)
		if u == nil {
			writeError(w, http.StatusUnauthorized, "unauthorized", "a valid API token is required")
			return
		}
		if reset, ok := s.throttled(); ok {
			writeRateLimited(w, reset)
			return
		}
		if s.limit != nil {
			if reset, ok := s.limit.allow(u.name, isRunList(r), s.b.Now()); !ok {
				writeRateLimited(w, reset)
				return
			}
		}
		ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), userKey{}, u), requestTimeout)
		defer cancel()
		h(w, r.WithContext(ctx))
	}
}

// isRunList reports the endpoints TFC limits to 30 requests a minute.
func isRunList(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/runs") &&
		(strings.HasPrefix(r.URL.Path, "/api/v2/workspaces/") || strings.HasPrefix(r.URL.Path, "/api/v2/organizations/"))
}

func (s *Server) routes() {
	const v2 = "/api/v2/"
	handle := func(pattern string, h func(http.ResponseWriter, *http.Request)) {
		method, path, _ := strings.Cut(pattern, " ")
		s.mux.Handle(method+" "+v2+path, s.api(h))
	}
	s.mux.HandleFunc("GET "+v2+"ping", s.ping)
	s.mux.HandleFunc("GET /sandbox-logs/{id}", s.logs)
	s.mux.HandleFunc("GET /sandbox-archivist/{key}", s.download)
	s.mux.HandleFunc(v2, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "not found", "")
	})

	handle("GET organizations/{org}", s.organization)
	handle("GET organizations/{org}/projects", s.listProjects)
	handle("GET projects/{id}", s.readProject)

	handle("GET organizations/{org}/workspaces", s.listWorkspaces)
	handle("GET organizations/{org}/workspaces/{name}", s.readWorkspaceByName)
	handle("GET workspaces/{id}", s.readWorkspace)
	handle("POST workspaces/{id}/actions/{action}", s.workspaceAction)
	handle("GET workspaces/{id}/run-triggers", s.listRunTriggers)
	handle("GET workspaces/{id}/current-assessment-result", s.currentAssessment)
	handle("GET assessment-results/{id}", s.readAssessment)
	handle("GET assessment-results/{id}/json-output", s.assessmentJSON)

	handle("GET workspaces/{id}/runs", s.listRuns)
	handle("GET organizations/{org}/runs", s.listOrgRuns)
	handle("POST runs", s.createRun)
	handle("GET runs/{id}", s.readRun)
	handle("POST runs/{id}/actions/{action}", s.runAction)
	handle("GET runs/{id}/plan/json-output", s.planJSON)
	handle("GET plans/{id}", s.readPlan)
	handle("GET plans/{id}/json-output", s.planJSON)
	handle("GET applies/{id}", s.readApply)

	handle("GET organizations/{org}/registry-modules", s.listModules)
	handle("GET organizations/{org}/registry-modules/{registry}/{ns}/{name}/{provider}", s.readModuleByName)
	handle("GET registry-modules/{id}", s.readModule)
}

// ping answers like HCP Terraform; go-tfe reads only the headers, and paces
// itself by X-RateLimit-Limit.
func (s *Server) ping(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("TFP-API-Version", "2.6")
	w.Header().Set("TFP-AppName", "HCP Terraform")
	w.Header().Set("X-RateLimit-Limit", rateLimitHeader)
	w.WriteHeader(http.StatusNoContent)
}

// checkOrg answers 404 for any organisation but ours, as TFC does for
// organisations the token cannot see.
func (s *Server) checkOrg(w http.ResponseWriter, r *http.Request) bool {
	if r.PathValue("org") != s.org {
		writeError(w, http.StatusNotFound, "not found", "organization "+r.PathValue("org")+" not found")
		return false
	}
	return true
}

func (s *Server) organization(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrg(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, document{Data: s.orgResource()})
}

func (s *Server) orgResource() resource {
	return resource{Type: "organizations", ID: s.org, Attributes: map[string]any{
		"name":                 s.org,
		"email":                "sandbox@stackview.invalid",
		"created-at":           timestamp(sandboxEpoch),
		"assessments-enforced": false,
		"permissions":          map[string]bool{"can-update": false, "can-create-workspace": false},
	}}
}

// sandboxEpoch stands in for creation dates the engine does not keep.
var sandboxEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
