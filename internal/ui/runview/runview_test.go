package runview

import (
	"testing"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/uitest"
)

func TestSearchFindsTheNextMatchAndWraps(t *testing.T) {
	c, _ := uitest.Context(t, uitest.NewFake())
	m := Open("dev-network", "r1", &model.Run{ID: "r1", State: model.StateFinished})
	m.lines = []string{"Initializing", "Terraform plan", "nothing", "terraform apply", "done"}
	m.search = "terraform"
	next, _ := m.nextMatch(c, 0)
	if got := next.(Model).scroll; got != 1 {
		t.Fatalf("first match at line %d, want 1", got)
	}
	next, _ = next.(Model).nextMatch(c, 1)
	if got := next.(Model).scroll; got != 3 {
		t.Fatalf("next match at line %d, want 3", got)
	}
	next, _ = next.(Model).nextMatch(c, 3)
	if got := next.(Model).scroll; got != 1 {
		t.Fatalf("the search did not wrap: line %d", got)
	}
	m.search = "absent"
	m.nextMatch(c, 0)
	if st, ok := (*c.Asks)[0].(screen.Status); !ok || !st.Err {
		t.Fatalf("no match said nothing: %+v", *c.Asks)
	}
}

func TestAnswersOfAnotherRunViewAreDropped(t *testing.T) {
	c, _ := uitest.Context(t, uitest.NewFake())
	old, now := Open("s", "r0", nil), Open("s", "r1", nil)
	next, _ := now.Update(c, runMsg{gen: old.gen, run: model.Run{ID: "r0", State: model.StateFailed}})
	if next.(Model).run != nil {
		t.Fatal("a closed run view's answer was taken")
	}
}
