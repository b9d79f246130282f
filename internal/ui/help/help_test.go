package help

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// under is a screen whose key table is every binding: more keys than a
// small terminal shows at once.
type under struct{ screen.Screen }

func (under) Keys(*screen.Context) []screen.Group {
	var acts []screen.Action
	for id := range keys.Decls {
		acts = append(acts, screen.Action{Key: keys.ID(id)})
	}
	return []screen.Group{{Title: "All", Actions: acts}}
}

// TestHelpFitsAndScrollsToTheEnd: at 60×16 every line fits the width and
// scrolling reaches every key.
func TestHelpFitsAndScrollsToTheEnd(t *testing.T) {
	c, _ := uitest.Context(t, uitest.NewFake())
	c.Width, c.Height, c.Under = 60, 16, under{}
	h := New()
	seen := map[string]bool{}
	for range 1000 { // a bound: it stops at the end
		view := ansi.Strip(h.View(c, 60, 16-screen.ChromeLines))
		for _, l := range strings.Split(view, "\n") {
			if ansi.StringWidth(l) != 60 {
				t.Fatalf("line %q is %d cells wide", l, ansi.StringWidth(l))
			}
			seen[strings.TrimSpace(l)] = true
		}
		if !strings.Contains(view, "more (j/k") {
			break
		}
		a, ok := screen.Match(c.Keys, h.Keys(c), uitest.Press("j"))
		if !ok {
			t.Fatal("j does not scroll help")
		}
		next, _ := a.Do()
		h = next.(Model)
	}
	text := strings.Join(mapKeys(seen), "\n")
	for _, d := range keys.Decls {
		if !strings.Contains(text, strings.Fields(d.Desc)[0]) {
			t.Errorf("help never shows %s (%s)", d.Name, d.Desc)
		}
	}
}

func mapKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
