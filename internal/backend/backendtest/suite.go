// Package backendtest is the contract every backend.Backend implementation
// passes: the sandbox in-process, and the real clients against the
// sandbox's dialect servers. The suite learns everything it needs (which
// stack is in qa, which run failed) through the interface itself.
package backendtest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// Harness is one fresh backend and a way to move the time of whatever
// engine sits behind it.
type Harness struct {
	Backend backend.Backend
	Advance func(time.Duration)
}

// Run runs the contract; each subtest gets a fresh harness.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"InfoAndCapabilities", testInfo},
		{"ListStacks", testListStacks},
		{"ListRunsPaging", testListRunsPaging},
		{"LatestRunAndLatestTrackedRun", testLatestRuns},
		{"GetRunHistory", testGetRun},
		{"PlanFinishes", testPlanFinishes},
		{"DeployWaitsForConfirmation", testDeployConfirm},
		{"PendingRunsBehindNewerOnes", testPendingRuns},
		{"Discard", testDiscard},
		{"RetryFailed", testRetry},
		{"Cancel", testCancel},
		{"Stop", testStop},
		{"Review", testReview},
		{"ApprovalHoldsConfirmation", testApproval},
		{"Promote", testPromote},
		{"SyncCommit", testSyncCommit},
		{"LogsPaging", testLogs},
		{"RunChangesMatchDelta", testRunChanges},
		{"LockUnlock", testLock},
		{"DriftCheck", testDriftCheck},
		{"Modules", testModules},
		{"Errors", testErrors},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newHarness(t)) })
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func testInfo(t *testing.T, h Harness) {
	info := h.Backend.Info()
	if info.Kind == "" || info.Endpoint == "" || info.Account == "" {
		t.Fatalf("Info has empty fields: %+v", info)
	}
}

func stacks(t *testing.T, h Harness) []model.Stack {
	t.Helper()
	ss, err := h.Backend.ListStacks(ctx(t))
	if err != nil {
		t.Fatalf("ListStacks: %v", err)
	}
	if len(ss) == 0 {
		t.Fatal("ListStacks returned no stacks")
	}
	return ss
}

func testListStacks(t *testing.T, h Harness) {
	ss := stacks(t, h)
	ids := map[string]bool{}
	for _, s := range ss {
		if s.ID == "" || s.Name == "" {
			t.Errorf("stack without id or name: %+v", s)
		}
		if ids[s.ID] {
			t.Errorf("duplicate stack id %q", s.ID)
		}
		ids[s.ID] = true
		if s.LatestRun != nil && s.LatestRun.StackID != s.ID {
			t.Errorf("stack %s: latest run belongs to %q", s.ID, s.LatestRun.StackID)
		}
	}
	for _, s := range ss {
		for _, d := range s.DependsOn {
			if !ids[d] {
				t.Errorf("stack %s depends on unknown stack %q", s.ID, d)
			}
		}
	}
	// Backends that report dependencies at all must report the tree's.
	reportsDeps := slices.ContainsFunc(ss, func(s model.Stack) bool { return len(s.DependsOn) > 0 })
	f := model.BuildForest(ss, model.DefaultEnvironments(), model.DefaultMapping())
	withRuns := 0
	for _, env := range f.Envs {
		if env.Root == nil {
			t.Errorf("environment %s has no environment stack", env.Env.Name)
			continue
		}
		if len(env.Units) == 0 {
			t.Errorf("environment %s has no business-unit stacks", env.Env.Name)
		}
		for _, u := range env.Units {
			for _, s := range u.Stacks {
				if reportsDeps && !slices.Contains(s.DependsOn, env.Root.ID) {
					t.Errorf("business-unit stack %s does not depend on its environment stack %s", s.ID, env.Root.ID)
				}
				if s.LatestRun != nil {
					withRuns++
				}
			}
		}
	}
	if withRuns == 0 {
		t.Error("no business-unit stack has a latest run")
	}
}

// free lists stacks the user can act on: writable, unlocked, not
// administrative, with no run in progress, waiting or held for an approval;
// environments in order, so dev stacks come first.
func free(t *testing.T, h Harness) []model.Stack {
	t.Helper()
	f := model.BuildForest(stacks(t, h), model.DefaultEnvironments(), model.DefaultMapping())
	var all []*model.Stack
	for i := range f.Envs {
		all = append(all, f.Envs[i].Stacks()...)
	}
	var out []model.Stack
	for _, s := range append(all, f.Unmapped...) {
		busy := s.LatestRun != nil && (s.LatestRun.State.Active() || s.LatestRun.State.Waiting())
		if s.CanWrite && !s.Locked() && !s.Administrative && !s.Disabled && !s.State.Active() && !s.State.Waiting() &&
			!s.NeedsApproval && !busy {
			out = append(out, *s)
		}
	}
	if len(out) == 0 {
		t.Fatal("no stack is free to act on")
	}
	return out
}

