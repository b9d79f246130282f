package vcs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestOpenClonesThenFetches(t *testing.T) {
	t.Parallel()
	r := newRemote(t)
	rc := newCache(t)
	var progress []string
	rc.Progress = func(m string) { progress = append(progress, m) }
	cl := rc.open(t, r.URL)
	if !slices.Contains(progress, "cloning payments.git…") {
		t.Fatalf("progress %q: want a cloning step", progress)
	}
	heads, err := cl.Heads(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if heads["dev"] != r.head("dev") || heads["qa"] != r.head("qa") || heads["main"] != r.head("main") {
		t.Fatalf("heads %v do not match the remote", heads)
	}
	cl.Close()

	sha := r.commit("dev", "Alarm on 5xx", map[string]string{"stacks/api/main.tf": "# api v2\n"})
	progress = nil
	cl = rc.open(t, r.URL)
	if got, _ := cl.Head(context.Background(), "dev"); got != sha {
		t.Fatalf("dev after reopening = %s, want the new commit %s", got, sha)
	}
	if !slices.Contains(progress, "fetching payments.git…") {
		t.Fatalf("progress %q: want a fetching step", progress)
	}
}

func TestLogChangedFilesAndLastTouching(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRemote(t)
	api := r.commit("dev", "Alarm on 5xx", map[string]string{"stacks/api/main.tf": "# api v2\n"})
	ledger := r.commit("dev", "Queue timeout", map[string]string{"stacks/ledger/main.tf": "# ledger v2\n"})
	cl := newCache(t).open(t, r.URL)

	log, err := cl.Log(ctx, r.head("qa"), r.head("dev"))
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].SHA != ledger || log[0].Subject != "Queue timeout" || log[1].SHA != api ||
		log[0].Author != "stackview <stackview@example.invalid>" || log[0].Time.IsZero() {
		t.Fatalf("log = %+v", log)
	}
	files, err := cl.ChangedFiles(ctx, r.head("qa"), r.head("dev"))
	if err != nil || !slices.Equal(files, []string{"stacks/api/main.tf", "stacks/ledger/main.tf"}) {
		t.Fatalf("changed = %v, %v", files, err)
	}
	if got, _ := cl.LastTouching(ctx, ledger, "stacks/api"); got != api {
		t.Fatalf("last change of stacks/api at %s = %s, want %s", ledger, got, api)
	}
	tf, err := cl.Files(ctx, ledger, "stacks/ledger")
	if err != nil || string(tf["stacks/ledger/main.tf"]) != "# ledger v2\n" {
		t.Fatalf("files = %q, %v", tf, err)
	}
}

func TestPushFastForward(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRemote(t)
	sha := r.commit("dev", "Alarm on 5xx", map[string]string{"stacks/api/main.tf": "# api v2\n"})
	rc := newCache(t)
	cl := rc.open(t, r.URL)
	res, err := cl.PushFastForward(ctx, sha, "qa")
	if err != nil {
		t.Fatal(err)
	}
	if res.UpToDate || res.New != sha || r.head("qa") != sha {
		t.Fatalf("push result %+v; remote qa = %s, want %s", res, r.head("qa"), sha)
	}
	if got, _ := cl.Head(ctx, "qa"); got != sha {
		t.Fatalf("clone's qa = %s after the push, want %s", got, sha)
	}
	res, err = cl.PushFastForward(ctx, sha, "qa")
	if err != nil || !res.UpToDate {
		t.Fatalf("second push = %+v, %v: want up to date", res, err)
	}
	want := []string{"push origin " + sha + ":refs/heads/qa"}
	if got := rc.pushes(); !slices.Equal(got, want) {
		t.Fatalf("pushes = %q, want %q", got, want)
	}
}

