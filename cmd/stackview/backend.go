package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/connect"
	"github.com/stackview/stackview/internal/backend/repos"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sanitized"
	"github.com/stackview/stackview/internal/backend/spacelift"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/config"
	"github.com/stackview/stackview/internal/diskcache"
	"github.com/stackview/stackview/internal/ui"
	"github.com/stackview/stackview/internal/vcs"
)

// openBackend builds the configured backend: sanitised (no text it returns
// can drive the terminal), then with every stack's repository resolved
// (repos.Wrap: clone URL, default branch, project root) and its files read
// through the clone cache. The returned func releases it (for the sandbox:
// stops its servers and removes a temporary directory).
func (a *app) openBackend() (backend.Backend, func(), error) {
	be, release, err := a.rawBackend()
	if err != nil {
		return nil, nil, err
	}
	cache := a.gitCache()
	opts := repos.Options{
		Resolver: vcs.Resolver{Rewrites: a.cfg.Git.URLRewrites, Clones: a.cfg.Git.Clones},
		Cache:    &cache,
	}
	// The sandbox's repositories are served on a new port each start: only
	// a real account's default branches are worth keeping.
	if dir := detailCacheDir(); dir != "" && (a.cfg.Backend == config.BackendSpacelift || a.cfg.Backend == config.BackendTFC) {
		opts.Known = diskcache.Open(dir, "repos", "default branches")
	}
	be = repos.Wrap(sanitized.Wrap(be), opts)
	a.repoFiles = be.(ui.RepoFiles)
	return be, release, nil
}

// rawBackend builds the configured backend as it is.
func (a *app) rawBackend() (backend.Backend, func(), error) {
	cfg := a.cfg
	switch cfg.Backend {
	case config.BackendSandboxDirect:
		eng, err := a.startSandbox()
		if err != nil {
			return nil, nil, err
		}
		return eng, func() { _ = eng.Close() }, nil
	case config.BackendSandbox:
		return a.servedSandbox()
	// A real service's client connects on its first call (backend/connect):
	// the UI is up by then, says whom it connects to, and q quits.
	case config.BackendSpacelift:
		cl, err := spacelift.Prepare(spacelift.Config{Endpoint: cfg.Spacelift.Endpoint, Profile: cfg.Spacelift.Profile, Env: a.getenv,
			HTTPClient: a.httpClient(), Log: a.schedulerLog(), RateLimit: spacelift.AssumedRateLimit})
		if err != nil {
			return nil, nil, fmt.Errorf("spacelift: %w", err)
		}
		return connect.New(cl, func(ctx context.Context) error {
			if err := cl.Connect(ctx); err != nil {
				return fmt.Errorf("spacelift: %w", err)
			}
			return nil
		}), func() {}, nil
	case config.BackendTFC:
		cl, err := tfc.Prepare(tfc.Config{Address: cfg.TFC.Address, Organization: cfg.TFC.Organization, Env: a.getenv,
			HTTPClient: a.httpClient(), Log: a.schedulerLog(), CacheDir: detailCacheDir()})
		if err != nil {
			return nil, nil, err // the client's errors already say "tfc:"
		}
		return connect.New(cl, cl.Connect), func() {}, nil
	}
	return nil, nil, config.ValidateBackend(cfg.Backend)
}

// startSandbox creates (or resumes) the sandbox organisation and serves its
// repositories over git's smart HTTP on loopback, so stacks name http clone
// URLs as on a real forge.
func (a *app) startSandbox() (*sandbox.Engine, error) {
	s := a.cfg.Sandbox
	eng, err := sandbox.New(a.ctx, sandbox.Options{Dir: s.Dir, Seed: s.Seed, Stacks: s.Stacks})
	if err != nil {
		return nil, fmt.Errorf("starting the sandbox: %w", err)
	}
	git, err := eng.ServeGit()
	if err != nil {
		_ = eng.Close()
		return nil, fmt.Errorf("serving the sandbox's repositories: %w", err)
	}
	a.sandboxDir, a.sandboxGit = eng.Dir(), git
	return eng, nil
}

// servedSandbox serves the sandbox in the Spacelift dialect on a free
// loopback port and reads it through the real Spacelift client, so the
// default experience exercises the same code as a real account.
func (a *app) servedSandbox() (backend.Backend, func(), error) {
	eng, err := a.startSandbox()
	if err != nil {
		return nil, nil, err
	}
	srv, err := spaceliftapi.New(eng, spaceliftapi.Options{Middleware: latencyMiddleware(a.g.latency)})
	if err == nil {
		_, err = srv.Start("127.0.0.1:0")
	}
	if err != nil {
		_ = eng.Close()
		return nil, nil, fmt.Errorf("serving the sandbox: %w", err)
	}
	release := func() { _ = errors.Join(srv.Close(), eng.Close()) }
	a.debug.Secret(srv.APIKeySecret())
	env := map[string]string{
		"SPACELIFT_API_KEY_ENDPOINT": srv.BaseURL(),
		"SPACELIFT_API_KEY_ID":       srv.APIKeyID(),
		"SPACELIFT_API_KEY_SECRET":   srv.APIKeySecret(),
	}
	cl, err := spacelift.New(a.ctx, spacelift.Config{Env: func(k string) string { return env[k] }, Sandbox: true,
		HTTPClient: a.httpClient(), Log: a.schedulerLog(), RateLimit: spacelift.AssumedRateLimit})
	if err != nil {
		release()
		return nil, nil, fmt.Errorf("connecting to the sandbox: %w", err)
	}
	return cl, release, nil
}

// detailCacheDir is where backends keep slow-changing details between
// starts (diskcache), or "" (none) when there is no cache directory.
func detailCacheDir() string {
	dir, err := diskcache.Dir()
	if err != nil {
		return ""
	}
	return dir
}

// schedulerLog is where the request scheduler says how long each request
// waited (--debug), or nil.
func (a *app) schedulerLog() func(format string, args ...any) {
	if a.debug == nil {
		return nil
	}
	return a.debug.Printf
}

// httpClient is what the API clients send through: nil (their defaults)
// unless --debug asks for every request to be logged.
func (a *app) httpClient() *http.Client {
	if a.debug == nil {
		return nil
	}
	return &http.Client{Transport: a.debug.Transport(nil), Timeout: 60 * time.Second}
}