func trigger(t *testing.T, h Harness, stackID string, kind model.RunKind) model.Run {
	t.Helper()
	r, err := h.Backend.Trigger(ctx(t), stackID, kind)
	if err != nil {
		t.Fatalf("Trigger %s on %s: %v", kind, stackID, err)
	}
	if r.ID == "" || r.StackID != stackID || r.Kind != kind {
		t.Fatalf("Trigger returned %+v", r)
	}
	return r
}

// waitFor steps the clock a second at a time until the run satisfies done.
func waitFor(t *testing.T, h Harness, r model.Run, what string, done func(model.Run) bool) model.Run {
	t.Helper()
	for i := 0; i < 120; i++ {
		got, err := h.Backend.GetRun(ctx(t), r.StackID, r.ID)
		if err != nil {
			t.Fatalf("GetRun: %v", err)
		}
		if done(got) {
			return got
		}
		h.Advance(time.Second)
	}
	t.Fatalf("run %s on %s never became %s", r.ID, r.StackID, what)
	return model.Run{}
}

func settled(r model.Run) bool { return !r.State.Active() }

// stoppable: the run initializes or plans, the phases in which Spacelift's
// documentation lets a run be stopped (a run only preparing may not be).
func stoppable(r model.Run) bool {
	return r.State == model.StateInitializing || r.State == model.StatePlanning || r.State.Terminal()
}

func testListRunsPaging(t *testing.T, h Harness) {
	s := free(t, h)[0]
	want := map[string]bool{}
	for i := 0; i < 12; i++ {
		want[trigger(t, h, s.ID, model.RunPlan).ID] = true
	}
	var all []model.Run
	seen := map[string]bool{}
	cursor := ""
	for page := 0; ; page++ {
		runs, next, err := h.Backend.ListRuns(ctx(t), s.ID, cursor)
		if err != nil {
			t.Fatalf("ListRuns page %d: %v", page, err)
		}
		for _, r := range runs {
			if seen[r.ID] {
				t.Fatalf("run %s listed twice", r.ID)
			}
			seen[r.ID] = true
		}
		all = append(all, runs...)
		if next == "" {
			break
		}
		if len(runs) == 0 || page > 100 {
			t.Fatalf("paging does not end (page %d, %d runs)", page, len(runs))
		}
		cursor = next
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("triggered run %s not listed", id)
		}
	}
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt.After(all[i-1].CreatedAt) {
			t.Fatalf("runs not newest first at %d: %s after %s", i, all[i].CreatedAt, all[i-1].CreatedAt)
		}
	}
}

// testLatestRuns pins the two notions of a stack's latest run. The latest
// tracked run (deploy or destroy) is what gates and waves judge: a plan
// started since never becomes it, a deploy started since does. The latest
// run is for display: the newest run the listing sees, never older than the
// latest tracked run: the plan, or on a backend whose listing sees tracked
// runs only (TFC's current run), the latest tracked run.
func testLatestRuns(t *testing.T, h Harness) {
	var s model.Stack
	for _, c := range free(t, h) {
		if c.LatestTrackedRun != nil {
			s = c
			break
		}
	}
	if s.ID == "" {
		t.Fatal("no free stack has a tracked run")
	}
	before := *s.LatestTrackedRun
	if !before.Kind.Tracked() {
		t.Fatalf("latest tracked run of %s is a %s", s.ID, before.Kind)
	}
	plan := trigger(t, h, s.ID, model.RunPlan)
	after := stackByID(t, h, s.ID)
	if tr := after.LatestTrackedRun; tr == nil || tr.ID != before.ID {
		t.Fatalf("after a plan, the latest tracked run of %s is %+v, want still %s", s.ID, tr, before.ID)
	}
	if lr := after.LatestRun; lr == nil || (lr.ID != plan.ID && lr.ID != before.ID) {
		t.Fatalf("after a plan, the latest run of %s is %+v, want the plan %s (or the tracked run %s)", s.ID, lr, plan.ID, before.ID)
	}
	deploy := trigger(t, h, s.ID, model.RunDeploy)
	after = stackByID(t, h, s.ID)
	if tr := after.LatestTrackedRun; tr == nil || tr.ID != deploy.ID || !tr.Kind.Tracked() {
		t.Fatalf("after a deploy, the latest tracked run of %s is %+v, want the deploy %s", s.ID, tr, deploy.ID)
	}
	if lr := after.LatestRun; lr == nil || lr.ID != deploy.ID {
		t.Fatalf("after a deploy, the latest run of %s is %+v, want the deploy %s", s.ID, lr, deploy.ID)
	}
}

