package ui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
)

// historyState is one stack's runs, loaded a page at a time.
type historyState struct {
	stackID string
	runs    []model.Run
	next    string // cursor of the next page; "" when the last is loaded
	cursor  int
	offset  int
	loading bool
	err     error
	req     int
}

// historyMsg is one page of runs.
type historyMsg struct {
	req     int
	stackID string
	runs    []model.Run
	next    string
	err     error
}

// openHistory shows the selected stack's runs, newest first.
func (m Model) openHistory() (Model, tea.Cmd) {
	s, _ := m.actionTarget()
	if s == nil {
		return m.failed("no stack selected")
	}
	m.hist = historyState{stackID: s.ID, loading: true, req: m.hist.req + 1}
	m.view = viewHistory
	return m, m.fetchHistory("")
}

func (m Model) fetchHistory(cursor string) tea.Cmd {
	ctx, b, req, stackID := m.ctx, m.backend, m.hist.req, m.hist.stackID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		runs, next, err := b.ListRuns(ctx, stackID, cursor)
		return historyMsg{req: req, stackID: stackID, runs: runs, next: next, err: err}
	}
}

func (m Model) onHistory(msg historyMsg) Model {
	if msg.req != m.hist.req || msg.stackID != m.hist.stackID {
		return m
	}
	m.hist.loading, m.hist.err = false, msg.err
	if msg.err == nil {
		m.hist.runs = append(append([]model.Run(nil), m.hist.runs...), msg.runs...)
		m.hist.next = msg.next
		m.hist.cursor = min(m.hist.cursor, max(0, len(m.hist.runs)-1))
	}
	return m
}

// historyRows is how many runs fit under the history's two header lines.
func (m Model) historyRows() int { return max(1, m.bodyHeight()-3) }

// moveHistory moves the cursor; moving past the last loaded run asks for
// the next page.
func (m Model) moveHistory(delta int) (Model, tea.Cmd) {
	h := &m.hist
	want := h.cursor + delta
	h.cursor = max(0, min(want, len(h.runs)-1))
	rows := m.historyRows()
	if h.cursor < h.offset {
		h.offset = h.cursor
	}
	if h.cursor >= h.offset+rows {
		h.offset = h.cursor - rows + 1
	}
	if want >= len(h.runs)-1 && h.next != "" && !h.loading {
		h.loading = true
		h.req++
		next := h.next
		// Runs already loaded stay; the new request id drops stale pages.
		return m, m.fetchHistory(next)
	}
	return m, nil
}
