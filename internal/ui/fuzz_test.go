package ui

import (
	"strings"
	"testing"
)

// FuzzFilterAndCommand types arbitrary text as a "/" filter and as a ":"
// command line: the UI must answer (a result or an error message) and keep
// rendering, never panic, and a rejected filter keeps the tree usable.
func FuzzFilterAndCommand(f *testing.F) {
	for _, s := range []string{"api", "re:^prod-", "re:(", "re:[a-", "env prod", "stack prod-identity",
		"freeze qa release", "unfreeze", "stack", "help", "env", "  ", "re:\\", "ünïcödé"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f { // control keys are key presses of their own, not typed text
				return -1
			}
			return r
		}, s)
		if strings.HasPrefix(s, "q") || strings.HasPrefix(strings.TrimSpace(s), "q") {
			s = "x" + s // ":q" ends the program, which is not under test here
		}
		d := newDriver(t, 100, 30)
		d.typeText("/" + s)
		d.press("enter")
		_ = d.screen()
		d.press("esc", "j", "k")
		d.typeText(":" + s)
		d.press("enter")
		if d.Quit {
			t.Fatalf("%q quit", s)
		}
		_ = d.screen()
		d.press("esc", "esc")
		_ = d.screen()
	})
}
