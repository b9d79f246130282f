// Package promotetest is a harness for end-to-end tests of promotions and
// module bumps: a sandbox organisation on a manual clock, a clone cache that
// records the git commands it sends, and a colleague who pushes changes.
package promotetest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promote"
	"github.com/stackview/stackview/internal/vcs"
)

// Epoch is the sandbox's "now" at the start of a test, so seeded commits
// and ids are stable.
var Epoch = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// World is a sandbox organisation with a clone cache over its repositories.
type World struct {
	T     *testing.T
	E     *sandbox.Engine
	Clock *sandbox.ManualClock
	Cache *vcs.Cache
	Sent  [][]string // every git command the cache sent (read it when no git work is running)

	mu sync.Mutex // guards Sent: clones may be used concurrently
}

// New starts a fresh sandbox organisation with HOME and the XDG dirs in
// temporary directories.
func New(t *testing.T) *World {
	t.Helper()
	for _, k := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"} {
		t.Setenv(k, t.TempDir())
	}
	w := &World{T: t, Clock: sandbox.NewManualClock(Epoch)}
	e, err := sandbox.New(context.Background(), sandbox.Options{Dir: t.TempDir(), Clock: w.Clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	w.E = e
	w.Cache = &vcs.Cache{Dir: t.TempDir(), Record: func(_ string, args []string) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.Sent = append(w.Sent, args)
	}}
	return w
}

// Stack is one stack as the sandbox lists it now.
func (w *World) Stack(id string) model.Stack {
	w.T.Helper()
	ss, err := w.E.ListStacks(context.Background())
	if err != nil {
		w.T.Fatal(err)
	}
	for _, s := range ss {
		if s.ID == id {
			return s
		}
	}
	w.T.Fatalf("no stack %s", id)
	return model.Stack{}
}

// Stacks lists every stack now.
func (w *World) Stacks() []model.Stack {
	ss, err := w.E.ListStacks(context.Background())
	if err != nil {
		w.T.Fatal(err)
	}
	return ss
}

// Open opens (and locks until the test ends) the clone of a stack's repository.
func (w *World) Open(stackID string) *vcs.Clone {
	w.T.Helper()
	cl, err := w.Cache.Open(context.Background(), w.Stack(stackID).Repo)
	if err != nil {
		w.T.Fatal(err)
	}
	w.T.Cleanup(func() { cl.Close() })
	return cl
}

// Push commits an edit of file on branch from a colleague's clone and
// lets the sandbox see it.
func (w *World) Push(repo, branch, file string, edit func(string) string) string {
	w.T.Helper()
	head := Commit(w.T, repo, branch, file, "Change "+file+" on "+branch, edit)
	w.Sync()
	return head
}

// Commit is a colleague's edit of file on branch of repo, committed with
// message and pushed; it returns the new head. The sandbox sees it at its
// next Sync.
func Commit(t testing.TB, repo, branch, file, message string, edit func(string) string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "colleague")
	g := vcs.Git{Dir: work, Env: vcs.TestIdentity()}
	if _, err := (vcs.Git{}).Run(context.Background(), "clone", "--quiet", "--branch", branch, repo, work); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(work, file)
	old, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(edit(string(old))), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"commit", "--quiet", "-am", message}, {"push", "--quiet", "origin", "HEAD:" + branch}} {
		if _, err := g.Run(context.Background(), args...); err != nil {
			t.Fatal(err)
		}
	}
	head, _ := g.RevParse(context.Background(), "HEAD")
	return head
}

// Sync lets the sandbox see pushes now.
func (w *World) Sync() {
	w.T.Helper()
	if err := w.E.Sync(context.Background()); err != nil {
		w.T.Fatal(err)
	}
}

// Until steps the clock a second at a time until cond holds (at most ten
// minutes of sandbox time).
func (w *World) Until(what string, cond func() bool) {
	w.T.Helper()
	for range 600 {
		if cond() {
			return
		}
		w.Clock.Advance(time.Second)
	}
	w.T.Fatalf("timed out waiting for %s", what)
}

// DeployState is the state of the stack's latest deploy when it is of
// commit, else StateNone.
func (w *World) DeployState(stackID, commit string) model.RunState {
	r, ok, err := promote.LatestDeploy(context.Background(), w.E, stackID)
	if err != nil {
		w.T.Fatal(err)
	}
	if !ok || r.Commit != commit {
		return model.StateNone
	}
	return r.State
}

// AddResource is an edit that appends a log group to a .tf file.
func AddResource(name string) func(string) string {
	return func(old string) string {
		return old + "\nresource \"aws_cloudwatch_log_group\" \"" + name + "\" {\n  name = \"" + name + "\"\n}\n"
	}
}
