package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
)

// TestOneProcessPerDir: a second engine on a directory in use is refused
// with the holder's pid; once the first closes, the directory resumes.
func TestOneProcessPerDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, _ := newEngine(t, sandbox.Options{Dir: dir})
	_, err := sandbox.New(bg, sandbox.Options{Dir: dir, Clock: sandbox.NewManualClock(epoch)})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("in use by another stackview (pid %d)", os.Getpid())) {
		t.Fatalf("second engine on %s: %v", dir, err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	newEngine(t, sandbox.Options{Dir: dir})
}

// TestInterruptedCreationStartsOver: a directory whose creation a killed
// process left half-made is made again.
func TestInterruptedCreationStartsOver(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"sandbox.creating", "repos/payments.git/HEAD"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o700)
		if err := os.WriteFile(filepath.Join(dir, f), []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e, _ := newEngine(t, sandbox.Options{Dir: dir})
	if len(listStacks(t, e)) == 0 {
		t.Fatal("no stacks")
	}
	if _, err := os.Stat(filepath.Join(dir, "sandbox.creating")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the creation marker is still there: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "sandbox.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("sandbox.json: %v, %v", fi, err)
	}
}

// TestHalfMadeWithoutMarkerHasAHint: a directory an older stackview left
// half-made is refused with what to do.
func TestHalfMadeWithoutMarkerHasAHint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "repos", "payments.git"), 0o700)
	_, err := sandbox.New(bg, sandbox.Options{Dir: dir, Clock: sandbox.NewManualClock(epoch)})
	if err == nil || !strings.Contains(err.Error(), "creation was interrupted: remove the directory to start over") {
		t.Fatalf("half-made dir: %v", err)
	}
}

// TestTamperedMarkerRefused: a sandbox.json that asks for too many stacks,
// names a hostile organisation or is huge is refused before anything is
// built.
func TestTamperedMarkerRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, _ := newEngine(t, sandbox.Options{Dir: dir})
	a.Close()
	good, err := os.ReadFile(filepath.Join(dir, "sandbox.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		edit func(string) string
		want string
	}{
		"stacks":  {func(s string) string { return strings.Replace(s, `"stacks": 0`, `"stacks": 9223372036854775807`, 1) }, "asks for 9223372036854775807 stacks, not 0 to 50000"},
		"org":     {func(s string) string { return strings.Replace(s, `"org": "acme"`, `"org": "acme\u001b[2J"`, 1) }, "names the organisation"},
		"huge":    {func(s string) string { return s + strings.Repeat(" ", 1<<20) }, "more than the 64.0 KiB stackview reads"},
		"corrupt": {func(s string) string { return s[:10] }, "is corrupt"},
	} {
		if err := os.WriteFile(filepath.Join(dir, "sandbox.json"), []byte(c.edit(string(good))), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := sandbox.New(bg, sandbox.Options{Dir: dir, Clock: sandbox.NewManualClock(epoch)})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\x1b") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestTooManyStacksRefused(t *testing.T) {
	t.Parallel()
	_, err := sandbox.New(bg, sandbox.Options{Dir: t.TempDir(), Stacks: 1_000_000_000})
	if err == nil || !strings.Contains(err.Error(), "want 0 to 50000 stacks") {
		t.Fatalf("a billion stacks: %v", err)
	}
}

// countdown is a context that ends itself after n checks: generation must
// look at its context as it goes, or it would never see this one end.
type countdown struct {
	context.Context
	n      atomic.Int64
	cancel context.CancelFunc
}

func newCountdown(n int64) *countdown {
	ctx, cancel := context.WithCancel(context.Background())
	c := &countdown{Context: ctx, cancel: cancel}
	c.n.Store(n)
	return c
}

func (c *countdown) Err() error {
	if c.n.Add(-1) < 0 {
		c.cancel()
	}
	return c.Context.Err()
}

// TestGenerationStopsWithItsContext: a scale sandbox of the largest size
// stops building as soon as its context ends (SIGTERM and ctrl+c end it),
// wherever it is, and leaves nothing behind.
func TestGenerationStopsWithItsContext(t *testing.T) {
	t.Parallel()
	for _, n := range []int64{0, 50, 5_000, 30_000} {
		dir := filepath.Join(t.TempDir(), "sandbox")
		_, err := sandbox.New(newCountdown(n), sandbox.Options{Dir: dir, Stacks: sandbox.MaxStacks, Clock: sandbox.NewManualClock(epoch)})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("after %d checks: %v", n, err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("after %d checks: %s left behind", n, dir)
		}
	}
}

// TestLeftoversOfKilledProcessesRemoved: a temporary sandbox whose process
// died (its lock free) is removed at the next start; one in use, or one so
// young it may still be getting its lock, is kept.
func TestLeftoversOfKilledProcessesRemoved(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	mk := func(name string, lock bool, age time.Duration) string {
		dir := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Join(dir, "repos"), 0o700); err != nil {
			t.Fatal(err)
		}
		if lock {
			os.WriteFile(filepath.Join(dir, ".stackview.lock"), []byte("12345\n"), 0o600)
		}
		at := time.Now().Add(-age)
		os.Chtimes(dir, at, at)
		return dir
	}
	dead := mk("stackview-sandbox-dead", true, 0)
	old := mk("stackview-sandbox-old", false, time.Hour)
	young := mk("stackview-sandbox-young", false, 0)
	other := mk("not-ours", true, time.Hour)
	live, err := sandbox.New(bg, sandbox.Options{Clock: sandbox.NewManualClock(epoch)})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	next, err := sandbox.New(bg, sandbox.Options{Clock: sandbox.NewManualClock(epoch)})
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	for dir, want := range map[string]bool{dead: false, old: false, young: true, other: true, live.Dir(): true} {
		if _, err := os.Stat(dir); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(dir), err == nil, want)
		}
	}
}
