package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/act"
)

// actionRig is the UI on a fresh sandbox, with the audit log captured.
type actionRig struct {
	*driver
	e   *sandbox.Engine
	clk *sandbox.ManualClock
	rec *audit.Memory
}

func newActionRig(t *testing.T, tweak ...func(*testOptions)) *actionRig {
	t.Helper()
	e, clk := newSandbox(t)
	rec := &audit.Memory{}
	tweak = append([]func(*testOptions){func(o *testOptions) { o.Audit = rec }}, tweak...)
	d := newDriverOn(t, e, clk.Now, 160, 48, tweak...)
	return &actionRig{driver: d, e: e, clk: clk, rec: rec}
}

// selectStack jumps to a stack by name.
func (r *actionRig) selectStack(name string) {
	r.t.Helper()
	r.typeText(":stack " + name)
	r.press("enter")
	if r.selected() != name {
		r.t.Fatalf("selected %q, want %s", r.selected(), name)
	}
}

// advance moves the sandbox clock and delivers the timers due, as if the
// time had passed with the UI open.
func (r *actionRig) advance(d time.Duration) {
	for range int(d / time.Second) {
		r.clk.Advance(time.Second)
		r.fireTimers()
	}
}

// yours lists the runs the sandbox user started on a stack, newest first.
func (r *actionRig) yours(stackID string) []model.Run {
	r.t.Helper()
	runs, _, err := r.e.ListRuns(context.Background(), stackID, "")
	if err != nil {
		r.t.Fatal(err)
	}
	var out []model.Run
	for _, run := range runs {
		if run.TriggeredBy == sandbox.You {
			out = append(out, run)
		}
	}
	return out
}

func (r *actionRig) run(stackID, runID string) model.Run {
	r.t.Helper()
	run, err := r.e.GetRun(context.Background(), stackID, runID)
	if err != nil {
		r.t.Fatal(err)
	}
	return run
}

