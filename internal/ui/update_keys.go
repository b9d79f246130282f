package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// handleKey routes a key press: the input line first, then the help
// overlay, then global keys, then the focused view.
func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.dialog != nil {
		if msg.String() == "ctrl+c" {
			return m, tea.Quit
		}
		if m.mods.bump != nil {
			return m.onBumpDialogKey(msg)
		}
		return m.onDialogKey(msg)
	}
	if m.mode != modeBrowse {
		return m.handleInputKey(msg)
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
	quitArmed := m.quitArmed
	m.quitArmed = false
	if m.drift.open && m.view == viewTree && m.loaded {
		if next, cmd, ok := m.handleDriftKey(msg); ok {
			return next, cmd
		}
	}
	switch {
	case key.Matches(msg, g.Quit):
		return m.quit(quitArmed)
	case key.Matches(msg, g.Help):
		m.helpOpen = true
		return m, nil
	case key.Matches(msg, g.Refresh) && m.view == viewPromote:
		m.message = ""
		return m.promoteRefresh()
	case key.Matches(msg, g.Refresh) && m.view == viewModules:
		m.message = ""
		m, scan := m.scanModules()
		m, refresh := m.refresh()
		return m, tea.Batch(scan, refresh)
	case key.Matches(msg, g.Refresh):
		m.message = ""
		return m.refresh()
	case key.Matches(msg, g.Promote):
		return m.openBoard()
	case key.Matches(msg, g.Filter) && m.view == viewRun:
		m.mode, m.input = modeSearch, m.rv.search
		return m, nil
	case key.Matches(msg, g.Filter) && m.view == viewTree:
		m.mode, m.oldFilter, m.input = modeFilter, m.filter, m.filter
		return m, nil
	case key.Matches(msg, g.Command):
		m.mode, m.input = modeCommand, ""
		return m, nil
	case key.Matches(msg, g.ClearEsc) && m.view == viewPromote:
		return m.promoteBack()
	case key.Matches(msg, g.ClearEsc):
		return m.back().loadRunsIfNeeded(false) // clearing the filter may move the selection
	case key.Matches(msg, g.Modules):
		return m.openModules()
	case m.view == viewPromote:
		return m.handlePromoteKey(msg)
	}
	if m.view == viewModules {
		return m.handleModulesKey(msg)
	}
	if next, cmd, ok := m.handleActionKey(msg); ok {
		return next, cmd
	}
	switch m.view {
	case viewHistory:
		return m.handleHistoryKey(msg)
	case viewRun:
		return m.handleRunKey(msg), nil
	}
	switch {
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

// quit leaves, except while a mutation is in flight: its answer and audit
// entry would be lost, so the first press warns and only a second one quits.
func (m Model) quit(armed bool) (tea.Model, tea.Cmd) {
	inflight := len(m.ops.InFlight())
	if inflight == 0 || armed {
		return m, tea.Quit
	}
	m.quitArmed = true
	m.message, m.messageErr = fmt.Sprintf("%d %s in flight: press %s again to quit without waiting for the answer",
		inflight, plural(inflight, "mutation"), m.keys.Global.Quit.Help().Key), true
	return m, nil
}

// back is esc: leave the run view or history, else close the full-screen
// detail, else clear the filter, else the marks, else the message.
func (m Model) back() Model {
	switch {
	case m.view == viewModules:
		m.view = viewTree
	case m.view == viewRun:
		m.view = m.rv.from
		m.rv.gen = -1 // retires the poll chain
	case m.view == viewHistory:
		m.view = viewTree
	case m.detailShownFull():
		m.detailFull, m.detailScroll = false, 0
	case m.filter != "":
		m.filter = ""
		m.rebuildRows()
	case len(m.marks) > 0:
		m.marks = nil
		m.message, m.messageErr = "marks cleared", false
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
	case key.Matches(msg, t.Mark):
		return m.toggleMark(), nil
	case key.Matches(msg, t.MarkAll):
		return m.markAll(), nil
	case key.Matches(msg, t.Watch):
		return m.toggleWatch()
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
		if m.mode == modeSearch {
			m.mode, m.rv.search, m.input = modeBrowse, m.input, ""
			return m.nextMatch(m.rv.scroll - 1), nil
		}
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

// onPaste types pasted text into the dialog or the input line, on one line.
func (m Model) onPaste(msg tea.PasteMsg) Model {
	if m.dialog != nil {
		d := m.dialog.paste(msg.Content)
		m.dialog = &d
		return m
	}
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

// handleActionKey runs the keys that act on the stack or run in view.
func (m Model) handleActionKey(msg tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	for _, k := range mutatingActions {
		if key.Matches(msg, m.binding(k)) {
			next, cmd := m.proposeAction(k)
			return next, cmd, true
		}
	}
	a := m.keys.Actions
	var next Model
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, a.Latest):
		next, cmd = m.openLatest()
	case key.Matches(msg, a.History):
		next, cmd = m.openHistory()
	case key.Matches(msg, a.Open):
		next, cmd = m.openTarget()
	case key.Matches(msg, a.CopyURL):
		next, cmd = m.copyTargetURL()
	default:
		return m, nil, false
	}
	return next, cmd, true
}

func (m Model) handleHistoryKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	h := m.keys.History
	switch {
	case key.Matches(msg, h.Up):
		return m.moveHistory(-1)
	case key.Matches(msg, h.Down):
		return m.moveHistory(1)
	case key.Matches(msg, h.Open):
		if _, r := m.actionTarget(); r != nil {
			return m.openRun(r.StackID, r.ID)
		}
	case key.Matches(msg, h.Watch):
		return m.toggleWatch()
	}
	return m, nil
}

func (m Model) handleRunKey(msg tea.KeyPressMsg) Model {
	k, rv := m.keys.Run, &m.rv
	page := max(1, m.logRows()-1)
	scrollBy := func(d int) {
		if rv.follow {
			rv.scroll = m.maxLogScroll()
		}
		rv.follow = false
		rv.scroll = max(0, min(rv.scroll+d, m.maxLogScroll()))
	}
	switch {
	case key.Matches(msg, k.Up):
		scrollBy(-1)
	case key.Matches(msg, k.Down):
		scrollBy(1)
	case key.Matches(msg, k.PageUp):
		scrollBy(-page)
	case key.Matches(msg, k.PageDown):
		scrollBy(page)
	case key.Matches(msg, k.Top):
		rv.follow, rv.scroll = false, 0
	case key.Matches(msg, k.Follow):
		rv.follow = true
	case key.Matches(msg, k.Next):
		return m.nextMatch(rv.scroll)
	case key.Matches(msg, k.Wrap):
		rv.wrap = !rv.wrap
	case key.Matches(msg, k.Watch):
		next, _ := m.toggleWatch()
		return next
	}
	return m
}
