package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/tree"
)

// Screen geometry: everything is derived from the window size.
const minWidth, minHeight = 60, 16

func (m Model) tooSmall() bool { return m.width < minWidth || m.height < minHeight }

// bodyHeight is the space between header and footer.
func (m Model) bodyHeight() int { return max(0, m.height-screen.ChromeLines) }

// Render is the whole screen as a string, kept apart from View so tests
// can golden it: the header, the tabs (on the tree) or the breadcrumb, the
// top screen's body (a dialog over the screen under it), the status line
// and the footer.
func (m Model) Render() string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	if m.tooSmall() {
		msg := fmt.Sprintf("terminal too small (need %d×%d, have %d×%d)", minWidth, minHeight, m.width, m.height)
		return strings.Join([]string{kit.Fit(msg, m.width), kit.Fit("enlarge the window, or press q to quit", m.width)}, "\n")
	}
	body, left := m.body(), m.statusLeft()
	if above := m.messageAbove(); len(above) > 0 {
		// An error or alert too long for the status line is not cut: it
		// takes lines over the bottom of the body until the next key.
		lines := strings.Split(body, "\n")
		n := min(len(above)-1, len(lines))
		for i := range n {
			lines[len(lines)-n+i] = m.styledMessage(kit.Fit(above[i], m.width))
		}
		body, left = strings.Join(lines, "\n"), m.styledMessage(above[len(above)-1])
	}
	return strings.Join([]string{m.header(), m.where(), body, m.statusLine(left), m.footer()}, "\n")
}

// messageAbove is an error or alert that does not fit the status line,
// wrapped: its last line goes on the status line, the others over the
// bottom of the body, at most a third of it; what does not fit ends with
// the key that shows it whole. nil when the message fits or fades.
func (m Model) messageAbove() []string {
	if m.status.text == "" || m.status.kind == infoText || m.typing || !m.status.cut(m.width) {
		return nil
	}
	if _, typing := m.promptTyping(); typing {
		return nil
	}
	lines := strings.Split(ansi.Wrap(m.status.line(), max(20, m.width-14), ""), "\n")
	most := max(2, m.bodyHeight()/3+1)
	if len(lines) > most {
		lines = append(lines[:most-1], "… "+m.keys.Key(keys.Message)+" shows the whole message")
	}
	return lines
}

// styledMessage colours a line of the status message by its kind.
func (m Model) styledMessage(text string) string {
	switch {
	case m.status.err():
		return kit.Paint(m.styles.StatusError, text)
	case m.status.kind == alertText:
		return kit.Paint(m.styles.Waiting, text)
	}
	return kit.Paint(m.styles.Status, text)
}

// promptTyping is the top screen's line being typed, if it has one.
func (m Model) promptTyping() (string, bool) {
	if p, ok := m.top().(screen.Prompter); ok {
		return p.Prompt(m.context(len(m.stack) - 1))
	}
	return "", false
}

// body draws the top screen; an overlay (a dialog) draws over the screen
// under it.
func (m Model) body() string {
	w, h := m.width, m.bodyHeight()
	i := len(m.stack) - 1
	for i > 0 {
		if o, ok := m.stack[i].(screen.Overlay); !ok || !o.Overlay() {
			break
		}
		i--
	}
	out := m.stack[i].View(m.context(i), w, h)
	for j := i + 1; j < len(m.stack); j++ {
		out = kit.Overlay(out, m.stack[j].View(m.context(j), w, h), w, h)
	}
	return out
}

// header is the first line: at 80 columns it keeps, in order, the badges
// (SANDBOX, READ-ONLY), how many stacks need a person, the load progress,
// the data's age and the endpoint; what does not fit is cut from the end.
func (m Model) header() string {
	st := m.styles
	parts := []string{kit.Paint(st.Title, "stackview")}
	if m.info.Sandbox {
		parts = append(parts, kit.Paint(st.Badge, "[SANDBOX]"))
	}
	if m.ops.ReadOnly() {
		parts = append(parts, kit.Paint(st.Badge, "[READ-ONLY]"))
	}
	if a := m.data.Attention; a.Known {
		n := strconv.Itoa(a.N)
		if a.AtLeast {
			n += "+" // some stacks' runs are not read yet
		}
		parts = append(parts, kit.Paint(st.Waiting, "⚑ "+n+" need you"))
	}
	if p := m.data.Progress; p.Known {
		text, sep := "⟳ loading "+kit.Thousands(p.N), " / "
		if m.width < tree.WideWidth { // the endpoint keeps its place at 80 columns
			text, sep = "⟳ "+kit.Thousands(p.N), "/"
		}
		if p.Total > 0 { // Spacelift does not count its stacks
			text += sep + kit.Thousands(p.Total)
		}
		parts = append(parts, kit.Paint(st.Active, text))
	}
	switch {
	case m.data.Loading && !m.data.Loaded:
		parts = append(parts, kit.Paint(st.Subtle, "loading…"))
	case m.data.Loaded:
		age := kit.Paint(st.Subtle, "updated "+kit.Age(m.now().Sub(m.data.LastLoad))+" ago")
		if m.data.LoadErr != nil {
			age = kit.Paint(st.StatusError, "✗ refresh failed") + " " + age
		}
		parts = append(parts, age)
	}
	endpoint := strings.TrimPrefix(strings.TrimPrefix(m.info.Endpoint, "https://"), "http://")
	parts = append(parts, kit.Paint(st.Subtle, m.info.Kind+" · "+endpoint))
	return kit.Fit(strings.Join(parts, " "), m.width)
}

