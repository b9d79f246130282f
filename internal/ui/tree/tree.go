// Package tree is the root screen: the environment's stack tree (business
// units under the environment stack, the administrative section), the
// filter, marks for bulk actions, and the selected stack's detail beside
// it on wide terminals.
package tree

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/stackfilter"
	"github.com/stackview/stackview/internal/ui/act"
	"github.com/stackview/stackview/internal/ui/bulkview"
	"github.com/stackview/stackview/internal/ui/detail"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// WideWidth is where the detail pane starts to sit right of the tree.
const WideWidth = 100

// Model is the tree screen.
type Model struct {
	env        int
	rows       []row
	stackRows  int // how many stacks match the filter (shown, or in a collapsed unit)
	cursor     int
	offset     int
	selectedID string
	// selectedUnit is the business unit of the row under the cursor (its
	// heading, or a stack of it): z collapses or expands it.
	selectedUnit string

	order     stackfilter.Order // :sort, within each group
	collapsed map[string]bool   // "env/unit" of the collapsed business units

	filter    string // the applied filter as typed, "re:" prefix included
	typing    bool   // editing the filter after "/"
	input     kit.Input
	oldFilter string // restored when a filter edit is cancelled
	inputErr  string // a half-typed expression that does not compile

	paneHidden bool // wide layout: the detail pane was closed with enter
	pane       detail.Pane
	marks      map[string]bool

	width, height int // the body, from the last View or resize
}

// New is the tree of the first environment.
func New() Model { return Model{cursor: -1} }

// Name implements screen.Named.
func (m Model) Name() string { return "the stack tree" }

// Title implements screen.Screen: the environment shown.
func (m Model) Title(c *screen.Context) []string {
	if e := c.Data.Env(m.env); e != nil {
		return []string{e.Env.Name}
	}
	return nil
}

// Env is the index of the environment shown.
func (m Model) Env() int { return m.env }

// Selected is the id of the selected stack, "" when none.
func (m Model) Selected() string { return m.selectedID }

// Filter is the filter applied.
func (m Model) Filter() string { return m.filter }

// Rows is how many rows the environment and filter give.
func (m Model) Rows() int { return len(m.rows) }

// Offset is the first row shown.
func (m Model) Offset() int { return m.offset }

// OnScreen is the ids of the stacks whose rows are on screen, the
// selection first: what to read details of first.
func (m Model) OnScreen(c *screen.Context) []string {
	var ids []string
	if m.selectedID != "" {
		ids = append(ids, m.selectedID)
	}
	end := min(len(m.rows), m.offset+max(0, treeRows(c)))
	for i := m.offset; i < end; i++ {
		if r := m.rows[i]; r.stack != nil && r.stack.ID != m.selectedID {
			ids = append(ids, r.stack.ID)
		}
	}
	return ids
}

// Marks are the marked stacks' ids.
func (m Model) Marks() map[string]bool { return m.marks }

func (m Model) wide(c *screen.Context) bool { return c.Width >= WideWidth }

// bodyHeight is the space between header and footer.
func bodyHeight(c *screen.Context) int { return max(0, c.Height-screen.ChromeLines) }

// treeRows is how many tree rows fit under the column header.
func treeRows(c *screen.Context) int { return bodyHeight(c) - 1 }

// paneWidth is the detail pane's width in the wide layout.
func paneWidth(c *screen.Context) int { return min(max(c.Width/3, 40), 64) }

func (m Model) showPane(c *screen.Context) bool {
	return m.wide(c) && !m.paneHidden && m.selectedID != ""
}

func (m Model) selected(c *screen.Context) *model.Stack {
	if m.selectedID == "" {
		return nil
	}
	return c.Data.Forest.Stack(m.selectedID)
}

// Update implements screen.Screen.
func (m Model) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.typing {
			in, ok := m.input.Key(c.Keys, msg)
			if ok {
				m.input = in
				return m.liveFilter(c), nil
			}
			return m, nil
		}
		if c.Data.Loaded && c.Keys.Is(msg, keys.JumpEnv) {
			for i, k := range c.Keys.Get(keys.JumpEnv).Keys() {
				if k == msg.String() && i < len(c.Envs) {
					return m.SwitchEnv(c, i)
				}
			}
		}
	case tea.PasteMsg:
		if m.typing {
			m.input = m.input.Paste(msg.Content)
			return m.liveFilter(c), nil
		}
	case tea.WindowSizeMsg:
		m.clampScroll(c)
	case screen.Loaded:
		m.rebuildRows(c)
		// A step of a load in progress reads the selection's runs only if
		// it moved; the load's end reads them again.
		return m.showSelected(c, !msg.Partial)
	case screen.Outcome:
		m.rebuildRows(c) // an ignore rule changes the markers at once
		return m.showSelected(c, true)
	case screen.Settled:
		return m.showSelected(c, false) // the runs of the stack the keys stopped on
	case detail.RunsMsg:
		m.pane = m.pane.Update(msg)
	}
	return m, nil
}

