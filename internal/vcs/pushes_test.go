package vcs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// journal keeps what a PushJournal was told.
type journal struct {
	mu     sync.Mutex
	events []PushEvent
	fail   error
}

func (j *journal) Record(ev PushEvent) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.fail != nil {
		return j.fail
	}
	j.events = append(j.events, ev)
	return nil
}

func (j *journal) results() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []string
	for _, ev := range j.events {
		out = append(out, ev.Result)
	}
	return out
}

func (j *journal) last() PushEvent {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.events[len(j.events)-1]
}

// hook installs an executable hook in the remote.
func (r *remote) hook(name, script string) {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.bare, "hooks", name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		r.t.Fatal(err)
	}
}

// slowHook makes the remote's pre-receive hook tell the test it runs (its
// pid, through a FIFO) and then wait until the test releases it (another
// FIFO): a push held at the remote for exactly as long as a test needs.
type slowHook struct {
	t                *testing.T
	started, release string
}

func newSlowHook(t *testing.T, r *remote) *slowHook {
	dir := t.TempDir()
	h := &slowHook{t: t, started: filepath.Join(dir, "started"), release: filepath.Join(dir, "release")}
	for _, f := range []string{h.started, h.release} {
		if err := syscall.Mkfifo(f, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r.hook("pre-receive", fmt.Sprintf("echo $$ > %q\ncat %q > /dev/null\ncat > /dev/null\n", h.started, h.release))
	return h
}

// running waits (with a deadline) until the hook runs and returns its pid.
func (h *slowHook) running() int {
	h.t.Helper()
	got := make(chan string, 1)
	go func() {
		data, _ := os.ReadFile(h.started)
		got <- strings.TrimSpace(string(data))
	}()
	select {
	case s := <-got:
		pid, err := strconv.Atoi(s)
		if err != nil {
			h.t.Fatalf("hook pid %q", s)
		}
		return pid
	case <-time.After(30 * time.Second):
		h.t.Fatal("the pre-receive hook never ran")
		return 0
	}
}

// letGo lets the hook finish (and the push land).
func (h *slowHook) letGo() {
	h.t.Helper()
	if err := os.WriteFile(h.release, nil, 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// gone waits (with a deadline) until pid no longer runs. A process killed
// with its group dies when the kernel next runs it, not when kill returns:
// under load that is later than the killer's next line.
func gone(pid int) bool {
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for alive(pid) {
		select {
		case <-deadline:
			return false
		case <-tick.C:
		}
	}
	return true
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

func pushSetup(t *testing.T) (*remote, *recorded, *journal, *Clone, string, string) {
	t.Helper()
	r := newRemote(t)
	j := &journal{}
	rc := newCache(t)
	rc.Pushes = NewPushes(j)
	cl := rc.open(t, r.URL)
	dev := r.head("dev")
	commit, err := cl.CommitFiles(context.Background(), dev, map[string][]byte{"stacks/api/main.tf": []byte("# api v2\n")}, "Alarm")
	if err != nil {
		t.Fatal(err)
	}
	return r, rc, j, cl, dev, commit
}

// TestPushOutlivesItsContextAndIsJournaled: a push is journaled as pending
// before it starts, is listed in flight, goes on when the program quits
// (its context ends), and Finish waits for its outcome.
func TestPushOutlivesItsContextAndIsJournaled(t *testing.T) {
	t.Parallel()
	r, rc, j, cl, dev, commit := pushSetup(t)
	hook := newSlowHook(t, r)
	ctx, quit := context.WithCancel(context.Background())
	ctx = WithPushPurpose(ctx, PushPurpose{Action: "promotion", Environment: "dev", Detail: "override: hotfix"})
	done := make(chan error, 1)
	go func() {
		_, err := cl.PushFastForward(ctx, commit, "dev")
		done <- err
	}()
	hook.running()
	if got := j.results(); len(got) != 1 || got[0] != PushPending {
		t.Fatalf("journal while the push runs: %v", got)
	}
	if ev := j.last(); ev.Ref != "refs/heads/dev" || ev.Old != dev || ev.New != commit || ev.Repo != r.URL ||
		ev.Purpose.Action != "promotion" || ev.Purpose.Detail != "override: hotfix" {
		t.Errorf("pending line: %+v", ev)
	}
	if in := rc.Pushes.InFlight(); len(in) != 1 || in[0].Repo != "payments.git" || in[0].Branch != "dev" {
		t.Errorf("in flight: %+v", in)
	}
	quit()
	finished := make(chan error, 1)
	go func() { finished <- rc.Pushes.Finish(context.Background()) }()
	hook.letGo()
	if err := <-done; err != nil {
		t.Fatalf("push after the program began to quit: %v", err)
	}
	if err := <-finished; err != nil {
		t.Fatal(err)
	}
	if got := j.results(); len(got) != 2 || got[1] != PushOK {
		t.Fatalf("journal: %v", got)
	}
	if r.head("dev") != commit {
		t.Fatal("the push did not land")
	}
	if _, err := cl.PushFastForward(context.Background(), commit, "dev"); err != nil {
		t.Fatalf("an up-to-date push after Finish: %v", err) // nothing to push, so not refused
	}
	other, _ := cl.CommitFiles(context.Background(), commit, map[string][]byte{"x.tf": []byte("\n")}, "x")
	if _, err := cl.PushFastForward(context.Background(), other, "dev"); !errors.Is(err, ErrPushesStopped) {
		t.Fatalf("a push after Finish: %v", err)
	}
}

// TestStopKillsThePushGroup: when the user insists, the push, the remote
// side it started and its hook are killed, and the outcome is journaled
// as unknown with the ref to check.
func TestStopKillsThePushGroup(t *testing.T) {
	t.Parallel()
	r, rc, j, cl, dev, commit := pushSetup(t)
	hook := newSlowHook(t, r)
	done := make(chan error, 1)
	go func() {
		_, err := cl.PushFastForward(context.Background(), commit, "dev")
		done <- err
	}()
	pid := hook.running()
	rc.Pushes.Stop()
	err := <-done
	var unknown *PushUnknownError
	if !errors.As(err, &unknown) || !errors.Is(err, ErrPushUnknown) || unknown.Ref != "refs/heads/dev" ||
		!strings.Contains(err.Error(), "check refs/heads/dev on the remote") {
		t.Fatalf("stopped push: %v", err)
	}
	if ev := j.last(); ev.Result != PushUnknown || ev.Ref != "refs/heads/dev" || ev.New != commit {
		t.Errorf("journal: %+v", ev)
	}
	if !gone(pid) {
		t.Error("the hook outlived the stopped push")
	}
	if r.head("dev") != dev {
		t.Error("the stopped push moved the branch")
	}
	if err := rc.Pushes.Finish(context.Background()); err != nil || len(rc.Pushes.InFlight()) != 0 {
		t.Errorf("after Stop: %v, %v", err, rc.Pushes.InFlight())
	}
}

// TestLostAnswerOfALandedPush: the remote moves the branch, then dies
// before answering; the ref is read back, and the push is a success.
func TestLostAnswerOfALandedPush(t *testing.T) {
	t.Parallel()
	r, _, j, cl, _, commit := pushSetup(t)
	// reference-transaction runs in receive-pack after the ref moved and
	// before the report goes back.
	r.hook("reference-transaction", "cat > /dev/null\n[ \"$1\" = committed ] && kill -9 $PPID\nexit 0\n")
	if _, err := cl.PushFastForward(context.Background(), commit, "dev"); err != nil {
		t.Fatalf("push whose answer was lost: %v", err)
	}
	if r.head("dev") != commit {
		t.Fatal("the branch did not move")
	}
	if got := j.results(); len(got) != 2 || got[1] != PushOK {
		t.Fatalf("journal: %v", got)
	}
}

// TestRefusedPushIsAnError: a hook's refusal is an error, and the branch
// stays.
func TestRefusedPushIsAnError(t *testing.T) {
	t.Parallel()
	r, _, j, cl, dev, commit := pushSetup(t)
	r.hook("pre-receive", "echo 'dev is frozen' >&2\nexit 1\n")
	_, err := cl.PushFastForward(context.Background(), commit, "dev")
	if !errors.Is(err, ErrPushRejected) || !strings.Contains(err.Error(), "dev is frozen") {
		t.Fatalf("refused push: %v", err)
	}
	if got := j.results(); len(got) != 2 || got[1] != PushFailed || r.head("dev") != dev {
		t.Fatalf("journal %v, dev %s", got, r.head("dev"))
	}
}

// TestPushNotMadeWithoutJournal: a push whose pending line cannot be
// written is not made.
func TestPushNotMadeWithoutJournal(t *testing.T) {
	t.Parallel()
	r, _, j, cl, dev, commit := pushSetup(t)
	j.fail = errors.New("disk full")
	if _, err := cl.PushFastForward(context.Background(), commit, "dev"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("push without a journal: %v", err)
	}
	if r.head("dev") != dev {
		t.Fatal("the branch moved")
	}
}

// TestGitGetsNoCredentials: a child git (and the hooks it runs) sees an
// allow-listed environment: none of stackview's credentials, whether or
// not the user's git configuration is used.
func TestGitGetsNoCredentials(t *testing.T) {
	secrets := map[string]string{
		"SPACELIFT_API_KEY_SECRET":   "sl-secret-4242",
		"SPACELIFT_API_TOKEN":        "sl-token-4242",
		"TFE_TOKEN":                  "tfe-token-4242",
		"TF_TOKEN_app_terraform_io":  "tf-token-4242",
		"GITHUB_TOKEN":               "gh-token-4242",
		"AWS_SECRET_ACCESS_KEY":      "aws-secret-4242",
		"SPACELIFT_API_KEY_ENDPOINT": "https://acme.app.spacelift.io",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	t.Setenv("SSH_AUTH_SOCK", "/tmp/agent.sock")
	for _, userConfig := range []bool{false, true} {
		r, rc, _, cl, _, commit := pushSetup(t)
		rc.UserConfig = userConfig
		envFile := filepath.Join(t.TempDir(), "env")
		r.hook("pre-receive", fmt.Sprintf("env > %q\ncat > /dev/null\n", envFile))
		cl.git.UserConfig, cl.net.UserConfig = userConfig, userConfig
		if _, err := cl.PushFastForward(context.Background(), commit, "dev"); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(envFile)
		if err != nil {
			t.Fatal(err)
		}
		env := string(data)
		for k, v := range secrets {
			if strings.Contains(env, k) || strings.Contains(env, v) {
				t.Errorf("userConfig %v: the hook sees %s", userConfig, k)
			}
		}
		if !strings.Contains(env, "SSH_AUTH_SOCK=/tmp/agent.sock") || !strings.Contains(env, "PATH=") {
			t.Errorf("userConfig %v: the agent socket or PATH is missing:\n%s", userConfig, env)
		}
	}
}
