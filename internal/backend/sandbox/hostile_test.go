package sandbox_test

import (
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// initLog is the log of the state a run ended in.
func initLog(t *testing.T, e *sandbox.Engine, r model.Run) string {
	t.Helper()
	logs, err := e.RunLogsByState(bg, r.StackID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(logs[len(logs)-1].Lines, "\n")
}

// TestHostilePoisonedProjectRoot: a .tf file nested 10^6 levels deep,
// pushed to a project root, fails that stack's run while initializing (it
// used to overflow the engine's stack), and the directory holding it
// starts again.
func TestHostilePoisonedProjectRoot(t *testing.T) {
	t.Parallel()
	const n = 1_000_000
	poison := "locals {\n  x = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n}\n"
	e, _, r := deployPush(t, func(string) string { return poison })
	if text := initLog(t, e, r); r.State != model.StateFailed || !strings.Contains(text, "main.tf:2") ||
		!strings.Contains(text, "nested more than 100 levels deep") {
		t.Fatalf("deploy of the poisoned root: %s\n%s", r.State, text)
	}
	dir := e.Dir()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// The restart sees the push again (runs do not persist yet) and plans
	// the poisoned root again: the run fails, the engine does not.
	again, clock := newEngine(t, sandbox.Options{Dir: dir})
	s := listStacks(t, again)["dev-network"]
	if s.LatestRun == nil {
		t.Fatal("dev-network has no run after the restart")
	}
	if r := settle(t, again, clock, s.ID, s.LatestRun.ID); r.State != model.StateFailed {
		t.Fatalf("dev-network after the restart: %s", r.State)
	}
}

// TestHostileHugeFile: a .tf file larger than the engine reads fails the
// plan with what happened, and is never loaded whole.
func TestHostileHugeFile(t *testing.T) {
	t.Parallel()
	e, _, r := deployPush(t, func(old string) string { return old + "\n# " + strings.Repeat("x", 5<<20) + "\n" })
	if text := initLog(t, e, r); r.State != model.StateFailed || !strings.Contains(text, "more than the 4.0 MiB stackview reads: not read") {
		t.Fatalf("%s:\n%s", r.State, text)
	}
}
