package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/promoview"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// TestFailedWaveStopsAndNamesTheBlockedStacks: a failed run in a wave
// ends the "next wave" suggestion and names every stack downstream of it,
// however far, and only those.
func TestFailedWaveStopsAndNamesTheBlockedStacks(t *testing.T) {
	d := newDriver(t, 120, 30)
	since := uitest.Epoch
	run := func(id string, st model.RunState) *model.Run {
		return &model.Run{ID: "run-" + id, StackID: id, Kind: model.RunDeploy, State: st, Commit: "c0ffee", CreatedAt: since.Add(time.Second)}
	}
	stack := func(id string, r *model.Run, deps ...string) model.Stack {
		return model.Stack{ID: id, Name: id, Labels: []string{"env:qa", "bu:x"}, LatestRun: r, LatestTrackedRun: r, DependsOn: deps}
	}
	stacks := []model.Stack{
		stack("qa-network", run("qa-network", model.StateFinished)),
		stack("qa-a", run("qa-a", model.StateFailed), "qa-network"),
		stack("qa-b", run("qa-b", model.StateUnconfirmed), "qa-network"),
		stack("qa-c", nil, "qa-a"),
		stack("qa-d", nil, "qa-b"),
	}
	m := d.m()
	m.data.Forest = model.BuildForest(stacks, m.envs, m.mapping)
	m.data.Following = &promotion.Followed{Waves: [][]string{{"qa-network"}, {"qa-a", "qa-b"}, {"qa-c", "qa-d"}},
		Commit: "c0ffee", Since: since}
	m.data.Following.Plan.Target = model.Environment{Name: "qa", Branch: "qa"}
	d.setM(m)
	d.press("P") // P opens the promotion being followed

	summary := func() (string, bool) { return promoview.Summary(d.ctx(), promoview.WaveStacks(d.ctx())) }
	text, stopped := summary()
	if !stopped || text != "✗ wave 2 stopped: qa-a FAILED. No next wave; blocked downstream (their runs will be skipped): qa-c" {
		t.Fatalf("summary = %q (stopped %v)", text, stopped)
	}
	d.requireScreen("qa-c                         ⊘ blocked by qa-a", "qa-b                         ? UNCONFIRMED")
	d.requireNotOnScreen("blocked by qa-b")

	// A run from before the promotion is not the promotion's.
	d.forestStack("qa-a").LatestTrackedRun = &model.Run{ID: "old", Kind: model.RunDeploy, State: model.StateFailed, Commit: "0ld", CreatedAt: since.Add(-time.Hour)}
	text, stopped = summary()
	if stopped || !strings.HasPrefix(text, "→ wave 2: confirm qa-b") {
		t.Fatalf("summary with qa-a not started = %q", text)
	}

	// A predicted plan started on qa-b since does not hide the deploy the
	// wave follows.
	d.forestStack("qa-b").LatestRun = &model.Run{ID: "plan", Kind: model.RunPlan, State: model.StatePlanning, Commit: "c0ffee", CreatedAt: since.Add(time.Minute)}
	if text, _ = summary(); !strings.HasPrefix(text, "→ wave 2: confirm qa-b") {
		t.Fatalf("summary with a plan after qa-b's deploy = %q", text)
	}
}