// showSelected points the pane at the selection, loading its runs.
func (m Model) showSelected(c *screen.Context, force bool) (screen.Screen, tea.Cmd) {
	var cmd tea.Cmd
	m.pane, cmd = m.pane.Show(c, m.selectedID, force)
	return m, cmd
}

// Prompt implements screen.Prompter: the filter being typed, else the
// filter applied.
func (m Model) Prompt(c *screen.Context) (string, bool) {
	if !m.typing {
		if m.filter != "" {
			return c.Styles.Status.Render("filter: " + m.filter + "  (esc clears)"), false
		}
		return "", false
	}
	line := c.Styles.Accent.Render("/") + m.input.Value + "█"
	if m.inputErr != "" {
		line += "  " + c.Styles.StatusError.Render(m.inputErr)
	}
	return line, true
}

// Modal implements screen.Modal: while typing, keys are text.
func (m Model) Modal(*screen.Context) bool { return m.typing }

// TypingText implements screen.TextEntry.
func (m Model) TypingText(*screen.Context) bool { return m.typing }

// Count implements screen.Counter.
func (m Model) Count(c *screen.Context) string {
	if !c.Data.Loaded {
		return ""
	}
	total := 0
	if m.env >= 0 && m.env < len(c.Data.Index.Totals) {
		total = c.Data.Index.Totals[m.env]
	}
	out := c.Styles.Status.Render(fmt.Sprintf("%d/%d stacks", m.stackRows, total))
	if len(m.marks) > 0 {
		out = c.Styles.Accent.Render(fmt.Sprintf("● %d marked ", len(m.marks))) + out
	}
	return out
}

