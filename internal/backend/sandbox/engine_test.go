package sandbox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

var bg = context.Background()

func listStacks(t *testing.T, e *sandbox.Engine) map[string]model.Stack {
	t.Helper()
	ss, err := e.ListStacks(bg)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.Stack{}
	for _, s := range ss {
		out[s.ID] = s
	}
	return out
}

// fingerprint is what must not change between two engines with one seed.
func fingerprint(t *testing.T, e *sandbox.Engine) []string {
	t.Helper()
	var out []string
	ss, err := e.ListStacks(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		out = append(out, s.ID+" "+s.TrackedCommit+" "+s.BranchHead+" "+string(s.State)+" "+s.LatestRun.ID)
	}
	mods, _ := e.ListModules(bg)
	for _, m := range mods {
		vs, _ := e.ListModuleVersions(bg, m.ID)
		for _, v := range vs {
			out = append(out, m.ID+" "+v.Number+" "+v.Commit)
		}
	}
	return out
}

func TestSameSeedSameOrganisation(t *testing.T) {
	t.Parallel()
	a, _ := newEngine(t, sandbox.Options{Seed: 42})
	b, _ := newEngine(t, sandbox.Options{Seed: 42})
	fa, fb := fingerprint(t, a), fingerprint(t, b)
	if !slices.Equal(fa, fb) {
		t.Fatalf("same seed, different organisations:\n%s\n---\n%s", strings.Join(fa, "\n"), strings.Join(fb, "\n"))
	}
}

func TestSeededOrganisationNeedsAttention(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, sandbox.Options{})
	stacks := listStacks(t, e)
	if len(stacks) < 19 {
		t.Fatalf("%d stacks, want 3 environments × 6 + admin", len(stacks))
	}
	count := func(f func(model.Stack) bool) int {
		n := 0
		for _, s := range stacks {
			if f(s) {
				n++
			}
		}
		return n
	}
	checks := map[string]int{
		"unconfirmed":    count(func(s model.Stack) bool { return s.State == model.StateUnconfirmed && s.Branch != "dev" }),
		"failed":         count(func(s model.Stack) bool { return s.State == model.StateFailed }),
		"pending review": count(func(s model.Stack) bool { return s.LatestRun.State == model.StatePendingReview }),
		"locked":         count(func(s model.Stack) bool { return s.Lock != nil && s.Lock.Holder != sandbox.You && s.Lock.Note != "" }),
		"behind":         count(func(s model.Stack) bool { return s.CommitsBehind > 0 && s.BranchHead != s.TrackedCommit }),
	}
	for what, n := range checks {
		if n == 0 {
			t.Errorf("no stack is %s", what)
		}
	}
	drifted := count(func(s model.Stack) bool {
		return s.Drift.Drifted && !s.Drift.CheckedAt.IsZero() && len(s.Drift.Resources) > 0 && s.LatestRun.Kind == model.RunDriftCheck
	})
	if drifted < 2 {
		t.Errorf("%d drifted stacks, want 2", drifted)
	}
	admin := stacks["admin"]
	if !admin.Administrative || admin.Branch != "main" {
		t.Errorf("admin stack: %+v", admin)
	}
	api := stacks["dev-payments-api"]
	if !strings.HasPrefix(api.Repo, "file://") || api.ProjectRoot != "stacks/api" || !api.Autodeploy || stacks["qa-payments-api"].Autodeploy {
		t.Errorf("dev-payments-api: %+v", api)
	}
}

func TestSeededFailureHasErrorLog(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, sandbox.Options{})
	s := listStacks(t, e)["dev-analytics"]
	if s.State != model.StateFailed {
		t.Fatalf("dev-analytics is %s", s.State)
	}
	logs, err := e.RunLogsByState(bg, s.ID, s.LatestRun.ID)
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, l := range logs {
		text = append(text, l.Lines...)
	}
	if !strings.Contains(strings.Join(text, "\n"), "Error: no available releases match") {
		t.Fatalf("failure log:\n%s", strings.Join(text, "\n"))
	}
}