func TestPushDivergedExplainsTheChoice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRemote(t)
	sha := r.commit("dev", "Alarm on 5xx", map[string]string{"stacks/api/main.tf": "# api v2\n"})
	hotfix := r.commit("qa", "Hotfix in qa", map[string]string{"stacks/ledger/main.tf": "# hotfix\n"})
	rc := newCache(t)
	cl := rc.open(t, r.URL)
	_, err := cl.PushFastForward(ctx, sha, "qa")
	var nff *NotFastForwardError
	if !errors.As(err, &nff) || !errors.Is(err, ErrNotFastForward) {
		t.Fatalf("err = %v, want a NotFastForwardError", err)
	}
	for _, want := range []string{"diverged", "merge", "pull request", "never force-push", "1 commit"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if r.head("qa") != hotfix || len(rc.pushes()) != 0 {
		t.Fatalf("qa moved to %s or something was pushed: %q", r.head("qa"), rc.pushes())
	}

	res, err := cl.MergeAndPush(ctx, sha, "qa", "")
	if err != nil {
		t.Fatal(err)
	}
	r.git("fetch", "--quiet", "origin")
	parents := r.git("log", "-1", "--format=%P", res.New)
	if r.head("qa") != res.New || parents != hotfix+" "+sha {
		t.Fatalf("qa = %s (merge %s with parents %q), want parents %s %s", r.head("qa"), res.New, parents, hotfix, sha)
	}
	if subject := r.git("log", "-1", "--format=%s", res.New); subject != "Merge "+ShortSHA(sha)+" into qa" {
		t.Errorf("the merge says %q", subject)
	}
	for _, p := range rc.pushes() {
		if strings.Contains(p, "+") || strings.Contains(p, "-f") {
			t.Fatalf("a forced push was sent: %q", p)
		}
	}
}

func TestMergeConflictPushesNothing(t *testing.T) {
	t.Parallel()
	r := newRemote(t)
	dev := r.commit("dev", "dev change", map[string]string{"stacks/api/main.tf": "# dev\n"})
	r.commit("qa", "qa change", map[string]string{"stacks/api/main.tf": "# qa\n"})
	qa := r.head("qa")
	rc := newCache(t)
	_, err := rc.open(t, r.URL).MergeAndPush(context.Background(), dev, "qa", "")
	var mc *MergeConflictError
	if !errors.As(err, &mc) || !slices.Equal(mc.Files, []string{"stacks/api/main.tf"}) {
		t.Fatalf("err = %v, want a conflict in stacks/api/main.tf", err)
	}
	if r.head("qa") != qa || len(rc.pushes()) != 0 {
		t.Fatal("a conflicting merge pushed something")
	}
}

func TestRejectedPushKeepsRemoteWordsAndLeavesCacheAsBefore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRemote(t)
	hook := filepath.Join(r.bare, "hooks", "pre-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'qa is protected: changes need an approved review' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	rc := newCache(t)
	cl := rc.open(t, r.URL)
	parent, _ := cl.Head(ctx, "dev")
	sha, err := cl.CommitFiles(ctx, parent, map[string][]byte{"stacks/api/main.tf": []byte("# bumped\n")}, "Bump")
	if err != nil {
		t.Fatal(err)
	}
	before, _ := cl.git.Refs(ctx)
	_, err = cl.PushFastForward(ctx, sha, "dev")
	var rej *PushRejectedError
	if !errors.As(err, &rej) || !strings.Contains(err.Error(), "qa is protected: changes need an approved review") {
		t.Fatalf("err = %v, want the remote's words", err)
	}
	after, _ := cl.git.Refs(ctx)
	if !slices.Equal(before, after) {
		t.Fatalf("refs changed by a rejected push:\n%v\n%v", before, after)
	}
}

