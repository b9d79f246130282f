package sandbox_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

// pushChange clones the stack's repository, edits a file on branch and
// pushes. Its commit has fixed dates, so two sandboxes given the same edit
// get the same commit.
func pushChange(t *testing.T, repoURL, branch, file string, edit func(old string) string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "clone")
	if _, err := (vcs.Git{}).Run(bg, "clone", "--quiet", "--branch", branch, repoURL, work); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(work, file)
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(old))), 0o644); err != nil {
		t.Fatal(err)
	}
	g := vcs.Git{Dir: work, Env: append(vcs.TestIdentity(), "GIT_AUTHOR_DATE=2026-03-14T15:00:00Z", "GIT_COMMITTER_DATE=2026-03-14T15:00:00Z")}
	for _, args := range [][]string{{"commit", "--quiet", "-am", "Change " + file}, {"push", "--quiet", "origin", "HEAD:" + branch}} {
		if _, err := g.Run(bg, args...); err != nil {
			t.Fatal(err)
		}
	}
	head, err := g.RevParse(bg, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return head
}

func appendBlock(block string) func(string) string {
	return func(old string) string { return old + "\n" + block + "\n" }
}

// newRuns lists, per stack, the runs created after before.
func newRuns(t *testing.T, e *sandbox.Engine, before map[string]model.Stack) map[string][]model.Run {
	t.Helper()
	out := map[string][]model.Run{}
	for id, s := range before {
		runs, _, err := e.ListRuns(bg, id, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if s.LatestRun != nil && r.ID == s.LatestRun.ID {
				break
			}
			out[id] = append(out[id], r)
		}
	}
	return out
}

func settle(t *testing.T, e *sandbox.Engine, clock *sandbox.ManualClock, stackID, runID string) model.Run {
	t.Helper()
	for i := 0; i < 120; i++ {
		r, err := e.GetRun(bg, stackID, runID)
		if err != nil {
			t.Fatal(err)
		}
		if !r.State.Active() {
			return r
		}
		clock.Advance(time.Second)
	}
	t.Fatalf("run %s on %s never settled", runID, stackID)
	return model.Run{}
}

func TestPushStartsRunsOnChangedStacksOnly(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	before := listStacks(t, e)
	ledger := before["dev-payments-ledger"]
	head := pushChange(t, ledger.Repo, "dev", "stacks/ledger/main.tf",
		appendBlock("resource \"aws_sqs_queue\" \"ledger_dlq\" {\n  name = \"ledger-dlq\"\n}"))
	if err := e.Sync(bg); err != nil {
		t.Fatal(err)
	}
	runs := newRuns(t, e, before)
	if len(runs) != 1 || len(runs["dev-payments-ledger"]) != 1 {
		t.Fatalf("want one new run on dev-payments-ledger, got %v", runs)
	}
	r := runs["dev-payments-ledger"][0]
	if r.Kind != model.RunDeploy || r.Commit != head || r.TriggeredBy != "" || r.Title != "Change stacks/ledger/main.tf" {
		t.Fatalf("push run: %+v", r)
	}
	if c, err := e.Commit(bg, r.StackID, head); err != nil || c.AuthorName != "stackview" || c.Message != r.Title {
		t.Fatalf("Commit(head) = %+v, %v", c, err)
	}
	if id, err := e.RunStack(bg, r.ID); err != nil || id != r.StackID {
		t.Fatalf("RunStack = %q, %v", id, err)
	}
	after := listStacks(t, e)
	if s := after["dev-payments-ledger"]; s.TrackedCommit != head || s.BranchHead != head || s.CommitsBehind != 0 {
		t.Errorf("ledger after push: tracked %s head %s behind %d", s.TrackedCommit, s.BranchHead, s.CommitsBehind)
	}
	api := after["dev-payments-api"]
	if api.TrackedCommit != before["dev-payments-api"].TrackedCommit || api.BranchHead != head || api.CommitsBehind != before["dev-payments-api"].CommitsBehind+1 {
		t.Errorf("api after push: tracked %s head %s behind %d", api.TrackedCommit, api.BranchHead, api.CommitsBehind)
	}
	done := settle(t, e, clock, r.StackID, r.ID)
	if done.State != model.StateFinished || done.Delta == nil || *done.Delta != (model.Delta{Add: 1}) {
		t.Fatalf("autodeployed push run: %s %+v", done.State, done.Delta)
	}
	changes, err := e.RunChanges(bg, r.StackID, r.ID)
	if err != nil || len(changes) != 1 || changes[0].Address != "aws_sqs_queue.ledger_dlq" || changes[0].Action != model.ActionAdd {
		t.Fatalf("changes: %+v, %v", changes, err)
	}
}

