package kit

import (
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/stackview/stackview/internal/ui/theme"
)

// TestPaintIsRender: Paint writes what Render does, byte for byte, for every
// style of every theme and for styles it must leave to Render.
func TestPaintIsRender(t *testing.T) {
	var styles []lipgloss.Style
	for _, dark := range []bool{true, false} {
		for _, noColor := range []bool{true, false} {
			st := theme.New(dark, noColor, theme.DefaultPalette())
			styles = append(styles, st.Title, st.Subtle, st.Accent, st.OK, st.Warn, st.Fail, st.Active, st.Waiting,
				st.Badge, st.TabActive, st.Tab, st.ColumnHeader, st.Heading, st.Selected, st.Label, st.PaneBorder,
				st.StatusError, st.Status, st.HelpKey, st.HelpDesc)
		}
	}
	styles = append(styles, lipgloss.NewStyle(), lipgloss.NewStyle().Width(12), lipgloss.NewStyle().Padding(0, 2),
		lipgloss.NewStyle().Italic(true).Faint(true), lipgloss.NewStyle().SetString("› "),
		lipgloss.NewStyle().Transform(func(s string) string { return s + "!" }), lipgloss.NewStyle().Strikethrough(true),
		lipgloss.NewStyle().BorderLeft(true), lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, true, false),
		lipgloss.NewStyle().BorderStyle(lipgloss.RoundedBorder()), lipgloss.NewStyle().MarginLeft(1), lipgloss.NewStyle().MaxWidth(3))
	// A colour whose type cannot be a map key is left to Render, never a
	// panic in the middle of a frame.
	styles = append(styles, lipgloss.NewStyle().Foreground(sliceColor{1, 2, 3}))
	texts := []string{"", "x", "✓ FINISHED", "dev-payments-api  ", "  ├─ 日本語 unit", "two\nlines", "a\ttab", "\x1b[1mbold\x1b[m"}
	for i, s := range styles {
		for _, text := range texts {
			if got, want := Paint(s, text), s.Render(text); got != want {
				t.Errorf("style %d, %q: Paint wrote %q, Render %q", i, text, got, want)
			}
		}
	}
}

// sliceColor is a colour of a type that cannot be compared.
type sliceColor []uint8

func (c sliceColor) RGBA() (r, g, b, a uint32) {
	return uint32(c[0]) * 0x101, uint32(c[1]) * 0x101, uint32(c[2]) * 0x101, 0xffff
}
