package backendtest

import (
	"errors"
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// unsupported checks that a backend without a capability says so with
// ErrUnsupported rather than doing something else.
func unsupported(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("%s without the capability: got %v, want ErrUnsupported", what, err)
	}
}

func testStop(t *testing.T, h Harness) {
	s := free(t, h)[0]
	r := trigger(t, h, s.ID, model.RunPlan)
	if !h.Backend.Capabilities().Stop {
		_, err := h.Backend.Stop(ctx(t), s.ID, r.ID)
		unsupported(t, "Stop", err)
		return
	}
	if _, err := h.Backend.Stop(ctx(t), s.ID, r.ID); err != nil && !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("Stop of a queued run: got %v, want success or ErrConflict", err)
	}
	r = trigger(t, h, s.ID, model.RunPlan)
	started := waitFor(t, h, r, "initializing or planning", stoppable)
	if !started.State.Active() {
		t.Fatalf("plan finished before it could be stopped: %s", started.State)
	}
	if _, err := h.Backend.Stop(ctx(t), s.ID, r.ID); err != nil {
		t.Fatalf("Stop running: %v", err)
	}
	if got := waitFor(t, h, r, "terminal", func(r model.Run) bool { return r.State.Terminal() }); got.State != model.StateStopped {
		t.Fatalf("stopped run is %s, want STOPPED", got.State)
	}
	if _, err := h.Backend.Stop(ctx(t), s.ID, r.ID); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("stopping a stopped run: got %v, want ErrConflict", err)
	}
}

// pendingReview finds a run waiting for a review. A backend that can review
// runs must have one in the organisation the contract runs on, or review
// would go untested.
func pendingReview(t *testing.T, h Harness) model.Run {
	t.Helper()
	for _, s := range stacks(t, h) {
		if s.LatestRun != nil && s.LatestRun.State == model.StatePendingReview && !s.Locked() {
			return *s.LatestRun
		}
	}
	t.Fatal("no run is waiting for review: the contract needs one to test Review")
	return model.Run{}
}

// lastNote is the note of a run's newest transition.
func lastNote(r model.Run) string {
	if len(r.History) == 0 {
		return ""
	}
	return r.History[len(r.History)-1].Note
}

func testReview(t *testing.T, h Harness) {
	if !h.Backend.Capabilities().Review {
		s := free(t, h)[0]
		_, err := h.Backend.Review(ctx(t), s.ID, "any", true, "")
		unsupported(t, "Review", err)
		return
	}
	r := pendingReview(t, h)
	got, err := h.Backend.Review(ctx(t), r.StackID, r.ID, true, "looks right")
	if err != nil {
		t.Fatalf("Review approve: %v", err)
	}
	// An approved plan is done; an approved deploy waits for confirmation.
	want := model.StateFinished
	if r.Kind.Tracked() {
		want = model.StateUnconfirmed
	}
	if got.State != want {
		t.Fatalf("approved %s is %s, want %s", r.Kind, got.State, want)
	}
	if !strings.Contains(lastNote(got), "looks right") {
		t.Errorf("the review note is not in the history: %+v", got.History)
	}
	if _, err := h.Backend.Review(ctx(t), r.StackID, r.ID, false, "again"); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("reviewing twice: got %v, want ErrConflict", err)
	}
}

// testReviewReject: a rejected run ends there, neither finished nor
// waiting for a confirmation, and says why.
func testReviewReject(t *testing.T, h Harness) {
	if !h.Backend.Capabilities().Review {
		return // testReview checks that Review answers ErrUnsupported
	}
	r := pendingReview(t, h)
	got, err := h.Backend.Review(ctx(t), r.StackID, r.ID, false, "not in prod")
	if err != nil {
		t.Fatalf("Review reject: %v", err)
	}
	if !got.State.Terminal() || got.State == model.StateFinished {
		t.Fatalf("rejected run is %s, want it ended without being applied", got.State)
	}
	if !strings.Contains(lastNote(got), "not in prod") {
		t.Errorf("the rejection's note is not in the history: %+v", got.History)
	}
	if again, err := h.Backend.GetRun(ctx(t), r.StackID, r.ID); err != nil || again.State != got.State {
		t.Fatalf("read back after the rejection: %s, %v; want %s", again.State, err, got.State)
	}
	if _, err := h.Backend.Review(ctx(t), r.StackID, r.ID, true, "changed my mind"); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("approving a rejected run: got %v, want ErrConflict", err)
	}
}

