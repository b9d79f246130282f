package promote_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promote"
	"github.com/stackview/stackview/internal/vcs"
)

var (
	bg    = context.Background()
	epoch = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	dev   = model.Environment{Name: "dev", Branch: "dev"}
	qa    = model.Environment{Name: "qa", Branch: "qa"}
)

// world is a sandbox organisation with a clone cache over its repositories.
type world struct {
	t     *testing.T
	e     *sandbox.Engine
	clock *sandbox.ManualClock
	cache *vcs.Cache
	sent  [][]string // every git command the cache sent
}

func newWorld(t *testing.T) *world {
	t.Helper()
	for _, k := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"} {
		t.Setenv(k, t.TempDir())
	}
	w := &world{t: t, clock: sandbox.NewManualClock(epoch)}
	e, err := sandbox.New(bg, sandbox.Options{Dir: t.TempDir(), Clock: w.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	w.e = e
	w.cache = &vcs.Cache{Dir: t.TempDir(), Record: func(_ string, args []string) { w.sent = append(w.sent, args) }}
	return w
}

func (w *world) stack(id string) model.Stack {
	w.t.Helper()
	ss, err := w.e.ListStacks(bg)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, s := range ss {
		if s.ID == id {
			return s
		}
	}
	w.t.Fatalf("no stack %s", id)
	return model.Stack{}
}

func (w *world) stacks() []model.Stack {
	ss, err := w.e.ListStacks(bg)
	if err != nil {
		w.t.Fatal(err)
	}
	return ss
}

func (w *world) open(stackID string) *vcs.Clone {
	w.t.Helper()
	cl, err := w.cache.Open(bg, w.stack(stackID).Repo)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { cl.Close() })
	return cl
}

// push commits an edit of file on branch from a colleague's clone and
// lets the sandbox see it.
func (w *world) push(repo, branch, file string, edit func(string) string) string {
	w.t.Helper()
	work := filepath.Join(w.t.TempDir(), "colleague")
	g := vcs.Git{Dir: work, Env: vcs.TestIdentity()}
	if _, err := (vcs.Git{}).Run(bg, "clone", "--quiet", "--branch", branch, repo, work); err != nil {
		w.t.Fatal(err)
	}
	full := filepath.Join(work, file)
	old, err := os.ReadFile(full)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(edit(string(old))), 0o644); err != nil {
		w.t.Fatal(err)
	}
	for _, args := range [][]string{{"commit", "--quiet", "-am", "Change " + file + " on " + branch}, {"push", "--quiet", "origin", "HEAD:" + branch}} {
		if _, err := g.Run(bg, args...); err != nil {
			w.t.Fatal(err)
		}
	}
	w.sync()
	head, _ := g.RevParse(bg, "HEAD")
	return head
}

func (w *world) sync() {
	w.t.Helper()
	if err := w.e.Sync(bg); err != nil {
		w.t.Fatal(err)
	}
}

// until steps the clock a second at a time until cond holds (at most ten
// minutes of sandbox time).
func (w *world) until(what string, cond func() bool) {
	w.t.Helper()
	for range 600 {
		if cond() {
			return
		}
		w.clock.Advance(time.Second)
	}
	w.t.Fatalf("timed out waiting for %s", what)
}

func (w *world) deployState(stackID, commit string) model.RunState {
	r, ok, err := promote.LatestDeploy(bg, w.e, stackID)
	if err != nil {
		w.t.Fatal(err)
	}
	if !ok || r.Commit != commit {
		return model.StateNone
	}
	return r.State
}

func addResource(name string) func(string) string {
	return func(old string) string {
		return old + "\nresource \"aws_cloudwatch_log_group\" \"" + name + "\" {\n  name = \"" + name + "\"\n}\n"
	}
}

func TestPromoteDevToQAStartsQARuns(t *testing.T) {
	w := newWorld(t)
	repo := w.stack("dev-identity").Repo
	head := w.push(repo, "dev", "terraform/main.tf", addResource("audit"))
	w.until("dev-identity to deploy the change", func() bool { return w.deployState("dev-identity", head) == model.StateFinished })

	cl := w.open("dev-identity")
	plan, err := promote.Compute(bg, cl, w.stacks(), dev, qa)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Commit != head || !plan.FastForward || len(plan.Commits) != 1 || plan.Commits[0].Subject != "Change terraform/main.tf on dev" {
		t.Fatalf("plan = %+v", plan)
	}
	if len(plan.Affected) != 1 || plan.Affected[0].StackID != "qa-identity" || plan.Affected[0].Files[0] != "terraform/main.tf" {
		t.Fatalf("affected = %+v", plan.Affected)
	}
	gates, err := promote.Check(bg, cl, w.e, plan)
	if err != nil {
		t.Fatal(err)
	}
	if failed := promote.Failed(gates); len(failed) != 0 {
		t.Fatalf("failing gates: %+v", failed)
	}
	res, err := promote.Execute(bg, cl, plan, gates, promote.Options{Strategy: promote.FastForward})
	if err != nil {
		t.Fatal(err)
	}
	if res.Push.New != head || res.Push.Old != plan.TargetHead {
		t.Fatalf("push = %+v", res.Push)
	}
	w.sync()
	qaStack := w.stack("qa-identity")
	if qaStack.TrackedCommit != head || qaStack.LatestRun == nil || qaStack.LatestRun.Commit != head || qaStack.LatestRun.Kind != model.RunDeploy {
		t.Fatalf("qa-identity after the promotion: tracked %s, latest run %+v", qaStack.TrackedCommit, qaStack.LatestRun)
	}
	for _, args := range w.sent {
		if args[0] == "push" && strings.Join(args, " ") != "push --porcelain origin "+head+":refs/heads/qa" {
			t.Fatalf("unexpected push %q", args)
		}
	}
}

