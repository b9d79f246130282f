package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promote"
)

// testApp is the program as run with args, up to the point where a
// command would open its backend.
func testApp(t *testing.T, args ...string) *app {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{ctx: context.Background(), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	if _, rest, err := parse(commands(), args, &a.g); err != nil || len(rest) > 0 {
		t.Fatalf("parse %v: %v %v", args, err, rest)
	}
	if err := a.g.expandPaths(); err != nil {
		t.Fatal(err)
	}
	if err := a.loadConfig(); err != nil {
		t.Fatal(err)
	}
	return a
}

// waitUntil polls cond until it holds, failing after a deadline: the
// served sandbox runs on the real clock and sees pushes within a second.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

func stacksByID(t *testing.T, be backend.Backend) map[string]model.Stack {
	t.Helper()
	ss, err := be.ListStacks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.Stack{}
	for _, s := range ss {
		out[s.ID] = s
	}
	return out
}

func runIDs(t *testing.T, be backend.Backend, stackID string) []string {
	t.Helper()
	runs, _, err := be.ListRuns(context.Background(), stackID, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestResumedSandboxRemembersThroughTheSpaceliftDialect: through the
// default backend (the sandbox served in the Spacelift dialect, read by
// the real client) a confirm, a sync, a lock and a promotion (promote.Execute
// over the sandbox's git server, as the UI does it); the program ends; the
// next one on the same --sandbox-dir shows all four as they were and has
// started no run for them.
func TestResumedSandboxRemembersThroughTheSpaceliftDialect(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "sv")
	a := testApp(t, "--backend", "sandbox", "--sandbox-dir", dir)
	be, release, err := a.openBackend()
	if err != nil {
		t.Fatal(err)
	}
	stacks := stacksByID(t, be)

	ledger := stacks["qa-payments-ledger"]
	if ledger.LatestRun == nil || ledger.LatestRun.State != model.StateUnconfirmed {
		t.Fatalf("qa-payments-ledger's latest run: %+v", ledger.LatestRun)
	}
	confirmed := ledger.LatestRun.ID
	if _, err := be.Confirm(ctx, ledger.ID, confirmed); err != nil {
		t.Fatal(err)
	}
	if _, err := be.SyncCommit(ctx, "prod-payments-ledger"); err != nil {
		t.Fatal(err)
	}
	if _, err := be.Lock(ctx, "dev-network", "holding dev for the release"); err != nil {
		t.Fatal(err)
	}

	// The promotion: payments dev → qa, fast-forward, through the clone cache.
	cache := a.gitCache()
	cl, err := cache.Open(ctx, stacks["qa-payments-api"].Repo)
	if err != nil {
		t.Fatal(err)
	}
	envs := a.cfg.Environments
	plan, err := promote.Compute(ctx, cl, slices.Collect(maps.Values(stacks)), envs[0], envs[1])
	if err != nil {
		t.Fatal(err)
	}
	gates, err := promote.Check(ctx, cl, be, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := promote.Execute(ctx, cl, plan, gates, promote.Options{Override: "the test promotes whatever the gates say"}); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	var promoted model.Run
	waitUntil(t, "the promotion's deploy on qa-payments-api", func() bool {
		r := stacksByID(t, be)["qa-payments-api"].LatestTrackedRun
		if r != nil && r.Commit == plan.Commit {
			promoted = *r
			return true
		}
		return false
	})

	watched := []string{"qa-payments-ledger", "prod-payments-ledger", "dev-network", "qa-payments-api"}
	before := map[string][]string{}
	for _, id := range watched {
		before[id] = runIDs(t, be, id)
	}
	release()

	// The next stackview: ls first, then the backend as the UI opens it.
	code, out, errOut := runCLI(t, nil, "ls", "--json", "--sandbox-dir", dir)
	if code != 0 {
		t.Fatalf("ls on the resumed sandbox: exit %d: %s", code, errOut)
	}
	var listed lsOutput
	if err := json.Unmarshal([]byte(out), &listed); err != nil {
		t.Fatal(err)
	}
	byID := map[string]lsStack{}
	for _, e := range listed.Environments {
		for _, s := range e.Stacks {
			byID[s.ID] = s
		}
	}
	if s := byID["qa-payments-ledger"]; s.LatestRun == nil || s.LatestRun.ID != confirmed || s.LatestRun.State == string(model.StateUnconfirmed) {
		t.Errorf("ls: qa-payments-ledger's latest run %+v; want %s, confirmed", s.LatestRun, confirmed)
	}
	if s := byID["prod-payments-ledger"]; s.BranchHead == nil || s.TrackedCommit != *s.BranchHead {
		t.Errorf("ls: prod-payments-ledger tracks %s, not its branch's head", s.TrackedCommit)
	}
	if !byID["dev-network"].Locked {
		t.Error("ls: dev-network is not locked")
	}
	if s := byID["qa-payments-api"]; s.LatestTrackedRun == nil || s.LatestTrackedRun.ID != promoted.ID || s.TrackedCommit != plan.Commit {
		t.Errorf("ls: qa-payments-api tracks %s, latest deploy %+v; want the promotion's %s of %s", s.TrackedCommit, s.LatestTrackedRun, promoted.ID, plan.Commit)
	}

	b := testApp(t, "--backend", "sandbox", "--sandbox-dir", dir)
	be, release, err = b.openBackend()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for _, id := range watched {
		if got := runIDs(t, be, id); !slices.Equal(got, before[id]) {
			t.Errorf("%s's runs after the resume: %v; before: %v", id, got, before[id])
		}
	}
	run, err := be.GetRun(ctx, "qa-payments-ledger", confirmed)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(run.History, func(h model.RunTransition) bool { return h.State == model.StateConfirmed }) {
		t.Errorf("the confirmed run's history: %+v", run.History)
	}
	if l := stacksByID(t, be)["dev-network"].Lock; l == nil || l.Note != "holding dev for the release" {
		t.Errorf("dev-network's lock after the resume: %+v", l)
	}
}

// TestLsWarnsOfAnUnfinishedPush: a push whose stackview was killed before
// its outcome (a pending line, its process gone) is reported by the next
// start, on one line with the ref to check, once.
func TestLsWarnsOfAnUnfinishedPush(t *testing.T) {
	isolate(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	path, err := audit.DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.NewFile(path).Record(audit.Entry{Time: time.Now(), Action: "promotion push", Target: "http://127.0.0.1:1/acme/payments.git",
		Ref: "refs/heads/qa", Result: audit.ResultPending, PID: dead.Process.Pid}); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, nil, "ls")
	if code != 0 || strings.Count(errOut, "\n") != 1 ||
		!strings.HasPrefix(errOut, "stackview: warning: a git push of an earlier stackview has no outcome in the audit log: check qa of http://127.0.0.1:1/acme/payments.git") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "ls"); code != 0 || errOut != "" {
		t.Errorf("the second start: exit %d, stderr %q", code, errOut)
	}
}

// TestUnfinishedPushLineForTheUI: the UI is given the same line (its
// status line says it; nothing is printed under the screen), and the
// push is settled as unknown, so the next start is quiet.
func TestUnfinishedPushLineForTheUI(t *testing.T) {
	isolate(t)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	rec := audit.NewFile(path)
	if err := rec.Record(audit.Entry{Time: time.Now(), Action: "bump push", Target: "http://127.0.0.1:1/acme/identity.git",
		Ref: "refs/heads/dev", Result: audit.ResultPending}); err != nil {
		t.Fatal(err)
	}
	if w := unfinishedPushes(rec); !strings.HasPrefix(w, "a git push of an earlier stackview has no outcome in the audit log: check dev of http://127.0.0.1:1/acme/identity.git") {
		t.Fatalf("line for the UI: %q", w)
	}
	if w := unfinishedPushes(rec); w != "" {
		t.Errorf("said again: %q", w)
	}
}
