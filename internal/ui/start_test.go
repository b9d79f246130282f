package ui

import (
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/screen"
)

// TestUnfinishedPushesAreSaidOnScreen: the line about pushes a killed
// stackview left without an outcome (Options.Warning) is on the status
// line when the screen opens and after the first load, stays until a
// key, and the messages keep it.
func TestUnfinishedPushesAreSaidOnScreen(t *testing.T) {
	const w = "a git push of an earlier stackview has no outcome in the audit log: check qa of acme/payments.git on the remote"
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		d := newDriver(t, size[0], size[1], func(o *testOptions) { o.Warning = w })
		d.requireScreen("⚠ a git push of an earlier stackview has no outcome", "check qa of", "acme/payments.git on the remote", "dev-network")
		d.fireTimers() // a refresh and the clock: an alert does not fade
		d.requireScreen("⚠ a git push of an earlier stackview has no outcome")
		d.press("j")
		d.requireNotOnScreen("earlier stackview")
		d.press("e")
		d.requireScreen("Recent messages", "⚠ a git push of an earlier stackview has no outcome")
	}
}

// TestAWatchedRunThatFailedHasOneGlyph: the status line's ✗ says a
// watched run failed; its state label does not add a second.
func TestAWatchedRunThatFailedHasOneGlyph(t *testing.T) {
	d := newDriver(t, 120, 30)
	w := screen.Watch{StackID: "dev-search", RunID: "dev-search-run2", Name: "dev-search"}
	d.send(screen.ToggleWatch{Watch: w, State: string(model.StatePlanning)})
	d.send(watchMsg{w: w, run: model.Run{ID: w.RunID, State: model.StateFailed}})
	d.requireScreen("✗ ⏰ dev-search run dev-search-run2 is FAILED")
	for _, line := range strings.Split(d.screen(), "\n") {
		if strings.Contains(line, "⏰") && strings.Count(line, "✗") > 1 {
			t.Fatalf("two glyphs on one line: %q", line)
		}
	}
	d.press("e")
	d.requireScreen("✗ ⏰ dev-search run dev-search-run2 is FAILED")
	d.requireNotOnScreen("is ✗")
}