func TestEnvironmentDeployTriggersDownstream(t *testing.T) {
	t.Parallel()
	e, before, done := deployPush(t, appendBlock("resource \"aws_route53_record\" \"status\" {\n  name = \"status\"\n}"))
	if done.State != model.StateFinished {
		t.Fatalf("network deploy: %s", done.State)
	}
	runs := newRuns(t, e, before)
	for id, s := range before {
		want := slices.Contains(s.DependsOn, "dev-network")
		got := len(runs[id]) == 1 && runs[id][0].Kind == model.RunDeploy && strings.Contains(runs[id][0].Title, "dev-network")
		if want != got {
			t.Errorf("stack %s: depends on dev-network %v, got downstream runs %+v", id, want, runs[id])
		}
	}
}

func TestUpstreamFailureSkipsDownstream(t *testing.T) {
	t.Parallel()
	e, before, done := deployPush(t, func(old string) string {
		return strings.Replace(old, `version = "1.3.0"`, `version = "9.9.9"`, 1)
	})
	if done.State != model.StateFailed {
		t.Fatalf("network deploy with an unknown module version: %s", done.State)
	}
	runs := newRuns(t, e, before)
	for id, s := range before {
		if !slices.Contains(s.DependsOn, "dev-network") {
			continue
		}
		if len(runs[id]) != 1 || runs[id][0].State != model.StateSkipped {
			t.Errorf("downstream %s: %+v, want one SKIPPED run", id, runs[id])
		}
	}
}

func TestNewTagIsANewModuleVersion(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, sandbox.Options{})
	mods, err := e.ListModules(bg)
	if err != nil {
		t.Fatal(err)
	}
	vpc := mods[slices.IndexFunc(mods, func(m model.Module) bool { return m.Name == "vpc" })]
	g := vcs.Git{Dir: strings.TrimPrefix(vpc.Repo, "file://")}
	if _, err := g.Run(bg, "tag", "v1.4.0", "main"); err != nil {
		t.Fatal(err)
	}
	if err := e.Sync(bg); err != nil {
		t.Fatal(err)
	}
	vs, err := e.ListModuleVersions(bg, vpc.ID)
	if err != nil || vs[0].Number != "1.4.0" {
		t.Fatalf("versions after tagging: %+v, %v", vs, err)
	}
}

// deployPush pushes an edit of the dev network and returns the engine, the
// stacks before the push, and the deploy the push started, settled.
func deployPush(t *testing.T, edit func(string) string) (*sandbox.Engine, map[string]model.Stack, model.Run) {
	t.Helper()
	e, clock := newEngine(t, sandbox.Options{})
	before := listStacks(t, e)
	pushChange(t, before["dev-network"].Repo, "dev", "network/main.tf", edit)
	if err := e.Sync(bg); err != nil {
		t.Fatal(err)
	}
	up := newRuns(t, e, before)["dev-network"]
	if len(up) != 1 {
		t.Fatalf("runs on dev-network after push: %+v", up)
	}
	return e, before, settle(t, e, clock, "dev-network", up[0].ID)
}

// A module input feeds its resources' attributes: the plan names the
// attribute that changes (tags, whose Name is var.name) with its values,
// not the input.
func TestModuleInputChangeUpdatesItsResources(t *testing.T) {
	t.Parallel()
	e, _, r := deployPush(t, func(old string) string {
		return strings.Replace(old, `"${var.environment}-core"`, `"${var.environment}-main"`, 1)
	})
	changes, err := e.RunChanges(bg, r.StackID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) == 0 || r.Delta == nil || r.Delta.Change != len(changes) {
		t.Fatalf("delta %+v, changes %+v", r.Delta, changes)
	}
	for _, c := range changes {
		v, ok := c.Value("tags.Name")
		if !strings.HasPrefix(c.Address, "module.vpc.") || c.Action != model.ActionChange || !slices.Equal(c.Attributes, []string{"tags"}) ||
			!ok || v.String() != `tags.Name: "dev-core" → "dev-main"` || len(c.Values) != 1 || c.ValuesFrom != model.ValuesPlan {
			t.Errorf("change %+v, want module.vpc.* tags.Name \"dev-core\" → \"dev-main\" through the name input", c)
		}
	}
}

func TestInvalidHCLFailsInInit(t *testing.T) {
	t.Parallel()
	e, _, r := deployPush(t, func(old string) string { return old + "\nresource \"aws_s3_bucket\" {\n" })
	if r.State != model.StateFailed {
		t.Fatalf("deploy of invalid HCL: %s", r.State)
	}
	logs, err := e.RunLogsByState(bg, r.StackID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := logs[len(logs)-1]
	if last.State != model.StateInitializing || !strings.Contains(strings.Join(last.Lines, "\n"), "Error: Invalid configuration") {
		t.Fatalf("last log %s:\n%s", last.State, strings.Join(last.Lines, "\n"))
	}
}