func TestCommitFilesMovesNoBranch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRemote(t)
	cl := newCache(t).open(t, r.URL)
	dev, _ := cl.Head(ctx, "dev")
	before, _ := cl.git.Refs(ctx)
	sha, err := cl.CommitFiles(ctx, dev, map[string][]byte{"stacks/api/main.tf": []byte("# new\n")}, "Bump module vpc 1.2.0 → 1.4.0")
	if err != nil {
		t.Fatal(err)
	}
	after, _ := cl.git.Refs(ctx)
	if !slices.Equal(before, after) {
		t.Fatal("CommitFiles moved a ref")
	}
	files, _ := cl.Files(ctx, sha, "")
	if string(files["stacks/api/main.tf"]) != "# new\n" || string(files["stacks/ledger/main.tf"]) != "# ledger\n" {
		t.Fatalf("commit content = %q", files)
	}
	log, _ := cl.Log(ctx, dev, sha)
	if len(log) != 1 || log[0].Subject != "Bump module vpc 1.2.0 → 1.4.0" || !strings.HasPrefix(log[0].Author, "stackview ") {
		t.Fatalf("log = %+v", log)
	}
}

func TestUserClone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRemote(t)
	mine := filepath.Join(t.TempDir(), "mine")
	if _, err := (Git{}).Run(ctx, "clone", "--quiet", "--origin", "upstream", r.URL, mine); err != nil {
		t.Fatal(err)
	}
	rc := newCache(t)
	rc.Clones = map[string]string{r.URL: mine}
	cl := rc.open(t, r.URL)
	if !cl.User || cl.Remote != "upstream" || cl.Dir != mine {
		t.Fatalf("clone = %+v, want the user's with remote upstream", cl)
	}
	if got, _ := cl.Head(ctx, "qa"); got != r.head("qa") {
		t.Fatalf("qa = %s, want %s", got, r.head("qa"))
	}
	cl.Close()

	os.WriteFile(filepath.Join(mine, "stacks/api/main.tf"), []byte("# wip\n"), 0o644)
	os.WriteFile(filepath.Join(mine, "notes.txt"), []byte("todo\n"), 0o644)
	_, err := rc.Open(ctx, r.URL)
	var dirty *DirtyError
	if !errors.As(err, &dirty) || !slices.Equal(dirty.Files, []string{"M stacks/api/main.tf", "?? notes.txt"}) {
		t.Fatalf("err = %v, want a DirtyError listing both files", err)
	}
	if !strings.Contains(err.Error(), "stacks/api/main.tf") || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("error %q does not list the changed files", err)
	}
}

func TestSecondOpenWaitsThenReportsInUse(t *testing.T) {
	t.Parallel()
	r := newRemote(t)
	rc := newCache(t)
	rc.open(t, r.URL)
	rc.LockWait = 20 * time.Millisecond
	_, err := rc.Open(context.Background(), r.URL)
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "in use by another stackview") ||
		!strings.Contains(err.Error(), "pid") {
		t.Fatalf("err = %v, want in use by another stackview", err)
	}
}

func TestRefuseForce(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"push", "--force", "origin", "a:refs/heads/qa"},
		{"push", "-f", "origin", "a:refs/heads/qa"},
		{"push", "-uf", "origin", "a:refs/heads/qa"},
		{"push", "--force-with-lease", "origin", "a:refs/heads/qa"},
		{"push", "origin", "+a:refs/heads/qa"},
		{"push", "origin", ":refs/heads/qa"},
		{"push", "--delete", "origin", "qa"},
		{"push", "--mirror", "origin"},
	} {
		if err := refuseForce(args); !errors.Is(err, ErrForcePush) {
			t.Errorf("%q: err = %v, want ErrForcePush", args, err)
		}
	}
	for _, args := range [][]string{{"push", "--porcelain", "origin", "a:refs/heads/qa"}, {"fetch", "--prune", "origin"}} {
		if err := refuseForce(args); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
}

func TestOpenWaitingForTheLockStopsWithItsContext(t *testing.T) {
	t.Parallel()
	r := newRemote(t)
	rc := newCache(t)
	rc.open(t, r.URL)
	rc.LockWait = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := rc.Open(ctx, r.URL); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
