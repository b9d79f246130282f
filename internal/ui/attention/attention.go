// Package attention is what waits on you, across every environment (A,
// :attention): every run that waits on a person — to be confirmed,
// reviewed or approved, however many newer runs came after it —, every
// failed latest run, every queued run with the run it waits for, drifted
// stacks (after the ignore rules) and locks held by someone else, oldest
// first within each group. The action keys act on the listed run by its
// id; space marks runs for a bulk confirm by plan (bulkview) or discard,
// and a screen opened over this one reads the marks (screen.RunMarker).
package attention

import (
	"fmt"
	"maps"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/act"
	"github.com/stackview/stackview/internal/ui/bulkview"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// Model is the attention view.
type Model struct {
	cursor   int
	selected string          // key of the selected row, kept across reloads
	marks    map[string]bool // keys of the marked runs
}

// Open shows the attention view.
func Open() Model { return Model{} }

// Name implements screen.Named.
func (m Model) Name() string { return "what waits on you" }

// Title implements screen.Screen.
func (m Model) Title(*screen.Context) []string { return []string{"attention"} }

// key names a row across reloads: its group, stack and run.
func key(n model.Need) string {
	k := fmt.Sprintf("%d %s", n.Kind, n.Stack.ID)
	if n.Run != nil {
		k += " " + n.Run.ID
	}
	return k
}

// Cursor is the selected row.
// attentionReads bounds the stacks the view asks runs of at a time; each
// read done asks for the next, so every stack's runs are read while it is
// open (a lean listing reads runs only for the rows on screen).
const attentionReads = 100

// WantDetails implements screen.DetailsWanter: the stacks whose pending
// runs are not read yet, so what waits on them is listed, not guessed.
func (m Model) WantDetails(c *screen.Context) []string {
	return c.Data.PendingUnread(attentionReads)
}

func (m Model) Cursor() int { return m.cursor }

// Selected is the selected row, if any.
func (m Model) Selected(c *screen.Context) (model.Need, bool) {
	needs := c.Data.Index.Needs
	if m.cursor < 0 || m.cursor >= len(needs) {
		return model.Need{}, false
	}
	return needs[m.cursor], true
}

// MarkedRuns implements screen.RunMarker: the marked runs that are still
// listed, in the view's order.
func (m Model) MarkedRuns(c *screen.Context) []screen.RunRef {
	var out []screen.RunRef
	for _, n := range c.Data.Index.Needs {
		if n.Run != nil && m.marks[key(n)] {
			out = append(out, screen.RunRef{StackID: n.Stack.ID, RunID: n.Run.ID})
		}
	}
	return out
}

// Update implements screen.Screen: after a load the cursor stays on the
// row it was on, wherever that row moved, and marks of rows gone drop.
func (m Model) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg.(type) {
	case screen.Loaded, screen.Outcome:
		needs := c.Data.Index.Needs
		for i, n := range needs {
			if key(n) == m.selected {
				m.cursor = i
			}
		}
		m.cursor = max(0, min(m.cursor, len(needs)-1))
		m.selected = ""
		if n, ok := m.Selected(c); ok {
			m.selected = key(n)
		}
		if len(m.marks) > 0 {
			listed := map[string]bool{}
			for _, n := range needs {
				listed[key(n)] = true
			}
			marks := maps.Clone(m.marks)
			maps.DeleteFunc(marks, func(k string, _ bool) bool { return !listed[k] })
			m.marks = marks
		}
	}
	return m, nil
}

// target is what the action keys act on: the listed run of its stack.
func (m Model) target(c *screen.Context) act.Target {
	n, ok := m.Selected(c)
	if !ok {
		return act.Target{}
	}
	return act.Target{Stack: n.Stack, Run: n.Run}
}

func (m Model) move(c *screen.Context, by int) (screen.Screen, tea.Cmd) {
	m.cursor = max(0, min(m.cursor+by, len(c.Data.Index.Needs)-1))
	if n, ok := m.Selected(c); ok {
		m.selected = key(n)
	}
	return m, nil
}

