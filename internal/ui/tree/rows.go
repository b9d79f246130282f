package tree

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
