package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// Render is the whole screen as a string, kept apart from View so tests
// can golden it.
func (m Model) Render() string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	if m.tooSmall() {
		return m.renderTooSmall()
	}
	body := m.renderBody()
	return strings.Join([]string{m.renderTitle(), m.renderTabs(), body, m.renderStatus(), m.renderHints()}, "\n")
}

func (m Model) renderTooSmall() string {
	msg := fmt.Sprintf("terminal too small (need %d×%d, have %d×%d)", minWidth, minHeight, m.width, m.height)
	lines := []string{fit(msg, m.width), fit("enlarge the window, or press q to quit", m.width)}
	return strings.Join(lines, "\n")
}

// renderTitle is the first header line: backend, badges, freshness.
func (m Model) renderTitle() string {
	st := m.styles
	left := st.Title.Render("stackview") + " " + st.Subtle.Render(m.info.Kind+" · "+m.info.Account)
	if m.info.Sandbox {
		left += " " + st.Badge.Render("[SANDBOX]")
	}
	if m.readOnly {
		left += " " + st.Badge.Render("[READ-ONLY]")
	}
	var right string
	switch {
	case m.loading && !m.loaded:
		right = st.Subtle.Render("loading…")
	case m.loaded:
		right = st.Subtle.Render("updated " + age(m.now().Sub(m.lastLoad)) + " ago")
		if m.loadErr != nil {
			right = st.StatusError.Render("✗ refresh failed") + " " + right
		}
	}
	return spread(left, right, m.width)
}

// spread puts left and right on one line of width cells, cutting left first.
func spread(left, right string, width int) string {
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return fit(left, max(0, width-lipgloss.Width(right)-1)) + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}

// renderTabs draws the environment tabs with attention counts. The active
// tab is bracketed so it stands out without colour.
func (m Model) renderTabs() string {
	st := m.styles
	var parts []string
	for i := range m.forest.Envs {
		t := &m.forest.Envs[i]
		attn := "…"
		if m.loaded && i < len(m.index.attention) {
			attn = m.index.attention[i]
		}
		label := fmt.Sprintf("%d %s %s", i+1, t.Env.Name, attn)
		if i == m.env {
			parts = append(parts, st.TabActive.Render("["+label+"]"))
		} else {
			parts = append(parts, st.Tab.Render(" "+label+" "))
		}
	}
	line := strings.Join(parts, " ")
	if n := len(m.forest.Unmapped); n > 0 {
		// Stacks no mapping rule places would otherwise vanish silently.
		line += st.Warn.Render(fmt.Sprintf("  · %d in no environment (check the mapping)", n))
	}
	return fit(line, m.width)
}

// attention counts stacks that need a person: waiting, failed, drifted.
func attention(stacks []*model.Stack) string {
	var waiting, failed, drifted int
	for _, s := range stacks {
		switch {
		case s.State.Waiting() || s.NeedsApproval || (s.LatestRun != nil && s.LatestRun.State.Waiting()):
			waiting++
		case s.State == model.StateFailed:
			failed++
		}
		if s.Drift.Drifted {
			drifted++
		}
	}
	var out []string
	if waiting > 0 {
		out = append(out, fmt.Sprintf("?%d", waiting))
	}
	if failed > 0 {
		out = append(out, fmt.Sprintf("✗%d", failed))
	}
	if drifted > 0 {
		out = append(out, fmt.Sprintf("⚠%d", drifted))
	}
	if len(out) == 0 {
		return "✓"
	}
	return strings.Join(out, " ")
}

func (m Model) renderBody() string {
	body := m.renderView()
	if m.dialog != nil {
		return overlay(body, m.dialog.view(m.styles, m.width, m.bodyHeight()), m.width, m.bodyHeight())
	}
	return body
}

