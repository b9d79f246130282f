package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// A run an approval policy holds is said where the user looks (tree mark,
// detail, run view), c refuses it with the reason, one at a time and in
// bulk, and v approves it, after which c confirms.
func TestApprovalIsShownAndConfirmWaitsForIt(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("qa-payments-ledger")
	r.press("space")
	r.selectStack("prod-storefront")
	held := r.forestStack(r.selected()).LatestTrackedRun
	if held == nil || !held.NeedsApproval {
		t.Fatalf("prod-storefront's deploy is not held: %+v", held)
	}
	r.requireScreen("Waiting    ! deploy UNCONFIRMED", "— needs", "approval (v)")
	r.press("space", "c")
	r.requireScreen("Plan 1 of 1 — 1 run shares it", "qa-payments-ledger", "Not confirmed with this plan",
		"prod-storefront", "run "+held.ID+" needs approval before it can be confirmed; v approves or rejects it")
	r.press("esc", "esc") // back, unmark
	r.press("l")
	r.requireScreen("! needs approval", "! an approval policy holds this run (it cannot be confirmed until approved): v approves or rejects")
	r.press("c")
	r.requireScreen("confirm unavailable: run " + held.ID + " needs approval before it can be confirmed")
	if r.dialogOpen() {
		t.Fatal("c opened a dialog for a run that needs approval")
	}
	r.press("v")
	r.requireScreen("Review prod-storefront?", "Approval     an approval policy holds this run until it is approved")
	r.typeText("prod-storefront")
	r.press("enter", "enter", "right", "right", "enter")
	r.requireNotOnScreen("! needs approval")
	if got := r.run("prod-storefront", held.ID); got.NeedsApproval || got.State != model.StateUnconfirmed {
		t.Fatalf("after approval: %+v", got)
	}
	r.advance(time.Second)
	r.press("c")
	r.requireScreen("Confirm prod-storefront?")
	r.typeText("prod-storefront")
	r.press("enter")
	if got := r.run("prod-storefront", held.ID); got.State == model.StateUnconfirmed {
		t.Fatal("confirm after approval did not confirm")
	}
	if e := r.rec.Entries(); len(e) != 2 || e[0].Action != "approve" || e[1].Action != "confirm" {
		t.Fatalf("audit: %+v", e)
	}
}

// S is refused while a run applies, with Spacelift's reason; a run that
// only plans is stopped.
func TestStopIsRefusedWhileApplying(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("qa-storefront") // drifted: its deploy has changes
	r.press("D", "y")
	run := r.yours("qa-storefront")[0]
	r.advance(15 * time.Second)
	r.press("c", "y")
	for range 20 {
		if r.run("qa-storefront", run.ID).State == model.StateApplying {
			break
		}
		r.advance(time.Second)
	}
	r.press("l", "S")
	r.requireScreen("stop unavailable: run " + run.ID + " is APPLYING: a run cannot be stopped while it applies changes")
	if r.dialogOpen() {
		t.Fatal("S opened a dialog while applying")
	}
}

// An expired log is said in the run view rather than shown as empty
// (through the Spacelift client: retention is the dialect's).
func TestExpiredLogIsSaid(t *testing.T) {
	d, clk, _ := newSpaceliftDriver(t)
	clk.Advance(61 * 24 * time.Hour) // past Spacelift's default log retention
	d.typeText(":stack dev-identity")
	d.press("enter", "l")
	d.requireScreen("── log (complete; older parts expired: the backend no longer keeps them)", "no log yet")
}

// TestRejectSendsAReject: v, the name typed, a note, then Reject: the
// backend gets a rejection with the note (the held deploy fails, as a
// rejected approval does), the audit says reject, and nothing approves.
func TestRejectSendsAReject(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("prod-storefront")
	held := r.forestStack(r.selected()).LatestTrackedRun
	if held == nil || !held.NeedsApproval {
		t.Fatalf("prod-storefront's deploy is not held: %+v", held)
	}
	r.press("v")
	r.requireScreen("Review prod-storefront?", "[ Cancel ]  [ Reject ]  [ Approve ]")
	r.typeText("prod-storefront")
	r.press("enter")
	r.typeText("not during the freeze")
	r.press("enter", "right")
	r.requireScreen("[ Cancel ]  [>Reject<]  [ Approve ]")
	r.press("enter")
	got := r.run("prod-storefront", held.ID)
	if h := got.History; got.State != model.StateFailed || len(h) == 0 || h[len(h)-1].Note != "rejected by you: not during the freeze" {
		t.Fatalf("after reject: %+v", got)
	}
	e := r.rec.Entries()
	if len(e) != 1 || e[0].Action != "reject" || e[0].Result != "ok" || !strings.Contains(e[0].Detail, "note: not during the freeze") {
		t.Fatalf("audit: %+v", e)
	}
	r.requireScreen("✓ reject prod-storefront")
}
