package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/runview"
)

// sandboxEpoch is when the sandbox clock starts in tests.
var sandboxEpoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// newSandbox builds the seeded demo organisation in a temp dir, with HOME
// and XDG dirs pointed away from the real ones.
func newSandbox(t *testing.T) (*sandbox.Engine, *sandbox.ManualClock) {
	t.Helper()
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"} {
		t.Setenv(v, t.TempDir())
	}
	clk := sandbox.NewManualClock(sandboxEpoch)
	e, err := sandbox.New(context.Background(), sandbox.Options{Dir: t.TempDir(), Seed: 1, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, clk
}

// TestSandboxMainFlow is the story a user lives: start, read the dev tree,
// switch to prod three ways, filter, open the detail, quit.
func TestSandboxMainFlow(t *testing.T) {
	e, clk := newSandbox(t)
	d := newDriverOn(t, e, clk.Now, 80, 24)
	d.requireScreen("[SANDBOX]", "[1 dev", "dev-network", "├─ payments (2)", "dev-payments-api")
	d.requireNotOnScreen("prod-network")
	if s := d.forestStack(d.selected()); s == nil || s.Layer != model.LayerEnvironment {
		t.Fatalf("the environment stack is not selected first: %+v", s)
	}

	d.press("tab", "tab")
	d.requireScreen("[3 prod", "prod-network", "── administrative")
	d.press("1", "3")
	d.requireScreen("[3 prod", "prod-network")
	d.press("1")
	d.typeText(":env prod")
	d.press("enter")
	d.requireScreen("[3 prod", "prod-network")

	d.typeText("/payments")
	d.press("enter")
	d.requireScreen("prod-payments-api", "filter: payments", "prod-network") // the root stays as context
	if d.selected() != "prod-payments-api" {
		t.Fatalf("selected %q; the context root must not be selectable", d.selected())
	}
	d.press("k", "k") // the payments heading takes the cursor; the context root does not
	if d.selected() != "" || !strings.Contains(d.screen(), "payments (2)") {
		t.Fatalf("k k moved onto %q", d.selected())
	}
	d.press("j")
	if d.selected() != "prod-payments-api" {
		t.Fatalf("j moved onto %q", d.selected())
	}
	d.typeText("/")
	d.press("ctrl+u")
	d.typeText("re:^prod-(identity|storefront)$")
	d.press("enter")
	d.requireScreen("prod-identity", "prod-storefront")
	d.requireNotOnScreen("prod-payments-api")
	d.typeText("/")
	d.press("ctrl+u")
	d.typeText("re:*")
	d.press("enter")
	d.requireScreen("bad regular expression", "prod-identity")

	d.press("esc", "esc", "g", "j", "enter")
	d.requireScreen("Repository", "Upstream   prod-network (wave 0)", "Recent runs", "deploy")
	d.requireNotOnScreen("loading…")
	d.press("esc", "q")
	if !d.Quit {
		t.Fatal("q did not quit")
	}
}

// TestSandboxRefreshFollowsRuns checks that a run moving on in the sandbox
// shows after a tick, with the selection kept.
func TestSandboxRefreshFollowsRuns(t *testing.T) {
	e, clk := newSandbox(t)
	d := newDriverOn(t, e, clk.Now, 160, 48)
	d.typeText(":stack dev-analytics")
	d.press("enter")
	if _, err := e.Trigger(context.Background(), "dev-analytics", model.RunPlan); err != nil {
		t.Fatal(err)
	}
	d.fireTimers()
	d.requireScreen("plan ◐") // a fresh proposed run is on its way
	clk.Advance(10 * time.Minute)
	d.fireTimers()
	if d.selected() != "dev-analytics" {
		t.Fatalf("selection lost: %s", d.selected())
	}
	if got := d.forestStack(d.selected()).LatestRun; got == nil || got.Kind != model.RunPlan || !got.State.Terminal() && !got.State.Waiting() {
		t.Fatalf("latest run after 10 minutes: %+v", got)
	}
	clk.Advance(42 * time.Second) // time passes with no refresh
	d.requireScreen("updated 42s ago")
}

// TestSandboxGolden pins the seeded organisation's screens.
func TestSandboxGolden(t *testing.T) {
	e, clk := newSandbox(t) // browsing does not change it, so one serves all
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for name, keys := range map[string][]string{"dev": nil, "prod-detail": {"3", "j", "enter"}} {
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], name), func(t *testing.T) {
				d := newDriverOn(t, e, clk.Now, size[0], size[1])
				d.press(keys...)
				requireGolden(t, d.screen())
			})
		}
	}
}

// TestSandboxProgram runs the real program on the sandbox.
func TestSandboxProgram(t *testing.T) {
	e, clk := newSandbox(t)
	m, err := New(testOptions{Options: Options{Backend: e, Theme: "auto", Now: clk.Now}}.wire(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(200, 60),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitFor(t, tm, "dev-network")
	tm.Type(":stack prod-identity")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, tm, "Cognito user pools")
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if fm.tree().Selected() == "" || !strings.HasPrefix(fm.tree().Selected(), "prod-") {
		t.Fatalf("final selection %q", fm.tree().Selected())
	}
}

// TestSandboxProgramPlansAStack runs the real program: select a stack,
// plan it through the dialog, follow the run, quit.
func TestSandboxProgramPlansAStack(t *testing.T) {
	e, clk := newSandbox(t)
	m, err := New(testOptions{Options: Options{Backend: e, Theme: "dark", Now: clk.Now}}.wire(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(160, 48),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitFor(t, tm, "dev-network")
	tm.Type(":stack dev-identity")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, tm, "Cognito user pools")
	tm.Type("p")
	waitFor(t, tm, "Plan dev-identity?")
	tm.Type("y")
	waitFor(t, tm, "✓ plan dev-identity")
	tm.Type("l")
	waitFor(t, tm, "Timeline")
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if rv, ok := fm.top().(runview.Model); !ok || rv.StackID() != "dev-identity" {
		t.Fatalf("final screen %T", fm.top())
	}
	runs, _, err := e.ListRuns(context.Background(), "dev-identity", "")
	if err != nil || runs[0].TriggeredBy != sandbox.You || runs[0].Kind != model.RunPlan {
		t.Fatalf("newest run %+v (%v)", runs[0], err)
	}
}
