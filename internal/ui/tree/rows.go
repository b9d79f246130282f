package tree

import (
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/stackfilter"
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
	kind      rowKind
	guide     string // tree guides drawn before the name
	title     string // heading text
	stack     *model.Stack
	weight    int    // stacks under a heading, shown as a count
	unit      string // the business unit a unit heading or its stack belongs to
	collapsed bool   // a unit heading whose stacks are hidden (z)
	// attention of a collapsed unit's hidden stacks (waiting, failed,
	// drifted), so collapsing never hides that something needs a person.
	attention string
}

// selectable rows take the cursor: stacks and business-unit headings.
func (r row) selectable() bool {
	return r.kind == rowStack || (r.kind == rowUnit && r.unit != "")
}

// layout is how rows are built: the filter, the order within groups, the
// collapsed business units (by name).
type layout struct {
	match     func(*model.Stack) bool
	order     stackfilter.Order
	collapsed map[string]bool
	// attention counts what needs a person among a collapsed unit's stacks.
	attention func([]*model.Stack) string
}

// buildRows lays out one environment's tree: the environment stack, then
// its business units (a heading when a unit has several stacks, or for
// every unit once one is collapsed), then the unassigned stacks, and the
// administrative stacks in their own section. Stacks are filtered and
// sorted within their group by stackfilter, apart from the rows.
func buildRows(t *model.EnvTree, l layout) []row {
	if t == nil {
		return nil
	}
	match := l.match
	type branch struct {
		title  string
		stacks []*model.Stack
	}
	var branches []branch
	n := 2 // the root, or the line saying there is none; the admin section's title
	for _, u := range t.Units {
		if ss := filterStacks(u.Stacks, match, l.order); len(ss) > 0 {
			branches = append(branches, branch{u.Name, ss})
			n += 1 + len(ss)
		}
	}
	if ss := filterStacks(t.Unassigned, match, l.order); len(ss) > 0 {
		branches = append(branches, branch{"unassigned", ss})
		n += 1 + len(ss)
	}
	admin := filterStacks(t.Admin, match, l.order)
	// Sized once: a filter keystroke at 10,000 stacks rebuilds thousands of
	// rows, and growing the slice was most of what it allocated.
	rows := make([]row, 0, n+len(admin))
	rootAt := -1
	if t.Root != nil {
		rootAt = 0
		kind := rowStack
		if !match(t.Root) {
			kind = rowContext // kept only if some child matches, so guides hang from it
		}
		rows = append(rows, row{kind: kind, stack: t.Root})
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
		// A unit of one stack sits directly under the root (its unit column
		// names it) until collapsing is used. Unassigned stacks always get
		// their heading, so it is clear no unit claims them.
		if len(b.stacks) == 1 && b.title != "unassigned" && len(l.collapsed) == 0 {
			rows = append(rows, row{kind: rowStack, guide: guide, stack: b.stacks[0], unit: b.title})
			continue
		}
		shut := l.collapsed[b.title]
		rows = append(rows, row{kind: rowUnit, guide: guide, title: b.title, weight: len(b.stacks), unit: b.title, collapsed: shut})
		if shut {
			rows[len(rows)-1].attention = l.attention(b.stacks)
			continue
		}
		mid, end := cont+"├─ ", cont+"└─ "
		for j, s := range b.stacks {
			g := mid
			if j == len(b.stacks)-1 {
				g = end
			}
			rows = append(rows, row{kind: rowStack, guide: g, stack: s, unit: b.title})
		}
	}
	if len(admin) > 0 {
		rows = append(rows, row{kind: rowSection, title: "administrative", weight: len(admin)})
		for _, s := range admin {
			rows = append(rows, row{kind: rowStack, stack: s})
		}
	}
	return rows
}

func filterStacks(in []*model.Stack, match func(*model.Stack) bool, order stackfilter.Order) []*model.Stack {
	var out []*model.Stack
	for _, s := range in {
		if match(s) {
			out = append(out, s)
		}
	}
	if order != "" {
		stackfilter.Sort(out, order)
	}
	return out
}
