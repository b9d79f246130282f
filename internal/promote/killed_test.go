package promote_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/modules"
	"github.com/stackview/stackview/internal/promote"
	"github.com/stackview/stackview/internal/promote/promotetest"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/vcs"
)

// The tests below kill a process doing what stackview does on a confirmed
// promotion or module bump (the helper at the end: a clone cache whose
// pushes are journaled in an audit file) while its pushes wait in a slow
// pre-receive hook, then check that every ref that moved has a pending or
// unknown audit line naming it.

// helperEnv selects what the re-executed test binary does.
const helperEnv = "STACKVIEW_KILLED_HELPER"

// job is what the helper process is asked to do.
type job struct {
	Kind     string // "promote" or "bump"
	CacheDir string
	Audit    string
	Plan     promotion.Plan
	Gates    []promotion.Gate
	Override string
	Bump     modules.BumpRequest
}

// holdHook makes a bare repository's pre-receive hook report its pid and
// process group, then wait to be let go; post-receive reports the ref moved.
type holdHook struct {
	started, release, landed string
}

func installHoldHook(t *testing.T, bare string) *holdHook {
	t.Helper()
	dir := t.TempDir()
	h := &holdHook{started: filepath.Join(dir, "started"), release: filepath.Join(dir, "release"), landed: filepath.Join(dir, "landed")}
	for _, f := range []string{h.started, h.release, h.landed} {
		if err := syscall.Mkfifo(f, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hooks := filepath.Join(bare, "hooks")
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		t.Fatal(err)
	}
	pre := fmt.Sprintf("#!/bin/sh\nread -r _ _ _ _ pgid _ < /proc/$$/stat\necho \"$$ $pgid\" > %q\ncat %q > /dev/null\ncat > /dev/null\n", h.started, h.release)
	post := fmt.Sprintf("#!/bin/sh\ncat > /dev/null\necho landed > %q\n", h.landed)
	for name, script := range map[string]string{"pre-receive": pre, "post-receive": post} {
		if err := os.WriteFile(filepath.Join(hooks, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// within reads a FIFO, failing the test after a deadline.
func within(t *testing.T, fifo, what string) string {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		data, _ := os.ReadFile(fifo)
		got <- strings.TrimSpace(string(data))
	}()
	select {
	case s := <-got:
		return s
	case <-time.After(60 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		return ""
	}
}

// running waits until the hook holds a push; it returns the push's
// process group.
func (h *holdHook) running(t *testing.T) int {
	t.Helper()
	f := strings.Fields(within(t, h.started, "the push to reach the pre-receive hook"))
	pgid, err := strconv.Atoi(f[len(f)-1])
	if err != nil {
		t.Fatalf("hook said %q", f)
	}
	return pgid
}

func (h *holdHook) letGo(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(h.release, nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

// startHelper runs the job in a new process (the test binary again).
func startHelper(t *testing.T, j job) *exec.Cmd {
	t.Helper()
	data, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "job.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// kill ends the helper at once, as kill -9 would.
func kill(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// auditLines reads the audit file, every value as text.
func auditLines(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		line := map[string]string{}
		for k, v := range m {
			line[k] = fmt.Sprint(v)
		}
		out = append(out, line)
	}
	return out
}

// accounted fails the test for a ref that moved without a pending or
// unknown line naming its repository and ref.
func accounted(t *testing.T, lines []map[string]string, repo, ref string) {
	t.Helper()
	for _, l := range lines {
		if l["target"] == repo && l["ref"] == ref && (l["result"] == audit.ResultPending || l["result"] == audit.ResultUnknown) {
			return
		}
	}
	t.Errorf("%s %s moved with no pending or unknown audit line: %v", repo, ref, lines)
}

func bareOf(url string) string { return strings.TrimPrefix(url, "file://") }

func remoteHead(t *testing.T, url, branch string) string {
	t.Helper()
	out, err := (vcs.Git{Dir: bareOf(url)}).RevParse(context.Background(), "refs/heads/"+branch)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// promotionJob is a promotion of dev-identity's repository dev → qa with
// a failing gate overridden by a typed reason.
func promotionJob(t *testing.T, w *promotetest.World) job {
	t.Helper()
	repo := w.Stack("dev-identity").Repo
	head := w.Push(repo, "dev", "terraform/main.tf", promotetest.AddResource("audit"))
	w.Until("dev-identity to deploy the change", func() bool { return w.DeployState("dev-identity", head) == model.StateFinished })
	cl, err := w.Cache.Open(bg, repo)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	plan, err := promote.Compute(bg, cl, w.Stacks(), dev, qa)
	if err != nil {
		t.Fatal(err)
	}
	gates, err := promote.Check(bg, cl, w.E, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	gates[0].Pass, gates[0].Reason = false, "made to fail by the test"
	return job{Kind: "promote", CacheDir: w.Cache.Dir, Audit: filepath.Join(t.TempDir(), "audit.jsonl"),
		Plan: plan, Gates: gates, Override: "hotfix approved by on-call"}
}

// TestKilledDuringPromotionPush: stackview is killed while its promotion
// push waits in the remote's hook; the push carries on and moves qa, and
// the audit log has the pending line written before the push, with the
// typed override.
func TestKilledDuringPromotionPush(t *testing.T) {
	w := promotetest.New(t)
	j := promotionJob(t, w)
	hook := installHoldHook(t, bareOf(j.Plan.Repo))
	cmd := startHelper(t, j)
	hook.running(t)
	kill(t, cmd)
	hook.letGo(t)
	within(t, hook.landed, "the orphaned push to land")
	if remoteHead(t, j.Plan.Repo, "qa") != j.Plan.Commit {
		t.Fatal("qa did not move: the scenario under test did not happen")
	}
	lines := auditLines(t, j.Audit)
	accounted(t, lines, j.Plan.Repo, "refs/heads/qa")
	if len(lines) != 1 || lines[0]["action"] != "promotion push" || lines[0]["environment"] != "qa" ||
		!strings.Contains(lines[0]["detail"], `overridden: "hotfix approved by on-call"`) {
		t.Errorf("audit: %v", lines)
	}
	// The next start reports it, with the ref to check, and closes it.
	open, err := audit.NewFile(j.Audit).SettleUnfinished(time.Now())
	if err != nil || len(open) != 1 || open[0].Ref != "refs/heads/qa" || open[0].Target != j.Plan.Repo {
		t.Errorf("unfinished pushes at the next start: %+v, %v", open, err)
	}
}

// TestKilledWithItsGitDuringPromotionPush: stackview and its git (the
// push's whole process group, hook included) are killed; qa stays where
// it was, and the pending line says which ref to check.
func TestKilledWithItsGitDuringPromotionPush(t *testing.T) {
	w := promotetest.New(t)
	j := promotionJob(t, w)
	hook := installHoldHook(t, bareOf(j.Plan.Repo))
	cmd := startHelper(t, j)
	pgid := hook.running(t)
	kill(t, cmd)
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if got := remoteHead(t, j.Plan.Repo, "qa"); got != j.Plan.TargetHead {
		// Whether or not it moved, it must be accounted for.
		t.Logf("qa moved to %s", got)
	}
	lines := auditLines(t, j.Audit)
	accounted(t, lines, j.Plan.Repo, "refs/heads/qa")
}

// TestKilledDuringBumpPushes: a module bump's pushes to three repositories
// all wait in their hooks when stackview is killed; every branch that
// moved afterwards has its pending line.
func TestKilledDuringBumpPushes(t *testing.T) {
	w := promotetest.New(t)
	const s3Bucket = "spacelift.io/acme/s3-bucket/aws"
	units := map[string]string{"dev-payments-ledger": "stacks/ledger/main.tf", "dev-identity": "terraform/main.tf", "dev-storefront": "terraform/main.tf"}
	var repos []string
	for id, file := range units {
		repo := w.Stack(id).Repo
		repos = append(repos, repo)
		w.Push(repo, "dev", file, func(old string) string {
			return old + "\nmodule \"audit_logs\" {\n  source  = \"" + s3Bucket + "\"\n  version = \"1.0.0\"\n  name = \"audit\"\n}\n"
		})
	}
	before := map[string]string{}
	hooks := map[string]*holdHook{}
	for _, repo := range repos {
		before[repo] = remoteHead(t, repo, "dev")
		hooks[repo] = installHoldHook(t, bareOf(repo))
	}
	j := job{Kind: "bump", CacheDir: w.Cache.Dir, Audit: filepath.Join(t.TempDir(), "audit.jsonl"),
		Bump: modules.BumpRequest{Address: s3Bucket, Target: "1.1.0", Repos: repos}}
	cmd := startHelper(t, j)
	for _, repo := range repos {
		hooks[repo].running(t)
	}
	kill(t, cmd)
	for _, repo := range repos {
		hooks[repo].letGo(t)
		within(t, hooks[repo].landed, "the orphaned push to "+repo+" to land")
	}
	lines := auditLines(t, j.Audit)
	for _, repo := range repos {
		if remoteHead(t, repo, "dev") == before[repo] {
			t.Errorf("%s: dev did not move: the scenario under test did not happen", repo)
			continue
		}
		accounted(t, lines, repo, "refs/heads/dev")
	}
}

// TestMain runs the helper instead of the tests when a kill test started
// this binary for it.
func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		if err := killedHelper(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1) // it is meant to be killed before it gets here
	}
	os.Exit(m.Run())
}

// killedHelper is the process the tests above kill: stackview's git work
// for one confirmed promotion or bump, journaled in an audit file.
func killedHelper(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var j job
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	pushes := vcs.NewPushes(audit.PushJournal{Recorder: audit.NewFile(j.Audit), Backend: "sandbox", Endpoint: "in-process"})
	cache := &vcs.Cache{Dir: j.CacheDir, Pushes: pushes}
	switch j.Kind {
	case "promote":
		cl, err := cache.Open(bg, j.Plan.Repo)
		if err != nil {
			return err
		}
		_, err = promote.Execute(bg, cl, j.Plan, j.Gates, promote.Options{Strategy: promotion.FastForward, Override: j.Override})
		return fmt.Errorf("the promotion ended before it was killed: %v", err)
	case "bump":
		_, err := modules.Bump(bg, cache, j.Bump)
		return fmt.Errorf("the bump ended before it was killed: %v", err)
	}
	return fmt.Errorf("unknown job %q", j.Kind)
}