func (r *actionRig) stack(id string) model.Stack {
	r.t.Helper()
	ss, err := r.e.ListStacks(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	for _, s := range ss {
		if s.ID == id {
			return s
		}
	}
	r.t.Fatalf("no stack %s", id)
	return model.Stack{}
}

func TestPlanAsksFirstAndCancelIsTheDefault(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("dev-identity")
	r.press("p")
	r.requireScreen("Plan dev-identity?", "Action       plan (a proposed run", "Stack        dev-identity",
		"Environment  dev", "Commit       "+model.ShortSHA(r.stack("dev-identity").TrackedCommit), "[>Cancel<]", "[ Plan ]")
	r.press("enter") // the focus starts on Cancel
	r.requireScreen("cancelled: nothing was sent")
	r.press("p", "n")
	r.press("p", "esc")
	if got := r.yours("dev-identity"); len(got) != 0 {
		t.Fatalf("cancelled dialogs sent %d runs", len(got))
	}
	r.press("p", "y")
	runs := r.yours("dev-identity")
	if len(runs) != 1 || runs[0].Kind != model.RunPlan {
		t.Fatalf("after y: %+v", runs)
	}
	r.requireScreen("✓ plan dev-identity: run "+runs[0].ID, "(l follows it)")
	entries := r.rec.Entries()
	if len(entries) != 1 {
		t.Fatalf("audit entries: %+v", entries)
	}
	want := audit.Entry{Time: sandboxEpoch, Backend: "sandbox-direct", Endpoint: "in-process", Action: "plan",
		Environment: "dev", Target: "dev-identity", Result: audit.ResultOK}
	got := entries[0]
	got.Detail = ""
	if got != want {
		t.Fatalf("audit entry\n got %+v\nwant %+v", got, want)
	}
	if !strings.Contains(entries[0].Detail, runs[0].ID) {
		t.Fatalf("audit detail %q lacks the run", entries[0].Detail)
	}
}

func TestDeployThenConfirmInQA(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("qa-storefront") // drifted: a deploy has changes to apply
	r.press("D")
	r.requireScreen("Deploy qa-storefront?", "deploy (a tracked run: plan, then apply)")
	r.press("y")
	runs := r.yours("qa-storefront")
	if len(runs) != 1 || runs[0].Kind != model.RunDeploy {
		t.Fatalf("after deploy: %+v", runs)
	}
	r.advance(20 * time.Second)
	if got := r.run("qa-storefront", runs[0].ID); got.State != model.StateUnconfirmed {
		t.Fatalf("deploy is %s, want UNCONFIRMED", got.State)
	}
	r.press("c")
	r.requireScreen("Confirm qa-storefront?", "Run          "+runs[0].ID)
	r.press("y")
	r.advance(15 * time.Second)
	if got := r.run("qa-storefront", runs[0].ID); got.State != model.StateFinished || !hasState(got, model.StateApplying) {
		t.Fatalf("confirmed deploy ended %s: %+v", got.State, got.History)
	}
}

func hasState(r model.Run, s model.RunState) bool {
	for _, h := range r.History {
		if h.State == s {
			return true
		}
	}
	return false
}

func TestProtectedDiscardNeedsTheStackName(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("prod-identity") // a plan waits for review
	pending := r.forestStack(r.selected()).LatestRun
	r.press("x")
	r.requireScreen("Discard prod-identity?", "Environment  prod (protected)", "type the stack name (prod-identity)")
	r.press("y", "n", "enter") // y and n are text here
	r.requireScreen("type prod-identity exactly to go ahead")
	if got := r.run("prod-identity", pending.ID); got.State != model.StatePendingReview {
		t.Fatalf("discarded without the name: %s", got.State)
	}
	r.press("ctrl+u")
	r.typeText("prod-identity")
	r.press("esc") // only esc cancels
	if r.dialogOpen() {
		t.Fatal("esc did not close the protected dialog")
	}
	r.press("x")
	r.typeText("prod-identity")
	r.press("enter")
	if got := r.run("prod-identity", pending.ID); got.State != model.StateDiscarded {
		t.Fatalf("after typing the name: %s", got.State)
	}
}

func TestProtectedPlanNeedsNoTyping(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("prod-network")
	r.press("p")
	r.requireNotOnScreen("Protected: type")
	r.press("y")
	if got := r.yours("prod-network"); len(got) != 1 {
		t.Fatalf("plan in prod: %+v", got)
	}
}

func TestReviewApprovesWithANote(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("prod-identity")
	pending := r.forestStack(r.selected()).LatestRun
	r.press("v")
	r.requireScreen("Review prod-identity?", "Review note", "[ Reject ]", "[ Approve ]")
	r.typeText("prod-identity")
	r.press("enter")
	r.typeText("checked with the owners")
	r.press("enter") // several buttons: the focus moves to them, on Cancel
	r.requireScreen("[>Cancel<]")
	r.press("a") // hotkeys are text-free but protected dialogs ignore them
	if !r.dialogOpen() {
		t.Fatal("a hotkey worked in a protected dialog")
	}
	r.press("right", "right", "enter")
	got := r.run("prod-identity", pending.ID)
	if got.State != model.StateFinished {
		t.Fatalf("approved run is %s", got.State)
	}
	if note := got.History[len(got.History)-1].Note; !strings.Contains(note, "checked with the owners") {
		t.Fatalf("review note lost: %q", note)
	}
	if e := r.rec.Entries(); len(e) != 1 || e[0].Action != "approve" || !strings.Contains(e[0].Detail, "checked with the owners") {
		t.Fatalf("audit: %+v", e)
	}
}

func TestReadOnlyRefusesEveryMutation(t *testing.T) {
	r := newActionRig(t, func(o *testOptions) { o.ReadOnly = true })
	before, err := r.e.ListStacks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"qa-payments-ledger", "prod-identity", "dev-analytics", "prod-payments-api"} {
		r.selectStack(stack)
		for _, k := range act.Mutating {
			for _, name := range r.m().keys.Get(k.Key()).Keys() {
				r.press(name)
				if r.dialogOpen() {
					t.Fatalf("%s (%s) on %s opened a dialog in read-only mode", k, name, stack)
				}
				r.requireScreen("read-only mode: " + k.String() + " refused")
			}
		}
	}
	r.press("esc")
	r.press("space", "p")
	r.requireScreen("read-only mode: plan refused")
	r.press("ctrl+a", "c")
	r.requireScreen("read-only mode: confirm refused")
	for _, line := range []string{":freeze prod incident", ":unfreeze prod"} {
		r.typeText(line)
		r.press("enter")
		r.requireScreen("read-only mode: " + strings.Fields(line)[0][1:] + " refused")
	}
	r.press("l", "D") // the run view's deploy-preview key too
	r.requireScreen("read-only mode: deploy refused")
	after, err := r.e.ListStacks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range before {
		b, a := before[i], after[i]
		if b.LatestRun.ID != a.LatestRun.ID || b.Locked() != a.Locked() || b.TrackedCommit != a.TrackedCommit {
			t.Fatalf("%s changed in read-only mode", b.ID)
		}
	}
	if e := r.rec.Entries(); len(e) != 0 {
		t.Fatalf("read-only mode audited %+v", e)
	}
}

