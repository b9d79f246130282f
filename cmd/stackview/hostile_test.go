package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/vcs"
)

// TestHostileCommandLine: hostile or absurd input on the command line and
// in the config file is one clear line of error, never a crash, a hang or
// megabytes quoted back.
func TestHostileCommandLine(t *testing.T) {
	isolate(t)
	write := func(body string) string {
		p := filepath.Join(t.TempDir(), "c.toml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	deep := write("backend = \"sandbox\"\nkeys = " + strings.Repeat("[", 1_000_000) + "\n")
	huge := write("# " + strings.Repeat("x", 3<<20) + "\n")
	hugeValue := write("theme = \"" + strings.Repeat("y", 600_000) + "\"\n")
	stacks := write("[sandbox]\nstacks = 9223372036854775807\n")
	printableKeys := write("theme = \"dark\"\n[keys]\ndialog_press = [\"e\"]\n")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"TOML at 10^6 levels", []string{"--config", deep, "ls"}, 1, deep + ":2: arrays or inline tables nested more than 32 levels deep"},
		{"huge config", []string{"--config", huge, "ls"}, 1, huge + ": the file is 3.0 MiB, more than the 1.0 MiB stackview reads"},
		{"huge value", []string{"--config", hugeValue, "ls"}, 1, "(600000 bytes in all)"},
		{"stacks in config", []string{"--config", stacks, "ls"}, 1, stacks + ":2: key sandbox.stacks: want 0 to 50000 stacks, got 9223372036854775807"},
		{"stacks flag", []string{"ls", "--sandbox-stacks", "1000000000"}, 2, "--sandbox-stacks: want 0 to 50000, got 1000000000"},
		{"NaN fault rate", []string{"sandbox", "serve", "--faults", "503=NaN"}, 2, `rate "NaN" is not a number`},
		{"empty fault items", []string{"sandbox", "serve", "--faults", ","}, 2, "empty item"},
		{"printable dialog keys", []string{"--config", printableKeys}, 1, printableKeys + `:3: key keys.dialog_press: keys: action "dialog_press": "e" types a character`},
		{"~user path", []string{"ls", "--sandbox-dir=~nobody/sb"}, 2, "only ~ and ~/ are expanded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %.300q; want exit %d containing %q", code, errOut, tt.code, tt.want)
			}
			if len(errOut) > 500 || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
				t.Errorf("want one short line (plus a usage hint), got %d bytes: %.300q", len(errOut), errOut)
			}
		})
	}
}

// brokenPipe is a stdout whose reader went away.
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// TestLsIntoAClosedPipe: `stackview ls | head -1` ends quietly with the
// status of a broken pipe, and its temporary sandbox is removed.
func TestLsIntoAClosedPipe(t *testing.T) {
	isolate(t)
	var errOut strings.Builder
	code := run(context.Background(), []string{"ls"}, brokenPipe{}, &errOut, func(string) string { return "" })
	if code != exitBrokenPipe || errOut.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "stackview-sandbox-*"))
	if len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// TestSignalsEndTheContext: SIGHUP (the terminal closed), SIGTERM and
// ctrl+c end the program's context, so its deferred clean-up runs; a
// second one insists.
func TestSignalsEndTheContext(t *testing.T) {
	ctx, sig := watchSignals(context.Background())
	defer sig.stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGHUP did not end the context")
	}
	if code := sig.exitCode(); code != 129 {
		t.Errorf("exit code after SIGHUP: %d, want 129", code)
	}
	insist := sig.waitingForPushes()
	select {
	case <-insist:
		t.Fatal("insisting before a second signal")
	default:
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-insist:
	case <-time.After(10 * time.Second):
		t.Fatal("a signal while waiting for pushes did not insist")
	}
}

// TestTildeInFlags: --sandbox-dir=~/x (which no shell expands) is the
// home directory's x, not a directory named "~".
func TestTildeInFlags(t *testing.T) {
	isolate(t)
	wd := t.TempDir()
	t.Chdir(wd)
	code, _, errOut := runCLI(t, nil, "ls", "--sandbox-dir=~/sb")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("HOME"), "sb", "sandbox.json")); err != nil {
		t.Errorf("no sandbox in $HOME/sb: %v", err)
	}
	if _, err := os.Stat(filepath.Join(wd, "~")); err == nil {
		t.Error("a directory named ~ was made")
	}
}

// TestDebugFlagRefusesASymlink: --debug FILE does not write through a
// symlink planted there.
func TestDebugFlagRefusesASymlink(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "victim")
	os.WriteFile(target, []byte("keep"), 0o644)
	link := filepath.Join(dir, "debug.log")
	os.Symlink(target, link)
	code, _, errOut := runCLI(t, nil, "ls", "--debug", link)
	if code != 1 || !strings.Contains(errOut, "symbolic link") {
		t.Fatalf("exit %d: %q", code, errOut)
	}
	if data, _ := os.ReadFile(target); string(data) != "keep" {
		t.Fatal("the symlink's target was written")
	}
}

