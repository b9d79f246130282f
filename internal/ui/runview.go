package ui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// pollEvery is how often the run view asks for new log lines and state
// while a run is working.
const pollEvery = time.Second

// runView is one run on screen: its state, plan, changes and log.
type runView struct {
	stackID, runID string
	from           viewKind // where esc goes back to
	run            *model.Run
	err            error
	changes        []model.ResourceChange
	changesAsked   bool
	changesErr     error
	lines          []string
	token          string
	tailDone       bool // the log is complete for now (terminal, or waiting for a person)
	logExpired     bool // part of the log is past the backend's retention
	logMissing     bool // a state the run went through has no log
	follow         bool
	scroll         int // first log line shown when not following
	wrap           bool
	search         string
	gen            int
}

// Messages of the run view carry its poll generation; those of a run view
// since closed are dropped.
type (
	runMsg struct {
		gen int
		run model.Run
		err error
	}
	logMsg struct {
		gen   int
		chunk backend.LogChunk
		err   error
	}
	changesMsg struct {
		gen     int
		changes []model.ResourceChange
		err     error
	}
	pollMsg struct{ gen int }
)

// openLatest opens the run view on the selected stack's latest run.
func (m Model) openLatest() (Model, tea.Cmd) {
	s, viewed := m.actionTarget()
	switch {
	case s == nil:
		return m.failed("no stack selected")
	case viewed != nil && m.view == viewHistory:
		return m.openRun(s.ID, viewed.ID)
	case s.LatestRun == nil:
		return m.failed("%s has no runs yet", s.Name)
	}
	return m.openRun(s.ID, s.LatestRun.ID)
}

// openRun shows a run and starts following it.
func (m Model) openRun(stackID, runID string) (Model, tea.Cmd) {
	from := m.view
	if from == viewRun {
		from = m.rv.from
	}
	m.rvGen++
	m.rv = runView{stackID: stackID, runID: runID, from: from, follow: true, gen: m.rvGen}
	if m.hist.stackID == stackID {
		for i := range m.hist.runs {
			if m.hist.runs[i].ID == runID {
				r := m.hist.runs[i]
				m.rv.run = &r
			}
		}
	}
	m.view = viewRun
	m.message = ""
	return m, tea.Batch(m.fetchRun(), m.fetchLog(""), m.fetchChanges())
}

func (m Model) fetchRun() tea.Cmd {
	ctx, b, gen, stackID, runID := m.ctx, m.backend, m.rv.gen, m.rv.stackID, m.rv.runID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		r, err := b.GetRun(ctx, stackID, runID)
		return runMsg{gen: gen, run: r, err: err}
	}
}

func (m Model) fetchLog(token string) tea.Cmd {
	ctx, b, gen, stackID, runID := m.ctx, m.backend, m.rv.gen, m.rv.stackID, m.rv.runID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		c, err := b.RunLogs(ctx, stackID, runID, token)
		return logMsg{gen: gen, chunk: c, err: err}
	}
}

func (m Model) fetchChanges() tea.Cmd {
	ctx, b, gen, stackID, runID := m.ctx, m.backend, m.rv.gen, m.rv.stackID, m.rv.runID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		c, err := b.RunChanges(ctx, stackID, runID)
		return changesMsg{gen: gen, changes: c, err: err}
	}
}

