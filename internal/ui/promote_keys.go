package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// handlePromoteKey routes a key on the promotion screens. Stack actions
// work only in the wave view, on its selected stack: on the board and the
// diff no stack is in view, so they must not reach the tree's selection.
func (m Model) handlePromoteKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys.Promote
	switch m.pr.stage {
	case stageBoard:
		switch {
		case key.Matches(msg, k.Up):
			m.pr.row = max(0, m.pr.row-1)
		case key.Matches(msg, k.Down):
			m.pr.row = max(0, min(m.pr.row+1, len(m.pr.rows)-1))
		case key.Matches(msg, k.Left):
			m.pr.col = max(0, m.pr.col-1)
		case key.Matches(msg, k.Right):
			m.pr.col = min(m.pr.col+1, len(m.envs)-1)
		case key.Matches(msg, k.Open):
			return m.computePromotion()
		}
	case stageDiff:
		switch {
		case key.Matches(msg, k.Up):
			m.pr.scroll = max(0, m.pr.scroll-1)
		case key.Matches(msg, k.Down):
			m.pr.scroll = min(m.pr.scroll+1, max(0, len(m.diffLines())-1))
		case key.Matches(msg, k.Open):
			return m.proposePromotion()
		case key.Matches(msg, k.Predict):
			return m.predictPlans()
		}
	case stageWaves:
		if next, cmd, ok := m.handleActionKey(msg); ok {
			return next, cmd
		}
		switch {
		case key.Matches(msg, k.Up):
			m.pr.cursor = max(0, m.pr.cursor-1)
		case key.Matches(msg, k.Down):
			m.pr.cursor = max(0, min(m.pr.cursor+1, m.waveCount()-1))
		}
	}
	return m, nil
}

// promoteBack is esc on the promotion screens: from the diff or the waves
// back to a fresh board, from the board back to the tree.
func (m Model) promoteBack() (Model, tea.Cmd) {
	if m.pr.stage == stageBoard {
		m.view = viewTree
		return m, nil
	}
	m.pr.stage = stageBoard
	return m.loadBoard()
}

// promoteRefresh is r on the promotion screens: the board is read again,
// the diff and its gates computed again.
func (m Model) promoteRefresh() (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.pr.stage {
	case stageBoard:
		m, cmd = m.loadBoard()
	case stageDiff:
		m, cmd = m.computePromotion()
	}
	m, refresh := m.refresh()
	return m, tea.Batch(cmd, refresh)
}
