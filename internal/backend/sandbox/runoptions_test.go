package sandbox_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

func TestRefreshOnlyRunsLeaveTheDriftAlone(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	before := listStacks(t, e)["qa-storefront"].Drift
	run, err := e.StartRun(bg, "qa-storefront", sandbox.RunOptions{Kind: model.RunDriftCheck, Message: "refresh from the API"})
	if err != nil {
		t.Fatal(err)
	}
	run = finish(t, e, clock, run)
	after := listStacks(t, e)["qa-storefront"].Drift
	if run.State != model.StateFinished || run.Title != "refresh from the API" || after.RunID != before.RunID || !after.CheckedAt.Equal(before.CheckedAt) {
		t.Fatalf("refresh-only run %+v moved the drift from %+v to %+v", run, before, after)
	}
	changes, err := e.RunChanges(bg, run.StackID, run.ID)
	if err != nil || len(changes) == 0 {
		t.Errorf("the refresh-only run reports no drift of its own: %v, %v", changes, err)
	}
	extras, err := e.RunExtras(bg, "qa-storefront")
	if err != nil || extras[run.ID].Assessment || !extras[before.RunID].Assessment {
		t.Errorf("extras: refresh-only %+v, scheduled check %+v (%v)", extras[run.ID], extras[before.RunID], err)
	}
}

func TestDestroyPlansEveryResourceAway(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	run, err := e.StartRun(bg, "qa-analytics", sandbox.RunOptions{Kind: model.RunDestroy})
	if err != nil {
		t.Fatal(err)
	}
	run = finish(t, e, clock, run)
	if run.Kind != model.RunDestroy || run.State != model.StateUnconfirmed || run.Delta == nil || run.Delta.Add != 0 ||
		run.Delta.Change != 0 || run.Delta.Destroy == 0 {
		t.Fatalf("destroy run = %+v (delta %+v)", run, run.Delta)
	}
	if _, err := e.Confirm(bg, run.StackID, run.ID); err != nil {
		t.Fatal(err)
	}
	if run = finish(t, e, clock, run); run.State != model.StateFinished {
		t.Fatalf("destroy ended %s", run.State)
	}
	deploy, _ := e.Trigger(bg, "qa-analytics", model.RunDeploy)
	if deploy = finish(t, e, clock, deploy); deploy.Delta == nil || deploy.Delta.Add == 0 || deploy.Delta.Destroy != 0 {
		t.Errorf("the deploy after a destroy creates %+v, want everything again", deploy.Delta)
	}
}

func TestSavedPlansWaitWithoutBlockingAndGoStale(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	saved, err := e.StartRun(bg, "qa-storefront", sandbox.RunOptions{Kind: model.RunDeploy, SavePlan: true})
	if err != nil {
		t.Fatal(err)
	}
	saved = finish(t, e, clock, saved)
	if saved.State != model.StateUnconfirmed || !saved.SavedPlan {
		t.Fatalf("saved plan = %+v", saved)
	}
	deploy, _ := e.Trigger(bg, "qa-storefront", model.RunDeploy)
	if deploy = finish(t, e, clock, deploy); deploy.State != model.StateUnconfirmed {
		t.Fatalf("a deploy behind a saved plan is %s: it must not wait for it", deploy.State)
	}
	if _, err := e.Confirm(bg, deploy.StackID, deploy.ID); err != nil {
		t.Fatal(err)
	}
	finish(t, e, clock, deploy)
	extras, _ := e.RunExtras(bg, "qa-storefront")
	if !extras[saved.ID].Stale {
		t.Error("the saved plan is not stale after another deploy applied")
	}
	if _, err := e.Confirm(bg, saved.StackID, saved.ID); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("applying a stale saved plan: %v, want a conflict", err)
	}
}

func TestAutoApplyCanBeSetPerRun(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	yes := true
	run, err := e.StartRun(bg, "qa-storefront", sandbox.RunOptions{Kind: model.RunDeploy, AutoApply: &yes})
	if err != nil {
		t.Fatal(err)
	}
	if !run.AutoApply {
		t.Fatal("the run does not say it auto-applies")
	}
	if run = finish(t, e, clock, run); run.State != model.StateFinished {
		t.Errorf("an auto-apply run ended %s, want FINISHED without a confirmation", run.State)
	}
}