// Keys implements screen.Screen.
func (m Model) Keys(c *screen.Context) []screen.Group {
	if m.typing {
		return []screen.Group{{Title: "Filter", Actions: []screen.Action{
			{Key: keys.InputSubmit, Do: func() (screen.Screen, tea.Cmd) { return m.submitFilter(c) }},
			{Key: keys.InputCancel, Do: func() (screen.Screen, tea.Cmd) { return m.cancelFilter(c) }},
			{Key: keys.InputErase},
			{Key: keys.InputClear},
		}}}
	}
	if !c.Data.Loaded {
		return []screen.Group{{Title: "Tree", Actions: []screen.Action{m.back(c)}}}
	}
	page := max(1, treeRows(c)-1)
	move := func(f func(*Model)) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			f(&m)
			return m.showSelected(c, false)
		}
	}
	var noStack string
	if m.selectedID == "" {
		noStack = "no stack selected"
	}
	t := m.target(c)
	mutations := act.Actions(c, t, m, act.Mutating...)
	if len(m.marks) > 0 {
		for i, k := range act.Mutating {
			switch k {
			case act.Plan, act.Discard:
				mutations[i].Off, mutations[i].Help = "", k.String()+" the marked stacks"
				mutations[i].Do = func() (screen.Screen, tea.Cmd) { return m, m.proposeBulk(c, k) }
			case act.Confirm:
				// Confirming many runs compares their plans first: each
				// distinct plan is reviewed and confirmed on its own.
				mutations[i].Off, mutations[i].Help = "", "confirm the marked stacks, plan by plan"
				mutations[i].Do = func() (screen.Screen, tea.Cmd) {
					return m, bulkview.Propose(c, bulkview.Marked(c, act.ByName(m.markedStacks(c))))
				}
			}
		}
	}
	nav := act.Nav(c, t, m)
	first := []screen.Action{
		{Key: keys.Down, Do: move(func(m *Model) { m.move(c, 1) }), Off: screen.OffIf(m.atEnd(1), "at the bottom")},
		{Key: keys.Detail, Do: func() (screen.Screen, tea.Cmd) { return m.detail(c) }, Off: noStack},
	}
	first = append(first, mutations[0], mutations[1]) // plan, deploy
	first = append(first, nav[0])                     // latest run
	first = append(first, mutations[2:]...)
	first = append(first,
		screen.Action{Key: keys.Filter, Do: func() (screen.Screen, tea.Cmd) {
			m.typing, m.oldFilter, m.input, m.inputErr = true, m.filter, kit.Input{Value: m.filter}, ""
			return m, nil
		}},
		screen.Action{Key: keys.NextEnv, Do: func() (screen.Screen, tea.Cmd) { return m.SwitchEnv(c, m.env+1) }},
		m.back(c),
	)
	return []screen.Group{
		{Title: "Tree", Actions: first},
		{Title: "Move", Actions: []screen.Action{
			{Key: keys.Up, Do: move(func(m *Model) { m.move(c, -1) }), Off: screen.OffIf(m.atEnd(-1), "at the top")},
			{Key: keys.Top, Do: move(func(m *Model) { m.setCursor(c, m.nearestStackRow(0, 1)) })},
			{Key: keys.Bottom, Do: move(func(m *Model) { m.setCursor(c, m.nearestStackRow(len(m.rows)-1, -1)) })},
			{Key: keys.PageUp, Do: move(func(m *Model) { m.move(c, -page) })},
			{Key: keys.PageDown, Do: move(func(m *Model) { m.move(c, page) })},
			{Key: keys.PrevEnv, Do: func() (screen.Screen, tea.Cmd) { return m.SwitchEnv(c, m.env-1+len(c.Envs)) }},
			{Key: keys.JumpEnv}, // Update reads which of its keys was pressed
		}},
		{Title: "Stacks", Actions: append([]screen.Action{
			{Key: keys.Mark, Off: noStack, Do: func() (screen.Screen, tea.Cmd) { return m.toggleMark(c) }},
			{Key: keys.MarkAll, Do: func() (screen.Screen, tea.Cmd) { return m.markAll(c) }},
			{Key: keys.Watch, Off: noStack, Do: func() (screen.Screen, tea.Cmd) { return m, act.Watch(c, t) }},
			{Key: keys.Inbox, Do: func() (screen.Screen, tea.Cmd) {
				return m, c.Ask(screen.Navigate{To: screen.Target{Kind: screen.KindDriftInbox}})
			}},
			{Key: keys.CheckDrift, Off: noStack, Do: func() (screen.Screen, tea.Cmd) { return m, act.CheckDrift(c, m.selected(c)) }},
			{Key: keys.Fold, Help: "collapse / expand the business unit", Off: screen.OffIf(m.selectedUnit == "", "not in a business unit"),
				Do: func() (screen.Screen, tea.Cmd) { return m.toggleUnit(c) }},
		}, nav[1:]...)},
		filterHelp,
	}
}

// filterHelp documents the filter's terms and :sort in help.
var filterHelp = screen.Group{Title: "Filter terms (all must hold)", Actions: []screen.Action{
	{Key: keys.Filter, Help: "pay re:^prod- — name or unit: text, regex"},
	{Key: keys.Filter, Help: "state:failed,unconfirmed kind:plan — state, latest run"},
	{Key: keys.Filter, Help: "is:" + strings.Join(stackfilter.Flags, "|")},
	// Not keys.Command: a screen declaring a binding hides the global one.
	{Key: keys.Filter, Help: ":sort name|state|updated — order within groups"},
}}

// target is what the action keys act on: the selected stack.
func (m Model) target(c *screen.Context) act.Target {
	return act.Target{Stack: m.selected(c), Recent: m.pane.Runs()}
}

// back is esc on the root screen: clear the filter, else the marks, else
// the message.
func (m Model) back(c *screen.Context) screen.Action {
	help := "clear the filter, then the marks, then the message"
	off := screen.OffIf(m.filter == "" && len(m.marks) == 0 && c.Message == "", "nothing to clear")
	return screen.Action{Key: keys.Back, Help: help, Off: off, Do: func() (screen.Screen, tea.Cmd) {
		switch {
		case m.filter != "":
			m.filter = ""
			m.rebuildRows(c)
			return m.showSelected(c, false)
		case len(m.marks) > 0:
			m.marks = nil
			return m, c.Say("marks cleared")
		}
		return m, c.Ask(screen.Status{})
	}}
}

