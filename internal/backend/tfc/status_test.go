package tfc

import (
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/model"
)

func TestNormalize(t *testing.T) {
	for status, want := range map[tfe.RunStatus]model.RunState{
		tfe.RunPending:                  model.StateQueued,
		tfe.RunPlanQueued:               model.StateReady,
		tfe.RunFetching:                 model.StatePreparing,
		tfe.RunPlanning:                 model.StatePlanning,
		tfe.RunCostEstimated:            model.StateUnconfirmed,
		tfe.RunPlanned:                  model.StateUnconfirmed,
		tfe.RunPolicyOverride:           model.StatePendingReview,
		tfe.RunPostPlanAwaitingDecision: model.StatePendingReview,
		tfe.RunConfirmed:                model.StateConfirmed,
		tfe.RunQueuingApply:             model.StatePreparingApply,
		tfe.RunApplying:                 model.StateApplying,
		tfe.RunApplied:                  model.StateFinished,
		tfe.RunPlannedAndFinished:       model.StateFinished,
		tfe.RunErrored:                  model.StateFailed,
		tfe.RunPolicySoftFailed:         model.StateFailed,
		tfe.RunDiscarded:                model.StateDiscarded,
		tfe.RunCanceled:                 model.StateCanceled,
		"force_canceled":                model.StateCanceled, // documented, but no go-tfe constant
		"some_future_status":            model.StateUnknown,
	} {
		if got := normalize(status); got != want {
			t.Errorf("normalize(%s) = %s, want %s", status, got, want)
		}
	}
}

func TestCanceledAfterStartingIsStopped(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	queued := &tfe.Run{Status: tfe.RunCanceled, StatusTimestamps: &tfe.RunStatusTimestamps{
		PlanQueueableAt: at, CanceledAt: at.Add(time.Second)}}
	if got := runState(queued); got != model.StateCanceled {
		t.Errorf("canceled in the queue: %s, want CANCELED", got)
	}
	running := &tfe.Run{Status: tfe.RunCanceled, StatusTimestamps: &tfe.RunStatusTimestamps{
		PlanQueueableAt: at, PlanningAt: at.Add(time.Second), CanceledAt: at.Add(2 * time.Second)}}
	if got := runState(running); got != model.StateStopped {
		t.Errorf("canceled while planning: %s, want STOPPED", got)
	}
	h := history(running.StatusTimestamps)
	if len(h) != 3 || h[0].State != model.StateQueued || h[1].State != model.StatePlanning ||
		h[2].State != model.StateStopped || h[2].Note != "canceled" {
		t.Errorf("history = %+v", h)
	}
}

func TestHistoryIsOrderedByTime(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h := history(&tfe.RunStatusTimestamps{
		AppliedAt: at.Add(4 * time.Second), ConfirmedAt: at.Add(2 * time.Second), PlannedAt: at.Add(time.Second),
		PlanQueueableAt: at, ApplyingAt: at.Add(3 * time.Second),
	})
	want := []model.RunState{model.StateQueued, model.StateUnconfirmed, model.StateConfirmed, model.StateApplying, model.StateFinished}
	if len(h) != len(want) {
		t.Fatalf("history = %+v", h)
	}
	for i, s := range want {
		if h[i].State != s {
			t.Errorf("history[%d] = %s, want %s", i, h[i].State, s)
		}
	}
}

func TestParsePlanJSON(t *testing.T) {
	raw := []byte(`{"resource_changes":[
		{"address":"aws_s3_bucket.a","change":{"actions":["create"],"before":null,"after":{"bucket":"a"},"after_unknown":{"arn":true}}},
		{"address":"aws_iam_role.r","change":{"actions":["update"],"before":{"policy":"x","name":"r"},"after":{"policy":"y","name":"r"},"after_unknown":{}}},
		{"address":"aws_instance.i","change":{"actions":["delete","create"],"before":{},"after":{},"after_unknown":{}}},
		{"address":"data.aws_caller_identity.me","change":{"actions":["read"]}},
		{"address":"aws_vpc.v","change":{"actions":["no-op"]}},
		{"address":"aws_subnet.s","change":{"actions":["delete"],"before":{"cidr":"10.0.0.0/24"},"after":null}}
	]}`)
	got, err := parsePlanJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.ResourceChange{
		{Address: "aws_s3_bucket.a", Action: model.ActionAdd, Attributes: []string{"arn"}},
		{Address: "aws_iam_role.r", Action: model.ActionChange, Attributes: []string{"policy"}},
		{Address: "aws_instance.i", Action: model.ActionReplace, Attributes: []string{}},
		{Address: "aws_subnet.s", Action: model.ActionDestroy, Attributes: []string{}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i].Address != want[i].Address || got[i].Action != want[i].Action ||
			len(got[i].Attributes) != len(want[i].Attributes) || (len(want[i].Attributes) > 0 && got[i].Attributes[0] != want[i].Attributes[0]) {
			t.Errorf("change %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := parsePlanJSON([]byte("{not json")); err == nil {
		t.Error("malformed plan JSON accepted")
	}
}
