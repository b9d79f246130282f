package ui

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/model"
)

// column is one tree column; width 0 means "the rest" (the name).
type column struct {
	id    string
	title string
	width int
}

const (
	colState  = "state"
	colName   = "name"
	colUnit   = "unit"
	colRun    = "run"
	colCommit = "commit"
	colMarks  = "marks"
	minName   = 26 // columns drop until the name has at least this much room
	maxName   = 48 // wider names leave the rest blank: far-apart columns read badly
)

// columns picks the columns that fit width: markers shrink to icons first,
// then the latest run goes, then the unit, then the commit.
func columns(width int) []column {
	all := []column{
		{colState, "STATE", 14},
		{colName, "STACK", 0},
		{colUnit, "UNIT", 12},
		{colRun, "LATEST RUN", 26},
		{colCommit, "COMMIT", 10},
		{colMarks, "FLAGS", 18},
	}
	used := func(cs []column) int {
		n := 0
		for _, c := range cs {
			n += c.width + 1
		}
		return n
	}
	for _, drop := range []string{"", "shrink-marks", colRun, colUnit, colCommit} {
		switch drop {
		case "":
		case "shrink-marks":
			for i := range all {
				if all[i].id == colMarks {
					all[i].width, all[i].title = 4, "!"
				}
			}
		default:
			for i := range all {
				if all[i].id == drop {
					all = append(all[:i], all[i+1:]...)
					break
				}
			}
		}
		if width-used(all) >= minName {
			break
		}
	}
	for i := range all {
		if all[i].id == colName {
			all[i].width = min(maxName, max(8, width-used(all)))
		}
	}
	// Room the name does not need widens the latest run, whose long states
	// (drift-check ? PENDING_REVIEW 12m) would otherwise be cut.
	for i := range all {
		if all[i].id == colRun {
			all[i].width += min(8, max(0, width-used(all)))
		}
	}
	return all
}

// cell is a column's text and the style for it when the row is not selected.
type cell struct {
	text  string
	style lipgloss.Style
}

// renderTree draws the column header and the visible rows only, so a tree of
// thousands of stacks costs no more than one screenful.
func (m Model) renderTree(width, height int) string {
	cols := columns(width)
	st := m.styles
	lines := make([]string, 0, height)
	var hdr []string
	for _, c := range cols {
		hdr = append(hdr, fit(c.title, c.width))
	}
	lines = append(lines, st.ColumnHeader.Render(fit(strings.Join(hdr, " "), width)))
	if len(m.rows) == 0 {
		msg := "no stacks in this environment"
		if m.filter != "" {
			msg = "no stack matches the filter " + quoteFilter(m.filter) + " (esc clears it)"
		}
		lines = append(lines, st.Subtle.Render(fit("  "+msg, width)))
	}
	end := min(len(m.rows), m.offset+height-1)
	for i := m.offset; i < end; i++ {
		lines = append(lines, m.renderRow(m.rows[i], cols, width, i == m.cursor))
	}
	for len(lines) < height {
		lines = append(lines, strings.Repeat(" ", width))
	}
	return strings.Join(lines, "\n")
}

func quoteFilter(f string) string { return "\"" + f + "\"" }

func (m Model) renderRow(r row, cols []column, width int, selected bool) string {
	st := m.styles
	var cells []cell
	switch r.kind {
	case rowSection:
		title := "── " + r.title + " (" + strconv.Itoa(r.weight) + ") "
		return st.Heading.Render(fit(title+strings.Repeat("─", max(0, width-ansi.StringWidth(title))), width))
	case rowUnit:
		for _, c := range cols {
			switch c.id {
			case colName:
				title := r.guide + r.title
				if r.weight > 0 {
					title += " (" + strconv.Itoa(r.weight) + ")"
				}
				cells = append(cells, cell{title, st.Heading})
			default:
				cells = append(cells, cell{"", st.Subtle})
			}
		}
	case rowContext:
		for _, c := range m.stackCells(r, cols) {
			cells = append(cells, cell{c.text, st.Subtle})
		}
	default:
		cells = m.stackCells(r, cols)
	}
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = fit(c.text, cols[i].width)
		if !selected {
			parts[i] = c.style.Render(parts[i])
		}
	}
	line := strings.Join(parts, " ")
	if selected {
		// Plain text under one style: inner resets would cut the highlight.
		return st.Selected.Render(fit(line, width))
	}
	return line + strings.Repeat(" ", max(0, width-lipgloss.Width(line)))
}

func (m Model) stackCells(r row, cols []column) []cell {
	s, st := r.stack, m.styles
	cells := make([]cell, 0, len(cols))
	for _, c := range cols {
		switch c.id {
		case colState:
			text, style := stateLabel(s.State, st)
			cells = append(cells, cell{text, style})
		case colName:
			name := s.Name
			if m.marks[s.ID] {
				name = "● " + name
			}
			if s.Disabled {
				name += " (disabled)"
			}
			cells = append(cells, cell{r.guide + name, lipgloss.NewStyle()})
		case colUnit:
			cells = append(cells, cell{s.BusinessUnit, st.Subtle})
		case colRun:
			cells = append(cells, m.runCell(s.LatestRun))
		case colCommit:
			text := shortSHA(s.TrackedCommit)
			style := st.Subtle
			if behind := s.Behind(); behind != "" {
				text += " " + behind
				style = st.Warn
			}
			cells = append(cells, cell{text, style})
		case colMarks:
			cells = append(cells, markCell(s, c.width < 10, m))
		}
	}
	return cells
}

func (m Model) runCell(r *model.Run) cell {
	if r == nil {
		return cell{"–", m.styles.Subtle}
	}
	label, style := stateLabel(r.State, m.styles)
	return cell{string(r.Kind) + " " + label + " " + m.runAge(r), style}
}

// markCell shows drift and lock as icon and word, or icons alone when narrow.
func markCell(s *model.Stack, compact bool, m Model) cell {
	var marks []string
	style := m.styles.Subtle
	switch s.Drift.Status() {
	case model.DriftDrifted:
		marks = append(marks, pick(compact, "⚠", "⚠ drift"))
		style = m.styles.Warn
	case model.DriftUnknown: // the detail says why
		marks = append(marks, pick(compact, "⚠?", "drift?"))
	}
	switch {
	case s.NeedsApproval:
		// An approval policy holds a run: nothing moves until someone
		// approves it (v), and c is refused meanwhile.
		marks = append(marks, pick(compact, "!", "! approval"))
		style = m.styles.Waiting
	case s.LatestRun != nil && s.LatestRun.State.Waiting() && !s.State.Waiting():
		// A proposed run waits for review while the stack itself looks fine;
		// without this the tab's "?" count would have no visible cause.
		marks = append(marks, pick(compact, "?", "? waiting"))
		style = m.styles.Waiting
	}
	if s.Locked() {
		marks = append(marks, pick(compact, "⊘", "⊘ locked"))
		if len(marks) == 1 {
			style = m.styles.Accent
		}
	}
	sep := " "
	if compact {
		sep = ""
	}
	return cell{strings.Join(marks, sep), style}
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
