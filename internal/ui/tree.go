package ui

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/stackview/stackview/internal/model"
)

// rowKind tells stack rows (selectable) from headings.
type rowKind int

const (
	rowStack   rowKind = iota
	rowUnit            // a business unit with several stacks, or "unassigned"
	rowSection         // the administrative section's title
	rowContext         // the environment stack shown, unselectable, above filtered children
)

// row is one line of the tree.
type row struct {
	kind   rowKind
	guide  string // tree guides drawn before the name
	title  string // heading text
	stack  *model.Stack
	weight int // stacks under a heading, shown as a count
}

// matcher builds the filter predicate. Plain text matches a substring of the
// name or business unit, ignoring case; "re:" starts a regular expression
// (also case-insensitive). A malformed expression is an error, never a panic.
func matcher(filter string) (func(*model.Stack) bool, error) {
	if filter == "" {
		return func(*model.Stack) bool { return true }, nil
	}
	if expr, ok := strings.CutPrefix(filter, "re:"); ok {
		re, err := regexp.Compile("(?i)" + expr)
		if err != nil {
			return nil, fmt.Errorf("bad regular expression: %w", err)
		}
		return func(s *model.Stack) bool { return re.MatchString(s.Name) || re.MatchString(s.BusinessUnit) }, nil
	}
	needle := strings.ToLower(filter)
	return func(s *model.Stack) bool {
		return strings.Contains(strings.ToLower(s.Name), needle) ||
			strings.Contains(strings.ToLower(s.BusinessUnit), needle)
	}, nil
}

// buildRows lays out one environment's tree: the environment stack, then
// its business units (a heading when a unit has several stacks), then the
// unassigned stacks, and the administrative stacks in their own section.
func buildRows(t *model.EnvTree, match func(*model.Stack) bool) []row {
	if t == nil {
		return nil
	}
	var rows []row
	rootAt := -1
	if t.Root != nil {
		rootAt = 0
		kind := rowStack
		if !match(t.Root) {
			kind = rowContext // kept only if some child matches, so guides hang from it
		}
		rows = append(rows, row{kind: kind, stack: t.Root})
	}
	type branch struct {
		title  string
		stacks []*model.Stack
	}
	var branches []branch
	for _, u := range t.Units {
		if ss := filterStacks(u.Stacks, match); len(ss) > 0 {
			branches = append(branches, branch{u.Name, ss})
		}
	}
	if ss := filterStacks(t.Unassigned, match); len(ss) > 0 {
		branches = append(branches, branch{"unassigned", ss})
	}
	switch {
	case rootAt >= 0 && rows[rootAt].kind == rowContext && len(branches) == 0:
		rows = rows[:rootAt]
	case rootAt < 0 && len(branches) > 0:
		// Say why the tree has no root rather than leave guides hanging.
		rows = append(rows, row{kind: rowUnit, title: "(no environment stack)"})
	}
	for i, b := range branches {
		last := i == len(branches)-1
		guide, cont := "├─ ", "│  "
		if last {
			guide, cont = "└─ ", "   "
		}
		// A unit of one stack sits directly under the root; its unit column
		// names it. Unassigned stacks always get their heading, so it is
		// clear no unit claims them.
		if len(b.stacks) == 1 && b.title != "unassigned" {
			rows = append(rows, row{kind: rowStack, guide: guide, stack: b.stacks[0]})
			continue
		}
		rows = append(rows, row{kind: rowUnit, guide: guide, title: b.title, weight: len(b.stacks)})
		for j, s := range b.stacks {
			g := cont + "├─ "
			if j == len(b.stacks)-1 {
				g = cont + "└─ "
			}
			rows = append(rows, row{kind: rowStack, guide: g, stack: s})
		}
	}
	if admin := filterStacks(t.Admin, match); len(admin) > 0 {
		rows = append(rows, row{kind: rowSection, title: "administrative", weight: len(admin)})
		for _, s := range admin {
			rows = append(rows, row{kind: rowStack, stack: s})
		}
	}
	return rows
}

func filterStacks(in []*model.Stack, match func(*model.Stack) bool) []*model.Stack {
	var out []*model.Stack
	for _, s := range in {
		if match(s) {
			out = append(out, s)
		}
	}
	return out
}

// rebuildRows recomputes the visible rows and puts the cursor back on the
// selected stack (by id), or as near its old position as the rows allow.
func (m *Model) rebuildRows() {
	match, err := matcher(m.filter)
	if err != nil {
		match, _ = matcher("")
	}
	m.rows = buildRows(m.currentEnv(), match)
	idx := -1
	m.stackRows = 0
	for i, r := range m.rows {
		if r.kind != rowStack {
			continue
		}
		m.stackRows++
		if idx < 0 && r.stack.ID == m.selectedID {
			idx = i
		}
	}
	if idx < 0 {
		idx = m.nearestStackRow(m.cursor, 1)
	}
	m.setCursor(idx)
}

// nearestStackRow finds a stack row from i in direction dir, then the other
// way; -1 when there is none.
func (m *Model) nearestStackRow(i, dir int) int {
	if len(m.rows) == 0 {
		return -1
	}
	i = min(max(i, 0), len(m.rows)-1)
	for _, d := range []int{dir, -dir} {
		for j := i; j >= 0 && j < len(m.rows); j += d {
			if m.rows[j].kind == rowStack {
				return j
			}
		}
	}
	return -1
}

// setCursor selects row i (a stack row or -1) and keeps it on screen.
func (m *Model) setCursor(i int) {
	prev := m.selectedID
	m.cursor = i
	m.selectedID = ""
	if i >= 0 && i < len(m.rows) && m.rows[i].kind == rowStack {
		m.selectedID = m.rows[i].stack.ID
	}
	if m.selectedID != prev {
		m.detailScroll = 0
	}
	m.clampScroll()
}

// move moves the cursor by delta stack rows (headings are skipped).
func (m *Model) move(delta int) {
	if m.cursor < 0 {
		m.setCursor(m.nearestStackRow(0, 1))
		return
	}
	dir := 1
	if delta < 0 {
		dir, delta = -1, -delta
	}
	i := m.cursor
	for ; delta > 0; delta-- {
		next := i + dir
		for next >= 0 && next < len(m.rows) && m.rows[next].kind != rowStack {
			next += dir
		}
		if next < 0 || next >= len(m.rows) {
			break
		}
		i = next
	}
	m.setCursor(i)
}

// clampScroll keeps the cursor inside the visible window and the window
// inside the rows.
func (m *Model) clampScroll() {
	h := m.treeRows()
	if h <= 0 {
		return
	}
	if m.cursor >= 0 {
		if m.cursor < m.offset {
			m.offset = m.cursor
		}
		if m.cursor >= m.offset+h {
			m.offset = m.cursor - h + 1
		}
	}
	m.offset = max(0, min(m.offset, len(m.rows)-h))
}
