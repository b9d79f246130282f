package sandbox_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

// world describes everything a client can see of the sandbox: every stack,
// every run with its history and logs, modules and their versions. The
// sandbox's directory is left out of it (logs name clone paths), so two
// sandboxes in two directories can be compared.
func world(t *testing.T, e *sandbox.Engine) string {
	t.Helper()
	var b strings.Builder
	ss, err := e.ListStacks(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		fmt.Fprintf(&b, "stack %s tracked=%s head=%s state=%s behind=%d needsApproval=%t\n", s.ID, s.TrackedCommit, s.BranchHead, s.State, s.CommitsBehind, s.NeedsApproval)
		if s.Lock != nil {
			fmt.Fprintf(&b, "  lock %s %q %s\n", s.Lock.Holder, s.Lock.Note, s.Lock.At.UTC().Format(time.RFC3339Nano))
		}
		fmt.Fprintf(&b, "  drift %t %s %v %s %q\n", s.Drift.Drifted, s.Drift.CheckedAt.UTC().Format(time.RFC3339), s.Drift.Resources, s.Drift.RunID, s.Drift.Unknown)
		for cursor := ""; ; {
			runs, next, err := e.ListRuns(bg, s.ID, cursor)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range runs {
				fmt.Fprintf(&b, "  run %s %s %s %s %s %q by %q approval=%t delta=%+v\n", r.ID, r.Kind, r.State, r.Commit,
					r.CreatedAt.UTC().Format(time.RFC3339Nano), r.Title, r.TriggeredBy, r.NeedsApproval, r.Delta)
				for _, h := range r.History {
					fmt.Fprintf(&b, "    %s %s %q\n", h.State, h.At.UTC().Format(time.RFC3339Nano), h.Note)
				}
				logs, err := e.RunLogsByState(bg, s.ID, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range logs {
					fmt.Fprintf(&b, "    log %s %s\n", l.State, strings.Join(l.Lines, "|"))
				}
			}
			if cursor = next; next == "" {
				break
			}
		}
	}
	mods, err := e.ListModules(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mods {
		vs, _ := e.ListModuleVersions(bg, m.ID)
		fmt.Fprintf(&b, "module %s latest=%s versions=%d\n", m.ID, m.Latest, len(vs))
	}
	return regexp.MustCompile(regexp.QuoteMeta(e.Dir())).ReplaceAllString(b.String(), "<dir>")
}

// sameWorld fails the test with the first lines where two worlds differ.
func sameWorld(t *testing.T, what, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			t.Fatalf("%s: the worlds differ at line %d:\n got: %s\nwant: %s", what, i+1, g[i], w[i])
		}
	}
	t.Fatalf("%s: the worlds differ in length: %d lines, want %d", what, len(g), len(w))
}

