package ui

import (
	"regexp"
	"testing"
)

var dbl = regexp.MustCompile(`✗\s*✗`)

func TestZZGlyph(t *testing.T) {
	for _, s := range keyStates {
		for _, k := range allKeys() {
			d := s.start(t)
			d.press(k)
			for _, k2 := range []string{"", "enter", "y", "tab"} {
				if k2 != "" {
					d.press(k2)
				}
				if dbl.MatchString(d.screen()) {
					t.Errorf("%s %q %q:\n%s", s.name, k, k2, d.screen())
				}
			}
		}
	}
}
