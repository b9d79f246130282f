package kit

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/stackview/stackview/internal/ui/theme"
)

// TestBoxIsRender: Box draws what lipgloss does, byte for byte, for the
// pane style of every theme at several sizes and contents, and leaves to
// lipgloss what does not fit.
func TestBoxIsRender(t *testing.T) {
	var styles []lipgloss.Style
	for _, dark := range []bool{true, false} {
		for _, plain := range []bool{true, false} {
			pane := theme.New(dark, plain, theme.DefaultPalette()).PaneBorder
			if _, ok := boxOf(pane); !ok {
				t.Fatalf("the pane style of theme dark=%v noColor=%v is left to lipgloss", dark, plain)
			}
			styles = append(styles, pane)
		}
	}
	st := theme.New(true, false, theme.DefaultPalette())
	styles = append(styles, lipgloss.NewStyle().Border(lipgloss.NormalBorder()), lipgloss.NewStyle().Padding(1, 2).Border(lipgloss.RoundedBorder()))
	contents := [][]string{nil, {""}, {"x"}, {"", "x", ""}, {st.Label.Render("State") + "  " + st.OK.Render("✓ FINISHED"), "plain 日本語", "  ↳ waits"},
		{"exactly sixteen."}, {"a line too wide for the pane, which lipgloss wraps"}, strings.Split(strings.Repeat("line\n", 12), "\n")}
	for i, s := range styles {
		for _, size := range [][2]int{{20, 6}, {22, 12}, {6, 3}} {
			for j, lines := range contents {
				got := Box(s, size[0], size[1], lines)
				want := s.Width(size[0]).Height(size[1]).Render(strings.Join(lines, "\n"))
				if got != want {
					t.Errorf("style %d, %dx%d, content %d:\nBox    %q\nRender %q", i, size[0], size[1], j, got, want)
				}
			}
		}
	}
}