// promoteBranch moves to to from's head, as a fast-forward promotion does.
func promoteBranch(t *testing.T, repoURL, from, to string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "clone")
	g := vcs.Git{Dir: work, Env: vcs.TestIdentity()}
	if _, err := (vcs.Git{}).Run(bg, "clone", "--quiet", "--branch", from, repoURL, work); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Run(bg, "push", "--quiet", "origin", "HEAD:refs/heads/"+to); err != nil {
		t.Fatal(err)
	}
	head, err := g.RevParse(bg, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// session is what one user does to a sandbox: a confirm, a sync of a
// tracked commit, a lock and a promotion (qa fast-forwarded to dev in the
// payments repository), then a few hours of looking at it every ten
// minutes, which lets the drift schedule fire.
func session(t *testing.T, e *sandbox.Engine, clock *sandbox.ManualClock) {
	t.Helper()
	clock.Advance(10 * time.Second)
	stacks := listStacks(t, e)
	ledger := stacks["qa-payments-ledger"]
	if ledger.LatestRun == nil || ledger.LatestRun.State != model.StateUnconfirmed {
		t.Fatalf("qa-payments-ledger's latest run: %+v", ledger.LatestRun)
	}
	if _, err := e.Confirm(bg, ledger.ID, ledger.LatestRun.ID); err != nil {
		t.Fatal(err)
	}
	if s := stacks["prod-payments-ledger"]; s.CommitsBehind == 0 {
		t.Fatal("prod-payments-ledger is not behind its branch: nothing to sync")
	}
	if _, err := e.SyncCommit(bg, "prod-payments-ledger"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Lock(bg, "dev-network", "holding dev for the release"); err != nil {
		t.Fatal(err)
	}
	promoteBranch(t, stacks["qa-payments-api"].Repo, "dev", "qa")
	if err := e.Sync(bg); err != nil {
		t.Fatal(err)
	}
	for range 21 {
		clock.Advance(10 * time.Minute)
		listStacks(t, e)
	}
}

// TestResumedSandboxIsTheSameWorld: a sandbox closed after a confirm, a
// sync, a lock and a promotion, and resumed, is the world it was (the
// same runs, ids, states, logs, the lock with its holder and note) and
// starts no run for any of them; from then on it goes on exactly as a
// twin that was never closed, drift schedule included.
func TestResumedSandboxIsTheSameWorld(t *testing.T) {
	t.Parallel()
	twinClock, clock := sandbox.NewManualClock(epoch), sandbox.NewManualClock(epoch)
	twin, _ := newEngine(t, sandbox.Options{Clock: twinClock})
	dir := t.TempDir()
	e, _ := newEngine(t, sandbox.Options{Dir: dir, Clock: clock})
	session(t, twin, twinClock)
	session(t, e, clock)
	before := world(t, e)
	sameWorld(t, "two sandboxes given the same session", before, world(t, twin))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	journal, _ := os.ReadFile(filepath.Join(dir, "state", "journal.jsonl"))
	for _, op := range []string{"confirm", "sync-commit", "lock", "refs", "drift", "checkpoint"} {
		if !strings.Contains(string(journal), `"op":"`+op+`"`) {
			t.Errorf("the session journaled no %s", op)
		}
	}

	resumed, _ := newEngine(t, sandbox.Options{Dir: dir, Clock: clock})
	sameWorld(t, "resumed", world(t, resumed), before)
	stacks := listStacks(t, resumed)
	ledger, _, err := resumed.ListRuns(bg, "qa-payments-ledger", "")
	if err != nil {
		t.Fatal(err)
	}
	confirmed := slices.ContainsFunc(ledger[0].History, func(h model.RunTransition) bool { return h.Note == "confirmed by you" })
	if s := stacks["prod-payments-ledger"]; !confirmed || s.CommitsBehind != 0 || s.TrackedCommit != s.BranchHead {
		t.Errorf("resumed: confirmed %t, prod-payments-ledger %s behind %d", confirmed, s.TrackedCommit, s.CommitsBehind)
	}
	if l := stacks["dev-network"].Lock; l == nil || l.Holder != sandbox.You || l.Note != "holding dev for the release" {
		t.Errorf("resumed lock: %+v", l)
	}
	if r := stacks["qa-payments-api"].LatestTrackedRun; r == nil || r.Commit != stacks["dev-payments-api"].TrackedCommit {
		t.Errorf("resumed: qa-payments-api's latest deploy %+v is not of the promoted commit", r)
	}

	for _, step := range []time.Duration{time.Second, time.Minute, 3 * time.Hour, 6 * time.Hour} {
		clock.Advance(step)
		twinClock.Advance(step)
		sameWorld(t, fmt.Sprintf("resumed, then %s later", step), world(t, resumed), world(t, twin))
	}
}

// TestPushesWhileStoppedStartRunsOnce: a push made while the sandbox was
// closed starts runs at the next start, on the stacks it touches only, and
// never again at the start after.
func TestPushesWhileStoppedStartRunsOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e, clock := newEngine(t, sandbox.Options{Dir: dir})
	before := listStacks(t, e)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	head := pushChange(t, before["dev-payments-api"].Repo, "dev", "stacks/api/main.tf", appendBlock(`resource "aws_sqs_queue" "dlq" {}`))
	clock.Advance(time.Minute)

	e, _ = newEngine(t, sandbox.Options{Dir: dir, Clock: clock})
	got := newRuns(t, e, before)
	if len(got) != 1 || len(got["dev-payments-api"]) != 1 || got["dev-payments-api"][0].Commit != head {
		t.Fatalf("runs started by the push made while stopped: %+v", got)
	}
	want := world(t, e)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, _ = newEngine(t, sandbox.Options{Dir: dir, Clock: clock})
	sameWorld(t, "resumed again", world(t, e), want)
	e.Close()
	clock.Advance(time.Hour) // a push seen again now would start a run with another id
	e, _ = newEngine(t, sandbox.Options{Dir: dir, Clock: clock})
	if again := newRuns(t, e, before); len(again) != 1 || len(again["dev-payments-api"]) != 1 || again["dev-payments-api"][0].ID != got["dev-payments-api"][0].ID {
		t.Fatalf("an hour later, the runs since the first start: %+v", again)
	}
}

// TestJournalTornByACrash: a last line cut short (a process killed while
// writing it, before it answered) is dropped; the entries before stand.
func TestJournalTornByACrash(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e, clock := newEngine(t, sandbox.Options{Dir: dir})
	if _, err := e.Lock(bg, "qa-network", "kept"); err != nil {
		t.Fatal(err)
	}
	want := world(t, e)
	e.Close()
	path := filepath.Join(dir, "state", "journal.jsonl")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"op":"unlock","at":"2026-03-14T15:09:27Z","stack":"qa-net`)
	f.Close()
	e, _ = newEngine(t, sandbox.Options{Dir: dir, Clock: clock})
	sameWorld(t, "after a torn line", world(t, e), want)
	if _, err := e.Lock(bg, "qa-identity", "after the crash"); err != nil {
		t.Fatal(err)
	}
	e.Close()
	e, _ = newEngine(t, sandbox.Options{Dir: dir, Clock: clock})
	if l := listStacks(t, e)["qa-identity"].Lock; l == nil || l.Note != "after the crash" {
		t.Errorf("an entry written after the torn line: %+v", l)
	}
}

// TestJournalRefusals: a journal corrupt in the middle, one whose world
// does not replay to its checkpoint (another stackview's) and one too
// long are refused with what to do, and the directory is left alone.
func TestJournalRefusals(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		tamper func(t *testing.T, path string)
		want   string
	}{
		"corrupt line": {func(t *testing.T, path string) {
			data, _ := os.ReadFile(path)
			os.WriteFile(path, append([]byte("{not json\n"), data...), 0o600)
		}, "line 1 is corrupt: remove the directory to start over"},
		"another stackview's": {func(t *testing.T, path string) {
			data, _ := os.ReadFile(path)
			os.WriteFile(path, regexp.MustCompile(`"digest":"[0-9a-f]+"`).ReplaceAll(data, []byte(`"digest":"00"`)), 0o600)
		}, "written by another version of stackview"},
		"unknown operation": {func(t *testing.T, path string) {
			f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString(`{"op":"teleport","at":"2026-03-14T15:09:30Z","stack":"qa-network"}` + "\n")
			f.Close()
		}, `an operation "teleport" this stackview does not know`},
		"too long": {func(t *testing.T, path string) {
			if err := os.Truncate(path, 65<<20); err != nil {
				t.Fatal(err)
			}
		}, "too long to replay; remove the directory to start over"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			e, clock := newEngine(t, sandbox.Options{Dir: dir})
			if _, err := e.Lock(bg, "qa-network", "kept"); err != nil {
				t.Fatal(err)
			}
			e.Close()
			path := filepath.Join(dir, "state", "journal.jsonl")
			c.tamper(t, path)
			tampered, _ := os.ReadFile(path)
			_, err := sandbox.New(bg, sandbox.Options{Dir: dir, Clock: clock})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("resume: %v; want %q", err, c.want)
			}
			if now, _ := os.ReadFile(path); string(now) != string(tampered) {
				t.Error("a refused journal was changed")
			}
		})
	}
}