// detail opens the selected stack's detail: a pane that toggles on wide
// terminals, a screen of its own on narrow ones.
func (m Model) detail(c *screen.Context) (screen.Screen, tea.Cmd) {
	switch {
	case m.wide(c):
		m.paneHidden = !m.paneHidden
		return m, nil
	case m.selectedID == "":
		return m, nil
	}
	p := m.pane
	return m, c.Ask(screen.Push{Screen: detail.Open(p)})
}

// atEnd reports that moving by dir would not move the cursor.
func (m Model) atEnd(dir int) bool {
	if m.cursor < 0 {
		return len(m.rows) == 0
	}
	for j := m.cursor + dir; j >= 0 && j < len(m.rows); j += dir {
		if m.rows[j].selectable() {
			return false
		}
	}
	return true
}

// SwitchEnv selects environment i (wrapping). The filter stays.
func (m Model) SwitchEnv(c *screen.Context, i int) (screen.Screen, tea.Cmd) {
	if len(c.Envs) == 0 {
		return m, nil
	}
	i %= len(c.Envs)
	if i != m.env {
		m.env, m.cursor, m.offset, m.selectedID, m.selectedUnit = i, 0, 0, "", ""
		m.rebuildRows(c)
	}
	return m.showSelected(c, false)
}

// JumpTo selects a stack by name in whichever environment holds it: an
// exact name wins, else the only name containing arg.
func (m Model) JumpTo(c *screen.Context, arg string) (screen.Screen, tea.Cmd) {
	if arg == "" {
		return m, c.Fail("usage: :stack NAME")
	}
	var exact, partial []*model.Stack
	for i := range c.Data.Forest.Envs {
		for _, s := range c.Data.Forest.Envs[i].Stacks() {
			switch {
			case strings.EqualFold(s.Name, arg):
				exact = append(exact, s)
			case strings.Contains(strings.ToLower(s.Name), strings.ToLower(arg)):
				partial = append(partial, s)
			}
		}
	}
	found := exact
	if len(found) == 0 {
		found = partial
	}
	switch {
	case len(found) == 0:
		return m, c.Fail(fmt.Sprintf("no stack matches %q", arg))
	case len(found) > 1:
		names := make([]string, 0, len(found))
		for _, s := range act.ByName(found) {
			names = append(names, s.Name)
		}
		return m, c.Fail(fmt.Sprintf("%d stacks match %q: %s", len(found), arg, strings.Join(names, ", ")))
	}
	s := found[0]
	for i, e := range c.Envs {
		if e.Name == s.Env {
			m.env = i
		}
	}
	var say tea.Cmd
	if q, err := stackfilter.Parse(m.filter); err == nil && !q.Match(s) {
		m.filter = ""
		say = c.Say("filter cleared to show " + s.Name)
	}
	if key := m.unitKey(c, s.BusinessUnit); m.collapsed[key] {
		collapsed := maps.Clone(m.collapsed)
		delete(collapsed, key)
		m.collapsed = collapsed
	}
	m.selectedID, m.selectedUnit = s.ID, ""
	m.rebuildRows(c)
	next, load := m.showSelected(c, false)
	return next, tea.Batch(say, load)
}

// liveFilter filters as the user types. A half-typed regular expression
// that does not compile keeps the last good filter on screen.
func (m Model) liveFilter(c *screen.Context) Model {
	if _, err := stackfilter.Parse(m.input.Value); err != nil {
		m.inputErr = err.Error()
		return m
	}
	m.inputErr = ""
	m.filter = m.input.Value
	m.rebuildRows(c)
	return m
}

func (m Model) submitFilter(c *screen.Context) (screen.Screen, tea.Cmd) {
	m.typing = false
	if _, err := stackfilter.Parse(m.input.Value); err != nil {
		// The edit is rejected as a whole: the filter from before it stays.
		m.filter, m.inputErr = m.oldFilter, ""
		m.rebuildRows(c)
		next, cmd := m.showSelected(c, false)
		return next, tea.Batch(c.Fail(err.Error()), cmd)
	}
	return m.showSelected(c, false)
}

func (m Model) cancelFilter(c *screen.Context) (screen.Screen, tea.Cmd) {
	m.typing, m.inputErr = false, ""
	m.filter = m.oldFilter
	m.rebuildRows(c)
	return m.showSelected(c, false)
}

