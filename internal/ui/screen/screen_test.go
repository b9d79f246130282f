package screen

import (
	"github.com/stackview/stackview/internal/model"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/ui/keys"
)

func TestMatchTakesTheFirstActionThatDoesSomething(t *testing.T) {
	km := keys.Default()
	var hit string
	groups := []Group{
		{Actions: []Action{{Key: keys.Detail}}}, // listed, handled by Update
		{Actions: []Action{{Key: keys.Detail, Do: func() (Screen, tea.Cmd) { hit = "second"; return nil, nil }}}},
	}
	a, ok := Match(km, groups, tea.KeyPressMsg{Code: tea.KeyEnter})
	if !ok {
		t.Fatal("enter matched nothing")
	}
	a.Do()
	if hit != "second" {
		t.Fatalf("hit %q", hit)
	}
	if _, ok := Match(km, groups, tea.KeyPressMsg{Code: 'z', Text: "z"}); ok {
		t.Fatal("z matched")
	}
	if !Has(groups, keys.Detail) || Has(groups, keys.Quit) {
		t.Fatal("Has")
	}
}

func TestAskQueuesForTheRoot(t *testing.T) {
	var asks []tea.Msg
	c := &Context{Asks: &asks}
	if cmd := c.Fail("no"); cmd != nil {
		t.Fatal("a queued ask also returned a command")
	}
	if st, ok := asks[0].(Status); !ok || !st.Err || st.Text != "no" {
		t.Fatalf("asks %+v", asks)
	}
	if cmd := (&Context{}).Say("yes"); cmd == nil {
		t.Fatal("without a queue an ask must travel as a command")
	}
}

// TestTabsCountWhatALeanListingShows: a failed stack whose runs are not
// read yet counts as failed; drift not read and a stack the last listing
// could not read count as unknown; none of them is "✓".
func TestTabsCountWhatALeanListingShows(t *testing.T) {
	stacks := []model.Stack{
		{ID: "a", Name: "a", Labels: []string{"env:dev"}, State: model.StateFailed, Unread: model.DetailRuns},
		{ID: "b", Name: "b", Labels: []string{"env:dev"}, State: model.StateFinished, Unread: model.DetailDrift, PendingKnown: true},
		{ID: "c", Name: "c", Labels: []string{"env:dev"}, State: model.StateFinished, NotLoaded: "page 2 failed", PendingKnown: true},
	}
	d := Data{Forest: model.BuildForest(stacks, model.DefaultEnvironments(), model.DefaultMapping())}
	d.ApplyDrift(true)
	if got, want := d.Index.Attention[0], "✗1 ⚠?1 ◌1 …"; got != want {
		t.Errorf("dev tab %q, want %q", got, want)
	}
}