func TestLogsByStateMatchPagedLogs(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	r, err := e.Trigger(bg, "qa-storefront", model.RunDeploy) // drifted: the plan has changes
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if r, _ = e.GetRun(bg, r.StackID, r.ID); r.State != model.StateUnconfirmed {
		t.Fatalf("deploy is %s", r.State)
	}
	byState, err := e.RunLogsByState(bg, r.StackID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, l := range byState {
		for _, line := range l.Lines {
			want.WriteString(line + "\n")
		}
	}
	var got strings.Builder
	chunks := 0
	for token := ""; ; chunks++ {
		c, err := e.RunLogs(bg, r.StackID, r.ID, token)
		if err != nil {
			t.Fatal(err)
		}
		got.WriteString(c.Text)
		token = c.Next
		if c.Done {
			break
		}
	}
	if got.String() != want.String() {
		t.Fatalf("paged logs (%d chunks) differ from logs by state:\n%q\n---\n%q", chunks, got.String(), want.String())
	}
	plain := ansi.Strip(want.String()) // Terraform colours its plan
	if !strings.Contains(plain, "aws_cloudfront_distribution.cdn will be updated in-place") ||
		!strings.Contains(plain, "default_ttl = 86400 -> 3600") ||
		!strings.Contains(plain, "Plan: 0 to add, 1 to change, 0 to destroy.") {
		t.Fatalf("plan text:\n%s", want.String())
	}
}

func TestDeployQueuesBehindWaitingDeploy(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	waiting := listStacks(t, e)["qa-payments-ledger"].LatestRun
	queued, err := e.Trigger(bg, "qa-payments-ledger", model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if r, _ := e.GetRun(bg, queued.StackID, queued.ID); r.State != model.StateQueued {
		t.Fatalf("deploy behind an unconfirmed one is %s, want QUEUED", r.State)
	}
	if _, err := e.Discard(bg, waiting.StackID, waiting.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if r, _ := e.GetRun(bg, queued.StackID, queued.ID); r.State != model.StateUnconfirmed {
		t.Fatalf("after discarding the one ahead, the deploy is %s, want UNCONFIRMED", r.State)
	}
}

func TestLockedByOthersRefusesActions(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, sandbox.Options{})
	for name, err := range map[string]error{
		"trigger": func() error { _, err := e.Trigger(bg, "prod-payments-api", model.RunPlan); return err }(),
		"lock":    func() error { _, err := e.Lock(bg, "prod-payments-api", "mine"); return err }(),
		"unlock":  func() error { _, err := e.Unlock(bg, "prod-payments-api"); return err }(),
	} {
		if !errors.Is(err, backend.ErrConflict) || !strings.Contains(err.Error(), "maria.chen") {
			t.Errorf("%s on a stack locked by maria.chen: %v", name, err)
		}
	}
}

func TestResumeExistingDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, _ := newEngine(t, sandbox.Options{Dir: dir, Seed: 3})
	want := fingerprint(t, a)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sandbox.json")); err != nil {
		t.Fatalf("Close removed a caller's dir: %v", err)
	}
	b, _ := newEngine(t, sandbox.Options{Dir: dir, Seed: 99}) // the stored seed wins
	if got := fingerprint(t, b); !slices.Equal(got, want) {
		t.Fatalf("resumed organisation differs:\n%s\n---\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestForeignDirRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := sandbox.New(bg, sandbox.Options{Dir: dir, Clock: sandbox.NewManualClock(epoch)})
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("New on a foreign dir: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("New touched a foreign dir: %v", entries)
	}
}

func TestUnwritableDir(t *testing.T) {
	t.Parallel()
	// Permission bits do not stop root (CI runs as root), so the unwritable
	// directory is one below a regular file, which nobody can create.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(blocker, "sandbox")
	_, err := sandbox.New(bg, sandbox.Options{Dir: dir, Clock: sandbox.NewManualClock(epoch)})
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("New on an unwritable dir: %v", err)
	}
	if _, statErr := os.Stat(dir); statErr == nil {
		t.Fatal("New created the unwritable dir after all")
	}
}

func TestTempDirRemovedByClose(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	e, err := sandbox.New(bg, sandbox.Options{Clock: sandbox.NewManualClock(epoch)})
	if err != nil {
		t.Fatal(err)
	}
	dir := e.Dir()
	if _, err := os.Stat(filepath.Join(dir, "repos", "payments.git")); err != nil {
		t.Fatalf("no repositories in the temp dir: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temp dir still there after Close: %v", err)
	}
}

func TestInfo(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, sandbox.Options{Org: "globex"})
	if info := e.Info(); info.Kind != "sandbox-direct" || !info.Sandbox || info.Account != "globex" || info.Endpoint != "in-process" {
		t.Fatalf("Info = %+v", info)
	}
	mods, err := e.ListModules(bg)
	if err != nil || len(mods) < 4 || !strings.HasPrefix(mods[0].Source, "spacelift.io/globex/") {
		t.Fatalf("modules = %+v, %v", mods, err)
	}
}