// TestFormat1DirectoryIsMigrated: a directory an older stackview made (no
// journal: it forgot its runs) resumes; the pushes it saw are adopted as
// handled, so they start no deploys again, and stacks say how far behind
// their branch they are. From then on it remembers.
func TestFormat1DirectoryIsMigrated(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e, clock := newEngine(t, sandbox.Options{Dir: dir})
	before := listStacks(t, e)
	head := pushChange(t, before["dev-payments-api"].Repo, "dev", "stacks/api/main.tf", appendBlock(`resource "aws_sqs_queue" "dlq" {}`))
	if err := e.Sync(bg); err != nil {
		t.Fatal(err)
	}
	e.Close()
	// What format 1 left: sandbox.json without a creation time, no journal.
	markerPath := filepath.Join(dir, "sandbox.json")
	var m map[string]any
	data, _ := os.ReadFile(markerPath)
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m["format"] = 1
	delete(m, "created")
	data, _ = json.Marshal(m)
	os.WriteFile(markerPath, data, 0o600)
	os.Remove(filepath.Join(dir, "state", "journal.jsonl"))

	clock.Advance(time.Minute)
	e, _ = newEngine(t, sandbox.Options{Dir: dir, Clock: clock})
	if got := newRuns(t, e, before); len(got) != 0 {
		t.Errorf("the migrated sandbox started runs for pushes already handled: %+v", got)
	}
	if s := listStacks(t, e)["dev-payments-api"]; s.BranchHead != head || s.CommitsBehind != 1 {
		t.Errorf("dev-payments-api after migration: head %s, %d behind", s.BranchHead, s.CommitsBehind)
	}
	data, _ = os.ReadFile(markerPath)
	if !strings.Contains(string(data), `"format": 2`) {
		t.Errorf("sandbox.json after migration: %s", data)
	}
	want := world(t, e)
	e.Close()
	e, _ = newEngine(t, sandbox.Options{Dir: dir, Clock: clock})
	sameWorld(t, "resumed after migration", world(t, e), want)
}

