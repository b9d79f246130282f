package tree

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// press dispatches a key as the root does: the key table, else Update.
func press(c *screen.Context, m Model, names ...string) Model {
	for _, n := range names {
		msg := uitest.Press(n)
		var next screen.Screen
		if a, ok := screen.Match(c.Keys, m.Keys(c), msg); ok {
			next, _ = a.Do()
		} else {
			next, _ = m.Update(c, msg)
		}
		if next != nil {
			m = next.(Model)
		}
	}
	return m
}

func loaded(t *testing.T) (*screen.Context, Model) {
	t.Helper()
	c, _ := uitest.Context(t, uitest.NewFake())
	next, _ := New().Update(c, screen.Loaded{})
	return c, next.(Model)
}

// names are the stack rows shown, in order.
func names(m Model) string {
	var out []string
	for _, r := range m.rows {
		switch r.kind {
		case rowStack:
			out = append(out, r.stack.Name)
		case rowContext:
			out = append(out, "("+r.stack.Name+")")
		case rowUnit:
			out = append(out, "["+r.title+kit.Pick(r.collapsed, "+", "")+"]")
		}
	}
	return strings.Join(out, " ")
}

// Issue 19: filter terms narrow the tree, ANDed with names; a bad one says
// what is valid and keeps the last good filter.
func TestFilterTermsNarrowTheTree(t *testing.T) {
	for _, tc := range []struct{ filter, want string }{
		{"state:unconfirmed", "(dev-network) dev-payments-worker"},
		{"state:failed,unconfirmed", "(dev-network) dev-payments-worker dev-search"},
		{"kind:deploy pay", "(dev-network) [payments] dev-payments-api dev-payments-worker"},
		{"is:waiting", "(dev-network) dev-payments-worker"},
		{"state:finished re:legacy", "(dev-network) [unassigned] dev-legacy-reports"},
		{"state:finished re:network", "dev-network"},
		{"is:locked", ""},
	} {
		c, m := loaded(t)
		m = press(c, m, "/")
		for _, k := range uitest.Type(tc.filter) {
			m = press(c, m, k.String())
		}
		m = press(c, m, "enter")
		if got := names(m); got != tc.want {
			t.Errorf("/%s: %q, want %q", tc.filter, got, tc.want)
		}
	}
	c, m := loaded(t)
	m = press(c, m, "/")
	for _, k := range uitest.Type("is:stale") {
		m = press(c, m, k.String())
	}
	if p, _ := m.Prompt(c); !strings.Contains(ansi.Strip(p), "is: takes drifted, locked, waiting, behind") {
		t.Errorf("prompt %q", ansi.Strip(p))
	}
}

// :sort orders the stacks within their groups, not the groups.
func TestSortOrdersWithinGroups(t *testing.T) {
	c, m := loaded(t)
	if got := names(m); got != "dev-network [payments] dev-payments-api dev-payments-worker dev-search [unassigned] dev-legacy-reports" {
		t.Fatalf("unsorted: %q", got)
	}
	next, _, ok := m.Command(c, "sort", []string{"state"})
	if !ok {
		t.Fatal(":sort not taken")
	}
	m = next.(Model)
	if got := names(m); got != "dev-network [payments] dev-payments-worker dev-payments-api dev-search [unassigned] dev-legacy-reports" {
		t.Fatalf("by state: %q", got)
	}
	*c.Asks = nil
	if _, _, ok := m.Command(c, "sort", []string{"size"}); !ok || len(*c.Asks) == 0 {
		t.Fatal("a bad order said nothing")
	}
	if _, _, ok := m.Command(c, "save", nil); ok {
		t.Fatal("the tree took :save")
	}
}

