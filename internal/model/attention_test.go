package model

import (
	"strings"
	"testing"
	"time"
)

func TestWaitingAndQueuedBehind(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 11, 25, 12, m, 0, 0, time.UTC) }
	review := Run{ID: "r1", Kind: RunPlan, State: StatePendingReview, CreatedAt: at(1)}
	held := Run{ID: "r2", Kind: RunDeploy, State: StateUnconfirmed, CreatedAt: at(2)}
	queued := Run{ID: "r3", Kind: RunDeploy, State: StateQueued, CreatedAt: at(3)}
	task := Run{ID: "r4", Kind: RunTask, State: StateQueued, NeedsApproval: true, CreatedAt: at(4)}
	plan := Run{ID: "r5", Kind: RunPlan, State: StateQueued, CreatedAt: at(5)}
	newest := Run{ID: "r6", Kind: RunPlan, State: StateFinished, CreatedAt: at(6)}
	s := Stack{ID: "s", LatestRun: &newest, LatestTrackedRun: &queued,
		Pending: []Run{review, held, queued, task, plan}, PendingKnown: true}

	waiting, known := s.Waiting()
	var ids []string
	for _, r := range waiting {
		ids = append(ids, r.ID)
	}
	if !known || strings.Join(ids, " ") != "r1 r2 r4" {
		t.Fatalf("waiting = %v (known %t), want the review, the held deploy and the task held for approval", ids, known)
	}
	if !s.Waits() {
		t.Fatal("a stack whose runs wait does not wait")
	}
	for _, tc := range []struct {
		run  Run
		want string
	}{{queued, "r2"}, {task, ""}, {plan, ""}, {held, ""}} {
		got := ""
		if b := s.QueuedBehind(tc.run); b != nil {
			got = b.ID
		}
		if got != tc.want {
			t.Errorf("%s queued behind %q, want %q", tc.run.ID, got, tc.want)
		}
	}

	// Not read yet: what the listing showed, and unknown.
	lean := Stack{ID: "s", LatestRun: &newest, Blocker: &held}
	waiting, known = lean.Waiting()
	if known || len(waiting) != 1 || waiting[0].ID != "r2" {
		t.Fatalf("lean waiting = %+v, %t", waiting, known)
	}
	if b := lean.QueuedBehind(queued); b == nil || b.ID != "r2" {
		t.Fatalf("lean: queued behind %+v, want the blocker", b)
	}
}

func TestNeedsGroupsOldestFirst(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 25, h, 0, 0, 0, time.UTC) }
	failed := Run{ID: "f", Kind: RunDeploy, State: StateFailed, CreatedAt: at(1)}
	a := &Stack{ID: "a", Name: "a", LatestRun: &failed, LatestTrackedRun: &failed, PendingKnown: true, Pending: []Run{},
		Lock: &Lock{Holder: "maria.chen", At: at(2)}}
	b := &Stack{ID: "b", Name: "b", PendingKnown: true, Pending: []Run{
		{ID: "w2", Kind: RunDeploy, State: StateUnconfirmed, CreatedAt: at(5)},
		{ID: "q", Kind: RunDeploy, State: StateQueued, CreatedAt: at(6)},
	}, Drift: Drift{Drifted: true, CheckedAt: at(3)}, Lock: &Lock{Holder: "you", Mine: true}}
	c := &Stack{ID: "c", Name: "c", PendingKnown: true, Pending: []Run{{ID: "w1", Kind: RunPlan, State: StatePendingReview, CreatedAt: at(4)}}}
	d := &Stack{ID: "d", Name: "d"} // not read yet
	needs, unknown := Needs([]*Stack{a, b, c, d})
	var got []string
	for _, n := range needs {
		s := n.Stack.ID
		if n.Run != nil {
			s += "/" + n.Run.ID
		}
		if n.Blocker != nil {
			s += "<" + n.Blocker.ID
		}
		got = append(got, s)
	}
	want := "c/w1 b/w2 a/f b/q<w2 b a" // waiting (oldest first), failed, queued (behind), drift, others' locks
	if strings.Join(got, " ") != want || unknown != 1 {
		t.Fatalf("needs = %q (unknown %d), want %q (1)", strings.Join(got, " "), unknown, want)
	}
}