// toggleMark marks or unmarks the selected stack.
func (m Model) toggleMark(c *screen.Context) (screen.Screen, tea.Cmd) {
	if m.selectedID == "" {
		return m, nil
	}
	marks := maps.Clone(m.marks)
	if marks == nil {
		marks = map[string]bool{}
	}
	if marks[m.selectedID] {
		delete(marks, m.selectedID)
	} else {
		marks[m.selectedID] = true
	}
	m.marks = marks
	return m, c.Say(m.marksText(c))
}

// markAll marks every stack shown, or unmarks them when all already are.
func (m Model) markAll(c *screen.Context) (screen.Screen, tea.Cmd) {
	marks := maps.Clone(m.marks)
	if marks == nil {
		marks = map[string]bool{}
	}
	all := true
	for _, r := range m.rows {
		if r.kind == rowStack && !marks[r.stack.ID] {
			all = false
		}
	}
	for _, r := range m.rows {
		if r.kind == rowStack {
			if all {
				delete(marks, r.stack.ID)
			} else {
				marks[r.stack.ID] = true
			}
		}
	}
	m.marks = marks
	return m, c.Say(m.marksText(c))
}

func (m Model) marksText(c *screen.Context) string {
	if len(m.marks) == 0 {
		return "no stack marked"
	}
	return fmt.Sprintf("%d marked: %s plans, %s confirms (plan by plan), %s discards them (esc unmarks)",
		len(m.marks), c.Keys.Key(keys.Plan), c.Keys.Key(keys.Confirm), c.Keys.Key(keys.Discard))
}

// proposeBulk shows which marked stacks an action applies to and why the
// others are skipped, in the confirmation.
func (m Model) proposeBulk(c *screen.Context, k act.Kind) tea.Cmd {
	if err := c.Ops.Refuse(k.String()); err != nil {
		return c.Fail(err.Error())
	}
	return act.Many(c, k.String(), act.Stacks(act.ByName(m.markedStacks(c))), act.InFlightSkip(c, k))
}

// markedStacks are the marked stacks still listed.
func (m Model) markedStacks(c *screen.Context) []*model.Stack {
	var stacks []*model.Stack
	for id := range m.marks {
		if s := c.Data.Forest.Stack(id); s != nil {
			stacks = append(stacks, s)
		}
	}
	return stacks
}

// ClearMarks drops the marks once a bulk action was sent.
func (m Model) ClearMarks() Model {
	m.marks = nil
	return m
}

// rebuildRows recomputes the visible rows and puts the cursor back on the
// selected stack (by id) or unit heading, or as near its old position as
// the rows allow.
func (m *Model) rebuildRows(c *screen.Context) {
	q, err := stackfilter.Parse(m.filter)
	if err != nil {
		q = stackfilter.Query{}
	}
	m.rows = buildRows(c.Data.Env(m.env), layout{match: q.Match, order: m.order, collapsed: m.envCollapsed(c), attention: c.Data.AttentionOf})
	idx := -1
	m.stackRows = 0
	for i, r := range m.rows {
		switch {
		case r.kind == rowUnit && r.collapsed:
			m.stackRows += r.weight
		case r.kind == rowStack:
			m.stackRows++
		}
		if idx >= 0 {
			continue
		}
		if (r.kind == rowStack && r.stack.ID == m.selectedID && m.selectedID != "") ||
			(r.kind == rowUnit && m.selectedID == "" && r.unit != "" && r.unit == m.selectedUnit) {
			idx = i
		}
	}
	if idx < 0 && m.selectedID != "" {
		// The selected stack is in a collapsed unit: its heading.
		if s := c.Data.Forest.Stack(m.selectedID); s != nil {
			for i, r := range m.rows {
				if r.kind == rowUnit && r.collapsed && r.unit == s.BusinessUnit {
					idx = i
				}
			}
		}
	}
	if idx < 0 {
		idx = m.nearestStackRow(m.cursor, 1)
	}
	m.setCursor(c, idx)
}

// envCollapsed are the collapsed units of the environment shown, by name.
func (m Model) envCollapsed(c *screen.Context) map[string]bool {
	prefix := m.unitKey(c, "")
	out := map[string]bool{}
	for k := range m.collapsed {
		if unit, ok := strings.CutPrefix(k, prefix); ok {
			out[unit] = true
		}
	}
	return out
}

// unitKey names a business unit of the environment shown.
func (m Model) unitKey(c *screen.Context, unit string) string {
	env := ""
	if e := c.Data.Env(m.env); e != nil {
		env = e.Env.Name
	}
	return env + "/" + unit
}