func TestInterruptStopsAtTheEndOfThePhaseAndForceCancelWaitsForTheCoolOff(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	run, _ := e.Trigger(bg, "qa-storefront", model.RunPlan)
	for run.State != model.StatePlanning {
		clock.Advance(time.Second)
		run, _ = e.GetRun(bg, run.StackID, run.ID)
	}
	if _, err := e.Interrupt(bg, run.StackID, run.ID); err != nil {
		t.Fatal(err)
	}
	extras, _ := e.RunExtras(bg, run.StackID)
	x := extras[run.ID]
	if x.CanceledAt.IsZero() || !x.ForceCancelAt.Equal(x.CanceledAt.Add(sandbox.ForceCancelCoolOff)) {
		t.Fatalf("extras after a cancel = %+v", x)
	}
	clock.Advance(time.Second)
	if r, _ := e.GetRun(bg, run.StackID, run.ID); r.State != model.StatePlanning {
		t.Errorf("a second after the cancel the run is %s, want still PLANNING (Terraform finishing its phase)", r.State)
	}
	clock.Advance(10 * time.Second)
	if r, _ := e.GetRun(bg, run.StackID, run.ID); r.State != model.StateStopped {
		t.Errorf("after its phase the canceled run is %s, want STOPPED", r.State)
	}
	queued, _ := e.Trigger(bg, "qa-storefront", model.RunPlan)
	if r, err := e.Interrupt(bg, queued.StackID, queued.ID); err != nil || r.State != model.StateCanceled {
		t.Errorf("canceling a queued run: %+v, %v", r, err)
	}
}

func TestPlannedAtMarksTheEndOfTerraformsPlan(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	run, _ := e.Trigger(bg, "qa-storefront", model.RunPlan)
	for run.State != model.StatePlanning {
		clock.Advance(time.Second)
		run, _ = e.GetRun(bg, run.StackID, run.ID)
	}
	if x, _ := e.RunExtras(bg, run.StackID); !x[run.ID].PlannedAt.IsZero() {
		t.Fatalf("planned at %s as planning started", x[run.ID].PlannedAt)
	}
	clock.Advance(3 * time.Second)
	if r, _ := e.GetRun(bg, run.StackID, run.ID); r.State != model.StatePlanning {
		t.Fatalf("run is %s, want still PLANNING during its checks", r.State)
	}
	if x, _ := e.RunExtras(bg, run.StackID); x[run.ID].PlannedAt.IsZero() {
		t.Error("no planned-at during the checks that follow the plan")
	}
}

func TestServeGitClonesAndPushesOverHTTP(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	base, err := e.ServeGit()
	if err != nil {
		t.Fatal(err)
	}
	st := listStacks(t, e)["dev-payments-api"]
	want := base + "/acme/payments.git"
	if st.Repo != want || st.Repository.URL != want || st.Repository.Namespace != "acme" || st.Repository.Name != "payments" ||
		st.Repository.WebURL != base+"/acme/payments" {
		t.Fatalf("repository = %q %+v, want %s", st.Repo, st.Repository, want)
	}
	head := pushChange(t, st.Repo, "dev", "stacks/api/main.tf", appendBlock(`resource "aws_sqs_queue" "http" {
  name = "pushed-over-http"
}`))
	clock.Advance(2 * time.Second)
	if got := listStacks(t, e)["dev-payments-api"].BranchHead; got != head {
		t.Errorf("branch head %s after a push over http, want %s", got, head)
	}
	out, err := (vcs.Git{}).Run(bg, "ls-remote", "--symref", st.Repo, "HEAD")
	if err != nil || !strings.Contains(out, "ref: refs/heads/main") {
		t.Errorf("ls-remote --symref: %q, %v", out, err)
	}
	if _, err := (vcs.Git{}).Run(bg, "ls-remote", base+"/acme/nosuch.git"); err == nil {
		t.Error("an unknown repository was served")
	}
	mods, _ := e.ListModules(bg)
	if len(mods) == 0 || !strings.HasPrefix(mods[0].Repo, base+"/acme/terraform-aws-") || filepath.Ext(mods[0].Repo) != ".git" {
		t.Errorf("module repo %q", mods[0].Repo)
	}
}