func testPromote(t *testing.T, h Harness) {
	s := free(t, h)[0]
	plan := waitFor(t, h, trigger(t, h, s.ID, model.RunPlan), "settled", settled)
	if !h.Backend.Capabilities().Promote {
		_, err := h.Backend.Promote(ctx(t), s.ID, plan.ID)
		unsupported(t, "Promote", err)
		return
	}
	if plan.State != model.StateFinished {
		t.Fatalf("plan ended %s", plan.State)
	}
	d, err := h.Backend.Promote(ctx(t), s.ID, plan.ID)
	if err != nil {
		t.Fatalf("Promote: %v", err)
	}
	if d.Kind != model.RunDeploy || d.Commit != plan.Commit || d.ID == plan.ID {
		t.Fatalf("Promote returned %+v for plan %+v", d, plan)
	}
	if _, err := h.Backend.Promote(ctx(t), s.ID, d.ID); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("promoting a deploy: got %v, want ErrConflict", err)
	}
}

func testSyncCommit(t *testing.T, h Harness) {
	if !h.Backend.Capabilities().SyncCommit {
		_, err := h.Backend.SyncCommit(ctx(t), free(t, h)[0].ID)
		unsupported(t, "SyncCommit", err)
		return
	}
	var behind *model.Stack
	for _, s := range free(t, h) {
		if s.BranchHead != "" && s.TrackedCommit != s.BranchHead {
			behind = &s
			break
		}
	}
	if behind == nil {
		t.Fatal("no free stack is behind its branch: the contract needs one to test SyncCommit")
	}
	got, err := h.Backend.SyncCommit(ctx(t), behind.ID)
	if err != nil {
		t.Fatalf("SyncCommit: %v", err)
	}
	if got.TrackedCommit != behind.BranchHead || got.CommitsBehind > 0 {
		t.Fatalf("after sync: tracked %s behind %d, want %s and 0", got.TrackedCommit, got.CommitsBehind, behind.BranchHead)
	}
	if listed := stackByID(t, h, behind.ID); listed.TrackedCommit != behind.BranchHead {
		t.Fatalf("ListStacks still shows %s", listed.TrackedCommit)
	}
}

// heldForApproval finds a tracked run an approval policy holds at
// UNCONFIRMED. A backend that can review runs must have one; one that
// cannot must not claim any run needs an approval it could never give.
func heldForApproval(t *testing.T, h Harness) (model.Run, bool) {
	t.Helper()
	canReview := h.Backend.Capabilities().Review
	for _, s := range stacks(t, h) {
		r := s.LatestTrackedRun
		if r == nil || !r.NeedsApproval {
			continue
		}
		if !canReview {
			t.Fatalf("run %s on %s needs an approval, but the backend cannot review runs", r.ID, s.ID)
		}
		if r.State == model.StateUnconfirmed && !s.Locked() {
			if !s.NeedsApproval {
				t.Errorf("stack %s does not say its run %s needs approval", s.ID, r.ID)
			}
			return *r, true
		}
	}
	if canReview {
		t.Fatal("no run waits for an approval at UNCONFIRMED: the contract needs one to test approvals")
	}
	return model.Run{}, false
}

// testApproval: a run an approval policy holds at UNCONFIRMED cannot be
// confirmed until it is approved (Spacelift's approval policies; backends
// without them have no such run).
func testApproval(t *testing.T, h Harness) {
	held, ok := heldForApproval(t, h)
	if !ok {
		return
	}
	if _, err := h.Backend.Confirm(ctx(t), held.StackID, held.ID); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("confirming before approval: got %v, want ErrConflict", err)
	}
	got, err := h.Backend.Review(ctx(t), held.StackID, held.ID, true, "")
	if err != nil || got.NeedsApproval || got.State != model.StateUnconfirmed {
		t.Fatalf("after approval: %+v, %v; want UNCONFIRMED and no longer held", got, err)
	}
	if _, err := h.Backend.Confirm(ctx(t), held.StackID, held.ID); err != nil {
		t.Fatalf("confirming after approval: %v", err)
	}
	if done := waitFor(t, h, got, "terminal", func(r model.Run) bool { return r.State.Terminal() }); done.State != model.StateFinished {
		t.Fatalf("approved and confirmed run ended %s", done.State)
	}
}

// testApprovalRejected: rejecting a held run fails it at once; it can no
// longer be confirmed.
func testApprovalRejected(t *testing.T, h Harness) {
	held, ok := heldForApproval(t, h)
	if !ok {
		return
	}
	got, err := h.Backend.Review(ctx(t), held.StackID, held.ID, false, "not this week")
	if err != nil {
		t.Fatalf("rejecting a held run: %v", err)
	}
	if got.State != model.StateFailed {
		t.Fatalf("rejected held run is %s, want FAILED", got.State)
	}
	if !strings.Contains(lastNote(got), "not this week") {
		t.Errorf("the rejection's note is not in the history: %+v", got.History)
	}
	if _, err := h.Backend.Confirm(ctx(t), held.StackID, held.ID); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("confirming a rejected run: got %v, want ErrConflict", err)
	}
	if s := stackByID(t, h, held.StackID); s.NeedsApproval {
		t.Errorf("after the rejection, stack %s still says a run needs approval", s.ID)
	}
}