// toggleUnit collapses the business unit under the cursor, or expands it.
func (m Model) toggleUnit(c *screen.Context) (screen.Screen, tea.Cmd) {
	if m.selectedUnit == "" {
		return m, c.Fail("not in a business unit: z collapses or expands the unit under the cursor")
	}
	key := m.unitKey(c, m.selectedUnit)
	collapsed := maps.Clone(m.collapsed)
	if collapsed == nil {
		collapsed = map[string]bool{}
	}
	if collapsed[key] {
		delete(collapsed, key)
	} else {
		collapsed[key] = true
		m.selectedID = "" // the cursor goes to the heading
	}
	m.collapsed = collapsed
	m.rebuildRows(c)
	return m.showSelected(c, false)
}

// Command implements screen.Commander: :sort name|state|updated orders
// the stacks within their groups.
func (m Model) Command(c *screen.Context, verb string, args []string) (screen.Screen, tea.Cmd, bool) {
	if verb != "sort" {
		return nil, nil, false
	}
	if len(args) != 1 {
		return nil, c.Fail("usage: :sort name|state|updated"), true
	}
	o, err := stackfilter.ParseOrder(args[0])
	if err != nil {
		return nil, c.Fail(err.Error()), true
	}
	m.order = o
	m.rebuildRows(c)
	next, cmd := m.showSelected(c, false)
	return next, tea.Batch(cmd, c.Say("sorted by "+string(o)+" within each group")), true
}

// nearestStackRow finds a stack row from i in direction dir, then the
// other way, else a unit heading; -1 when there is none.
func (m *Model) nearestStackRow(i, dir int) int {
	if len(m.rows) == 0 {
		return -1
	}
	i = min(max(i, 0), len(m.rows)-1)
	for _, want := range []func(row) bool{func(r row) bool { return r.kind == rowStack }, row.selectable} {
		for _, d := range []int{dir, -dir} {
			for j := i; j >= 0 && j < len(m.rows); j += d {
				if want(m.rows[j]) {
					return j
				}
			}
		}
	}
	return -1
}

// setCursor selects row i (a selectable row or -1) and keeps it on screen.
func (m *Model) setCursor(c *screen.Context, i int) {
	m.cursor = i
	m.selectedID, m.selectedUnit = "", ""
	if i >= 0 && i < len(m.rows) {
		r := m.rows[i]
		if r.kind == rowStack {
			m.selectedID = r.stack.ID
		}
		if r.selectable() {
			m.selectedUnit = r.unit
		}
	}
	m.clampScroll(c)
}

// move moves the cursor by delta selectable rows (other headings are
// skipped).
func (m *Model) move(c *screen.Context, delta int) {
	if m.cursor < 0 {
		m.setCursor(c, m.nearestStackRow(0, 1))
		return
	}
	dir := 1
	if delta < 0 {
		dir, delta = -1, -delta
	}
	i := m.cursor
	for ; delta > 0; delta-- {
		next := i + dir
		for next >= 0 && next < len(m.rows) && !m.rows[next].selectable() {
			next += dir
		}
		if next < 0 || next >= len(m.rows) {
			break
		}
		i = next
	}
	m.setCursor(c, i)
}

// clampScroll keeps the cursor inside the visible window and the window
// inside the rows.
func (m *Model) clampScroll(c *screen.Context) {
	h := treeRows(c)
	if h <= 0 {
		return
	}
	if m.cursor >= 0 {
		if m.cursor < m.offset {
			m.offset = m.cursor
		}
		if m.cursor >= m.offset+h {
			m.offset = m.cursor - h + 1
		}
	}
	m.offset = max(0, min(m.offset, len(m.rows)-h))
}

// View implements screen.Screen.
func (m Model) View(c *screen.Context, w, h int) string {
	switch {
	case !c.Data.Loaded && c.Data.LoadErr != nil && !c.Data.Loading:
		return loadError(c, w, h)
	case !c.Data.Loaded:
		return connecting(c, w, h)
	case m.showPane(c):
		tw := w - paneWidth(c) - 1
		return kit.Beside(m.renderTree(c, tw, h), tw, m.pane.View(c, paneWidth(c), h, false))
	}
	return m.renderTree(c, w, h)
}

