package repos_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/repos"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/diskcache"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// tfcWorld is the sandbox engine with its repositories served over git's
// smart HTTP, read through the TFC client over the TFC dialect.
func tfcWorld(t *testing.T) (*tfc.Client, string) {
	t.Helper()
	for _, v := range []string{"HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"} {
		t.Setenv(v, t.TempDir())
	}
	clock := sandbox.NewManualClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))
	eng, err := sandbox.New(context.Background(), sandbox.Options{Dir: t.TempDir(), Seed: 7, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	git, err := eng.ServeGit()
	if err != nil {
		t.Fatal(err)
	}
	srv := tfcapi.New(eng, tfcapi.Options{})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	c, err := tfc.New(ctxFor(t), tfc.Config{Address: ts.URL, Organization: srv.Organization(), HomeDir: t.TempDir(),
		Env:   func(k string) string { return map[string]string{"TFE_TOKEN": srv.Token()}[k] },
		Clock: sandbox.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	return c, git
}

func stackNamed(t *testing.T, stacks []model.Stack, name string) model.Stack {
	t.Helper()
	for _, s := range stacks {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no stack %s", name)
	return model.Stack{}
}

// Issue 15 point 4: TFC names a workspace's repository "org/repo" with its
// web page, "" for the default branch and a working directory that may
// start with "/". Resolved once, stacks carry a clone URL git can use, the
// branch the repository's HEAD names (looked up once, off the first
// listing) and a project root as the clone's paths read.
func TestTFCWorkspacesGetCloneURLsDefaultBranchesAndRoots(t *testing.T) {
	c, git := tfcWorld(t)
	cache := &vcs.Cache{Dir: t.TempDir()}
	b := repos.Wrap(c, repos.Options{Cache: cache})
	first, err := b.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	api := stackNamed(t, first, "prod-payments-api")
	if api.Repository.Namespace != "acme" || api.Repository.Name != "payments" || api.Repository.Provider != "github-enterprise" {
		t.Fatalf("repository as TFC names it: %+v", api.Repository)
	}
	if api.Repo != git+"/acme/payments.git" || api.ProjectRoot != "stacks/api" {
		t.Errorf("clone URL %q, root %q", api.Repo, api.ProjectRoot)
	}
	if api.Branch != "" {
		t.Errorf("the first listing waited for git: branch %q", api.Branch)
	}
	b.(interface{ Wait() }).Wait()
	again, err := b.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := stackNamed(t, again, "prod-payments-api").Branch; got != "main" {
		t.Errorf("default branch %q, want main", got)
	}
	if got := stackNamed(t, again, "dev-payments-api").Branch; got != "dev" {
		t.Errorf("an explicit branch %q, want dev", got)
	}
	forest := model.BuildForest(again, model.DefaultEnvironments(), model.DefaultMapping())
	if len(forest.Env("prod").Stacks()) == 0 {
		t.Error("no prod stacks once the default branch is known")
	}

	// The clone URL clones, and drift ignore files are read through it.
	files := b.(interface {
		StackFile(context.Context, string, string) ([]byte, error)
	})
	data, err := files.StackFile(ctxFor(t), stackNamed(t, again, "prod-payments-api").ID, sandbox.DriftIgnoreFile)
	if err != nil || !strings.Contains(string(data), "[[ignore]]") {
		t.Fatalf("ignore file through the clone cache: %q, %v", data, err)
	}
	if _, err := files.StackFile(ctxFor(t), api.ID, "no/such/file"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("a missing file: %v, want ErrNotFound", err)
	}
}

func TestRewritesApplyToEveryBackend(t *testing.T) {
	c, git := tfcWorld(t)
	b := repos.Wrap(c, repos.Options{Resolver: vcs.Resolver{Rewrites: map[string]string{git + "/acme/": "ssh://git@mirror.example/acme/"}}})
	stacks, err := b.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := stackNamed(t, stacks, "qa-identity").Repo; got != "ssh://git@mirror.example/acme/identity.git" {
		t.Errorf("rewritten clone URL %q", got)
	}
}

// TestDefaultBranchesFoundBeforeAreUsedAtOnce: with a store of what an
// earlier start found, the first listing shows the default branch without
// waiting for git; the branch is looked up again in the background and
// what it finds is kept.
func TestDefaultBranchesFoundBeforeAreUsedAtOnce(t *testing.T) {
	c, git := tfcWorld(t)
	dir := t.TempDir()
	known := diskcache.Open(dir, "repos", "test")
	known.Put("default branch "+git+"/acme/payments.git", "main", time.Now().Add(-24*time.Hour))
	b := repos.Wrap(c, repos.Options{Cache: &vcs.Cache{Dir: t.TempDir()}, Known: known})
	first, err := b.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := stackNamed(t, first, "prod-payments-api").Branch; got != "main" {
		t.Errorf("the first listing shows branch %q, want main from the earlier start", got)
	}
	b.(interface{ Wait() }).Wait()
	var branch string
	at, ok := diskcache.Open(dir, "repos", "test").Get("default branch "+git+"/acme/payments.git", &branch)
	if !ok || branch != "main" || time.Since(at) > time.Hour {
		t.Errorf("the branch was not looked up again and kept: %q at %v (%v)", branch, at, ok)
	}
}
