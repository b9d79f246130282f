package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// handleKey routes a key press: the input line first, then the help
// overlay, then global keys, then the focused view.
func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.mode != modeBrowse {
		return m.handleInputKey(msg)
	}
	if m.drift.confirm != nil {
		return m.handleConfirmKey(msg)
	}
	g := m.keys.Global
	if m.helpOpen {
		switch {
		case key.Matches(msg, g.Quit):
			return m, tea.Quit
		case key.Matches(msg, g.Help, g.ClearEsc):
			m.helpOpen = false
		}
		return m, nil
	}
	if m.drift.open && m.loaded {
		if mm, cmd, ok := m.handleDriftKey(msg); ok {
			return mm, cmd
		}
	}
	switch {
	case key.Matches(msg, g.Quit):
		return m, tea.Quit
	case key.Matches(msg, g.Help):
		m.helpOpen = true
		return m, nil
	case key.Matches(msg, g.Refresh):
		m.message = ""
		return m.refresh()
	case key.Matches(msg, g.Filter):
		m.mode, m.oldFilter, m.input = modeFilter, m.filter, m.filter
		return m, nil
	case key.Matches(msg, g.Command):
		m.mode, m.input = modeCommand, ""
		return m, nil
	case key.Matches(msg, g.NextEnv):
		return m.switchEnv(m.env + 1)
	case key.Matches(msg, g.PrevEnv):
		return m.switchEnv(m.env - 1 + len(m.envs))
	case key.Matches(msg, g.JumpEnv):
		for i, k := range g.JumpEnv.Keys() {
			if k == msg.String() && i < len(m.envs) {
				return m.switchEnv(i)
			}
		}
		return m, nil
	case key.Matches(msg, g.ClearEsc):
		return m.back().loadRunsIfNeeded(false) // clearing the filter may move the selection
	}
	if m.detailShownFull() {
		dk := m.keys.Detail
		switch {
		case key.Matches(msg, dk.Close):
			m.detailFull, m.detailScroll = false, 0
		case key.Matches(msg, dk.ScrollUp):
			m.detailScroll = max(0, m.detailScroll-1)
		case key.Matches(msg, dk.ScrollDown):
			m.detailScroll = min(m.detailScroll+1, m.maxDetailScroll())
		}
		return m, nil
	}
	return m.handleTreeKey(msg)
}

// back is esc: close the full-screen detail, else clear the filter, else
// clear the message.
func (m Model) back() Model {
	switch {
	case m.detailShownFull():
		m.detailFull, m.detailScroll = false, 0
	case m.filter != "":
		m.filter = ""
		m.rebuildRows()
	default:
		m.message = ""
	}
	return m
}

func (m Model) handleTreeKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	t := m.keys.Tree
	page := max(1, m.treeRows()-1)
	switch {
	case key.Matches(msg, t.Up):
		m.move(-1)
	case key.Matches(msg, t.Down):
		m.move(1)
	case key.Matches(msg, t.PageUp):
		m.move(-page)
	case key.Matches(msg, t.PageDown):
		m.move(page)
	case key.Matches(msg, t.Top):
		m.setCursor(m.nearestStackRow(0, 1))
	case key.Matches(msg, t.Bottom):
		m.setCursor(m.nearestStackRow(len(m.rows)-1, -1))
	case key.Matches(msg, t.Open):
		return m.openSelected()
	case key.Matches(msg, t.CopyURL):
		return m.copySelectedURL()
	case key.Matches(msg, t.Inbox):
		return m.openDrift()
	case key.Matches(msg, t.Check):
		return m.checkNow(m.selected())
	case key.Matches(msg, t.Detail):
		if m.wide() {
			m.paneHidden = !m.paneHidden
		} else if m.selectedID != "" {
			m.detailFull = true
		}
		return m, nil
	default:
		return m, nil
	}
	return m.loadRunsIfNeeded(false)
}

// switchEnv selects environment i (wrapping). The filter stays.
func (m Model) switchEnv(i int) (tea.Model, tea.Cmd) {
	if len(m.envs) == 0 {
		return m, nil
	}
	i %= len(m.envs)
	if i != m.env {
		m.env, m.cursor, m.offset, m.selectedID = i, 0, 0, ""
		m.detailFull = false
		m.rebuildRows()
	}
	return m.loadRunsIfNeeded(false)
}

// handleInputKey edits the filter or command line.
func (m Model) handleInputKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	in := m.keys.Input
	switch {
	case msg.Text == "" && key.Matches(msg, m.keys.Global.Quit):
		return m, tea.Quit // ctrl+c quits even mid-typing; a typed q is text
	case key.Matches(msg, in.Cancel):
		if m.mode == modeFilter {
			m.filter = m.oldFilter
			m.rebuildRows()
		}
		m.mode, m.input = modeBrowse, ""
		return m.loadRunsIfNeeded(false)
	case key.Matches(msg, in.Submit):
		if m.mode == modeCommand {
			line := m.input
			m.mode, m.input = modeBrowse, ""
			return m.runCommand(line)
		}
		m.mode = modeBrowse
		if _, err := matcher(m.input); err != nil {
			// The edit is rejected as a whole: the filter from before it stays.
			m.message, m.messageErr = err.Error(), true
			m.filter, m.input = m.oldFilter, ""
			m.rebuildRows()
			return m.loadRunsIfNeeded(false)
		}
		m.input = ""
		return m.loadRunsIfNeeded(false)
	case key.Matches(msg, in.Complete):
		if m.mode == modeCommand {
			m.input = m.complete(m.input)
		}
		return m, nil
	case key.Matches(msg, in.Erase):
		if r := []rune(m.input); len(r) > 0 {
			m.input = string(r[:len(r)-1])
		}
	case key.Matches(msg, in.Clear):
		m.input = ""
	default:
		if msg.Text == "" {
			return m, nil
		}
		m.input += msg.Text
	}
	return m.inputChanged(), nil
}

// onPaste types pasted text into the input line, on one line.
func (m Model) onPaste(msg tea.PasteMsg) Model {
	if m.mode == modeBrowse {
		return m
	}
	m.input += strings.Join(strings.Fields(msg.Content), " ")
	return m.inputChanged()
}

func (m Model) inputChanged() Model {
	if m.mode == modeFilter {
		return m.applyLiveFilter()
	}
	return m
}

// applyLiveFilter filters as the user types. A half-typed regular
// expression that does not compile keeps the last good filter on screen.
func (m Model) applyLiveFilter() Model {
	if _, err := matcher(m.input); err != nil {
		m.message, m.messageErr = err.Error(), true
		return m
	}
	m.message, m.messageErr = "", false
	m.filter = m.input
	m.rebuildRows()
	return m
}
