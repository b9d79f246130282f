package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/model"
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
	m := d.m
	m.forest = model.BuildForest(stacks, m.envs, m.mapping)
	m.pr = promoteState{stage: stageWaves, waves: [][]string{{"qa-network"}, {"qa-a", "qa-b"}, {"qa-c", "qa-d"}},
		commit: "c0ffee", since: since}
	m.pr.plan.Target = model.Environment{Name: "qa", Branch: "qa"}
	m.view = viewPromote
	d.m = m

	text, stopped := m.waveSummary(m.waveStacks())
	if !stopped || text != "✗ wave 2 stopped: qa-a FAILED. No next wave; blocked downstream (their runs will be skipped): qa-c" {
		t.Fatalf("summary = %q (stopped %v)", text, stopped)
	}
	d.requireScreen("qa-c                         ⊘ blocked by qa-a", "qa-b                         ? UNCONFIRMED")
	d.requireNotOnScreen("blocked by qa-b")

	// A run from before the promotion is not the promotion's.
	m.forest.Stack("qa-a").LatestTrackedRun = &model.Run{ID: "old", Kind: model.RunDeploy, State: model.StateFailed, Commit: "0ld", CreatedAt: since.Add(-time.Hour)}
	text, stopped = m.waveSummary(m.waveStacks())
	if stopped || !strings.HasPrefix(text, "→ wave 2: confirm qa-b") {
		t.Fatalf("summary with qa-a not started = %q", text)
	}

	// A predicted plan started on qa-b since does not hide the deploy the
	// wave follows.
	m.forest.Stack("qa-b").LatestRun = &model.Run{ID: "plan", Kind: model.RunPlan, State: model.StatePlanning, Commit: "c0ffee", CreatedAt: since.Add(time.Minute)}
	if text, _ = m.waveSummary(m.waveStacks()); !strings.HasPrefix(text, "→ wave 2: confirm qa-b") {
		t.Fatalf("summary with a plan after qa-b's deploy = %q", text)
	}
}
