// Package help is the help screen: every key of the screen under it, its
// own and the global ones, grouped as that screen's key table groups them,
// in as many columns as fit and scrolled when they do not, so every key can
// be read at 60×16 too.
package help

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// keyWidth is the key column.
const keyWidth = 10

// Model is the help screen.
type Model struct {
	scroll int
}

// New opens help.
func New() Model { return Model{} }

// Modal implements screen.Modal: help has its own keys only.
func (m Model) Modal(*screen.Context) bool { return true }

// Title implements screen.Screen.
func (m Model) Title(*screen.Context) []string { return []string{"help"} }

// Keys implements screen.Screen.
func (m Model) Keys(c *screen.Context) []screen.Group {
	page := max(1, c.Height-8)
	scroll := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			m.scroll = max(0, min(m.scroll+by, m.maxScroll(c)))
			return m, nil
		}
	}
	close := func() (screen.Screen, tea.Cmd) { return m, c.Ask(screen.Pop{}) }
	more := ""
	if m.maxScroll(c) == 0 {
		more = "every key is shown"
	}
	down := screen.Action{Key: keys.HelpDown, Do: scroll(1), Off: more}
	if m.scroll >= m.maxScroll(c) {
		down.Off = "at the end"
	}
	return []screen.Group{
		{Title: "Help", Actions: []screen.Action{
			{Key: keys.Back, Help: "close help", Do: close},
			{Key: keys.Quit, Do: func() (screen.Screen, tea.Cmd) { return m, c.Ask(screen.Quit{}) }},
			down,
			{Key: keys.HelpPageDown, Do: scroll(page), Off: down.Off},
			{Key: keys.HelpUp, Do: scroll(-1), Off: screen.OffIf(m.scroll == 0, "at the top")},
			{Key: keys.HelpPageUp, Do: scroll(-page), Off: screen.OffIf(m.scroll == 0, "at the top")},
		}},
		{Title: "", Actions: []screen.Action{{Key: keys.Help, Help: "close help", Do: close}}},
	}
}

// Update implements screen.Screen.
func (m Model) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	if _, ok := msg.(tea.WindowSizeMsg); ok {
		m.scroll = min(m.scroll, m.maxScroll(c))
	}
	return m, nil
}

// groups are the keys help lists: the screen's, then the global ones it
// does not declare itself.
func groups(c *screen.Context) []screen.Group {
	if c.Under == nil {
		return nil
	}
	gs := c.Under.Keys(c)
	var global []screen.Action
	for _, a := range c.Global.Actions {
		if !screen.Has(gs, a.Key) {
			global = append(global, a)
		}
	}
	if len(global) > 0 {
		gs = append(gs, screen.Group{Title: c.Global.Title, Actions: global})
	}
	return gs
}

// name is what the screen under help is, for the title.
func name(c *screen.Context) string {
	if n, ok := c.Under.(screen.Named); ok {
		return n.Name()
	}
	return "this screen"
}

// minColumn is the narrowest column help lays keys out in.
const minColumn = 34

// lines lays the groups out in as few columns of the width as show every
// key without scrolling, else in one column that scrolls, as rows.
func (m Model) lines(c *screen.Context, w int) []string {
	st := c.Styles
	var blocks [][]string
	for _, g := range groups(c) {
		var b []string
		if g.Title != "" {
			b = append(b, st.Heading.Render(g.Title))
		}
		for _, a := range g.Actions {
			desc := a.Help
			if desc == "" {
				desc = c.Keys.Desc(a.Key)
			}
			line := st.HelpKey.Render(kit.Fit(c.Keys.Key(a.Key), keyWidth)) + " " + st.HelpDesc.Render(desc)
			if a.Off != "" {
				// Dimmed, with why it does nothing now.
				line = st.Subtle.Render(kit.Fit(c.Keys.Key(a.Key), keyWidth) + " " + desc + " — " + a.Off)
			}
			b = append(b, line)
		}
		blocks = append(blocks, b)
	}
	room := max(1, c.Height-screen.ChromeLines-3)
	for cols := 1; cols == 1 || (w-4*(cols-1))/cols >= minColumn; cols++ {
		if rows := layout(blocks, cols, (w-4*(cols-1))/cols, room); len(rows) <= room {
			return rows
		}
	}
	// Too many keys for the screen: one column, read top to bottom, scrolled.
	return layout(blocks, 1, w, room)
}

// layout flows the blocks' lines into cols columns of colW cells, as high
// as room when that holds them all; a group's title never ends a column.
func layout(blocks [][]string, cols, colW, room int) []string {
	var all []string
	for _, b := range blocks {
		if len(all) > 0 {
			all = append(all, "")
		}
		all = append(all, kit.WrapLines(b, colW)...)
	}
	height := max(room, (len(all)+cols-1)/cols)
	var columns [][]string
	for len(all) > 0 && len(columns) < cols {
		n := min(height, len(all))
		if len(columns) < cols-1 && n < len(all) && n > 1 && all[n-1] != "" && (n == len(all) || all[n-2] == "") {
			n-- // keep a title with its first key
		}
		col := all[:n]
		all = all[n:]
		for len(all) > 0 && all[0] == "" {
			all = all[1:]
		}
		columns = append(columns, col)
	}
	if len(all) > 0 { // more than fits: the last column takes the rest, and help scrolls
		columns[len(columns)-1] = append(columns[len(columns)-1], all...)
	}
	tall := 0
	for _, c := range columns {
		tall = max(tall, len(c))
	}
	rows := make([]string, tall)
	for i := range rows {
		var parts []string
		for _, c := range columns {
			cell := ""
			if i < len(c) {
				cell = c[i]
			}
			parts = append(parts, kit.Fit(cell, colW))
		}
		rows[i] = strings.Join(parts, "    ")
	}
	return rows
}

// rows is how many help rows fit under the title and above the scroll note.
func rows(c *screen.Context, h int) int { return max(1, h-3) }

func (m Model) maxScroll(c *screen.Context) int {
	w, h := c.Width-2, c.Height-screen.ChromeLines
	return max(0, len(m.lines(c, w))-rows(c, h))
}

// View implements screen.Screen.
func (m Model) View(c *screen.Context, w, h int) string {
	st := c.Styles
	all := m.lines(c, w-2)
	n := rows(c, h)
	scroll := min(m.scroll, max(0, len(all)-n))
	end := min(len(all), scroll+n)
	out := []string{st.Title.Render("  Keys for " + name(c) + " (? or esc closes)"), ""}
	for _, l := range all[scroll:end] {
		out = append(out, "  "+l)
	}
	switch {
	case end < len(all):
		out = append(out, st.Subtle.Render(fmt.Sprintf("  ↓ %d more (j/k, pgup/pgdn scroll)", len(all)-end)))
	case scroll > 0:
		out = append(out, st.Subtle.Render(fmt.Sprintf("  ↑ %d above (k scrolls up)", scroll)))
	}
	return kit.Block(out, w, h)
}