func testGetRun(t *testing.T, h Harness) {
	s := free(t, h)[0]
	r := trigger(t, h, s.ID, model.RunPlan)
	got := waitFor(t, h, r, "settled", settled)
	if len(got.History) < 2 || got.History[0].State != model.StateQueued {
		t.Fatalf("history should start QUEUED and move on: %+v", got.History)
	}
	for i := 1; i < len(got.History); i++ {
		if got.History[i].At.Before(got.History[i-1].At) {
			t.Fatalf("history goes back in time: %+v", got.History)
		}
	}
	if last := got.History[len(got.History)-1]; last.State != got.State {
		t.Fatalf("last transition %s but state %s", last.State, got.State)
	}
}

func testPlanFinishes(t *testing.T, h Harness) {
	s := free(t, h)[0]
	r := trigger(t, h, s.ID, model.RunPlan)
	if !r.State.Active() {
		t.Fatalf("new plan is %s, want a queued or active state", r.State)
	}
	got := waitFor(t, h, r, "settled", settled)
	if got.State != model.StateFinished {
		t.Fatalf("plan ended %s, want FINISHED", got.State)
	}
	if !hasState(got, model.StatePlanning) {
		t.Errorf("plan history has no PLANNING: %+v", got.History)
	}
	if got.Delta == nil {
		t.Error("finished plan has no delta")
	}
}

func hasState(r model.Run, s model.RunState) bool {
	return slices.ContainsFunc(r.History, func(tr model.RunTransition) bool { return tr.State == s })
}

// unconfirmed triggers deploys on stacks that do not autodeploy (drifted
// ones first: their plans have changes) until one waits for confirmation.
func unconfirmed(t *testing.T, h Harness) model.Run {
	t.Helper()
	cands := free(t, h)
	slices.SortStableFunc(cands, func(a, b model.Stack) int {
		switch {
		case a.Drift.Drifted && !b.Drift.Drifted:
			return -1
		case b.Drift.Drifted && !a.Drift.Drifted:
			return 1
		}
		return 0
	})
	for _, s := range cands {
		if s.Autodeploy {
			continue
		}
		r := waitFor(t, h, trigger(t, h, s.ID, model.RunDeploy), "settled", settled)
		if r.State == model.StateUnconfirmed {
			return r
		}
	}
	t.Fatal("no deploy on a stack without autodeploy stopped at UNCONFIRMED")
	return model.Run{}
}

func testDeployConfirm(t *testing.T, h Harness) {
	r := unconfirmed(t, h)
	if r.Delta == nil || r.Delta.Empty() {
		t.Errorf("unconfirmed run has no changes: %+v", r.Delta)
	}
	s := stackByID(t, h, r.StackID)
	if s.State != model.StateUnconfirmed {
		t.Errorf("stack state %s, want UNCONFIRMED", s.State)
	}
	c, err := h.Backend.Confirm(ctx(t), r.StackID, r.ID)
	if err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	if c.State == model.StateUnconfirmed {
		t.Fatalf("Confirm left the run %s", c.State)
	}
	done := waitFor(t, h, r, "terminal", func(r model.Run) bool { return r.State.Terminal() })
	if done.State != model.StateFinished || !hasState(done, model.StateApplying) {
		t.Fatalf("confirmed run ended %s with history %+v", done.State, done.History)
	}
}

