package kit

import (
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"
)

// Box is style.Width(w).Height(h).Render(strings.Join(lines, "\n")) for a
// pane style (a border on every side, padding left and right, colours)
// and lines that fit inside it, built from the border's and the text's
// escape sequences (see Paint) rather than by lipgloss measuring, wrapping
// and aligning every line on every frame: the detail pane was a third of a
// keystroke's frame. Any other style, or lines that do not fit, go
// through Render.
func Box(style lipgloss.Style, w, h int, lines []string) string {
	if len(lines) == 0 {
		lines = []string{""} // as Render("") draws one empty line
	}
	b, ok := boxOf(style)
	inner := w - b.frameX
	// More lines than h-2 make the box taller, as lipgloss's Height does.
	fits := ok
	for i := 0; fits && i < len(lines); i++ {
		fits = Width(lines[i]) <= inner
	}
	if !fits {
		return style.Width(w).Height(h).Render(strings.Join(lines, "\n"))
	}
	var sb strings.Builder
	sb.Grow(h * (w + 40))
	span := strings.Repeat(b.edge.Top, w-2)
	sb.WriteString(b.border.open + b.edge.TopLeft + span + b.edge.TopRight + b.border.close)
	left := b.border.open + b.edge.Left + b.border.close + b.padLeft
	right := b.padRight + b.border.open + b.edge.Right + b.border.close
	for _, l := range lines {
		sb.WriteString("\n" + left + b.text.open + l + b.text.close)
		sb.WriteString(strings.Repeat(" ", inner-Width(l)) + right)
	}
	blank := "\n" + left + strings.Repeat(" ", inner) + right
	for range h - 2 - len(lines) {
		sb.WriteString(blank)
	}
	sb.WriteString("\n" + b.border.open + b.edge.BottomLeft + strings.Repeat(b.edge.Bottom, w-2) + b.edge.BottomRight + b.border.close)
	return sb.String()
}

// box is what a pane style draws around its lines.
type box struct {
	edge              lipgloss.Border
	border, text      ink
	padLeft, padRight string
	frameX            int // border and padding, left and right
}

// boxOf reads a pane style: ok false unless it has one border glyph set on
// every side in one colour, no vertical padding, no margins, no sizes, and
// text that Paint can colour.
func boxOf(s lipgloss.Style) (box, bool) {
	edge, top, right, bottom, left := s.GetBorder()
	pt, pr, pb, pl := s.GetPadding()
	mt, mr, mb, ml := s.GetMargin()
	fg := s.GetBorderTopForeground()
	if !top || !right || !bottom || !left || pt|pb|mt|mr|mb|ml != 0 ||
		len([]rune(edge.Top)) != 1 || len([]rune(edge.Bottom)) != 1 || Width(edge.Left) != 1 || Width(edge.Right) != 1 ||
		s.GetBorderRightForeground() != fg || s.GetBorderBottomForeground() != fg || s.GetBorderLeftForeground() != fg ||
		!noColor(s.GetBorderTopBackground()) || !noColor(s.GetBackground()) {
		return box{}, false
	}
	// Both inks come from Paint's cache: a frame reads the pane's style
	// again, and rendering its markers each time would cost what Box saves.
	t, ok := inkFor(lipgloss.NewStyle().Foreground(s.GetForeground()).Bold(s.GetBold()).Faint(s.GetFaint()).Italic(s.GetItalic()))
	if !ok {
		return box{}, false
	}
	var border ink
	if !noColor(fg) {
		border, _ = inkFor(lipgloss.NewStyle().Foreground(fg))
	}
	return box{edge: edge, border: border, text: t, padLeft: strings.Repeat(" ", pl), padRight: strings.Repeat(" ", pr), frameX: 2 + pl + pr}, true
}

// noColor reports a colour that is not set.
func noColor(c color.Color) bool { return c == nil || c == lipgloss.NoColor{} }
