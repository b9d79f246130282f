package detail

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/theme"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// readOnly is a Mutator that refuses everything: the detail only reads it.
type readOnly struct{}

func (readOnly) ReadOnly() bool                                      { return true }
func (readOnly) Strategy() promotion.Strategy                        { return promotion.FastForward }
func (readOnly) InFlight() map[string]string                         { return nil }
func (readOnly) Refuse(string) error                                 { return nil }
func (readOnly) Record(mutation.Note) error                          { return nil }
func (readOnly) Prepare(mutation.Request) (mutation.Mutation, error) { return mutation.Mutation{}, nil }
func (readOnly) Send(mutation.Mutation, mutation.Answer) (func(context.Context) mutation.Outcome, error) {
	return nil, nil
}

// context is a screen context over the fake organisation.
func fakeContext(t *testing.T, fake *uitest.Fake) *screen.Context {
	t.Helper()
	stacks, err := fake.ListStacks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	data := &screen.Data{Forest: model.BuildForest(stacks, model.DefaultEnvironments(), model.DefaultMapping()),
		Index: screen.Index{Dependents: map[string][]string{}}}
	var ids []string
	deps := map[string][]string{}
	for _, s := range stacks {
		ids, deps[s.ID] = append(ids, s.ID), s.DependsOn
		for _, d := range s.DependsOn {
			data.Index.Dependents[d] = append(data.Index.Dependents[d], s.ID)
		}
	}
	waves, err := model.Waves(ids, func(id string) []string { return deps[id] })
	if err != nil {
		t.Fatal(err)
	}
	data.Waves = model.WaveIndex(waves)
	return &screen.Context{Ctx: context.Background(), Keys: keys.Default(), Styles: theme.New(true, false, theme.DefaultPalette()),
		Now: func() time.Time { return uitest.Epoch }, Backend: fake, Info: fake.Info(), Caps: fake.Capabilities(),
		Envs: model.DefaultEnvironments(), Ops: readOnly{}, Data: data, Width: 200, Height: 60}
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