func TestDisabledActionsSayWhy(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("dev-network")
	r.requireScreen("Actions", "c   confirm — no run waits for confirmation", "s   sync — dev-network already tracks its")
	r.press("c")
	r.requireScreen("confirm unavailable: no run waits for confirmation (this run is a task FINISHED)")
	if r.dialogOpen() {
		t.Fatal("a disabled action opened a dialog")
	}
	r.forestStack("dev-network").CanWrite = false
	r.press("p")
	r.requireScreen("plan unavailable: you have no write access to dev-network")

	d := newDriver(t, 160, 48) // the fake backend has no reviews
	d.typeText(":stack dev-payments-worker")
	d.press("enter", "v")
	d.requireScreen("review unavailable: sandbox has no run reviews")
	// A run that waits on someone (a TFC policy override) says where to
	// decide instead.
	d.forestStack("dev-payments-worker").LatestRun.State = model.StatePendingReview
	d.press("v")
	d.requireScreen("review unavailable: waits on you in sandbox: decide there")
}

// Issue 15: where the backend says which actions a run allows (TFC's
// actions flags) only those are offered, and where it tells permissions
// apart each action needs its own.
func TestActionsFollowRunFlagsAndPermissions(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("dev-network")
	s := r.forestStack("dev-network")
	s.LatestRun.State = model.StateUnconfirmed
	s.LatestRun.Actions = &model.RunActions{Discard: true} // a saved plan gone stale: no longer applicable
	r.press("c")
	r.requireScreen("confirm unavailable: no run waits for confirmation")
	s.LatestRun.State = model.StatePlanning
	s.LatestRun.Actions = &model.RunActions{} // canceled already, cool-off not over
	r.press("S")
	r.requireScreen("stop unavailable: no run is queued or running")
	s.LatestRun.Actions = &model.RunActions{ForceCancel: true}
	if o, why := act.Resolve(r.ctx(), act.Stop, act.Target{Stack: s}); why != "" || o.Action != "stop" {
		t.Errorf("force-cancel offered: %+v, %q", o, why)
	}
	s.Permissions = &model.Permissions{Plan: true}
	r.press("D")
	r.requireScreen("deploy unavailable: you may not apply or decide runs on dev-network (you may queue plans only)")
	r.press("L")
	r.requireScreen("lock unavailable: you may not lock dev-network")
	if _, why := act.Resolve(r.ctx(), act.Plan, act.Target{Stack: s}); why != "" {
		t.Errorf("a plan the credentials allow: %q", why)
	}
}

func TestExactlyOnceUnderRepeatedKeys(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("dev-identity")
	r.Hold = true // the backend is slow: nothing answers yet
	r.press("p", "y")
	for range 10 {
		// Errors stay until the next key, so the key whose refusal is read
		// comes last.
		r.press("y", "enter", "p")
	}
	r.requireScreen("plan on dev-identity was sent; waiting for the answer")
	r.press("q") // quitting now would lose the answer and its audit entry
	r.requireScreen("1 mutation in flight: press q again to quit")
	if r.Quit {
		t.Fatal("q quit with a mutation in flight")
	}
	r.release()
	if got := r.yours("dev-identity"); len(got) != 1 {
		t.Fatalf("%d runs after ten more presses, want 1", len(got))
	}
	r.press("p") // the answer came: the stack is free again
	if !r.dialogOpen() {
		t.Fatal("the guard outlived the answer")
	}
}

