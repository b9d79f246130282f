// Package history is one stack's runs, newest first, loaded a page at a
// time; the action keys act on the selected run.
package history

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/act"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

const callTimeout = 15 * time.Second

// Model is the history screen.
type Model struct {
	stackID string
	runs    []model.Run
	next    string // cursor of the next page; "" when the last is loaded
	cursor  int
	offset  int
	loading bool
	err     error
	req     int
}

// pageMsg is one page of runs.
type pageMsg struct {
	req     int
	stackID string
	runs    []model.Run
	next    string
	err     error
}

// Open shows a stack's runs.
func Open(stackID string) Model { return Model{stackID: stackID, loading: true, req: 1} }

// Init loads the first page.
func (m Model) Init(c *screen.Context) tea.Cmd { return m.fetch(c, "") }

// Runs are the runs loaded; Cursor the selected one.
func (m Model) Runs() []model.Run { return m.runs }

// Cursor is the index of the selected run.
func (m Model) Cursor() int { return m.cursor }

// Name implements screen.Named.
func (m Model) Name() string { return "the run history" }

// Title implements screen.Screen.
func (m Model) Title(c *screen.Context) []string {
	if s := c.Data.Forest.Stack(m.stackID); s != nil {
		return []string{s.Env, s.Name, "runs"}
	}
	return []string{m.stackID, "runs"}
}

func (m Model) fetch(c *screen.Context, cursor string) tea.Cmd {
	ctx, b, req, stackID := c.Ctx, c.Backend, m.req, m.stackID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		runs, next, err := b.ListRuns(ctx, stackID, cursor)
		return pageMsg{req: req, stackID: stackID, runs: runs, next: next, err: err}
	}
}

// Update implements screen.Screen.
func (m Model) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case pageMsg:
		if msg.req != m.req || msg.stackID != m.stackID {
			return m, nil
		}
		m.loading, m.err = false, msg.err
		if msg.err == nil {
			m.runs = append(append([]model.Run(nil), m.runs...), msg.runs...)
			m.next = msg.next
			m.cursor = min(m.cursor, max(0, len(m.runs)-1))
		}
	case screen.Outcome:
		// An action on a run of this stack: read the runs again.
		m.req++
		m.runs, m.next, m.loading = nil, "", true
		return m, m.fetch(c, "")
	}
	return m, nil
}

// rows is how many runs fit under the two header lines.
func rows(c *screen.Context) int { return max(1, c.Height-screen.ChromeLines-3) }

// move moves the cursor; moving past the last loaded run asks for the
// next page.
func (m Model) move(c *screen.Context, delta int) (screen.Screen, tea.Cmd) {
	want := m.cursor + delta
	m.cursor = max(0, min(want, len(m.runs)-1))
	n := rows(c)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+n {
		m.offset = m.cursor - n + 1
	}
	if want >= len(m.runs)-1 && m.next != "" && !m.loading {
		m.loading = true
		m.req++
		// Runs already loaded stay; the new request id drops stale pages.
		return m, m.fetch(c, m.next)
	}
	return m, nil
}

// target is what the action keys act on: the selected run.
func (m Model) target(c *screen.Context) act.Target {
	t := act.Target{Stack: c.Data.Forest.Stack(m.stackID)}
	if m.cursor < len(m.runs) {
		r := m.runs[m.cursor]
		t.Run = &r
	}
	return t
}

// Keys implements screen.Screen.
func (m Model) Keys(c *screen.Context) []screen.Group {
	t := m.target(c)
	noRun := ""
	if t.Run == nil {
		noRun = "no run selected"
	}
	last := m.cursor >= len(m.runs)-1 && m.next == ""
	first := []screen.Action{
		screen.Back(c, ""),
		{Key: keys.HistoryDown, Do: func() (screen.Screen, tea.Cmd) { return m.move(c, 1) }, Off: screen.OffIf(last, "at the last run")},
		{Key: keys.HistoryOpen, Off: noRun, Do: func() (screen.Screen, tea.Cmd) { return m, act.OpenLatest(c, t) }},
	}
	first = append(first, act.Actions(c, t, m, act.Confirm, act.Discard, act.Retry, act.Review, act.Stop)...)
	nav := act.Nav(c, t, m)
	return []screen.Group{
		{Title: "Runs", Actions: first},
		{Title: "Move", Actions: []screen.Action{
			{Key: keys.HistoryUp, Do: func() (screen.Screen, tea.Cmd) { return m.move(c, -1) }, Off: screen.OffIf(m.cursor == 0, "at the newest run")},
			{Key: keys.HistoryWatch, Off: noRun, Do: func() (screen.Screen, tea.Cmd) { return m, act.Watch(c, t) }},
		}},
		{Title: "Stack", Actions: append(act.Actions(c, t, m, act.Plan, act.Deploy, act.Lock, act.Sync), nav...)},
	}
}

// View implements screen.Screen: the stack's runs, newest first.
func (m Model) View(c *screen.Context, w, h int) string {
	st := c.Styles
	name := m.stackID
	if s := c.Data.Forest.Stack(m.stackID); s != nil {
		name = s.Name
	}
	more := "all loaded"
	switch {
	case m.loading:
		more = "loading…"
	case m.next != "":
		more = "more below: j past the end loads them"
	}
	lines := []string{
		st.Title.Render("Runs of "+name) + st.Subtle.Render(fmt.Sprintf("  %d shown, %s", len(m.runs), more)),
		st.ColumnHeader.Render(kit.Fit(fmt.Sprintf("%-16s %-11s %-8s %-12s %5s  %s", "STATE", "KIND", "COMMIT", "PLAN", "AGE", "RUN / TITLE"), w)),
	}
	if m.err != nil {
		lines = append(lines, st.StatusError.Render("✗ "+m.err.Error()), st.Subtle.Render(backend.Hint(m.err)))
	}
	if !m.loading && len(m.runs) == 0 && m.err == nil {
		lines = append(lines, st.Subtle.Render("  no runs yet"))
	}
	end := min(len(m.runs), m.offset+rows(c))
	for i := m.offset; i < end; i++ {
		r := &m.runs[i]
		label, style := kit.StateLabel(r.State, st)
		title := r.Title
		if r.NeedsApproval {
			title = "! needs approval · " + title
		}
		text := fmt.Sprintf("%-11s %-8s %-12s %5s  %s %s", r.Kind, model.ShortSHA(r.Commit), kit.Delta(r.Delta), kit.RunAge(c.Now(), r), r.ID, title)
		if i == m.cursor {
			lines = append(lines, st.Selected.Render(kit.Fit(kit.Fit(label, 16)+" "+text, w)))
			continue
		}
		lines = append(lines, style.Render(kit.Fit(label, 16))+" "+kit.Fit(text, max(0, w-17)))
	}
	return kit.Block(lines, w, h)
}
