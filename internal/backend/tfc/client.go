// Package tfc is the HCP Terraform / Terraform Cloud / Terraform Enterprise
// backend, built on github.com/hashicorp/go-tfe.
//
// Workspaces are stacks. Their tags become Stack.Labels: flat tags as they
// are, key/value tags (their own or inherited from the project) as
// "key:value". stackview's default mapping then places a workspace tagged
// env:<env> (or env=<env>), bu:<business unit> and, for each environment's
// environment workspace, layer:environment; "administrative" marks
// workspace-management workspaces. Without tags, the default mapping still
// works from the VCS branch (dev, qa, main) and the run triggers (the
// workspace the others depend on is the environment stack), and a
// business_unit_pattern can read the unit from names like
// <env>-<bu>-<app>. A workspace's project name goes to Stack.Space, so
// `use_space = true` places stacks by project instead (a project named like
// an environment sets it; any other project names the business unit).
//
// Dependencies are inbound run triggers; drift is the workspace's current
// health-assessment result. Reads of either that TFC refuses or that fail
// leave that detail unknown, with why, and never fail the listing. TFC
// cannot start an assessment through the API, so a drift check is a
// refresh-only plan, whose result is that run's plan. TFC's run statuses
// map onto the normalized states, with the run's actions flags, as written
// in status.go. Every request goes through one scheduler.Scheduler paced
// under TFC's rate limits.
//
// Tokens come from TFE_TOKEN, TF_TOKEN_<host>, the credentials.tfrc.json
// that `terraform login` writes, then credentials blocks in the CLI config
// file (credentials_helper is not run). Errors name where a token came from,
// never the token.
package tfc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	tfe "github.com/hashicorp/go-tfe"
	"golang.org/x/sync/singleflight"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/scheduler"
	"github.com/stackview/stackview/internal/diskcache"
)

// DefaultAddress is HCP Terraform.
const DefaultAddress = "https://app.terraform.io"

// defaultTimeout bounds every API call whose context has no earlier deadline.
const defaultTimeout = 30 * time.Second

// defaultConnectTimeout bounds New: a server that accepts connections and
// never answers is reported after this, not after retries of minutes.
const defaultConnectTimeout = 20 * time.Second

// TFC's rate limits: 30 requests a second per user, run lists 30 a minute
// (api-docs index "Rate Limiting", api-docs/run).
const (
	perUserLimit      = 30
	runListsPerMinute = 30
)

// Config says where the API is and how to find credentials.
type Config struct {
	// Address is the base URL. Empty: TFE_ADDRESS, else https://TFE_HOSTNAME,
	// else https://app.terraform.io.
	Address string
	// Organization is the organisation. Empty: TF_CLOUD_ORGANIZATION, else
	// TFE_ORGANIZATION.
	Organization string
	// Env reads environment variables; nil means os.Getenv. Tests inject it.
	Env func(string) string
	// HomeDir holds .terraform.d and .terraformrc; empty means the user's home.
	HomeDir string
	// HTTPClient is used for every request (nil: go-tfe's pooled client).
	HTTPClient *http.Client
	// RegistryHost is the host in module source addresses; empty means the
	// Address's host (app.terraform.io on HCP Terraform).
	RegistryHost string
	// Timeout bounds each API call; zero means 30s.
	Timeout time.Duration
	// ConnectTimeout bounds New's first requests; zero means 20s.
	ConnectTimeout time.Duration
	// AttemptTimeout bounds the wait for one request's response headers;
	// zero means the scheduler's default.
	AttemptTimeout time.Duration
	// Clock paces requests; nil is real time. Tests pass one that does not
	// sleep.
	Clock scheduler.Clock
	// Log gets the scheduler's line per request (--debug); nil logs nothing.
	Log func(format string, args ...any)
	// Now is the clock of the caches and of the listing's full period;
	// time.Now when nil.
	Now func() time.Time
	// CacheDir, when set, is where workspaces' run triggers and assessment
	// results are kept between starts (diskcache.Dir() in the program).
	CacheDir string
}