func TestBulkPlanAndConfirmShowReviewAndResults(t *testing.T) {
	r := newActionRig(t)
	r.press("2", "ctrl+a")
	r.requireScreen("6 marked")
	r.press("c") // confirming many compares their plans first (issue 19)
	r.requireScreen("Confirm by plan · 6 stacks: 1 plan, 5 apart", "Plan 1 of 1 — 1 run shares it", "qa-payments-ledger",
		"qa-identity", "no run waits for confirmation")
	ledger := r.forestStack("qa-payments-ledger").LatestRun.ID
	r.press("c")
	r.requireScreen("Confirm 1 run with this plan?", "• qa-payments-ledger (qa) run "+ledger, "5 other runs are not confirmed with it")
	r.press("y")
	r.requireScreen("Confirm: 1 sent, 0 failed", "✓ confirm qa-payments-ledger: run "+ledger)
	r.press("enter", "esc")
	if got := r.run("qa-payments-ledger", ledger); got.State == model.StateUnconfirmed {
		t.Fatal("bulk confirm did not confirm")
	}
	if len(r.tree().Marks()) != 0 {
		t.Fatal("marks survive a bulk action")
	}
	r.press("3", "ctrl+a", "x") // prod: bulk discard types the environment name once
	r.requireScreen("type the environment name (prod)", "• prod-identity (prod)", "• prod-storefront (prod)")
	r.typeText("prod")
	r.press("enter")
	r.requireScreen("Discard: 3 sent, 0 failed")
	r.press("esc", "1", "ctrl+a", "p", "y")
	r.requireScreen("Plan: 6 sent, 0 failed")
	for _, id := range []string{"dev-network", "dev-analytics", "dev-identity", "dev-payments-api", "dev-payments-ledger", "dev-storefront"} {
		if got := r.yours(id); len(got) != 1 || got[0].Kind != model.RunPlan {
			t.Fatalf("%s after bulk plan: %+v", id, got)
		}
	}
}

func TestFreezeLocksAnEnvironment(t *testing.T) {
	r := newActionRig(t)
	r.typeText(":freeze prod incident 7")
	r.press("enter")
	r.requireScreen("Freeze: lock 6 stacks?", "– prod-payments-api: already locked by maria.chen", "type the environment name (prod)")
	r.typeText("prod")
	r.press("enter")
	r.requireScreen("Lock: 6 sent, 0 failed")
	if s := r.stack("prod-network"); s.Lock == nil || s.Lock.Note != "incident 7" {
		t.Fatalf("prod-network lock: %+v", s.Lock)
	}
	r.press("enter")
	r.typeText(":unfreeze prod")
	r.press("enter")
	// maria's lock is hers: not offered.
	r.requireScreen("Unfreeze: unlock 6 stacks?", "– prod-payments-api: prod-payments-api is locked by maria.chen", "only maria.chen unlocks it")
	r.typeText("prod")
	r.press("enter")
	r.requireScreen("Unlock: 6 sent, 0 failed")
	if s := r.stack("prod-payments-api"); s.Lock == nil || s.Lock.Holder != "maria.chen" {
		t.Fatalf("maria's lock: %+v", s.Lock)
	}
	if s := r.stack("prod-network"); s.Lock != nil {
		t.Fatalf("still locked: %+v", s.Lock)
	}
	var failed int
	for _, e := range r.rec.Entries() {
		if e.Result == audit.ResultError {
			failed++
		}
	}
	if failed != 0 {
		t.Fatalf("%d failed entries audited, want none", failed)
	}
}

func TestSyncMovesTheTrackedCommit(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("qa-payments-api") // one commit behind its branch
	head := r.stack("qa-payments-api").BranchHead
	r.press("s")
	r.requireScreen("Sync commit qa-payments-api?", "sync the tracked commit to the branch head", "Commit       "+model.ShortSHA(head))
	r.press("y")
	if s := r.stack("qa-payments-api"); s.TrackedCommit != head || s.CommitsBehind != 0 {
		t.Fatalf("after sync: %s, %d behind", s.TrackedCommit, s.CommitsBehind)
	}
	r.press("s")
	r.requireScreen("sync unavailable: qa-payments-api already tracks its branch head")
}

func TestLockTakesANote(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("dev-identity")
	r.press("L")
	r.requireScreen("Lock dev-identity?", "Lock note")
	r.typeText("upgrading the provider")
	r.press("enter")
	if s := r.stack("dev-identity"); s.Lock == nil || s.Lock.Note != "upgrading the provider" {
		t.Fatalf("lock: %+v", s.Lock)
	}
	r.press("L")
	r.requireScreen("Unlock dev-identity?")
	r.press("y")
	if s := r.stack("dev-identity"); s.Lock != nil {
		t.Fatalf("still locked: %+v", s.Lock)
	}
}