// connecting is the screen while a first load is on its way: whom it
// waits for and for how long (the clock repaints it every second), the
// last try's error when this is a retry (whose hint says it is retrying,
// not to press r), and that q quits.
func connecting(c *screen.Context, w, h int) string {
	what := "loading stacks from " + c.Info.Kind
	if host := kit.Host(c.Info.Endpoint); host != "" {
		what = "connecting to " + host + " (" + c.Info.Kind + ")"
	}
	secs := int(c.Now().Sub(c.Data.LoadSince) / time.Second)
	lines := []string{"", fmt.Sprintf("  %s … %d s", what, max(0, secs))}
	if err := c.Data.LoadErr; err != nil {
		lines = append(lines, "")
		for _, l := range indented("the last try: "+err.Error(), w) {
			lines = append(lines, c.Styles.StatusError.Render(l))
		}
		lines = append(lines, indented("What to do: "+backend.RetryingHint(err), w)...)
	}
	lines = append(lines, "", c.Styles.Subtle.Render("  "+c.Keys.Key(keys.Quit)+" quits"))
	return kit.Block(lines, w, h)
}

// indented wraps text to w columns, each line indented by two: an error
// is read whole, never cut.
func indented(text string, w int) []string {
	var out []string
	for _, l := range strings.Split(ansi.Wrap(text, max(20, w-4), ""), "\n") {
		out = append(out, "  "+l)
	}
	return out
}

// loadError is the first-load failure screen: what failed and what to do,
// with r and q still working.
func loadError(c *screen.Context, w, h int) string {
	st, err := c.Styles, c.Data.LoadErr
	lines := []string{"", st.StatusError.Render("  Could not load stacks from " + c.Info.Kind + " (" + c.Info.Endpoint + ")"), ""}
	lines = append(lines, indented(err.Error(), w)...)
	lines = append(lines, "")
	lines = append(lines, indented("What to do: "+backend.Hint(err), w)...)
	lines = append(lines, "")
	lines = append(lines, indented(fmt.Sprintf("Press %s to retry now (stackview also retries every %s), %s to quit.",
		c.Keys.Key(keys.Refresh), c.Data.Interval, c.Keys.Key(keys.Quit)), w)...)
	return kit.Block(lines, w, h)
}

// renderTree draws the column header and the visible rows only, so a tree of
// thousands of stacks costs no more than one screenful.
func (m Model) renderTree(c *screen.Context, width, height int) string {
	cols := columns(width)
	st := c.Styles
	lines := make([]string, 0, height)
	var hdr []string
	for _, col := range cols {
		hdr = append(hdr, kit.Fit(col.title, col.width))
	}
	lines = append(lines, kit.Paint(st.ColumnHeader, kit.Fit(strings.Join(hdr, " "), width)))
	if len(m.rows) == 0 {
		msg := "no stacks in this environment"
		if m.filter != "" {
			msg = "no stack matches the filter " + kit.Quote(m.filter) + " (esc clears it)"
		}
		lines = append(lines, st.Subtle.Render(kit.Fit("  "+msg, width)))
	}
	end := min(len(m.rows), m.offset+height-1)
	// One buffer for every row's cells: a cell holds a style, hundreds of
	// bytes, and a slice of them per row per frame kept the collector busy.
	buf := make([]cell, 0, len(cols))
	for i := m.offset; i < end; i++ {
		lines = append(lines, m.renderRow(c, m.rows[i], cols, width, i == m.cursor, buf))
	}
	for len(lines) < height {
		lines = append(lines, strings.Repeat(" ", width))
	}
	return strings.Join(lines, "\n")
}

// renderRow draws one row, its cells laid out in buf.
func (m Model) renderRow(c *screen.Context, r row, cols []column, width int, selected bool, buf []cell) string {
	st := c.Styles
	cells := buf[:0]
	switch r.kind {
	case rowSection:
		title := "── " + r.title + " (" + strconv.Itoa(r.weight) + ") "
		return kit.Paint(st.Heading, kit.Fit(title+strings.Repeat("─", max(0, width-kit.Width(title))), width))
	case rowUnit:
		for _, col := range cols {
			switch col.id {
			case colName:
				title := r.guide + r.title
				if r.collapsed {
					title = r.guide + "▸ " + r.title
				}
				if r.weight > 0 {
					title += " (" + strconv.Itoa(r.weight) + ")"
				}
				cells = append(cells, cell{title, st.Heading})
			case colState:
				style := st.Warn
				if r.attention == "✓" {
					style = st.Subtle
				}
				cells = append(cells, cell{r.attention, style})
			default:
				cells = append(cells, cell{"", st.Subtle})
			}
		}
	case rowContext:
		cells = m.stackCells(c, r, cols, buf)
		for i := range cells {
			cells[i].style = st.Subtle
		}
	default:
		cells = m.stackCells(c, r, cols, buf)
	}
	parts := make([]string, len(cells))
	used := max(0, len(cells)-1) // the spaces between cells
	for i, cl := range cells {
		parts[i] = kit.Fit(cl.text, cols[i].width)
		used += cols[i].width
		if !selected {
			parts[i] = kit.Paint(cl.style, parts[i])
		}
	}
	line := strings.Join(parts, " ")
	if selected {
		// Plain text under one style: inner resets would cut the highlight.
		return kit.Paint(st.Selected, kit.Fit(line, width))
	}
	// Each cell is exactly its column's width (Fit), so the row's width is
	// known without measuring the styled line.
	return line + strings.Repeat(" ", max(0, width-used))
}

