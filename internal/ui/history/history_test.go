package history

import (
	"testing"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// TestMovingPastTheEndLoadsTheNextPage: runs already loaded stay, and the
// answer to an older request is dropped.
func TestMovingPastTheEndLoadsTheNextPage(t *testing.T) {
	c, _ := uitest.Context(t, uitest.NewFake())
	m := Open("dev-network")
	next, _ := m.Update(c, pageMsg{req: m.req, stackID: "dev-network", runs: []model.Run{{ID: "a"}, {ID: "b"}}, next: "cursor-2"})
	m = next.(Model)
	next, cmd := m.move(c, 1)
	m = next.(Model)
	if cmd == nil || !m.loading {
		t.Fatal("moving onto the last run loaded no page")
	}
	next, _ = m.Update(c, pageMsg{req: m.req - 1, stackID: "dev-network", runs: []model.Run{{ID: "stale"}}})
	if n := len(next.(Model).Runs()); n != 2 {
		t.Fatalf("a stale page was taken: %d runs", n)
	}
	next, _ = m.Update(c, pageMsg{req: m.req, stackID: "dev-network", runs: []model.Run{{ID: "c"}}})
	if runs := next.(Model).Runs(); len(runs) != 3 || runs[2].ID != "c" {
		t.Fatalf("runs after the next page: %+v", runs)
	}
}
