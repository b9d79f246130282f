package tree

import (
	"charm.land/lipgloss/v2"
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