func TestRetryAFailedDeploy(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("dev-analytics")
	failed := r.forestStack(r.selected()).LatestRun
	r.press("R")
	r.requireScreen("Retry dev-analytics?", "Run          "+failed.ID)
	r.press("y")
	runs := r.yours("dev-analytics")
	if len(runs) != 1 || runs[0].Kind != model.RunDeploy || runs[0].Commit != failed.Commit {
		t.Fatalf("after retry: %+v", runs)
	}
	r.press("R")
	r.requireScreen("retry unavailable: no run has failed (this run is a deploy QUEUED)")
}

func TestStopCancelsQueuedAndStopsStartedRuns(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("dev-identity")
	r.press("p", "y", "S")
	r.requireScreen("Cancel dev-identity?") // still queued: cancel
	r.press("y")
	first := r.yours("dev-identity")[0]
	if first.State != model.StateCanceled {
		t.Fatalf("queued plan after S: %s", first.State)
	}
	r.press("p", "y")
	r.advance(3 * time.Second)
	r.press("S")
	r.requireScreen("Stop dev-identity?") // started: stop
	r.press("y")
	if got := r.yours("dev-identity")[0]; got.State != model.StateStopped {
		t.Fatalf("started plan after S: %s", got.State)
	}
}

func TestActionKeysCanBeRemapped(t *testing.T) {
	r := newActionRig(t, func(o *testOptions) { o.Keys = map[string][]string{"plan": {"X"}, "dialog_yes": {"Y"}} })
	r.selectStack("dev-identity")
	r.press("p")
	if r.dialogOpen() {
		t.Fatal("the old plan key still works")
	}
	r.press("X", "y")
	if !r.dialogOpen() {
		t.Fatal("X did not open the plan dialog, or y still confirms")
	}
	r.press("Y")
	if got := r.yours("dev-identity"); len(got) != 1 {
		t.Fatalf("remapped keys sent %d plans", len(got))
	}
}

type failingRecorder struct{}

func (failingRecorder) Record(audit.Entry) error { return errTest }

func TestAuditFailureIsSaid(t *testing.T) {
	r := newActionRig(t, func(o *testOptions) { o.Audit = failingRecorder{} })
	r.selectStack("dev-identity")
	r.press("p", "y")
	r.requireScreen("✗ plan dev-identity: sent, but the audit log failed")
	if got := r.yours("dev-identity"); len(got) != 1 {
		t.Fatalf("the plan was sent %d times", len(got))
	}
}

// TestUnlockIsOfferedOnlyOnYourOwnLock: maria's lock on prod-payments-api
// is hers: L is not offered, and pressed it says who holds it and sends
// nothing; a lock of yours is offered for unlocking.
func TestUnlockIsOfferedOnlyOnYourOwnLock(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("prod-payments-api")
	if f := r.footerLine(); strings.Contains(f, "unlock") || strings.Contains(f, "L lock") {
		t.Fatalf("the footer offers L on maria's lock: %q", f)
	}
	r.press("L")
	r.requireScreen("✗ lock unavailable: prod-payments-api is locked by maria.chen (“Change freeze: payments release on Friday”): only",
		"maria.chen unlocks it")
	if r.dialogOpen() || len(r.rec.Entries()) != 0 {
		t.Fatalf("a dialog or a send for maria's lock: %v\n%s", r.rec.Entries(), r.screen())
	}
	if s := r.stack("prod-payments-api"); s.Lock == nil || s.Lock.Holder != "maria.chen" {
		t.Fatalf("maria's lock: %+v", s.Lock)
	}
	r.press("?")
	r.requireScreen("only maria.chen unlocks it")
	r.press("esc")

	r.selectStack("dev-network")
	r.press("L")
	r.typeText("mine")
	r.press("enter")
	r.requireScreen("✓ lock dev-network")
	if f := r.footerLine(); !strings.Contains(f, "L unlock") {
		t.Fatalf("the footer does not offer to unlock your lock: %q", f)
	}
	r.press("L")
	r.requireScreen("Unlock dev-network?")
}
