package ui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
)

// watch is a pinned run: when it reaches a state that needs the user, the
// status line says so and the terminal bell rings, wherever the user is.
type watch struct {
	stackID, runID, name string
}

// watchMsg is a watched run's current state.
type watchMsg struct {
	w   watch
	run model.Run
	err error
}

// settledFor reports states a watcher wants to hear about.
func settledFor(s model.RunState) bool {
	return s == model.StateUnconfirmed || s == model.StateFailed || s == model.StateFinished || s.Terminal()
}

// toggleWatch pins the run in view (or the selected stack's latest run), or
// unpins it.
func (m Model) toggleWatch() (Model, tea.Cmd) {
	s, r := m.actionTarget()
	if s == nil {
		return m.failed("no stack selected")
	}
	if r == nil {
		r = s.LatestRun
	}
	if r == nil {
		return m.failed("%s has no run to watch", s.Name)
	}
	for i, w := range m.watches {
		if w.runID == r.ID {
			m.watches = append(append([]watch(nil), m.watches[:i]...), m.watches[i+1:]...)
			m.message, m.messageErr = "stopped watching "+s.Name+" run "+r.ID, false
			return m, nil
		}
	}
	if settledFor(r.State) {
		return m.failed("%s run %s is already %s", s.Name, r.ID, r.State)
	}
	m.watches = append(append([]watch(nil), m.watches...), watch{stackID: s.ID, runID: r.ID, name: s.Name})
	m.message, m.messageErr = fmt.Sprintf("watching %s run %s: the bell rings when it needs you or ends", s.Name, r.ID), false
	return m, nil
}

// pollWatches asks for every watched run; it rides on the stack refresh.
func (m Model) pollWatches() tea.Cmd {
	var cmds []tea.Cmd
	for _, w := range m.watches {
		ctx, b, w := m.ctx, m.backend, w
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, callTimeout)
			defer cancel()
			r, err := b.GetRun(ctx, w.stackID, w.runID)
			return watchMsg{w: w, run: r, err: err}
		})
	}
	return tea.Batch(cmds...)
}

// bell rings the terminal bell.
var bell = tea.Raw("\a")

func (m Model) onWatch(msg watchMsg) (Model, tea.Cmd) {
	idx := -1
	for i, w := range m.watches {
		if w.runID == msg.w.runID {
			idx = i
		}
	}
	if idx < 0 || (msg.err == nil && !settledFor(msg.run.State)) {
		return m, nil
	}
	m.watches = append(append([]watch(nil), m.watches[:idx]...), m.watches[idx+1:]...)
	if msg.err != nil {
		m.message, m.messageErr = fmt.Sprintf("⏰ stopped watching %s run %s: %v", msg.w.name, msg.w.runID, msg.err), true
		return m, bell
	}
	label, _ := stateLabel(msg.run.State, m.styles)
	m.message, m.messageErr = fmt.Sprintf("⏰ %s run %s is %s", msg.w.name, msg.w.runID, label), msg.run.State == model.StateFailed
	return m, bell
}