func (m Model) renderView() string {
	h, w := m.bodyHeight(), m.width
	switch {
	case m.helpOpen:
		return m.renderHelp(w, h)
	case !m.loaded && m.loadErr != nil:
		return m.renderLoadError(w, h)
	case !m.loaded:
		return block([]string{"", "  loading stacks from " + m.info.Kind + "…"}, w, h)
	case m.view == viewPromote:
		return m.renderPromote(w, h)
	case m.view == viewModules:
		return m.renderModules(w, h)
	case m.view == viewRun:
		return m.renderRun(w, h)
	case m.view == viewHistory:
		return m.renderHistory(w, h)
	case m.drift.open:
		return m.renderDrift(w, h)
	case m.detailShownFull():
		return m.renderDetail(w, h)
	case m.showPane():
		tw := m.treeWidth()
		return lipgloss.JoinHorizontal(lipgloss.Top, m.renderTree(tw, h), " ", m.renderDetail(m.paneWidth(), h))
	}
	return m.renderTree(w, h)
}

// renderLoadError is the first-load failure screen: what failed and what to
// do, with r and q still working.
func (m Model) renderLoadError(w, h int) string {
	st, g := m.styles, m.keys.Global
	indent := func(text string) []string {
		var out []string
		for _, l := range strings.Split(ansi.Wrap(text, max(20, w-4), ""), "\n") {
			out = append(out, "  "+l)
		}
		return out
	}
	lines := []string{"", st.StatusError.Render("  Could not load stacks from " + m.info.Kind + " (" + m.info.Endpoint + ")"), ""}
	lines = append(lines, indent(m.loadErr.Error())...)
	lines = append(lines, "")
	lines = append(lines, indent("What to do: "+backend.Hint(m.loadErr))...)
	lines = append(lines, "")
	lines = append(lines, indent(fmt.Sprintf("Press %s to retry now (stackview also retries every %s), %s to quit.",
		g.Refresh.Help().Key, m.interval, g.Quit.Help().Key))...)
	return block(lines, w, h)
}

// block fits lines into a w×h rectangle.
func block(lines []string, w, h int) string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return strings.Join(out, "\n")
}

// renderStatus is the line under the body: the input being typed, else the
// message or refresh error, with the row count on the right.
func (m Model) renderStatus() string {
	st := m.styles
	var left string
	switch {
	case m.mode == modeFilter:
		left = st.Accent.Render("/") + m.input + "█"
		if m.message != "" {
			left += "  " + st.StatusError.Render(m.message)
		}
	case m.mode == modeCommand:
		left = st.Accent.Render(":") + m.input + "█"
	case m.mode == modeSearch:
		left = st.Accent.Render("search log /") + m.input + "█"
	case m.message != "" && m.messageErr:
		left = st.StatusError.Render("✗ " + m.message)
	case m.message != "":
		left = st.Status.Render(m.message)
	case m.loadErr != nil && m.loaded:
		left = st.StatusError.Render("✗ refresh failed: "+m.loadErr.Error()) + st.Status.Render(" — "+backend.Hint(m.loadErr))
	case m.filter != "":
		left = st.Status.Render("filter: " + m.filter + "  (esc clears)")
	}
	right := ""
	if m.loaded {
		total := 0
		if m.env >= 0 && m.env < len(m.index.totals) {
			total = m.index.totals[m.env]
		}
		right = st.Status.Render(fmt.Sprintf("%d/%d stacks", m.stackRows, total))
		if len(m.marks) > 0 {
			right = st.Accent.Render(fmt.Sprintf("● %d marked ", len(m.marks))) + right
		}
		if len(m.watches) > 0 {
			right = st.Waiting.Render(fmt.Sprintf("⏰ %d watched ", len(m.watches))) + right
		}
		if m.loading {
			right = st.Status.Render("⟳ ") + right
		}
	}
	return spread(left, right, m.width)
}

