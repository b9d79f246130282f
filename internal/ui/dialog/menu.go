package dialog

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// MenuItem is one choice: what it is and the text it carries.
type MenuItem struct {
	Label, Text string
}

// Menu is a box of choices (the copy menu): ↑/↓ and enter, or a choice's
// number; esc closes it. Picking closes it and hands the choice on.
type Menu struct {
	title  string
	items  []MenuItem
	cursor int
	onPick func(MenuItem) tea.Msg
}

// NewMenu builds a menu; items without text are left out.
func NewMenu(title string, items []MenuItem, onPick func(MenuItem) tea.Msg) Menu {
	var kept []MenuItem
	for _, it := range items {
		if it.Text != "" {
			kept = append(kept, it)
		}
	}
	return Menu{title: title, items: kept, onPick: onPick}
}

// Modal implements screen.Modal; Overlay screen.Overlay.
func (m Menu) Modal(*screen.Context) bool { return true }
func (m Menu) Overlay() bool              { return true }

// Title implements screen.Screen.
func (m Menu) Title(*screen.Context) []string { return nil }

// Name implements screen.Named.
func (m Menu) Name() string { return "a menu" }

// Update implements screen.Screen: a choice's number picks it.
func (m Menu) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && c.Keys.Is(k, keys.MenuPick) {
		if n, err := strconv.Atoi(k.String()); err == nil && n >= 1 && n <= len(m.items) {
			return m.pick(c, n-1)
		}
	}
	return m, nil
}

// Keys implements screen.Screen.
func (m Menu) Keys(c *screen.Context) []screen.Group {
	move := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			if len(m.items) > 0 {
				m.cursor = (m.cursor + by + len(m.items)) % len(m.items)
			}
			return m, nil
		}
	}
	return []screen.Group{{Title: "Menu", Actions: []screen.Action{
		{Key: keys.MenuDown, Do: move(1), Off: screen.OffIf(len(m.items) < 2, "one choice")},
		{Key: keys.MenuUp, Do: move(-1), Off: screen.OffIf(len(m.items) < 2, "one choice")},
		{Key: keys.DialogPress, Help: "pick", Do: func() (screen.Screen, tea.Cmd) { return m.pick(c, m.cursor) }},
		{Key: keys.MenuPick}, // Update reads which number
		{Key: keys.DialogCancel, Help: "close", Do: func() (screen.Screen, tea.Cmd) { return m, c.Ask(screen.Pop{}) }},
	}}}
}

func (m Menu) pick(c *screen.Context, i int) (screen.Screen, tea.Cmd) {
	if i < 0 || i >= len(m.items) {
		return m, c.Ask(screen.Pop{})
	}
	var then tea.Msg
	if m.onPick != nil {
		then = m.onPick(m.items[i])
	}
	return m, c.Ask(screen.Pop{Then: then})
}

// View implements screen.Screen.
func (m Menu) View(c *screen.Context, w, _ int) string {
	st := c.Styles
	inner := min(w-4, 76)
	lines := []string{st.Title.Render(m.title), ""}
	for i, it := range m.items {
		// The cursor is marked, not only coloured: without colour it
		// would not show.
		mark := "  "
		if i == m.cursor {
			mark = "▸ "
		}
		line := kit.Fit(mark+strconv.Itoa(i+1)+"  "+kit.Fit(it.Label, 10)+" "+it.Text, inner)
		if i == m.cursor {
			line = st.Selected.Render(line)
		}
		lines = append(lines, line)
	}
	if len(m.items) == 0 {
		lines = append(lines, st.Subtle.Render("nothing to copy"))
	}
	pick := "1"
	if len(m.items) > 1 {
		pick += "-" + strconv.Itoa(len(m.items))
	}
	lines = append(lines, "", st.Subtle.Render(pick+" or enter copies · esc closes"))
	return st.PaneBorder.Width(inner + st.PaneBorder.GetHorizontalFrameSize()).Render(strings.Join(lines, "\n"))
}
