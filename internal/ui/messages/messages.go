// Package messages is the recent messages in full, newest first (e, !,
// :messages): the status line holds one line, and an error cut there,
// or gone with the next key, is read here whole.
package messages

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// Model is the messages screen.
type Model struct {
	scroll int // first line shown
}

// Open shows the recent messages.
func Open() Model { return Model{} }

// Name implements screen.Named.
func (m Model) Name() string { return "the recent messages" }

// Title implements screen.Screen.
func (m Model) Title(*screen.Context) []string { return []string{"messages"} }

// Update implements screen.Screen.
func (m Model) Update(*screen.Context, tea.Msg) (screen.Screen, tea.Cmd) { return m, nil }

// lines are every message wrapped to w, newest first, each with its time.
func lines(c *screen.Context, w int) []string {
	st := c.Styles
	var out []string
	for i := len(c.Messages) - 1; i >= 0; i-- {
		msg := c.Messages[i]
		text := msg.Text
		style := st.Status
		switch {
		case msg.Err:
			text, style = "✗ "+text, st.StatusError
		case msg.Alert:
			style = st.Waiting
		}
		stamp := msg.At.Local().Format("15:04:05") + "  "
		wrapped := strings.Split(ansi.Wrap(text, max(10, w-len(stamp)), ""), "\n")
		for j, l := range wrapped {
			prefix := strings.Repeat(" ", len(stamp))
			if j == 0 {
				prefix = st.Subtle.Render(stamp)
			}
			out = append(out, prefix+style.Render(l))
		}
	}
	return out
}

func (m Model) maxScroll(c *screen.Context) int {
	return max(0, len(lines(c, c.Width))-(c.Height-screen.ChromeLines-1))
}

// Keys implements screen.Screen.
func (m Model) Keys(c *screen.Context) []screen.Group {
	scroll := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			m.scroll = max(0, min(m.scroll+by, m.maxScroll(c)))
			return m, nil
		}
	}
	return []screen.Group{{Title: "Messages", Actions: []screen.Action{
		{Key: keys.ScrollDown, Do: scroll(1), Off: screen.OffIf(m.scroll >= m.maxScroll(c), "nothing below")},
		{Key: keys.ScrollUp, Do: scroll(-1), Off: screen.OffIf(m.scroll == 0, "at the newest")},
		screen.Back(c, ""),
	}}}
}

// View implements screen.Screen.
func (m Model) View(c *screen.Context, w, h int) string {
	st := c.Styles
	all := lines(c, w)
	head := st.Title.Render("Recent messages, newest first") + st.Subtle.Render(" · errors stay here after the next key")
	if len(all) == 0 {
		return kit.Block([]string{head, "", st.Subtle.Render("  no messages yet")}, w, h)
	}
	top := min(m.scroll, max(0, len(all)-(h-1)))
	return kit.Block(append([]string{head}, all[top:min(len(all), top+h-1)]...), w, h)
}