// testPendingRuns: a deploy waits for confirmation, a second one queues
// behind it, and a plan runs and finishes after both. The listing still
// has both unfinished deploys, oldest first, whatever came after them: the
// first waits on a person, the second is queued behind it; a backend that
// names the stack's blocker names the head of its queue.
func testPendingRuns(t *testing.T, h Harness) {
	held := unconfirmed(t, h)
	queued := trigger(t, h, held.StackID, model.RunDeploy)
	plan := waitFor(t, h, trigger(t, h, held.StackID, model.RunPlan), "settled", settled)
	s := stackByID(t, h, held.StackID)
	if !s.PendingKnown {
		t.Fatalf("a full listing left %s's pending runs unread", s.ID)
	}
	var ids []string
	for _, r := range s.Pending {
		ids = append(ids, r.ID)
	}
	if len(ids) != 2 || ids[0] != held.ID || ids[1] != queued.ID {
		t.Fatalf("pending runs of %s = %v, want the held deploy %s then the queued one %s (not the plan %s)",
			s.ID, ids, held.ID, queued.ID, plan.ID)
	}
	waiting, known := s.Waiting()
	if !known || len(waiting) != 1 || waiting[0].ID != held.ID || waiting[0].State != model.StateUnconfirmed {
		t.Fatalf("waiting runs of %s = %+v (known %t), want %s UNCONFIRMED", s.ID, waiting, known, held.ID)
	}
	if b := s.QueuedBehind(s.Pending[1]); b == nil || b.ID != held.ID {
		t.Fatalf("the queued deploy %s waits behind %+v, want %s", queued.ID, b, held.ID)
	}
	if s.Blocker != nil && s.Blocker.ID != held.ID {
		t.Fatalf("the blocker of %s is %s, want the head of its queue %s", s.ID, s.Blocker.ID, held.ID)
	}
}

func stackByID(t *testing.T, h Harness, id string) model.Stack {
	t.Helper()
	for _, s := range stacks(t, h) {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("stack %s not listed", id)
	return model.Stack{}
}

func testDiscard(t *testing.T, h Harness) {
	r := unconfirmed(t, h)
	d, err := h.Backend.Discard(ctx(t), r.StackID, r.ID)
	if err != nil {
		t.Fatalf("Discard: %v", err)
	}
	got := waitFor(t, h, d, "discarded", func(r model.Run) bool { return r.State.Terminal() })
	if got.State != model.StateDiscarded {
		t.Fatalf("discarded run is %s", got.State)
	}
	if _, err := h.Backend.Discard(ctx(t), r.StackID, r.ID); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("discarding twice: got %v, want ErrConflict", err)
	}
}

func testRetry(t *testing.T, h Harness) {
	var failed *model.Run
	for _, s := range stacks(t, h) {
		if s.Locked() {
			continue
		}
		runs, _, err := h.Backend.ListRuns(ctx(t), s.ID, "")
		if err != nil {
			t.Fatalf("ListRuns %s: %v", s.ID, err)
		}
		for i := range runs {
			if runs[i].State == model.StateFailed {
				failed = &runs[i]
				break
			}
		}
		if failed != nil {
			break
		}
	}
	if failed == nil {
		t.Fatal("no failed run to retry")
	}
	r, err := h.Backend.Retry(ctx(t), failed.StackID, failed.ID)
	if err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if r.ID == failed.ID || r.Commit != failed.Commit || r.Kind != failed.Kind || r.StackID != failed.StackID {
		t.Fatalf("retry %+v does not repeat %+v", r, *failed)
	}
	done := waitFor(t, h, r, "settled", settled)
	if done.State == model.StateUnknown {
		t.Fatalf("retried run ended %s", done.State)
	}
}

func testCancel(t *testing.T, h Harness) {
	s := free(t, h)[0]
	r := trigger(t, h, s.ID, model.RunPlan)
	c, err := h.Backend.Cancel(ctx(t), s.ID, r.ID)
	if err != nil {
		t.Fatalf("Cancel queued: %v", err)
	}
	if got := waitFor(t, h, c, "terminal", func(r model.Run) bool { return r.State.Terminal() }); got.State != model.StateCanceled {
		t.Fatalf("canceled queued run is %s, want CANCELED", got.State)
	}
	r = trigger(t, h, s.ID, model.RunPlan)
	started := waitFor(t, h, r, "initializing or planning", stoppable)
	if !started.State.Active() {
		t.Fatalf("plan finished before it could be stopped: %s", started.State)
	}
	if _, err := h.Backend.Cancel(ctx(t), s.ID, r.ID); err != nil {
		t.Fatalf("Cancel running: %v", err)
	}
	// Spacelift says STOPPED for a run stopped while working; other
	// backends only know CANCELED.
	if got := waitFor(t, h, r, "terminal", func(r model.Run) bool { return r.State.Terminal() }); got.State != model.StateStopped && got.State != model.StateCanceled {
		t.Fatalf("stopped run is %s, want STOPPED or CANCELED", got.State)
	}
	if _, err := h.Backend.Cancel(ctx(t), s.ID, r.ID); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("canceling a stopped run: got %v, want ErrConflict", err)
	}
}

