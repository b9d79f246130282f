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

// pendingReview finds a run waiting on an approval policy, if the
// organisation has one.
func pendingReview(t *testing.T, h Harness) (model.Run, bool) {
	t.Helper()
	for _, s := range stacks(t, h) {
		if s.LatestRun != nil && s.LatestRun.State == model.StatePendingReview && !s.Locked() {
			return *s.LatestRun, true
		}
	}
	return model.Run{}, false
}

func testReview(t *testing.T, h Harness) {
	if !h.Backend.Capabilities().Review {
		s := free(t, h)[0]
		_, err := h.Backend.Review(ctx(t), s.ID, "any", true, "")
		unsupported(t, "Review", err)
		return
	}
	r, ok := pendingReview(t, h)
	if !ok {
		t.Skip("no run is waiting for review in this organisation")
	}
	got, err := h.Backend.Review(ctx(t), r.StackID, r.ID, true, "looks right")
	if err != nil {
		t.Fatalf("Review approve: %v", err)
	}
	if got.State == model.StatePendingReview {
		t.Fatalf("approved run still %s", got.State)
	}
	last := got.History[len(got.History)-1]
	if !strings.Contains(last.Note, "looks right") {
		t.Errorf("the review note is not in the history: %+v", got.History)
	}
	if _, err := h.Backend.Review(ctx(t), r.StackID, r.ID, false, "again"); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("reviewing twice: got %v, want ErrConflict", err)
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
		t.Skip("no stack is behind its branch")
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

// testApproval: a run an approval policy holds at UNCONFIRMED cannot be
// confirmed until it is approved (Spacelift's approval policies; backends
// without them have no such run).
func testApproval(t *testing.T, h Harness) {
	var held *model.Run
	for _, s := range stacks(t, h) {
		if r := s.LatestTrackedRun; r != nil && r.NeedsApproval && r.State == model.StateUnconfirmed && !s.Locked() {
			if !s.NeedsApproval {
				t.Errorf("stack %s does not say its run %s needs approval", s.ID, r.ID)
			}
			held = r
			break
		}
	}
	if held == nil {
		t.Skip("no run waits for an approval in this organisation")
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
