package ui

import (
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/promote/promotetest"
)

// The in-flight guards: while a mutation waits for its answer (the backend
// is slow: commands are held), repeating the key that sent it sends
// nothing more. One test per kind: a bulk, :freeze, a drift check, a
// promotion (the single stack's is TestExactlyOnceUnderRepeatedKeys).

func TestRepeatedBulkIsSentOnce(t *testing.T) {
	r := newActionRig(t)
	mark := func() {
		r.selectStack("dev-identity")
		r.press("space")
		r.selectStack("dev-analytics")
		r.press("space")
	}
	mark()
	r.press("p")
	r.requireScreen("Plan 2 stacks?")
	r.Hold = true
	r.press("y")
	for range 5 {
		mark()
		r.press("p", "y", "esc", "esc") // esc, esc: the marks go, then the message
	}
	mark()
	r.press("p")
	said := r.message()
	r.release()
	for _, id := range []string{"dev-identity", "dev-analytics"} {
		if got := r.yours(id); len(got) != 1 {
			t.Errorf("%s: %d runs after the bulk was repeated, want 1", id, len(got))
		}
	}
	if want := "plan applies to none of the 2 targets: dev-analytics: plan already sent"; said != want {
		t.Errorf("a repeated bulk says %q, want %q", said, want)
	}
}

func TestRepeatedFreezeIsSentOnce(t *testing.T) {
	r := newActionRig(t)
	r.typeText(":freeze dev incident 7")
	r.press("enter")
	r.requireScreen("Freeze: lock 6 stacks?")
	r.Hold = true
	r.press("y")
	for range 5 {
		r.typeText(":freeze dev incident 7")
		r.press("enter", "y", "enter")
	}
	r.typeText(":freeze dev incident 7")
	r.press("enter")
	said := r.message()
	r.release()
	var locks int
	for _, e := range r.rec.Entries() {
		if e.Action == "lock" {
			locks++
		}
	}
	if locks != 6 {
		t.Fatalf("%d locks sent for one freeze repeated, want 6: %+v", locks, r.rec.Entries())
	}
	if want := "freeze applies to none of the 6 targets: dev-network: lock already sent"; said != want {
		t.Errorf("a repeated freeze says %q, want %q", said, want)
	}
}

func TestRepeatedDriftCheckIsSentOnce(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("dev-identity")
	r.Hold = true
	r.press("f")
	for range 5 {
		r.press("f")
	}
	said := r.message()
	r.release()
	if got := r.yours("dev-identity"); len(got) != 1 {
		t.Fatalf("%d runs after f was repeated, want 1: %+v", len(got), got)
	}
	if want := "drift-check on dev-identity was sent; waiting for the answer"; said != want {
		t.Errorf("a repeated check says %q, want %q", said, want)
	}
}

func TestRepeatedPromotionIsSentOnce(t *testing.T) {
	r := newPromoteRig(t)
	r.w.Push(r.w.Stack("dev-identity").Repo, "dev", "terraform/main.tf", promotetest.AddResource("audit"))
	r.press("P")
	r.selectCell("identity", "dev")
	r.press("enter", "enter")
	r.requireScreen("Promote identity dev → qa?")
	r.Hold = true
	r.press("y")
	for range 5 {
		r.press("enter", "y", "enter")
	}
	r.press("enter")
	said := r.message()
	r.release()
	if e := r.promotions(); len(e) != 1 || e[0].Result != audit.ResultOK || !strings.Contains(e[0].Detail, "commits (1)") {
		t.Fatalf("promotions audited %+v", e)
	}
	if want := "a promotion of this repository was sent; waiting for the answer"; said != want {
		t.Errorf("a repeated promotion says %q, want %q", said, want)
	}
}
