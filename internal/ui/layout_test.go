package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/ui/uitest"
)

// TestEveryScreenFillsTheTerminalExactly renders each screen at many sizes
// and checks the invariant that keeps the terminal from scrolling or
// wrapping: exactly height lines, each exactly width cells.
func TestEveryScreenFillsTheTerminalExactly(t *testing.T) {
	screens := map[string]func(*driver){
		"tree":         func(d *driver) {},
		"prod":         func(d *driver) { d.press("3", "j") },
		"detail":       func(d *driver) { d.press("3", "j", "enter") },
		"help":         func(d *driver) { d.press("?") },
		"filter-empty": func(d *driver) { d.typeText("/zzz") },
		"command":      func(d *driver) { d.typeText(":env pr") },
		"dialog":       func(d *driver) { d.press("j", "j", "c") },
		"protected":    func(d *driver) { d.press("3", "j", "j", "L") },
		"bulk-review":  func(d *driver) { d.press("3", "ctrl+a", "p") },
		"run":          func(d *driver) { d.press("l") },
		"history":      func(d *driver) { d.press("H") },
		"drift-inbox":  func(d *driver) { d.press("F") },
		"drift-detail": func(d *driver) { d.press("F", "enter") },
		"drift-ask":    func(d *driver) { d.press("F", "D") },
		"refresh-fail": func(d *driver) {
			d.fake.FailList(errors.New(strings.Repeat("boom ", 40)))
			d.press("r")
		},
	}
	for name, setup := range screens {
		for _, w := range []int{60, 61, 79, 80, 99, 100, 101, 133, 160, 200, 251} {
			for _, h := range []int{16, 17, 24, 48, 60} {
				t.Run(fmt.Sprintf("%s/%dx%d", name, w, h), func(t *testing.T) {
					fake := uitest.NewFake()
					fake.AddStacks("prod", 80)
					d := newDriverWith(t, fake, w, h)
					setup(d)
					lines := strings.Split(d.m().Render(), "\n")
					if len(lines) != h {
						t.Fatalf("%d lines, want %d:\n%s", len(lines), h, d.screen())
					}
					for i, l := range lines {
						if got := ansi.StringWidth(l); got != w {
							t.Fatalf("line %d is %d cells, want %d:\n%q\n%s", i, got, w, ansi.Strip(l), d.screen())
						}
					}
				})
			}
		}
	}
}