// Keys implements screen.Screen.
func (m Model) Keys(c *screen.Context) []screen.Group {
	n := len(c.Data.Index.Needs)
	t := m.target(c)
	need, ok := m.Selected(c)
	noRow := screen.OffIf(!ok, "nothing waits on you")
	runKeys := act.Actions(c, t, m, act.Confirm, act.Discard, act.Review, act.Retry)
	if len(m.marks) > 0 {
		// Marked runs are confirmed plan by plan (bulkview), discarded
		// in one reviewed bulk.
		runKeys[0].Off, runKeys[0].Help = "", "confirm the marked runs (plan by plan)"
		runKeys[0].Do = func() (screen.Screen, tea.Cmd) {
			return m, bulkview.Propose(c, bulkview.Runs(c, m.MarkedRuns(c)))
		}
		runKeys[1].Off, runKeys[1].Help = "", "discard the marked runs"
		runKeys[1].Do = func() (screen.Screen, tea.Cmd) { return m, m.discardMarked(c) }
	}
	open := screen.Action{Key: keys.AttentionOpen, Off: noRow, Do: func() (screen.Screen, tea.Cmd) { return m, m.open(c, need, ok) }}
	nav := act.Nav(c, t, m)
	nav[0].Do = open.Do // l opens the listed run, as enter does
	first := []screen.Action{
		{Key: keys.AttentionDown, Do: func() (screen.Screen, tea.Cmd) { return m.move(c, 1) }, Off: screen.OffIf(m.cursor >= n-1, "at the last row")},
		open,
	}
	first = append(first, runKeys...)
	first = append(first,
		screen.Action{Key: keys.Mark, Off: screen.OffIf(!ok || need.Run == nil, "only runs are marked"),
			Do: func() (screen.Screen, tea.Cmd) { return m.toggleMark(c) }},
		screen.Back(c, ""))
	return []screen.Group{
		{Title: "Attention", Actions: first},
		{Title: "Move", Actions: []screen.Action{{Key: keys.AttentionUp, Do: func() (screen.Screen, tea.Cmd) { return m.move(c, -1) },
			Off: screen.OffIf(m.cursor == 0, "at the top")}}},
		{Title: "Stack", Actions: append(act.Actions(c, t, m, act.Stop, act.Plan, act.Deploy, act.Lock, act.Sync), nav...)},
	}
}

// open opens the listed run; a drifted stack's drift; a locked stack's
// runs.
func (m Model) open(c *screen.Context, n model.Need, ok bool) tea.Cmd {
	switch {
	case !ok:
		return c.Fail("nothing waits on you")
	case n.Run != nil:
		return c.Ask(screen.Navigate{To: screen.Target{Kind: screen.KindRun, StackID: n.Stack.ID, RunID: n.Run.ID, Run: n.Run}})
	case n.Kind == model.NeedDrift:
		return c.Ask(screen.Navigate{To: screen.Target{Kind: screen.KindStackDrift, StackID: n.Stack.ID}})
	}
	return c.Ask(screen.Navigate{To: screen.Target{Kind: screen.KindHistory, StackID: n.Stack.ID}})
}

// toggleMark marks or unmarks the listed run.
func (m Model) toggleMark(c *screen.Context) (screen.Screen, tea.Cmd) {
	n, ok := m.Selected(c)
	if !ok || n.Run == nil {
		return m, c.Fail("only runs are marked")
	}
	marks := maps.Clone(m.marks)
	if marks == nil {
		marks = map[string]bool{}
	}
	if marks[key(n)] {
		delete(marks, key(n))
	} else {
		marks[key(n)] = true
	}
	m.marks = marks
	if len(marks) == 0 {
		return m, c.Say("no run marked")
	}
	return m, c.Say(fmt.Sprintf("%d %s marked: %s confirms them plan by plan, %s discards them (esc goes back and keeps them)", len(marks),
		kit.Plural(len(marks), "run"), c.Keys.Key(keys.Confirm), c.Keys.Key(keys.Discard)))
}

// discardMarked shows which marked runs a discard applies to, and why the
// others are skipped, in one confirmation.
func (m Model) discardMarked(c *screen.Context) tea.Cmd {
	k := act.Discard
	if err := c.Ops.Refuse(k.String()); err != nil {
		return c.Fail(err.Error())
	}
	var targets []act.Target
	for _, n := range c.Data.Index.Needs {
		if n.Run != nil && m.marks[key(n)] {
			targets = append(targets, act.Target{Stack: n.Stack, Run: n.Run})
		}
	}
	return act.Many(c, k.String(), targets, act.InFlightSkip(c, k))
}

// ClearMarks drops the marks once a bulk action on them was sent.
func (m Model) ClearMarks() Model {
	m.marks = nil
	return m
}

// Count implements screen.Counter.
func (m Model) Count(c *screen.Context) string {
	if len(m.marks) == 0 {
		return ""
	}
	return c.Styles.Accent.Render(fmt.Sprintf("● %d marked", len(m.marks)))
}

// groups are the view's sections, in model.NeedKind order.
var groups = [...]string{
	model.NeedWaiting: "Waiting on you",
	model.NeedFailed:  "Failed",
	model.NeedQueued:  "Queued",
	model.NeedDrift:   "Drifted",
	model.NeedLocked:  "Locked by someone else",
}