func (m Model) stackCells(c *screen.Context, r row, cols []column, buf []cell) []cell {
	s, st := r.stack, c.Styles
	cells := buf[:0]
	for _, col := range cols {
		switch col.id {
		case colState:
			text, style := kit.StateLabel(s.State, st)
			if !s.Loaded() { // what it shows is from an earlier read: never "✓"
				text, style = "◌ NOT LOADED", st.Warn
			}
			cells = append(cells, cell{text, style})
		case colName:
			name := s.Name
			if m.marks[s.ID] {
				name = "● " + name
			}
			if s.Disabled {
				name += " (disabled)"
			}
			cells = append(cells, cell{r.guide + name, lipgloss.NewStyle()})
		case colUnit:
			cells = append(cells, cell{s.BusinessUnit, st.Subtle})
		case colRun:
			if s.LatestRun == nil && s.Unread.Has(model.DetailRuns) {
				cells = append(cells, cell{"… not read yet", st.Subtle})
				continue
			}
			cells = append(cells, runCell(c, s.LatestRun))
		case colCommit:
			text := model.ShortSHA(s.TrackedCommit)
			style := st.Subtle
			if behind := s.Behind(); behind != "" {
				text += " " + behind
				style = st.Warn
			}
			cells = append(cells, cell{text, style})
		case colMarks:
			cells = append(cells, markCell(c, s, col.width < 10))
		}
	}
	return cells
}

func runCell(c *screen.Context, r *model.Run) cell {
	if r == nil {
		return cell{"–", c.Styles.Subtle}
	}
	label, style := kit.StateLabel(r.State, c.Styles)
	return cell{string(r.Kind) + " " + label + " " + kit.RunAge(c.Now(), r), style}
}

// markCell shows drift and lock as icon and word, or icons alone when narrow.
func markCell(c *screen.Context, s *model.Stack, compact bool) cell {
	var marks []string
	style := c.Styles.Subtle
	switch s.Drift.Status() {
	case model.DriftDrifted:
		marks = append(marks, kit.Pick(compact, "⚠", "⚠ drift"))
		style = c.Styles.Warn
	case model.DriftUnknown: // the detail says why
		marks = append(marks, kit.Pick(compact, "⚠?", "drift?"))
	}
	switch {
	case s.NeedsApproval:
		// An approval policy holds a run: nothing moves until someone
		// approves it (v), and c is refused meanwhile.
		marks = append(marks, kit.Pick(compact, "!", "! approval"))
		style = c.Styles.Waiting
	case !s.State.Waiting() && s.Waits():
		// A run waits on a person while the stack's state looks fine (a
		// plan waiting for review, an older deploy behind newer runs):
		// without this the tab's "?" count would have no visible cause.
		marks = append(marks, kit.Pick(compact, "?", "? waiting"))
		style = c.Styles.Waiting
	}
	if s.Locked() {
		marks = append(marks, kit.Pick(compact, "⊘", "⊘ locked"))
		if len(marks) == 1 {
			style = c.Styles.Accent
		}
	}
	if s.Unread.Has(model.DetailDependencies) {
		// Read for the rows on screen first; until then the stack's
		// wave and dependents are not known.
		marks = append(marks, kit.Pick(compact, "…", "deps…"))
	}
	sep := " "
	if compact {
		sep = ""
	}
	return cell{strings.Join(marks, sep), style}
}

// Typed is the filter line being typed.
func (m Model) Typed() string { return m.input.Value }