func TestFailedDevStackFailsTheGateAndRefuses(t *testing.T) {
	w := newWorld(t)
	if s := w.stack("dev-analytics"); s.State != model.StateFailed {
		t.Fatalf("the seed's dev-analytics is %s, want FAILED", s.State)
	}
	cl := w.open("dev-analytics")
	plan, err := promote.Compute(bg, cl, w.stacks(), dev, qa)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Modules) != 1 || plan.Modules[0].Name != "lake" || plan.Modules[0].From != "1.1.0" || plan.Modules[0].To != "2.1.0" {
		t.Fatalf("module changes = %+v", plan.Modules)
	}
	gates, err := promote.Check(bg, cl, w.e, plan)
	if err != nil {
		t.Fatal(err)
	}
	failed := promote.Failed(gates)
	if len(failed) == 0 || failed[0].Name != promote.GateSourceDeployed || !strings.Contains(failed[0].Reason, "dev-analytics") {
		t.Fatalf("failed gates = %+v", failed)
	}
	qaBefore, _ := cl.Head(bg, "qa")
	_, err = promote.Execute(bg, cl, plan, gates, promote.Options{Strategy: promote.FastForward})
	var gf *promote.GatesFailedError
	if !errors.As(err, &gf) || !strings.Contains(err.Error(), `"`+promote.GateSourceDeployed+`"`) {
		t.Fatalf("err = %v, want a refusal naming the gate", err)
	}
	if qaAfter, _ := cl.Head(bg, "qa"); qaAfter != qaBefore {
		t.Fatal("a refused promotion moved qa")
	}
}

func TestDivergedBranchesExplainTheChoice(t *testing.T) {
	w := newWorld(t)
	repo := w.stack("dev-identity").Repo
	hotfix := w.push(repo, "qa", "terraform/main.tf", addResource("qa_hotfix"))
	w.until("the qa hotfix to plan", func() bool { return w.deployState("qa-identity", hotfix) == model.StateUnconfirmed })
	head := w.push(repo, "dev", "README.md", func(s string) string { return s + "More docs.\n" })

	cl := w.open("dev-identity")
	plan, err := promote.Compute(bg, cl, w.stacks(), dev, qa)
	if err != nil {
		t.Fatal(err)
	}
	if plan.FastForward || len(plan.Affected) != 0 {
		t.Fatalf("plan = %+v: want diverged, README only", plan)
	}
	_, err = promote.Execute(bg, cl, plan, nil, promote.Options{Strategy: promote.FastForward})
	if !errors.Is(err, vcs.ErrNotFastForward) || !strings.Contains(err.Error(), "merge") || !strings.Contains(err.Error(), "pull request") {
		t.Fatalf("err = %v, want the not-a-fast-forward explanation", err)
	}
	res, err := promote.Execute(bg, cl, plan, nil, promote.Options{Strategy: promote.MergeCommit})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := cl.IsAncestor(bg, head, res.Push.New); !ok {
		t.Fatal("the merge commit does not contain dev's head")
	}
	if ok, _ := cl.IsAncestor(bg, hotfix, res.Push.New); !ok {
		t.Fatal("the merge commit dropped qa's hotfix")
	}
	_, err = promote.Execute(bg, cl, plan, nil, promote.Options{Strategy: promote.PullRequest})
	var gf *promote.GatesFailedError
	if !errors.As(err, &gf) || gf.Failed[0].Name != promote.GateTargetUnchanged {
		t.Fatalf("err = %v: the plan is stale after the merge and must be refused", err)
	}
}

func TestDirtyConfiguredCloneIsRefused(t *testing.T) {
	w := newWorld(t)
	repo := w.stack("dev-payments-api").Repo
	mine := filepath.Join(t.TempDir(), "payments")
	if _, err := (vcs.Git{}).Run(bg, "clone", "--quiet", repo, mine); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(mine, "stacks", "api", "main.tf"), []byte("# half-done edit\n"), 0o644)
	w.cache.Clones = map[string]string{repo: mine}
	_, err := w.cache.Open(bg, repo)
	var dirty *vcs.DirtyError
	if !errors.As(err, &dirty) || len(dirty.Files) != 1 || dirty.Files[0] != "M stacks/api/main.tf" {
		t.Fatalf("err = %v, want the clone refused listing stacks/api/main.tf", err)
	}
}

func TestPullRequestOffGitHubSaysWhatToDo(t *testing.T) {
	w := newWorld(t)
	cl := w.open("dev-payments-api")
	plan, err := promote.Compute(bg, cl, w.stacks(), dev, qa)
	if err != nil {
		t.Fatal(err)
	}
	res, err := promote.Execute(bg, cl, plan, nil, promote.Options{Strategy: promote.PullRequest})
	if err != nil {
		t.Fatal(err)
	}
	if res.PullRequest.Created || res.PullRequest.URL != "" || !strings.Contains(res.PullRequest.Note, "not on GitHub") {
		t.Fatalf("pull request = %+v", res.PullRequest)
	}
}
