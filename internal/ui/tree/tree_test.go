package tree

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/model"
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

func TestMatcher(t *testing.T) {
	s := &model.Stack{Name: "prod-payments-api", BusinessUnit: "payments"}
	for filter, want := range map[string]bool{"": true, "PAY": true, "search": false, "re:^prod-.*api$": true, "re:^dev": false} {
		match, err := matcher(filter)
		if err != nil || match(s) != want {
			t.Errorf("matcher(%q) = %v, %v; want %v", filter, match(s), err, want)
		}
	}
	if _, err := matcher("re:(["); err == nil {
		t.Error("a bad expression compiled")
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