// TestNewerFormatRefused: a directory a newer stackview wrote is not
// guessed at.
func TestNewerFormatRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e, clock := newEngine(t, sandbox.Options{Dir: dir})
	e.Close()
	path := filepath.Join(dir, "sandbox.json")
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), `"format": 2`, `"format": 3`, 1)), 0o600)
	_, err := sandbox.New(bg, sandbox.Options{Dir: dir, Clock: clock})
	if err == nil || !strings.Contains(err.Error(), "written by a newer stackview") {
		t.Fatalf("resume: %v", err)
	}
}

// TestRefusedMutationIsNotJournaled: a refused mutation leaves no line
// behind, and the journal is private.
func TestRefusedMutationIsNotJournaled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e, _ := newEngine(t, sandbox.Options{Dir: dir})
	path := filepath.Join(dir, "state", "journal.jsonl")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v", fi.Mode().Perm())
	}
	if _, err := e.Lock(bg, "prod-payments-api", "mine now"); err == nil {
		t.Fatal("locked a stack maria.chen holds")
	}
	if _, err := e.Confirm(bg, "qa-network", "no-such-run"); err == nil {
		t.Fatal("confirmed a run that does not exist")
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		data, _ := os.ReadFile(path)
		t.Errorf("refused mutations were journaled: %s", data)
	}
}

// TestAdvancingInStepsIsAdvancingAtOnce: the world does not depend on when
// it is looked at. Two sandboxes get the same two pushes to the
// environment repository in one sync: dev's network deploy (autodeploy)
// will trigger dev's dependents after 18 s, qa's fails in init after 6 s
// and skips qa's dependents. Stepping the runs in creation order, one run
// at a time, a sandbox looked at once at the end made dev's runs before
// qa's skips, and drew their ids the other way round; it must not.
func TestAdvancingInStepsIsAdvancingAtOnce(t *testing.T) {
	t.Parallel()
	often, oftenClock := newEngine(t, sandbox.Options{})
	once, onceClock := newEngine(t, sandbox.Options{})
	for _, e := range []*sandbox.Engine{often, once} {
		repo := listStacks(t, e)["dev-network"].Repo
		pushChange(t, repo, "dev", "network/main.tf", appendBlock(`resource "aws_sns_topic" "alerts" {}`))
		pushChange(t, repo, "qa", "network/main.tf", appendBlock(`resource "aws_sns_topic" "alerts" {`))
		if err := e.Sync(bg); err != nil {
			t.Fatal(err)
		}
	}
	for range 120 {
		oftenClock.Advance(time.Second)
		listStacks(t, often)
	}
	onceClock.Advance(120 * time.Second)
	got := world(t, once)
	if !strings.Contains(got, "Skipped: upstream qa-network failed") || !strings.Contains(got, "Triggered by dev-network") {
		t.Fatal("the scenario did not happen: no skipped qa run or no triggered dev run")
	}
	sameWorld(t, "looked at every second, and once", got, world(t, often))
}