// TestQuitWaitsForPushesUntilTheUserInsists: a push still running when the
// UI ends is waited for, with a line saying so; a signal then stops it,
// and the audit log says its outcome is unknown, with the ref to check.
func TestQuitWaitsForPushesUntilTheUserInsists(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	dir := t.TempDir()
	bare := filepath.Join(dir, "payments.git")
	work := filepath.Join(dir, "work")
	g := vcs.Git{Env: vcs.TestIdentity()}
	for _, args := range [][]string{
		{"init", "--quiet", "--bare", bare},
		{"init", "--quiet", work},
		{"-C", work, "commit", "--quiet", "--allow-empty", "-m", "one"},
		{"-C", work, "push", "--quiet", bare, "HEAD:refs/heads/dev"},
		{"-C", work, "commit", "--quiet", "--allow-empty", "-m", "two"},
		{"-C", work, "push", "--quiet", bare, "HEAD:refs/heads/feature"},
	} {
		if _, err := g.Run(ctx, args...); err != nil {
			t.Fatal(err)
		}
	}
	started := filepath.Join(dir, "started")
	if err := syscall.Mkfifo(started, 0o600); err != nil {
		t.Fatal(err)
	}
	hook := fmt.Sprintf("#!/bin/sh\necho > %q\nexec sleep 600\n", started)
	if err := os.WriteFile(filepath.Join(bare, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	auditPath := filepath.Join(dir, "audit.jsonl")
	errOut := newSyncBuffer("waiting for git push to finish (payments.git → dev); press ctrl+c to stop it")
	a := &app{stderr: errOut, sig: &interrupts{cancel: func() {}, insist: make(chan struct{})}}
	a.pushes = vcs.NewPushes(audit.PushJournal{Recorder: audit.NewFile(auditPath), Backend: "sandbox"})
	cache := vcs.Cache{Dir: t.TempDir(), Pushes: a.pushes}
	cl, err := cache.Open(ctx, "file://"+bare)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	head, _ := (vcs.Git{Dir: work}).RevParse(ctx, "HEAD")
	pushed := make(chan error, 1)
	go func() {
		_, err := cl.PushFastForward(ctx, head, "dev")
		pushed <- err
	}()
	hookRuns := make(chan error, 1)
	go func() {
		_, err := os.ReadFile(started) // returns once the hook runs
		hookRuns <- err
	}()
	select {
	case err := <-pushed:
		t.Fatalf("the push ended before its hook ran: %v", err)
	case <-hookRuns:
	case <-time.After(30 * time.Second):
		t.Fatal("the hook never ran")
	}
	finished := make(chan error, 1)
	go func() { finished <- a.finishPushes() }()
	select {
	case <-errOut.ready:
	case <-time.After(30 * time.Second):
		t.Fatalf("no waiting line: %q", errOut.String())
	}
	a.sig.notify() // ctrl+c while waiting
	var stopped error
	select {
	case stopped = <-finished:
	case <-time.After(30 * time.Second):
		t.Fatal("the push was not stopped")
	}
	if err := <-pushed; !errors.Is(err, vcs.ErrPushUnknown) {
		t.Errorf("the stopped push: %v", err)
	}
	// The program fails, saying what to check: exit status 1.
	if !errors.Is(stopped, errPushStopped) || !strings.Contains(stopped.Error(), "check payments.git → dev on the remote") {
		t.Errorf("finishPushes after the user insisted: %v", stopped)
	}
	var out bytes.Buffer
	if code := fail(&out, stopped); code != 1 || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("exit %d, %q", code, out.String())
	}
	f, err := os.Open(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var results []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		if e["ref"] != "refs/heads/dev" {
			t.Errorf("audit line without the ref: %v", e)
		}
		results = append(results, fmt.Sprint(e["result"]))
	}
	if strings.Join(results, ",") != "pending,unknown" {
		t.Errorf("audit results %v", results)
	}
}

// TestSandboxClonesKeyedByPlace: the sandbox's repositories get one clone
// each whatever temporary directory the sandbox lives in this time.
func TestSandboxClonesKeyedByPlace(t *testing.T) {
	a, b := sandboxRepoKey("/tmp/stackview-sandbox-1", "http://127.0.0.1:40001"), sandboxRepoKey("/tmp/stackview-sandbox-2", "http://127.0.0.1:40002")
	if ka, kb := a("file:///tmp/stackview-sandbox-1/repos/payments.git"), b("file:///tmp/stackview-sandbox-2/repos/payments.git"); ka != kb || ka != "sandbox/repos/payments.git" {
		t.Errorf("keys %q and %q", ka, kb)
	}
	if ka, kb := a("http://127.0.0.1:40001/acme/payments.git"), b("http://127.0.0.1:40002/acme/payments.git"); ka != kb || ka != "sandbox/acme/payments.git" {
		t.Errorf("served over http: keys %q and %q", ka, kb)
	}
	if k := a("https://github.com/acme/payments.git"); k != "github.com/acme/payments" {
		t.Errorf("a repository outside the sandbox: %q", k)
	}
}