// contextHelp is the key groups of the current view, for the hint line and
// the help screen.
func (m Model) contextHelp() [][]key.Binding {
	g, t, a := m.keys.Global, m.keys.Tree, m.keys.Actions
	actions := []key.Binding{a.Plan, a.Deploy, a.Confirm, a.Discard, a.Retry, a.Stop, a.Review, a.Lock, a.Sync,
		a.Latest, a.History, a.Open, a.CopyURL}
	switch {
	case m.dialog != nil:
		return [][]key.Binding{m.dialog.keys(m.keys.Dialog)}
	case m.mode != modeBrowse:
		in := m.keys.Input
		group := []key.Binding{in.Submit, in.Cancel, in.Erase, in.Clear}
		if m.mode == modeCommand {
			group = append(group, in.Complete)
		}
		return [][]key.Binding{group}
	case m.view == viewPromote:
		return m.promoteHelp()
	case m.view == viewModules:
		k := m.keys.Modules
		return [][]key.Binding{{k.Up, k.Down, k.Bump, g.ClearEsc}, {g.Refresh, g.Command, g.Help, g.Quit}}
	case m.view == viewRun:
		r := m.keys.Run
		return [][]key.Binding{
			{r.Up, r.Down, r.PageUp, r.PageDown, r.Top, r.Follow, m.searchKey(), r.Next, r.Wrap, r.Watch, g.ClearEsc},
			actions,
			{g.Refresh, g.Command, g.Help, g.Quit},
		}
	case m.view == viewHistory:
		h := m.keys.History
		return [][]key.Binding{
			{h.Up, h.Down, h.Open, h.Watch, g.ClearEsc},
			actions,
			{g.Refresh, g.Command, g.Help, g.Quit},
		}
	case m.drift.open:
		d := m.keys.Drift
		return [][]key.Binding{
			{d.Up, d.Down, d.Open, d.Check, m.reconcileKey(), a.Confirm, d.Ignore, g.ClearEsc},
			actions,
			{g.Refresh, g.Command, g.Help, g.Quit},
		}
	case m.detailShownFull():
		return [][]key.Binding{
			{m.keys.Detail.Close, g.ClearEsc, m.keys.Detail.ScrollUp, m.keys.Detail.ScrollDown},
			actions,
			{g.NextEnv, g.PrevEnv, g.JumpEnv, g.Refresh, g.Command, g.Help, g.Quit},
		}
	}
	return [][]key.Binding{
		{t.Up, t.Down, t.Top, t.Bottom, t.PageUp, t.PageDown, t.Detail, t.Mark, t.MarkAll, t.Watch, t.Inbox, t.Check},
		actions,
		{g.Filter, g.ClearEsc, g.Command, g.NextEnv, g.PrevEnv, g.JumpEnv},
		{g.Modules, g.Promote, g.Refresh, g.Help, g.Quit},
	}
}

// searchKey is the filter key as the run view uses it: to search the log.
func (m Model) searchKey() key.Binding {
	b := m.keys.Global.Filter
	b.SetHelp(b.Help().Key, "search the log")
	return b
}