// View implements screen.Screen.
func (m Model) View(c *screen.Context, w, h int) string {
	st := c.Styles
	needs := c.Data.Index.Needs
	count := make([]int, len(groups))
	for _, n := range needs {
		count[n.Kind]++
	}
	var sum []string
	for k, title := range groups {
		if count[k] > 0 {
			sum = append(sum, fmt.Sprintf("%d %s", count[k], strings.ToLower(title)))
		}
	}
	head := "What waits on you · every environment"
	if len(sum) > 0 {
		head += " · " + strings.Join(sum, ", ")
	}
	lines := []string{st.Title.Render(kit.Fit(head, w))}
	if u := c.Data.Index.NeedsUnread; u > 0 {
		lines = append(lines, st.Warn.Render(kit.Fit(fmt.Sprintf("  … the runs of %d %s are not read yet: more may wait", u, kit.Plural(u, "stack")), w)))
	}
	if !c.Data.Loaded {
		return kit.Block(append(lines, "", st.Subtle.Render("  loading…")), w, h)
	}
	if len(needs) == 0 {
		lines = append(lines, "", st.OK.Render(kit.Fit("  ✓ nothing waits on you: no run to confirm, review or approve, none failed, no drift, no lock of someone else", w)))
		return kit.Block(lines, w, h)
	}
	// Each row is one line under its group's heading; the window scrolls
	// to keep the cursor in view.
	type line struct {
		text string
		row  int // index into needs; -1 for a heading
	}
	var all []line
	for i, n := range needs {
		if i == 0 || needs[i-1].Kind != n.Kind {
			all = append(all, line{st.Heading.Render(kit.Fit(fmt.Sprintf("  %s (%d)", groups[n.Kind], count[n.Kind]), w)), -1})
		}
		all = append(all, line{m.row(c, n, i == m.cursor, w), i})
	}
	avail := max(1, h-len(lines))
	at := 0
	for j, l := range all {
		if l.row == m.cursor {
			at = j
		}
	}
	offset := max(0, min(at-avail+1, len(all)-avail))
	if offset > 0 && at-offset == 0 {
		offset-- // keep the row's heading in view when there is room
	}
	for _, l := range all[max(0, offset):min(len(all), max(0, offset)+avail)] {
		lines = append(lines, l.text)
	}
	return kit.Block(lines, w, h)
}

// row is one need in a line: mark, environment, stack, what and since when.
func (m Model) row(c *screen.Context, n model.Need, selected bool, w int) string {
	st := c.Styles
	s := n.Stack
	cursor, mark := "  ", "  "
	if selected {
		cursor = "▸ "
	}
	if n.Run != nil && m.marks[key(n)] {
		mark = "● "
	}
	nameW := min(24, max(12, w/4))
	text := cursor + mark + kit.Fit(kit.OrDash(s.Env), 5) + " " + kit.Fit(s.Name, nameW) + " " + what(c, n, w >= 120)
	if selected {
		return st.Selected.Render(kit.Fit(text, w))
	}
	return kit.Fit(text, w)
}

// what says what the need is about: the run and its state, what it waits
// for; the drift; the lock.
func what(c *screen.Context, n model.Need, wide bool) string {
	s, k := n.Stack, c.Keys
	id := kit.ShortID
	if wide {
		id = func(s string) string { return s }
	}
	switch n.Kind {
	case model.NeedDrift:
		rep := c.Data.Drift.Reports[s.ID]
		text := "⚠ drifted"
		if got := rep.Counted(); got > 0 {
			text = fmt.Sprintf("⚠ %d drifted", got)
		}
		if ign := rep.Ignored(); ign > 0 {
			text += fmt.Sprintf(" (+%d ignored)", ign)
		}
		if !s.Drift.CheckedAt.IsZero() {
			text += " · checked " + kit.Age(c.Now().Sub(s.Drift.CheckedAt)) + " ago"
		}
		return text + " · " + k.Key(keys.AttentionOpen) + " shows it, " + k.Key(keys.Deploy) + " reconciles"
	case model.NeedLocked:
		l := s.Lock
		text := "⊘ locked by " + l.Holder
		if !l.At.IsZero() {
			text += " for " + kit.Age(c.Now().Sub(l.At))
		}
		if l.Note != "" {
			text += " — " + l.Note
		}
		return text
	}
	r := n.Run
	label, _ := kit.StateLabel(r.State, c.Styles)
	text := fmt.Sprintf("%-6s %s %s %s", r.Kind, id(r.ID), label, kit.Age(c.Now().Sub(r.CreatedAt)))
	switch {
	case n.Kind == model.NeedWaiting && r.NeedsApproval:
		text += " · ! needs approval: " + k.Key(keys.Review) + " approves"
	case n.Kind == model.NeedWaiting && r.State == model.StatePendingReview:
		text += " · " + k.Key(keys.Review) + " reviews"
	case n.Kind == model.NeedWaiting:
		text += " · " + k.Key(keys.Confirm) + " confirms"
	case n.Kind == model.NeedFailed:
		text += " · " + k.Key(keys.Retry) + " retries"
	case n.Kind == model.NeedQueued:
		text += " · " + kit.Queued(n.Blocker, !wide)
	}
	if r.Delta != nil && !r.Delta.Empty() && n.Kind == model.NeedWaiting {
		text += " · " + r.Delta.String()
	}
	return text
}
