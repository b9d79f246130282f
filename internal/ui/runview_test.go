package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/history"
	"github.com/stackview/stackview/internal/ui/runview"
	"github.com/stackview/stackview/internal/ui/tree"
)

// pendingPolls counts run-view polls waiting on a timer.
func (d *driver) pendingPolls() int {
	n := 0
	for _, tm := range d.Timers {
		if _, ok := tm.Msg.(runview.PollMsg); ok {
			n++
		}
	}
	return n
}

func TestRunViewFollowsAPlanToTheEnd(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("dev-identity")
	r.press("p", "y", "l")
	run := r.yours("dev-identity")[0]
	r.requireScreen("Run "+run.ID+" of dev-identity (dev)", "plan", "Timeline", "QUEUED", "── log (following)")
	r.advance(15 * time.Second)
	r.requireScreen("✓ FINISHED", "PLANNING", "── log (complete)", "Terraform")
	if n := r.pendingPolls(); n != 0 {
		t.Fatalf("%d polls still pending after the run finished", n)
	}
	if n := len(find[runview.Model](r.driver).Lines()); n < 5 {
		t.Fatalf("log has %d lines", n)
	}
	r.typeText("/terraform")
	r.press("enter")
	r.requireScreen("/terraform", "line ")
	r.press("w")
	if !find[runview.Model](r.driver).Wrapped() {
		t.Fatal("w did not wrap")
	}
	r.press("G")
	r.requireScreen("── log (complete")
	r.press("esc")
	if _, ok := r.top().(tree.Model); !ok {
		t.Fatalf("esc went to view %T", r.top())
	}
}

func TestRunViewTailingEndsWhenTheRunWaits(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("qa-payments-ledger")
	waiting := r.forestStack(r.selected()).LatestRun
	r.press("l")
	r.requireScreen("? UNCONFIRMED", "waits for confirmation: c confirms, x discards", "── log (complete)")
	if n := r.pendingPolls(); n != 0 {
		t.Fatalf("still tailing a run that waits: %d polls", n)
	}
	r.press("c", "y")
	r.requireScreen("Run "+waiting.ID, "── log (following)") // the view follows the run again
	r.advance(15 * time.Second)
	r.requireScreen("✓ FINISHED", "APPLYING")
	if got := r.run("qa-payments-ledger", waiting.ID); got.State != model.StateFinished {
		t.Fatalf("run is %s", got.State)
	}
}

func TestRunViewDeploysAPreview(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("qa-storefront")
	r.press("p", "y", "l")
	r.advance(15 * time.Second)
	plan := r.yours("qa-storefront")[0]
	r.requireScreen("plan finished: D deploys this preview")
	r.press("D")
	r.requireScreen("Deploy preview qa-storefront?", "deploy preview (a tracked run of this plan's commit)", "Run          "+plan.ID)
	r.press("y")
	runs := r.yours("qa-storefront")
	if len(runs) != 2 || runs[0].Kind != model.RunDeploy || runs[0].Commit != plan.Commit {
		t.Fatalf("after deploying the preview: %+v", runs)
	}
	r.requireScreen("Run " + runs[0].ID) // the view moved to the new run
	if e := r.rec.Entries(); e[len(e)-1].Action != "promote" || e[len(e)-1].Target != plan.ID {
		t.Fatalf("audit: %+v", e[len(e)-1])
	}
}

func TestHistoryPagesAndOpensRuns(t *testing.T) {
	r := newActionRig(t)
	for range 12 {
		if _, err := r.e.Trigger(context.Background(), "dev-identity", model.RunPlan); err != nil {
			t.Fatal(err)
		}
	}
	r.selectStack("dev-identity")
	r.press("H")
	r.requireScreen("Runs of dev-identity", "10 shown, more below")
	for range 10 {
		r.press("j")
	}
	if n := len(find[history.Model](r.driver).Runs()); n <= 10 {
		t.Fatalf("moving past the end loaded no page: %d runs", n)
	}
	r.press("g") // not a history key: nothing happens
	r.press("k", "enter")
	h := find[history.Model](r.driver)
	want := h.Runs()[h.Cursor()]
	r.requireScreen("Run " + want.ID)
	r.press("esc")
	if _, ok := r.top().(history.Model); !ok {
		t.Fatalf("esc from a run opened in the history went to view %T", r.top())
	}
	r.press("esc")
	if _, ok := r.top().(tree.Model); !ok {
		t.Fatal("esc from the history did not go back to the tree")
	}
}

func TestWatchRingsWhenTheRunSettles(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("dev-identity")
	r.press("p", "y", "w")
	r.requireScreen("watching dev-identity run", "⏰ 1 watched")
	r.press("3") // the user goes elsewhere
	r.advance(20 * time.Second)
	if r.Bells != 1 {
		t.Fatalf("%d bells, want 1", r.Bells)
	}
	r.requireScreen("⏰ dev-identity run", "✓ FINISHED")
	r.requireNotOnScreen("1 watched")
	if !strings.Contains(r.message(), "FINISHED") {
		t.Fatalf("message %q", r.message())
	}
}

func TestRunViewPicksUpAConfirmationMadeElsewhere(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("qa-payments-ledger")
	waiting := r.forestStack(r.selected()).LatestRun
	r.press("l")
	r.requireScreen("── log (complete)")
	if _, err := r.e.Confirm(context.Background(), "qa-payments-ledger", waiting.ID); err != nil {
		t.Fatal(err)
	}
	r.advance(15 * time.Second) // the refresh tick notices, the tail resumes
	r.requireScreen("✓ FINISHED", "Apply complete")
}

func TestHistoryActsOnTheSelectedRunAndReloads(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("qa-payments-ledger")
	r.press("H")
	r.requireScreen("Runs of qa-payments-ledger", "? UNCONFIRMED")
	r.press("c")
	r.requireScreen("Confirm qa-payments-ledger?")
	r.press("y")
	if _, ok := r.top().(history.Model); !ok {
		t.Fatalf("view %T after the action", r.top())
	}
	if got := find[history.Model](r.driver).Runs()[0].State; got == model.StateUnconfirmed {
		t.Fatalf("history not reloaded: %s", got)
	}
}
