package ui

import (
	"testing"
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
