package ui

// Screen geometry. Everything is derived from the window size so a resize
// needs no bookkeeping beyond clampScroll.
const (
	minWidth, minHeight = 60, 16
	wideWidth           = 100 // from here the detail pane sits right of the tree
	headerLines         = 2
	footerLines         = 2 // status line and key hints
)

func (m Model) tooSmall() bool { return m.width < minWidth || m.height < minHeight }

func (m Model) wide() bool { return m.width >= wideWidth }

// bodyHeight is the space between header and footer.
func (m Model) bodyHeight() int { return max(0, m.height-headerLines-footerLines) }

// treeRows is how many tree rows fit under the column header.
func (m Model) treeRows() int { return m.bodyHeight() - 1 }

// paneWidth is the detail pane's width in the wide layout.
func (m Model) paneWidth() int { return min(max(m.width/3, 40), 64) }

// showPane reports whether the wide layout shows the detail pane.
func (m Model) showPane() bool { return m.wide() && !m.paneHidden && m.selectedID != "" }

// detailShownFull reports whether the detail fills the body (narrow layout).
func (m Model) detailShownFull() bool { return !m.wide() && m.detailFull && m.selectedID != "" }

func (m Model) treeWidth() int {
	if m.showPane() {
		return m.width - m.paneWidth() - 1
	}
	return m.width
}