// z on a business unit's heading (or one of its stacks) collapses it;
// once collapsing is used, one-stack units get a heading too; the count
// still counts the stacks in collapsed units.
func TestBusinessUnitsCollapseAndExpand(t *testing.T) {
	c, m := loaded(t)
	c.Data.ApplyDrift(true) // counts what needs a person, as a load does
	m = press(c, m, "j")    // the payments heading
	if m.Selected() != "" || m.selectedUnit != "payments" {
		t.Fatalf("j selected %q (unit %q)", m.Selected(), m.selectedUnit)
	}
	m = press(c, m, "z")
	if got := names(m); got != "dev-network [payments+] [search] dev-search [unassigned] dev-legacy-reports" {
		t.Fatalf("collapsed: %q", got)
	}
	if m.stackRows != 5 {
		t.Errorf("%d stacks counted, want the 5 that match, collapsed or not", m.stackRows)
	}
	// Collapsing hides no stack that needs a person: the heading counts them.
	if view := ansi.Strip(m.View(c, 120, 26)); !strings.Contains(view, "?1") || !strings.Contains(view, "▸ payments (2)") {
		t.Fatalf("the collapsed payments unit hides its unconfirmed run:\n%s", view)
	}
	m = press(c, m, "j", "j", "z") // dev-search, in its own unit
	if got := names(m); got != "dev-network [payments+] [search+] [unassigned] dev-legacy-reports" || m.selectedUnit != "search" {
		t.Fatalf("a one-stack unit collapsed: %q, cursor on %q", names(m), m.selectedUnit)
	}
	if view := ansi.Strip(m.View(c, 120, 26)); !strings.Contains(view, "✗1") {
		t.Fatalf("the collapsed search unit hides its failed stack:\n%s", view)
	}
	m = press(c, m, "z", "k", "z")
	if got := names(m); got != "dev-network [payments] dev-payments-api dev-payments-worker dev-search [unassigned] dev-legacy-reports" {
		t.Fatalf("expanded again: %q", got)
	}
}

func TestFilterKeepsTheRootAsContext(t *testing.T) {
	c, m := loaded(t)
	m = press(c, m, "/")
	for _, k := range uitest.Type("worker") {
		m = press(c, m, k.String())
	}
	m = press(c, m, "enter")
	view := ansi.Strip(m.View(c, 120, 26))
	if !strings.Contains(view, "dev-network") || !strings.Contains(view, "dev-payments-worker") || strings.Contains(view, "dev-search") {
		t.Fatalf("filtered tree:\n%s", view)
	}
	if m.Selected() != "dev-payments-worker" {
		t.Fatalf("selected %q; the context root must not be selectable", m.Selected())
	}
}

func TestEscClearsTheFilterThenTheMarks(t *testing.T) {
	c, m := loaded(t)
	m.filter = "pay"
	m.rebuildRows(c)
	m = press(c, m, "space", "esc")
	if m.Filter() != "" || len(m.Marks()) != 1 {
		t.Fatalf("first esc: filter %q, marks %v", m.Filter(), m.Marks())
	}
	m = press(c, m, "esc")
	if len(m.Marks()) != 0 {
		t.Fatalf("second esc left marks %v", m.Marks())
	}
}

func TestEnvironmentKeys(t *testing.T) {
	c, m := loaded(t)
	if m = press(c, m, "3"); m.Env() != 2 {
		t.Fatalf("3 selected environment %d", m.Env())
	}
	if m = press(c, m, "tab"); m.Env() != 0 {
		t.Fatalf("tab from the last environment went to %d", m.Env())
	}
	if m = press(c, m, "shift+tab"); m.Env() != 2 {
		t.Fatalf("shift+tab went to %d", m.Env())
	}
}

// Switching environments starts on the new environment's first stack,
// whatever unit the cursor was in before.
func TestSwitchingEnvironmentsLeavesTheUnitBehind(t *testing.T) {
	c, m := loaded(t)
	m = press(c, m, "j", "j") // dev-payments-api
	if m.selectedUnit != "payments" {
		t.Fatalf("unit %q", m.selectedUnit)
	}
	m = press(c, m, "2")
	if m.Selected() != "qa-network" || m.selectedUnit != "" {
		t.Fatalf("after 2: %q in unit %q", m.Selected(), m.selectedUnit)
	}
}
