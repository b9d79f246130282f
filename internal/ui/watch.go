package ui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// A watch is a pinned run: when it reaches a state that needs the user, the
// status line says so and the terminal bell rings, wherever the user is.

// watchMsg is a watched run's current state.
type watchMsg struct {
	w   screen.Watch
	run model.Run
	err error
}

// settledFor reports states a watcher wants to hear about.
func settledFor(s model.RunState) bool {
	return s == model.StateUnconfirmed || s == model.StateFailed || s == model.StateFinished || s.Terminal()
}

// toggleWatch pins a run, or unpins it.
func (m Model) toggleWatch(t screen.ToggleWatch) (Model, tea.Cmd) {
	w := t.Watch
	for i, x := range m.data.Watches {
		if x.RunID == w.RunID {
			m.data.Watches = append(append([]screen.Watch(nil), m.data.Watches[:i]...), m.data.Watches[i+1:]...)
			m.status = m.status.set(m.now(), "stopped watching "+w.Name+" run "+w.RunID, infoText)
			return m, nil
		}
	}
	if settledFor(model.RunState(t.State)) {
		m.status = m.status.set(m.now(), fmt.Sprintf("%s run %s is already %s", w.Name, w.RunID, t.State), errText)
		return m, nil
	}
	m.data.Watches = append(append([]screen.Watch(nil), m.data.Watches...), w)
	m.status = m.status.set(m.now(), fmt.Sprintf("watching %s run %s: the bell rings when it needs you or ends", w.Name, w.RunID), infoText)
	return m, nil
}

// pollWatches asks for every watched run; it rides on the stack refresh.
func (m Model) pollWatches() tea.Cmd {
	var cmds []tea.Cmd
	for _, w := range m.data.Watches {
		ctx, b, w := m.ctx, m.backend, w
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, callTimeout)
			defer cancel()
			r, err := b.GetRun(ctx, w.StackID, w.RunID)
			return watchMsg{w: w, run: r, err: err}
		})
	}
	return tea.Batch(cmds...)
}

// bell rings the terminal bell.
var bell = tea.Raw("\a")

func (m Model) onWatch(msg watchMsg) (Model, tea.Cmd) {
	idx := -1
	for i, w := range m.data.Watches {
		if w.RunID == msg.w.RunID {
			idx = i
		}
	}
	if idx < 0 || (msg.err == nil && !settledFor(msg.run.State)) {
		return m, nil
	}
	m.data.Watches = append(append([]screen.Watch(nil), m.data.Watches[:idx]...), m.data.Watches[idx+1:]...)
	if msg.err != nil {
		m.status = m.status.set(m.now(), fmt.Sprintf("⏰ stopped watching %s run %s: %v", msg.w.Name, msg.w.RunID, msg.err), errText)
		return m, bell
	}
	label, _ := kit.StateLabel(msg.run.State, m.styles)
	kind := alertText
	if msg.run.State == model.StateFailed {
		// An error is said with the status line's one ✗, not the label's too.
		kind, label = errText, string(msg.run.State)
	}
	m.status = m.status.set(m.now(), fmt.Sprintf("⏰ %s run %s is %s", msg.w.Name, msg.w.RunID, label), kind)
	return m, bell
}
