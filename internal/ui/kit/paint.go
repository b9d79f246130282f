package kit

import (
	"image/color"
	"reflect"
	"strings"
	"sync"

	"charm.land/lipgloss/v2"
)

// Paint is style.Render(text) for a style that only colours (foreground,
// background, bold, faint, italic, reverse, blink) and one line of text,
// from the style's escape sequences rendered once: lipgloss lays every
// string it renders out as a block (lines measured by grapheme, margins,
// borders), and a frame paints hundreds of cells, a third of a keystroke's
// time at 10,000 stacks. Any other style or text goes through Render.
func Paint(style lipgloss.Style, text string) string {
	in, ok := inkFor(style)
	if !ok || strings.ContainsAny(text, "\n\r\t") {
		return style.Render(text)
	}
	return in.open + text + in.close
}

// inkFor is the escapes of a style that only colours, rendered once per
// colouring and kept; ok false for any other style.
func inkFor(style lipgloss.Style) (ink, bool) {
	key, ok := inkKey(style)
	if !ok {
		return ink{}, false
	}
	inksMu.Lock()
	in, found := inks[key]
	inksMu.Unlock()
	if found {
		return in, true
	}
	if in, ok = inkOf(style); ok {
		inksMu.Lock()
		inks[key] = in
		inksMu.Unlock()
	}
	return in, ok
}

// ink is what a colouring style writes before and after its text.
type ink struct{ open, close string }

// inkStyle is what a colouring style is made of: styles alike paint alike.
type inkStyle struct {
	fg, bg                              color.Color
	bold, faint, italic, reverse, blink bool
}

var (
	inksMu sync.Mutex
	inks   = map[inkStyle]ink{}
)

// inkKey is the style's colouring when colouring is all it does; ok false
// for a style with layout (sizes, padding, margins, borders), a transform,
// a prefix, a link, or lines under or through its text (lipgloss draws
// those around the spaces apart), and for colours that cannot be a key.
func inkKey(s lipgloss.Style) (inkStyle, bool) {
	// Each getter reads one property (GetFrameSize measures the border's
	// glyphs, and cost more than the Render it saves).
	pt, pr, pb, pl := s.GetPadding()
	mt, mr, mb, ml := s.GetMargin()
	if pt|pr|pb|pl|mt|mr|mb|ml != 0 || s.GetBorderStyle() != (lipgloss.Border{}) ||
		s.GetBorderTop() || s.GetBorderRight() || s.GetBorderBottom() || s.GetBorderLeft() ||
		s.GetWidth() != 0 || s.GetHeight() != 0 || s.GetMaxWidth() != 0 || s.GetMaxHeight() != 0 ||
		s.GetTransform() != nil || s.Value() != "" || s.GetUnderline() || s.GetStrikethrough() {
		return inkStyle{}, false
	}
	if link, _ := s.GetHyperlink(); link != "" {
		return inkStyle{}, false
	}
	k := inkStyle{fg: s.GetForeground(), bg: s.GetBackground(), bold: s.GetBold(), faint: s.GetFaint(),
		italic: s.GetItalic(), reverse: s.GetReverse(), blink: s.GetBlink()}
	for _, c := range []color.Color{k.fg, k.bg} {
		if c != nil && !reflect.TypeOf(c).Comparable() {
			return inkStyle{}, false
		}
	}
	return k, true
}

// inkOf renders a marker in the style and keeps what surrounds it.
func inkOf(s lipgloss.Style) (ink, bool) {
	const marker = "x"
	open, close, ok := strings.Cut(s.Render(marker), marker)
	return ink{open, close}, ok
}
