package promotion

import (
	"testing"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// TestFollowedWaves: a stack's run is the promotion's when it deploys the
// promoted commit or started since the branch moved; a stopped run blocks
// the stacks downstream of it, and the waves are settled when nothing more
// happens by itself.
func TestFollowedWaves(t *testing.T) {
	since := time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC)
	f := Followed{Commit: "c3", Since: since, Waves: [][]string{{"net"}, {"api", "db"}, {"web"}}}
	run := func(commit string, at time.Duration, st model.RunState) *model.Run {
		return &model.Run{Commit: commit, CreatedAt: since.Add(at), State: st, Kind: model.RunDeploy}
	}
	stacks := map[string]*model.Stack{
		"net": {ID: "net", LatestTrackedRun: run("c3", -time.Hour, model.StateFinished)}, // the commit, pushed before
		"api": {ID: "api", DependsOn: []string{"net"}, LatestTrackedRun: run("other", time.Minute, model.StateFailed)},
		"db":  {ID: "db", DependsOn: []string{"net"}, LatestTrackedRun: run("old", -time.Hour, model.StateFinished)},
		"web": {ID: "web", DependsOn: []string{"api"}},
	}
	waves := f.Stacks(func(id string) *model.Stack { return stacks[id] })
	got := map[string]WaveStack{}
	for _, w := range waves {
		for _, ws := range w {
			got[ws.ID] = ws
		}
	}
	if got["net"].Run == nil || got["api"].Run == nil || got["db"].Run != nil || got["web"].Run != nil {
		t.Errorf("runs: net %v, api %v, db %v (an older commit's), web %v", got["net"].Run, got["api"].Run, got["db"].Run, got["web"].Run)
	}
	if got["web"].Blocked != "api" || got["db"].Blocked != "" || got["api"].Blocked != "" {
		t.Errorf("blocked: web %q, db %q, api %q", got["web"].Blocked, got["db"].Blocked, got["api"].Blocked)
	}
	if !Settled(waves) {
		t.Error("a failed wave is not settled")
	}
	if f.Run(&model.Stack{ID: "new"}) != nil {
		t.Error("a stack without a tracked run has the promotion's run")
	}
	// Still running: not settled; a stack the backend no longer lists has no run.
	stacks["api"].LatestTrackedRun = run("c3", time.Minute, model.StateApplying)
	delete(stacks, "db")
	waves = f.Stacks(func(id string) *model.Stack { return stacks[id] })
	if Settled(waves) || waves[1][1].Stack != nil || waves[1][1].Run != nil {
		t.Errorf("while api applies: settled %v, db %+v", Settled(waves), waves[1][1])
	}
	// Every run finished: settled.
	for _, id := range []string{"api", "web"} {
		stacks[id] = &model.Stack{ID: id, LatestTrackedRun: run("c3", time.Minute, model.StateFinished)}
	}
	stacks["db"] = &model.Stack{ID: "db", LatestTrackedRun: run("x", 0, model.StateFinished)} // created as the branch moved
	if waves = f.Stacks(func(id string) *model.Stack { return stacks[id] }); !Settled(waves) || waves[1][1].Run == nil {
		t.Errorf("all finished: settled %v, db's run %v", Settled(waves), waves[1][1].Run)
	}
}

func TestStopped(t *testing.T) {
	for st, want := range map[model.RunState]bool{model.StateFinished: false, model.StateFailed: true, model.StateDiscarded: true,
		model.StateApplying: false, model.StateUnconfirmed: false} {
		if Stopped(st) != want {
			t.Errorf("Stopped(%s) = %v", st, !want)
		}
	}
}

func TestNext(t *testing.T) {
	envs := []model.Environment{{Name: "dev"}, {Name: "qa"}, {Name: "prod"}}
	for env, want := range map[string]string{"dev": "qa", "qa": "prod", "prod": "", "staging": ""} {
		next, ok := Next(envs, env)
		if next.Name != want || ok != (want != "") {
			t.Errorf("Next(%s) = %q, %v", env, next.Name, ok)
		}
	}
}

func TestModuleChangeString(t *testing.T) {
	for m, want := range map[ModuleChange]string{
		{Dir: "stacks/api", Name: "vpc", Address: "acme/vpc/aws", To: "1.4.0"}: "stacks/api: module vpc added (acme/vpc/aws 1.4.0)",
		{Dir: "stacks/api", Name: "vpc", From: "1.2.0"}:                        "stacks/api: module vpc removed (was 1.2.0)",
		{Dir: "stacks/api", Name: "vpc", From: "1.2.0", To: "1.4.0"}:           "stacks/api: module vpc 1.2.0 → 1.4.0",
	} {
		if got := m.String(); got != want {
			t.Errorf("%+v = %q, want %q", m, got, want)
		}
	}
}
