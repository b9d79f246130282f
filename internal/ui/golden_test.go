package ui

import (
	"errors"
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/stackview/stackview/internal/ui/uitest"
)

// TestGolden pins the rendered content (ANSI stripped) of the main screens
// at 80×24 and 160×48. Regenerate with: go test ./internal/ui/... -update
func TestGolden(t *testing.T) {
	screens := []struct {
		name  string
		setup func(*uitest.Fake)
		keys  []string
		typed string
	}{
		{name: "tree"},
		{name: "prod-drifted-selected", keys: []string{"3", "j"}},
		{name: "detail", keys: []string{"3", "j", "j", "j", "enter"}},
		{name: "filter", typed: "/pay"},
		{name: "help", keys: []string{"?"}},
		{name: "load-error", setup: func(f *uitest.Fake) { f.FailList(errors.New("dial tcp 10.0.0.1:443: i/o timeout")) }},
	}
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for _, sc := range screens {
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], sc.name), func(t *testing.T) {
				fake := uitest.NewFake()
				if sc.setup != nil {
					sc.setup(fake)
				}
				d := newDriverWith(t, fake, size[0], size[1], func(o *testOptions) { o.ReadOnly = true })
				d.press(sc.keys...)
				d.typeText(sc.typed)
				golden.RequireEqual(t, d.screen())
			})
		}
	}
}
