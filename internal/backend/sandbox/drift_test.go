package sandbox_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// finish steps the clock until the run is terminal or waits for a person.
func finish(t *testing.T, e *sandbox.Engine, clock *sandbox.ManualClock, r model.Run) model.Run {
	t.Helper()
	for range 100 {
		got, err := e.GetRun(bg, r.StackID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State.Terminal() || got.State.Waiting() {
			return got
		}
		clock.Advance(time.Second)
	}
	t.Fatalf("run %s never finished", r.ID)
	return model.Run{}
}

func TestSeededDriftHasAttributesAndRun(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, sandbox.Options{})
	net := listStacks(t, e)["prod-network"]
	if !net.Drift.Drifted || net.Drift.RunID == "" {
		t.Fatalf("prod-network drift = %+v, want drifted with its run", net.Drift)
	}
	want := []model.ResourceChange{
		{Address: "aws_security_group.shared", Action: model.ActionChange, Attributes: []string{"ingress"}},
		{Address: "module.vpc.aws_subnet.private[0]", Action: model.ActionChange, Attributes: []string{"tags.LastScanned"}},
	}
	if !slices.EqualFunc(net.Drift.Changes, want, func(a, b model.ResourceChange) bool {
		return a.Address == b.Address && slices.Equal(a.Attributes, b.Attributes)
	}) {
		t.Errorf("changes = %+v, want %+v", net.Drift.Changes, want)
	}
	run, err := e.GetRun(bg, net.ID, net.Drift.RunID)
	if err != nil || run.Kind != model.RunDriftCheck || run.TriggeredBy != "drift-detection" {
		t.Fatalf("drift run = %+v, %v; want a scheduled drift check", run, err)
	}
	changes, err := e.RunChanges(bg, net.ID, run.ID)
	if err != nil || len(changes) != 2 || changes[0].Attributes[0] != "ingress" {
		t.Errorf("drift run changes = %+v, %v", changes, err)
	}
}

func TestCheckNowFindsDriftAndReconcileClearsIt(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	check, err := e.Trigger(bg, "qa-storefront", model.RunDriftCheck)
	if err != nil {
		t.Fatal(err)
	}
	check = finish(t, e, clock, check)
	st := listStacks(t, e)["qa-storefront"]
	if check.State != model.StateFinished || st.Drift.RunID != check.ID || !st.Drift.Drifted {
		t.Fatalf("after check now: run %s %s, drift %+v", check.ID, check.State, st.Drift)
	}
	deploy, err := e.Trigger(bg, "qa-storefront", model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	deploy = finish(t, e, clock, deploy)
	if deploy.State == model.StateUnconfirmed {
		if _, err := e.Confirm(bg, deploy.StackID, deploy.ID); err != nil {
			t.Fatal(err)
		}
		deploy = finish(t, e, clock, deploy)
	}
	if deploy.State != model.StateFinished {
		t.Fatalf("reconcile ended %s", deploy.State)
	}
	if d := listStacks(t, e)["qa-storefront"].Drift; d.Drifted || len(d.Changes) != 0 {
		t.Fatalf("drift after reconcile = %+v", d)
	}
	check, _ = e.Trigger(bg, "qa-storefront", model.RunDriftCheck)
	finish(t, e, clock, check)
	if d := listStacks(t, e)["qa-storefront"].Drift; d.Drifted || d.RunID != check.ID {
		t.Fatalf("a check after reconcile found %+v", d)
	}
}

func TestScheduledDriftDetection(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	before := listStacks(t, e)
	if before["prod-identity"].Drift.Drifted {
		t.Fatal("prod-identity drifted before its scheduled change")
	}
	clock.Advance(7*time.Hour + time.Minute) // a change at 2h, checks between 6h and 7h
	after := listStacks(t, e)
	for id, s := range after {
		scheduled := !s.Administrative && !strings.HasPrefix(id, "dev-")
		checked := s.Drift.CheckedAt.After(before[id].Drift.CheckedAt)
		if checked != scheduled {
			t.Errorf("%s: checked = %v, want %v", id, checked, scheduled)
		}
	}
	id := after["prod-identity"]
	if !id.Drift.Drifted || len(id.Drift.Changes) != 1 || id.Drift.Changes[0].Attributes[0] != "mfa_configuration" {
		t.Errorf("prod-identity drift = %+v, want its user pool's MFA setting", id.Drift)
	}
	run, err := e.GetRun(bg, "prod-identity", id.Drift.RunID)
	if err != nil || run.TriggeredBy != "drift-detection" {
		t.Errorf("drift run = %+v, %v", run, err)
	}
}