// Client implements backend.Backend against one organisation.
type Client struct {
	api          *tfe.Client
	http         *http.Client
	address      string
	org          string
	registryHost string
	cred         credential
	timeout      time.Duration
	// connectTimeout bounds Connect; looked is where the token was sought.
	connectTimeout time.Duration
	looked         []string
	cache          *cache
	sandbox        bool // the server said it is stackview's sandbox
	// basicIncludes is set once the server has refused the full workspace
	// includes (an older Terraform Enterprise).
	basicIncludes atomic.Bool
	// filling is set while dependencies and drift are read in the
	// background (see fillDetails).
	filling atomic.Bool
	// revalidating is set while stale dependencies are read again.
	revalidating atomic.Bool
	// loaded is set once the first ListStacks started: only it is an
	// initial load (scheduler.InitialLoad).
	loaded atomic.Bool
	sched  *scheduler.Scheduler
	// listing is what PageStacks remembers between listings.
	listing listingState
	// reads shares the per-workspace reads in flight.
	reads singleflight.Group
	// modulePaths are the registry paths of the modules ListModules saw,
	// by id, for servers that cannot read a module by id.
	modulePaths sync.Map
	// pendingRead is the last read of the organisation's unfinished runs.
	pendingRead pendingRuns
}

// sandboxHeader is the response header of stackview's sandbox TFC dialect.
const sandboxHeader = "Stackview-Sandbox"

var _ backend.Backend = (*Client)(nil)

// New finds a token, connects, and checks that the token can read the
// organisation, so a missing or rejected token is reported once, up front,
// naming where stackview looked (never the token itself).
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

// Prepare is New without the network: the address, the organisation and
// a token found, or why not. Connect must succeed before any other call
// (backend/connect does it on first use, so a UI can show it).
func Prepare(cfg Config) (*Client, error) {
	env := cfg.Env
	if env == nil {
		env = os.Getenv
	}
	home := cfg.HomeDir
	if home == "" {
		home, _ = os.UserHomeDir() // no home: the file sources are skipped
	}
	address, u, err := resolveAddress(cfg.Address, env)
	if err != nil {
		return nil, err
	}
	org := cfg.Organization
	for _, name := range []string{"TF_CLOUD_ORGANIZATION", "TFE_ORGANIZATION"} {
		if org == "" {
			org = env(name)
		}
	}
	if org == "" {
		return nil, errors.New("tfc: no organization: set organization in the [tfc] config section, TF_CLOUD_ORGANIZATION or TFE_ORGANIZATION")
	}
	found := findToken(u.Host, env, home)
	if found.found == nil {
		return nil, fmt.Errorf("tfc: %w: no API token for %s; stackview looked in %s; run `terraform login %s` or set TFE_TOKEN",
			backend.ErrUnauthorized, u.Host, strings.Join(found.looked, ", "), u.Host)
	}
	c := &Client{
		address: address, org: org, cred: *found.found, timeout: cfg.Timeout,
		registryHost: cfg.RegistryHost, cache: newCache(),
	}
	if c.timeout <= 0 {
		c.timeout = defaultTimeout
	}
	if c.registryHost == "" {
		c.registryHost = u.Host
	}
	if cfg.Now != nil {
		c.cache.now = cfg.Now
	}
	if cfg.CacheDir != "" {
		// One store per token, not per organisation: what one user may read
		// (an assessment's drifted resources, say) is not another's to see.
		// The token only goes into the file name's hash.
		c.cache.disk = diskcache.Open(cfg.CacheDir, "tfc", address, org, c.cred.token)
	}
	c.http, c.sched = scheduledClient(cfg, u.Host)
	c.connectTimeout = cfg.ConnectTimeout
	if c.connectTimeout <= 0 {
		c.connectTimeout = defaultConnectTimeout
	}
	c.looked = found.looked
	return c, nil
}