// where is the second line: the environment tabs on the tree, else the
// breadcrumb of the screens open.
func (m Model) where() string {
	var crumbs []string
	depth := 0
	for i, s := range m.stack {
		if o, ok := s.(screen.Overlay); ok && o.Overlay() {
			continue
		}
		depth++
		if i == 0 {
			continue // the tabs say the tree's place; screens of a stack name its environment
		}
		for _, part := range s.Title(m.context(i)) {
			if part != "" && !contains(crumbs, part) {
				crumbs = append(crumbs, part)
			}
		}
	}
	if depth == 1 {
		return m.tabs()
	}
	line := strings.Join(crumbs, " › ")
	if lipgloss.Width(line) > m.width {
		line = "…" + string([]rune(line)[len([]rune(line))-m.width+1:]) // the end says where you are
	}
	return kit.Fit(kit.Paint(m.styles.Accent, line), m.width)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tabs draws the environment tabs with attention counts. The active tab is
// bracketed so it stands out without colour.
func (m Model) tabs() string {
	st := m.styles
	var parts []string
	env := m.tree().Env()
	for i := range m.data.Forest.Envs {
		t := &m.data.Forest.Envs[i]
		attn := "…"
		if m.data.Loaded && i < len(m.data.Index.Attention) {
			attn = m.data.Index.Attention[i]
		}
		if attn == "✓" && m.data.Incomplete != "" {
			attn = "…" // stacks not listed yet may need a person
		}
		label := fmt.Sprintf("%d %s %s", i+1, t.Env.Name, attn)
		if i == env {
			parts = append(parts, kit.Paint(st.TabActive, "["+label+"]"))
		} else {
			parts = append(parts, kit.Paint(st.Tab, " "+label+" "))
		}
	}
	line := strings.Join(parts, " ")
	if n := len(m.data.Forest.Unmapped); n > 0 {
		// Stacks no mapping rule places would otherwise vanish silently.
		line += kit.Paint(st.Warn, fmt.Sprintf("  · %d in no environment (check the mapping)", n))
	}
	return kit.Fit(line, m.width)
}

// statusLeft is the left of the status line: the line being typed, else
// the message or the refresh error, else the top screen's note.
func (m Model) statusLeft() string {
	st := m.styles
	prompt, typing := m.promptTyping()
	switch {
	case m.typing:
		return kit.Paint(st.Accent, ":") + m.input.Value + "█"
	case typing:
		return prompt
	case m.status.text != "":
		return m.styledMessage(m.status.line())
	case m.data.LoadErr != nil && m.data.Loaded:
		hint := backend.Hint(m.data.LoadErr)
		if m.data.Loading { // a refresh is on its way: r would add nothing
			hint = backend.RetryingHint(m.data.LoadErr)
		}
		return kit.Paint(st.StatusError, "✗ refresh failed: "+m.data.LoadErr.Error()) + kit.Paint(st.Status, " — "+hint)
	}
	return prompt
}

// statusLine is the line under the body: left, with counts on the right.
func (m Model) statusLine(left string) string {
	st := m.styles
	right := ""
	if cn, ok := m.stack[0].(screen.Counter); ok {
		right = cn.Count(m.context(0))
	}
	if cn, ok := m.top().(screen.Counter); ok && len(m.stack) > 1 {
		if own := cn.Count(m.context(len(m.stack) - 1)); own != "" {
			right = own + " " + right
		}
	}
	if len(m.data.Watches) > 0 {
		right = kit.Paint(st.Waiting, fmt.Sprintf("⏰ %d watched ", len(m.data.Watches))) + right
	}
	if m.data.Loading && m.data.Loaded {
		right = kit.Paint(st.Status, "⟳ ") + right
	}
	return kit.Spread(left, right, m.width)
}

// footer is the top screen's first key group, only the keys that apply,
// then help and quit; keys drop from the middle so "? help" and "q quit",
// listed last, always stay visible.
func (m Model) footer() string {
	i := len(m.stack) - 1
	c := m.context(i)
	groups := m.top().Keys(c)
	var acts []screen.Action
	if m.typing {
		acts = []screen.Action{{Key: keys.InputSubmit}, {Key: keys.InputCancel}, {Key: keys.InputComplete}, {Key: keys.InputErase}, {Key: keys.InputClear}}
	} else if len(groups) > 0 {
		acts = groups[0].Actions
	}
	var tail []screen.Action // always shown: the message, help, quit
	if !m.typing && !isModal(m.top(), c) {
		if m.status.cut(m.width) {
			tail = append(tail, screen.Action{Key: keys.Message})
		}
		tail = append(tail, screen.Action{Key: keys.Help}, screen.Action{Key: keys.Quit})
	}
	own, fixed := m.hints(acts), m.hints(tail)
	// The screen's keys drop from their end so the fixed ones stay visible.
	for len(own) > 0 && lipgloss.Width(strings.Join(append(append([]string(nil), own...), fixed...), "  ")) > m.width {
		own = own[:len(own)-1]
	}
	return kit.Fit(strings.Join(append(own, fixed...), "  "), m.width)
}

// hints are the footer's words for the actions that apply.
func (m Model) hints(acts []screen.Action) []string {
	st := m.styles
	var parts []string
	for _, a := range acts {
		if a.Off != "" {
			continue
		}
		desc := a.Help
		if desc == "" {
			desc = m.keys.Desc(a.Key)
		}
		parts = append(parts, kit.Paint(st.HelpKey, m.keys.Key(a.Key))+" "+kit.Paint(st.HelpDesc, shortDesc(desc)))
	}
	return parts
}

// shortDesc keeps the footer short: "filter (/re: for regex)" -> "filter".
func shortDesc(d string) string {
	cut := len(d)
	for _, sep := range []string{" (", ": "} {
		if i := strings.Index(d, sep); i > 0 {
			cut = min(cut, i)
		}
	}
	return d[:cut]
}