// onRunView takes the run view's answers and keeps the tail going while
// the run works. Tailing ends when the log is complete and the run is over
// or waits for a person (spacectl #352 hangs there).
func (m Model) onRunView(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case runMsg:
		if msg.gen != m.rv.gen {
			return m, nil
		}
		m.rv.err = msg.err
		if msg.err != nil {
			return m, nil
		}
		r := msg.run
		m.rv.run = &r
		if m.rv.tailDone && r.State.Active() { // moving again: confirmed, maybe elsewhere
			m.rv.tailDone = false
			return m, m.fetchLog(m.rv.token)
		}
		// The plan's changes exist once it planned; ask again then.
		if r.Delta != nil && len(m.rv.changes) == 0 && !m.rv.changesAsked {
			m.rv.changesAsked = true
			return m, m.fetchChanges()
		}
	case changesMsg:
		if msg.gen != m.rv.gen {
			return m, nil
		}
		m.rv.changes, m.rv.changesErr = msg.changes, msg.err
		if len(msg.changes) > 0 {
			m.rv.changesAsked = true
		}
	case logMsg:
		if msg.gen != m.rv.gen {
			return m, nil
		}
		if msg.err != nil {
			m.rv.err = msg.err
			m.rv.tailDone = true
			return m, nil
		}
		if text := strings.TrimSuffix(msg.chunk.Text, "\n"); msg.chunk.Text != "" {
			m.rv.lines = append(append([]string(nil), m.rv.lines...), strings.Split(text, "\n")...)
		}
		moved := msg.chunk.Next != "" && msg.chunk.Next != m.rv.token
		if msg.chunk.Next != "" {
			m.rv.token = msg.chunk.Next
		}
		m.rv.logExpired = m.rv.logExpired || msg.chunk.Expired
		m.rv.logMissing = m.rv.logMissing || msg.chunk.Missing
		switch {
		case msg.chunk.Done:
			m.rv.tailDone = true
			return m, m.fetchRun() // the final state, with the log complete
		case msg.chunk.Text != "" || (moved && msg.chunk.Text == "" && (msg.chunk.Expired || msg.chunk.Missing)):
			return m, m.fetchLog(m.rv.token) // drain what is there, past states without a log
		}
		gen := m.rv.gen
		return m, m.after(pollEvery, func(time.Time) tea.Msg { return pollMsg{gen: gen} })
	case pollMsg:
		if msg.gen != m.rv.gen || m.view != viewRun || m.rv.tailDone {
			return m, nil
		}
		return m, tea.Batch(m.fetchRun(), m.fetchLog(m.rv.token))
	}
	return m, nil
}

// viewedRun is the run the run view shows, once loaded.
func (m Model) viewedRun() *model.Run {
	if m.view != viewRun {
		return nil
	}
	return m.rv.run
}

// actionTarget is the stack an action key acts on, and the run when the
// view shows one (the run view's run, the history's selected run).
func (m Model) actionTarget() (*model.Stack, *model.Run) {
	switch m.view {
	case viewRun:
		s := m.forest.Stack(m.rv.stackID)
		if s == nil || m.rv.run == nil {
			return s, nil
		}
		r := *m.rv.run
		return s, &r
	case viewHistory:
		s := m.forest.Stack(m.hist.stackID)
		if s == nil || m.hist.cursor >= len(m.hist.runs) {
			return s, nil
		}
		r := m.hist.runs[m.hist.cursor]
		return s, &r
	case viewPromote:
		if m.pr.stage == stageWaves {
			return m.waveSelected(), nil
		}
		return nil, nil
	}
	if m.drift.open {
		return m.driftStack(), nil // D reconciles, c confirms the stack in the drift view
	}
	return m.selected(), nil
}

// logMatches are the indexes of log lines containing the search, ignoring case.
func (rv runView) logMatches() []int {
	if rv.search == "" {
		return nil
	}
	needle := strings.ToLower(rv.search)
	var out []int
	for i, l := range rv.lines {
		if strings.Contains(strings.ToLower(l), needle) {
			out = append(out, i)
		}
	}
	return out
}

// nextMatch scrolls to the first match after the top line shown, wrapping.
func (m Model) nextMatch(from int) Model {
	matches := m.rv.logMatches()
	if len(matches) == 0 {
		if m.rv.search != "" {
			m.message, m.messageErr = "no log line matches "+quoteFilter(m.rv.search), true
		}
		return m
	}
	target := matches[0]
	for _, i := range matches {
		if i > from {
			target = i
			break
		}
	}
	m.rv.follow, m.rv.scroll = false, target
	m.message, m.messageErr = "", false
	return m
}