// Connect reaches the server and checks that the token can read the
// organisation, within the connect bound: a server that accepts
// connections and never answers is an error saying so.
func (c *Client) Connect(ctx context.Context) error {
	bound := c.connectTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < bound {
		bound = time.Until(dl) // the caller's bound is the shorter (the UI's call timeout)
	}
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	api, err := connect(ctx, c.address, c.cred.token, c.http)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) { // not a cancel: the user did not quit
			err = fmt.Errorf("no answer within %s: the server may accept connections without answering them (%w)",
				bound.Round(time.Millisecond), context.DeadlineExceeded)
		}
		return fmt.Errorf("tfc: connect to %s: %w", c.address, err)
	}
	c.api = api
	if err := c.call(ctx, "tfc: read organization "+c.org, func(ctx context.Context) error {
		ctx = tfe.ContextWithResponseHeaderHook(ctx, func(_ int, h http.Header) {
			c.sandbox = h.Get(sandboxHeader) == "true"
		})
		_, err := c.api.Organizations.Read(ctx, c.org)
		return err
	}); err != nil {
		if errors.Is(err, backend.ErrUnauthorized) {
			return fmt.Errorf("tfc: %w: %s rejected the API token from %s (stackview looked in %s)",
				backend.ErrUnauthorized, c.address, c.cred.source, strings.Join(c.looked, ", "))
		}
		return err
	}
	return nil
}

func resolveAddress(addr string, env func(string) string) (string, *url.URL, error) {
	switch {
	case addr != "":
	case env("TFE_ADDRESS") != "":
		addr = env("TFE_ADDRESS")
	case env("TFE_HOSTNAME") != "":
		addr = "https://" + env("TFE_HOSTNAME")
	default:
		addr = DefaultAddress
	}
	addr = strings.TrimRight(addr, "/")
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", nil, fmt.Errorf("tfc: address %q is not an http(s) URL", addr)
	}
	return addr, u, nil
}

// scheduledClient copies cfg's HTTP client (or builds go-tfe's default
// pooled client, keeping an idle connection for each concurrent reader) and
// puts every request through one scheduler paced under TFC's limits for the
// API host, then a transport that records each call's last status.
func scheduledClient(cfg Config, apiHost string) (*http.Client, *scheduler.Scheduler) {
	c := &http.Client{}
	if cfg.HTTPClient != nil {
		*c = *cfg.HTTPClient
	}
	rt := c.Transport
	if rt == nil {
		pooled := cleanhttp.DefaultPooledTransport()
		pooled.MaxIdleConnsPerHost = pageFetchers + detailFetchers
		rt = pooled
	}
	s := scheduler.New(rt, scheduler.Options{
		Limit: perUserLimit, Host: apiHost, AttemptTimeout: cfg.AttemptTimeout, Clock: cfg.Clock, Log: cfg.Log,
		Classes: []scheduler.Class{
			{Name: "run lists", PerMinute: runListsPerMinute, Match: isRunList},
			{Name: "revalidations", PerMinute: revalidationsPerMinute, Share: 1, Match: isRevalidation},
		},
	})
	c.Transport = recordingTransport{base: s}
	return c, s
}

// isRunList reports the run-list endpoints, limited to 30 requests a
// minute.
func isRunList(r *http.Request) bool {
	p := r.URL.Path
	return r.Method == http.MethodGet && strings.HasSuffix(p, "/runs") &&
		(strings.Contains(p, "/api/v2/workspaces/") || strings.Contains(p, "/api/v2/organizations/"))
}

// connect builds the go-tfe client. NewClient pings the server without a
// context, so it runs aside and ctx bounds the wait for it.
func connect(ctx context.Context, address, token string, hc *http.Client) (*tfe.Client, error) {
	type result struct {
		c   *tfe.Client
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := tfe.NewClient(&tfe.Config{
			Address: address, Token: token, HTTPClient: hc,
			Headers: http.Header{"User-Agent": []string{"stackview"}},
		})
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		return r.c, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Info names the backend, and says when the server is stackview's sandbox.
func (c *Client) Info() backend.Info {
	return backend.Info{Kind: "tfc", Endpoint: c.address, Account: c.org, Sandbox: c.sandbox}
}

// Capabilities: TFC has no API to start a health assessment, so a drift
// check is a refresh-only plan; policy overrides are not offered as reviews.
func (c *Client) Capabilities() backend.Capabilities {
	return backend.Capabilities{DriftCheck: true, Review: false, Lock: true, Stop: true}
}

func (c *Client) workspaceURL(name string) string {
	return c.address + "/app/" + url.PathEscape(c.org) + "/workspaces/" + url.PathEscape(name)
}
