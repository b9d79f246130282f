package detail

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// fakeContext is a screen context over the fake organisation, with the
// dependency index and waves the detail names.
func fakeContext(t *testing.T, fake *uitest.Fake) *screen.Context {
	t.Helper()
	c, _ := uitest.Context(t, fake)
	var ids []string
	deps := map[string][]string{}
	for _, s := range c.Data.Stacks() {
		ids, deps[s.ID] = append(ids, s.ID), s.DependsOn
		for _, d := range s.DependsOn {
			c.Data.Index.Dependents[d] = append(c.Data.Index.Dependents[d], s.ID)
		}
	}
	c.Data.Waves = model.WaveNumbers(ids, func(id string) []string { return deps[id] })
	if len(c.Data.Waves) != len(ids) {
		t.Fatalf("the fake's stacks have a dependency cycle: %v", c.Data.Waves)
	}
	return c
}

func TestStaleRunsAreDropped(t *testing.T) {
	c := fakeContext(t, uitest.NewFake())
	p, _ := Pane{}.Show(c, "dev-network", false)
	p, _ = p.Show(c, "dev-payments-api", false) // the selection moves on before the first answer
	p = p.Update(RunsMsg{req: p.req - 1, stackID: "dev-network", runs: []model.Run{{ID: "stale", Kind: model.RunPlan}}})
	p = p.Update(RunsMsg{req: p.req, stackID: "dev-payments-api", runs: []model.Run{{ID: "fresh", Kind: model.RunPlan}}})
	for _, r := range p.Runs() {
		if r.ID == "stale" {
			t.Fatal("a stale runs result replaced the current one")
		}
	}
	if p.runsFor != "dev-payments-api" || len(p.Runs()) == 0 {
		t.Fatalf("runs for %q: %d", p.runsFor, len(p.Runs()))
	}
}

func TestDetailCountsDownstreamStacksPastTwenty(t *testing.T) {
	fake := uitest.NewFake()
	fake.AddStacks("dev", 500) // each depends on dev-network
	c := fakeContext(t, fake)
	p := Pane{StackID: "dev-network"}
	lines := ansi.Strip(strings.Join(p.content(c, 64), "\n"))
	downstream := len(c.Data.Index.Dependents["dev-network"])
	if !strings.Contains(lines, fmt.Sprintf("… %d more", downstream-DependenciesListed)) {
		t.Errorf("the detail does not count the downstream stacks past %d:\n%s", DependenciesListed, lines)
	}
	if n := strings.Count(lines, "(wave 1)"); n == 0 || n > DependenciesListed {
		t.Errorf("the detail names %d downstream stacks, want at most %d", n, DependenciesListed)
	}
}