func TestScaleMode(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, sandbox.Options{Stacks: 300})
	ss, err := e.ListStacks(bg)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) < 295 || len(ss) > 300 {
		t.Fatalf("%d stacks, want about 300", len(ss))
	}
	f := model.BuildForest(ss, model.DefaultEnvironments(), model.DefaultMapping())
	for _, env := range f.Envs {
		if env.Root == nil || len(env.Units) < 20 {
			t.Errorf("environment %s: root %v, %d units", env.Env.Name, env.Root != nil, len(env.Units))
		}
	}
	flagged := map[string]int{}
	for _, s := range ss {
		if s.State == model.StateNone || s.LatestRun == nil {
			t.Errorf("stack %s never ran", s.ID)
		}
		if s.State == model.StateFailed {
			flagged["failed"]++
		}
		if s.Drift.Drifted {
			flagged["drifted"]++
		}
		if s.Lock != nil {
			flagged["locked"]++
		}
	}
	if flagged["failed"] == 0 || flagged["drifted"] == 0 || flagged["locked"] == 0 {
		t.Errorf("scale organisation flags nothing: %v", flagged)
	}
}

func TestMissingGitLeavesNothingBehind(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sandbox")
	t.Setenv("PATH", t.TempDir())
	_, err := sandbox.New(bg, sandbox.Options{Dir: dir, Clock: sandbox.NewManualClock(epoch)})
	if !errors.Is(err, vcs.ErrGitNotFound) {
		t.Fatalf("New without git: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed New left %s behind: %v", dir, err)
	}
}

func TestOutputsAndModulesUsed(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, sandbox.Options{})
	outs, err := e.StackOutputs(bg, "qa-payments-ledger")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]sandbox.Output{}
	for _, o := range outs {
		byID[o.ID] = o
	}
	if q := byID["aws_sqs_queue_ledger_events_id"]; !strings.HasPrefix(q.Value, "sqs-queue-") || q.Sensitive {
		t.Errorf("queue output: %+v (all: %+v)", q, outs)
	}
	if !byID["aws_kms_key_ledger_id"].Sensitive {
		t.Errorf("kms key output should be sensitive: %+v", outs)
	}
	uses, err := e.StackModules(bg, "dev-payments-api")
	if err != nil || len(uses) != 1 || uses[0] != (sandbox.ModuleUse{Name: "service", ModuleID: "terraform-aws-ecs-service", Version: "2.1.0"}) {
		t.Fatalf("modules used by dev-payments-api: %+v, %v", uses, err)
	}
	if _, err := e.StackOutputs(bg, "nope"); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("outputs of an unknown stack: %v", err)
	}
}

func TestCancelRunningIsStopped(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	r, err := e.Trigger(bg, "dev-identity", model.RunPlan)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(4 * time.Second)
	if r, err = e.Cancel(bg, r.StackID, r.ID); err != nil || r.State != model.StateStopped {
		t.Fatalf("cancel of an initializing plan: %s, %v", r.State, err)
	}
	clock.Advance(time.Minute)
	if r, _ = e.GetRun(bg, r.StackID, r.ID); r.State != model.StateStopped {
		t.Fatalf("a stopped plan moved on to %s", r.State)
	}
}