// readLogs pages a run's log from the start until Done.
func readLogs(t *testing.T, h Harness, r model.Run) (string, string) {
	t.Helper()
	var b strings.Builder
	token := ""
	for i := 0; i < 1000; i++ {
		c, err := h.Backend.RunLogs(ctx(t), r.StackID, r.ID, token)
		if err != nil {
			t.Fatalf("RunLogs: %v", err)
		}
		b.WriteString(c.Text)
		token = c.Next
		if c.Done {
			return b.String(), token
		}
	}
	t.Fatal("RunLogs never reported Done")
	return "", ""
}

func testLogs(t *testing.T, h Harness) {
	s := free(t, h)[0]
	r := trigger(t, h, s.ID, model.RunPlan)
	if c, err := h.Backend.RunLogs(ctx(t), s.ID, r.ID, ""); err != nil || c.Done {
		t.Fatalf("logs of a queued run: %+v, %v; want not Done", c, err)
	}
	done := waitFor(t, h, r, "terminal", func(r model.Run) bool { return r.State.Terminal() })
	text, last := readLogs(t, h, done)
	if !strings.Contains(text, "Plan:") && !strings.Contains(text, "No changes") {
		t.Fatalf("plan log has no plan summary:\n%s", text)
	}
	again, _ := readLogs(t, h, done)
	if again != text {
		t.Fatal("reading the log twice gives different text")
	}
	c, err := h.Backend.RunLogs(ctx(t), s.ID, r.ID, last)
	if err != nil || c.Text != "" || !c.Done {
		t.Fatalf("after the end: %+v, %v; want empty and Done", c, err)
	}
}

func testRunChanges(t *testing.T, h Harness) {
	r := unconfirmed(t, h)
	changes, err := h.Backend.RunChanges(ctx(t), r.StackID, r.ID)
	if err != nil {
		t.Fatalf("RunChanges: %v", err)
	}
	var d model.Delta
	for _, c := range changes {
		if c.Address == "" {
			t.Errorf("change without address: %+v", c)
		}
		switch c.Action {
		case model.ActionAdd:
			d.Add++
		case model.ActionChange:
			d.Change++
		case model.ActionDestroy:
			d.Destroy++
		case model.ActionReplace:
			d.Add++
			d.Destroy++
		}
	}
	if r.Delta == nil || d != *r.Delta {
		t.Fatalf("changes count %+v, delta %+v", d, r.Delta)
	}
}

func testLock(t *testing.T, h Harness) {
	s := free(t, h)[0]
	if !h.Backend.Capabilities().Lock {
		if _, err := h.Backend.Lock(ctx(t), s.ID, "x"); !errors.Is(err, backend.ErrUnsupported) {
			t.Fatalf("Lock without the capability: got %v, want ErrUnsupported", err)
		}
		return
	}
	locked, err := h.Backend.Lock(ctx(t), s.ID, "contract test")
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	if !locked.Locked() || locked.Lock.Note != "contract test" || locked.Lock.Holder == "" {
		t.Fatalf("after Lock: %+v", locked.Lock)
	}
	if l := stackByID(t, h, s.ID).Lock; l == nil || l.Holder != locked.Lock.Holder {
		t.Fatalf("ListStacks does not show the lock: %+v", l)
	}
	trigger(t, h, s.ID, model.RunPlan) // the holder may still act
	unlocked, err := h.Backend.Unlock(ctx(t), s.ID)
	if err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if unlocked.Locked() {
		t.Fatalf("after Unlock: %+v", unlocked.Lock)
	}
	for _, o := range stacks(t, h) {
		if o.Locked() && o.Lock.Holder != locked.Lock.Holder {
			if _, err := h.Backend.Trigger(ctx(t), o.ID, model.RunDeploy); !errors.Is(err, backend.ErrConflict) {
				t.Errorf("deploy on %s locked by %s: got %v, want ErrConflict", o.ID, o.Lock.Holder, err)
			}
			if _, err := h.Backend.Unlock(ctx(t), o.ID); !errors.Is(err, backend.ErrConflict) {
				t.Errorf("unlocking %s locked by %s: got %v, want ErrConflict", o.ID, o.Lock.Holder, err)
			}
		}
	}
}

