package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/ui/attention"
	"github.com/stackview/stackview/internal/ui/driftview"
	"github.com/stackview/stackview/internal/ui/history"
	"github.com/stackview/stackview/internal/ui/messages"
	"github.com/stackview/stackview/internal/ui/modview"
	"github.com/stackview/stackview/internal/ui/promoview"
	"github.com/stackview/stackview/internal/ui/runview"
	"github.com/stackview/stackview/internal/ui/screen"
)

// maker builds a screen a Target names, with what it runs first.
type maker func(c *screen.Context, t screen.Target) (screen.Screen, tea.Cmd)

// makers are the screens other screens open by name. A new screen is a
// package implementing screen.Screen and one line here.
var makers = map[screen.Kind]maker{
	screen.KindRun: func(c *screen.Context, t screen.Target) (screen.Screen, tea.Cmd) {
		s := runview.Open(t.StackID, t.RunID, t.Run)
		return s, s.Init(c)
	},
	screen.KindHistory: func(c *screen.Context, t screen.Target) (screen.Screen, tea.Cmd) {
		s := history.Open(t.StackID)
		return s, s.Init(c)
	},
	screen.KindDriftInbox: func(*screen.Context, screen.Target) (screen.Screen, tea.Cmd) {
		return driftview.OpenInbox(), nil
	},
	screen.KindStackDrift: func(c *screen.Context, t screen.Target) (screen.Screen, tea.Cmd) {
		s := driftview.OpenStack(t.StackID)
		return s, s.Init(c)
	},
	screen.KindModules: func(c *screen.Context, _ screen.Target) (screen.Screen, tea.Cmd) { return modview.Open(c) },
	screen.KindBoard: func(c *screen.Context, _ screen.Target) (screen.Screen, tea.Cmd) {
		return promoview.OpenBoard(c)
	},
	screen.KindWaves:     func(*screen.Context, screen.Target) (screen.Screen, tea.Cmd) { return promoview.OpenWaves(), nil },
	screen.KindAttention: func(*screen.Context, screen.Target) (screen.Screen, tea.Cmd) { return attention.Open(), nil },
	screen.KindMessages:  func(*screen.Context, screen.Target) (screen.Screen, tea.Cmd) { return messages.Open(), nil },
	screen.KindIgnores:   func(*screen.Context, screen.Target) (screen.Screen, tea.Cmd) { return driftview.OpenIgnores(), nil },
}

// onAsk does what a screen asked for; ok is false for other messages.
func (m Model) onAsk(msg tea.Msg) (Model, tea.Cmd, bool) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case screen.Navigate:
		m, cmd = m.navigate(msg.To)
	case screen.AwaitRest:
		m.restAsked = true
	case screen.Push:
		m = m.push(msg.Screen, screen.Target{})
		cmd = msg.Init
	case screen.Replace:
		m = m.pop()
		m = m.push(msg.Screen, screen.Target{})
		cmd = msg.Init
	case screen.Pop:
		m, cmd = m.popRevealed()
		if msg.Then != nil {
			cmd = tea.Batch(cmd, m.context(len(m.stack)-1).Ask(msg.Then))
		}
	case screen.Propose:
		m, cmd = m.propose(msg.Request)
	case screen.Status:
		kind := infoText
		switch {
		case msg.Err:
			kind = errText
		case msg.Alert:
			kind = alertText
		}
		m.status = m.status.set(m.now(), msg.Text, kind)
	case screen.Refresh:
		m.status = m.status.clear()
		m, cmd = m.refresh()
	case screen.Quit:
		m, cmd = m.quit()
	case screen.ToggleWatch:
		m, cmd = m.toggleWatch(msg)
	case screen.OpenURL:
		cmd = m.open(msg)
	case screen.Copy:
		m.status = m.status.set(m.now(), "copied "+msg.Text+" ("+msg.What+")", infoText)
		cmd = tea.SetClipboard(msg.Text)
	case openCommandLine:
		m.typing, m.input = true, m.input.Paste("")
		m.input.Value = ""
	default:
		return m, nil, false
	}
	return m, cmd, true
}

// navigate opens a screen by name: back to it when it is open, else on top.
func (m Model) navigate(t screen.Target) (Model, tea.Cmd) {
	for i := len(m.stack) - 1; i > 0; i-- {
		if m.targets[i].Kind != 0 && m.targets[i].Same(t) {
			for len(m.stack) > i+1 {
				m = m.pop()
			}
			return m.revealed()
		}
	}
	mk, ok := makers[t.Kind]
	if !ok {
		return m, m.context(len(m.stack) - 1).Fail("nothing to open here")
	}
	c := m.context(len(m.stack) - 1)
	s, cmd := mk(c, t)
	return m.push(s, t), cmd
}

func (m Model) push(s screen.Screen, t screen.Target) Model {
	m.stack = append(append([]screen.Screen(nil), m.stack...), s)
	m.targets = append(append([]screen.Target(nil), m.targets...), t)
	return m
}

// pop closes the top screen; the tree never closes.
func (m Model) pop() Model {
	if len(m.stack) > 1 {
		m.stack = append([]screen.Screen(nil), m.stack[:len(m.stack)-1]...)
		m.targets = append([]screen.Target(nil), m.targets[:len(m.targets)-1]...)
	}
	return m
}

// popRevealed closes the top screen and tells the one under it.
func (m Model) popRevealed() (Model, tea.Cmd) {
	if len(m.stack) == 1 {
		return m, nil
	}
	return m.pop().revealed()
}

func (m Model) revealed() (Model, tea.Cmd) { return m.toTop(screen.Revealed{}) }

// popTo closes every screen above the tree.
func (m Model) popToTree() Model {
	for len(m.stack) > 1 {
		m = m.pop()
	}
	return m
}

// has reports whether a screen of kind is open.
func (m Model) has(kinds ...screen.Kind) bool {
	for _, t := range m.targets {
		for _, k := range kinds {
			if t.Kind == k {
				return true
			}
		}
	}
	return false
}