// renderHints is the one-line key summary at the bottom.
func (m Model) renderHints() string {
	st := m.styles
	var short []key.Binding
	a := m.keys.Actions
	switch {
	case m.dialog != nil || m.mode != modeBrowse:
		short = m.contextHelp()[0]
	case m.view == viewPromote:
		short = m.promoteHelp()[0]
		short = append(short, m.keys.Global.ClearEsc, m.keys.Global.Help, m.keys.Global.Quit)
	case m.view == viewModules && !m.helpOpen:
		k := m.keys.Modules
		short = []key.Binding{m.keys.Global.ClearEsc, k.Down, k.Bump, m.keys.Global.Refresh, m.keys.Global.Help, m.keys.Global.Quit}
	case m.view == viewRun:
		r := m.keys.Run
		short = []key.Binding{m.keys.Global.ClearEsc, r.Follow, m.searchKey(), r.Wrap, a.Confirm, a.Discard, a.Deploy, m.keys.Global.Help, m.keys.Global.Quit}
	case m.view == viewHistory:
		h := m.keys.History
		short = []key.Binding{m.keys.Global.ClearEsc, h.Down, h.Open, a.Confirm, m.keys.Global.Help, m.keys.Global.Quit}
	case m.helpOpen:
		short = []key.Binding{m.keys.Global.Help, m.keys.Global.Quit}
	case m.drift.open:
		d, g := m.keys.Drift, m.keys.Global
		short = []key.Binding{d.Open, d.Check, m.reconcileKey(), a.Confirm, d.Ignore, g.ClearEsc, g.Help, g.Quit}
	case m.detailShownFull():
		short = []key.Binding{m.keys.Detail.Close, m.keys.Global.NextEnv, m.keys.Global.Help, m.keys.Global.Quit}
	default:
		g, t := m.keys.Global, m.keys.Tree
		short = []key.Binding{t.Down, t.Detail, a.Plan, a.Deploy, a.Latest, g.Filter, g.Command, g.NextEnv, g.Refresh, g.Help, g.Quit}
	}
	var parts []string
	for _, b := range short {
		if b.Enabled() {
			parts = append(parts, st.HelpKey.Render(b.Help().Key)+" "+st.HelpDesc.Render(shortDesc(b.Help().Desc)))
		}
	}
	// Hints drop from the middle so "? help" and "q quit", listed last,
	// always stay visible.
	for len(parts) > 2 && lipgloss.Width(strings.Join(parts, "  ")) > m.width {
		parts = append(parts[:len(parts)-3], parts[len(parts)-2:]...)
	}
	return fit(strings.Join(parts, "  "), m.width)
}

// shortDesc keeps the hint line short: "filter (/re: for regex)" -> "filter".
func shortDesc(d string) string {
	if i := strings.Index(d, " ("); i > 0 {
		return d[:i]
	}
	return d
}

// renderHelp lists every key of the current view and nothing else: groups
// one under another when they fit, side by side when they do not.
func (m Model) renderHelp(w, h int) string {
	st := m.styles
	view := "stack tree"
	switch {
	case m.view == viewModules:
		view = "modules view"
	case m.view == viewRun:
		view = "run view"
	case m.view == viewHistory:
		view = "run history"
	case m.view == viewPromote:
		view = "promotion screens"
	case m.drift.open:
		view = "drift inbox"
	case m.detailShownFull():
		view = "stack detail"
	}
	// Groups stack into columns of at most the rows available, then the
	// columns sit side by side, so every key shows on short terminals too.
	body := m.helpColumns(h, func(d string) string { return d })
	if lipgloss.Width(body) > w-2 {
		body = m.helpColumns(h, shortDesc)
	}
	lines := []string{st.Title.Render("  Keys for the " + view + " (? or esc closes)"), ""}
	for _, l := range strings.Split(body, "\n") {
		lines = append(lines, "  "+l)
	}
	return block(lines, w, h)
}

// helpColumns lays the key groups out in columns h-3 rows high.
func (m Model) helpColumns(h int, desc func(string) string) string {
	st := m.styles
	rows := max(1, h-3)
	var columns []string
	var col []string
	for _, group := range m.contextHelp() {
		var lines []string
		for _, b := range group {
			if b.Enabled() {
				lines = append(lines, st.HelpKey.Render(fit(b.Help().Key, 10))+" "+st.HelpDesc.Render(desc(b.Help().Desc)))
			}
		}
		if len(col) > 0 && len(col)+1+len(lines) > rows {
			columns = append(columns, strings.Join(col, "\n"))
			col = nil
		}
		if len(col) > 0 {
			col = append(col, "")
		}
		col = append(col, lines...)
	}
	columns = append(columns, strings.Join(col, "\n"))
	for i := 1; i < len(columns); i++ {
		columns[i] = lipgloss.NewStyle().PaddingLeft(4).Render(columns[i])
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, columns...)
}