func testDriftCheck(t *testing.T, h Harness) {
	cands := free(t, h)
	s := cands[max(0, slices.IndexFunc(cands, func(s model.Stack) bool { return s.Drift.Drifted }))]
	if !h.Backend.Capabilities().DriftCheck {
		if _, err := h.Backend.Trigger(ctx(t), s.ID, model.RunDriftCheck); !errors.Is(err, backend.ErrUnsupported) {
			t.Fatalf("drift check without the capability: got %v, want ErrUnsupported", err)
		}
		return
	}
	r := waitFor(t, h, trigger(t, h, s.ID, model.RunDriftCheck), "terminal", func(r model.Run) bool { return r.State.Terminal() })
	if r.State != model.StateFinished {
		t.Fatalf("drift check ended %s", r.State)
	}
	after := stackByID(t, h, s.ID)
	if after.Drift.CheckedAt.IsZero() || after.Drift.CheckedAt.Before(s.Drift.CheckedAt) {
		t.Fatalf("drift check did not record its time: before %v, after %v", s.Drift.CheckedAt, after.Drift.CheckedAt)
	}
	if after.Drift.Drifted != (r.Delta != nil && !r.Delta.Empty()) {
		t.Fatalf("drifted = %v but the check's delta is %+v", after.Drift.Drifted, r.Delta)
	}
	// Optional details must agree with what they detail. (TFC names its
	// assessment result, which is not a run.)
	if id := after.Drift.RunID; id != "" && id != r.ID {
		if _, err := h.Backend.GetRun(ctx(t), s.ID, id); err == nil {
			t.Errorf("drift run = %s, want the check just finished (%s)", id, r.ID)
		}
	}
	for _, c := range after.Drift.Changes {
		if !slices.Contains(after.Drift.Resources, c.Address) {
			t.Errorf("drift detail for %s, which is not among the drifted resources %v", c.Address, after.Drift.Resources)
		}
	}
}

func testModules(t *testing.T, h Harness) {
	mods, err := h.Backend.ListModules(ctx(t))
	if err != nil {
		t.Fatalf("ListModules: %v", err)
	}
	if len(mods) == 0 {
		t.Fatal("no modules")
	}
	for _, m := range mods {
		if m.ID == "" || m.Name == "" || m.Source == "" {
			t.Errorf("module with empty fields: %+v", m)
		}
		vs, err := h.Backend.ListModuleVersions(ctx(t), m.ID)
		if err != nil {
			t.Fatalf("ListModuleVersions %s: %v", m.ID, err)
		}
		if len(vs) == 0 {
			t.Errorf("module %s has no versions", m.ID)
			continue
		}
		for i := 1; i < len(vs); i++ {
			if model.CompareVersions(vs[i-1].Number, vs[i].Number) <= 0 {
				t.Errorf("module %s versions not newest first: %s before %s", m.ID, vs[i-1].Number, vs[i].Number)
			}
		}
		if m.Latest != "" && m.Latest != vs[0].Number {
			t.Errorf("module %s latest %s, newest version %s", m.ID, m.Latest, vs[0].Number)
		}
	}
	if _, err := h.Backend.ListModuleVersions(ctx(t), "no-such-module"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("unknown module: got %v, want ErrNotFound", err)
	}
}

func testErrors(t *testing.T, h Harness) {
	c := ctx(t)
	const missing = "no-such-stack"
	calls := map[string]func() error{
		"ListRuns": func() error { _, _, err := h.Backend.ListRuns(c, missing, ""); return err },
		"GetRun":   func() error { _, err := h.Backend.GetRun(c, missing, "x"); return err },
		"Trigger":  func() error { _, err := h.Backend.Trigger(c, missing, model.RunPlan); return err },
		"Lock":     func() error { _, err := h.Backend.Lock(c, missing, ""); return err },
		"Confirm":  func() error { _, err := h.Backend.Confirm(c, missing, "x"); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("%s on an unknown stack: got %v, want ErrNotFound", name, err)
		}
	}
	s := free(t, h)[0]
	if _, err := h.Backend.GetRun(c, s.ID, "NO-SUCH-RUN"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("unknown run: got %v, want ErrNotFound", err)
	}
	r := waitFor(t, h, trigger(t, h, s.ID, model.RunPlan), "settled", settled)
	if _, err := h.Backend.Confirm(c, s.ID, r.ID); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("confirming a %s run: got %v, want ErrConflict", r.State, err)
	}
}
