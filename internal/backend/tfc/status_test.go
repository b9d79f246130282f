package tfc

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/model"
)

// Every status of HashiCorp's run-states documentation (api-docs/run "Run
// States", run/states) and of go-tfe's RunStatus constants, under every
// combination of the flags that decide the pausable ones.
func TestNormalizeEveryStatusUnderEveryFlag(t *testing.T) {
	type want func(f runFlags) model.RunState
	always := func(s model.RunState) want { return func(runFlags) model.RunState { return s } }
	// A run stops for a person in these only when TFC says it is
	// confirmable; else it is a plan about to finish, an auto-apply about
	// to apply, or checks still to run.
	pause := func(f runFlags) model.RunState {
		switch {
		case f.confirmable:
			return model.StateUnconfirmed
		case f.planOnly:
			return model.StatePlanning
		case f.autoApply:
			return model.StatePreparingApply
		}
		return model.StatePlanning
	}
	saved := func(f runFlags) model.RunState {
		if f.confirmable {
			return model.StateUnconfirmed
		}
		return model.StateFinished
	}
	statuses := map[tfe.RunStatus]want{
		// documented and in go-tfe
		tfe.RunPending: always(model.StateQueued), tfe.RunFetching: always(model.StatePreparing),
		tfe.RunFetchingCompleted: always(model.StatePreparing), tfe.RunPrePlanRunning: always(model.StatePreparing),
		tfe.RunPrePlanCompleted: always(model.StatePreparing), tfe.RunQueuing: always(model.StateQueued),
		tfe.RunPlanQueued: always(model.StateReady), tfe.RunPlanning: always(model.StatePlanning),
		tfe.RunPlanned: pause, tfe.RunCostEstimating: always(model.StatePlanning), tfe.RunCostEstimated: pause,
		tfe.RunPolicyChecking: always(model.StatePlanning), tfe.RunPolicyOverride: always(model.StatePendingReview),
		tfe.RunPolicySoftFailed: always(model.StateFailed), tfe.RunPolicyChecked: pause,
		tfe.RunConfirmed: always(model.StateConfirmed), tfe.RunPostPlanRunning: always(model.StatePlanning),
		tfe.RunPostPlanCompleted: pause, tfe.RunPlannedAndFinished: always(model.StateFinished),
		tfe.RunApplyQueued: always(model.StatePreparingApply), tfe.RunApplying: always(model.StateApplying),
		tfe.RunApplied: always(model.StateFinished), tfe.RunDiscarded: always(model.StateDiscarded),
		tfe.RunErrored: always(model.StateFailed), tfe.RunCanceled: always(model.StateCanceled),
		// documented, no go-tfe constant
		"force_canceled": always(model.StateCanceled),
		// go-tfe only
		tfe.RunPlannedAndSaved: saved, tfe.RunPostPlanAwaitingDecision: always(model.StatePendingReview),
		tfe.RunQueuingApply: always(model.StatePreparingApply), tfe.RunPreApplyRunning: always(model.StatePreparingApply),
		tfe.RunPreApplyCompleted: always(model.StatePreparingApply), tfe.RunPostApplyRunning: always(model.StateApplying),
		tfe.RunPostApplyCompleted: always(model.StateApplying),
		// newer than this table
		"some_future_status": always(model.StateUnknown),
	}
	for status, want := range statuses {
		for _, f := range []runFlags{
			{}, {confirmable: true}, {planOnly: true}, {autoApply: true}, {confirmable: true, autoApply: true},
			{planOnly: true, autoApply: true}, {confirmable: true, planOnly: true}, {true, true, true},
		} {
			if got := normalize(status, f); got != want(f) {
				t.Errorf("normalize(%s, %+v) = %s, want %s", status, f, got, want(f))
			}
		}
	}
	if len(statuses) != 34 {
		t.Errorf("%d statuses in the table, want the 26 documented and go-tfe's 7 more, and one unknown", len(statuses))
	}
}

func TestCanceledAfterStartingIsStopped(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	queued := &tfe.RunStatusTimestamps{PlanQueueableAt: at, CanceledAt: at.Add(time.Second)}
	if got := stateAt(tfe.RunCanceled, runFlags{}, queued); got != model.StateCanceled {
		t.Errorf("canceled in the queue: %s, want CANCELED", got)
	}
	running := &tfe.RunStatusTimestamps{PlanQueueableAt: at, PlanningAt: at.Add(time.Second), CanceledAt: at.Add(2 * time.Second)}
	if got := stateAt(tfe.RunCanceled, runFlags{}, running); got != model.StateStopped {
		t.Errorf("canceled while planning: %s, want STOPPED", got)
	}
	h := history(running, runFlags{})
	if len(h) != 3 || h[0].State != model.StateQueued || h[1].State != model.StatePlanning ||
		h[2].State != model.StateStopped || h[2].Note != "canceled" {
		t.Errorf("history = %+v", h)
	}
}

func TestHistoryIsOrderedByTime(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ts := &tfe.RunStatusTimestamps{
		AppliedAt: at.Add(4 * time.Second), ConfirmedAt: at.Add(2 * time.Second), PlannedAt: at.Add(time.Second),
		PlanQueueableAt: at, ApplyingAt: at.Add(3 * time.Second),
	}
	h := history(ts, runFlags{})
	want := []model.RunState{model.StateQueued, model.StateUnconfirmed, model.StateConfirmed, model.StateApplying, model.StateFinished}
	if len(h) != len(want) {
		t.Fatalf("history = %+v", h)
	}
	for i, s := range want {
		if h[i].State != s {
			t.Errorf("history[%d] = %s, want %s", i, h[i].State, s)
		}
	}
	// The same timeline without a confirmation was an auto-apply: its
	// planned step waited for no one.
	ts.ConfirmedAt = time.Time{}
	if h := history(ts, runFlags{autoApply: true}); h[1].State != model.StatePreparingApply {
		t.Errorf("an auto-applied run's planned step = %s, want PREPARING_APPLY", h[1].State)
	}
}

func TestToRunReadsActionsAndKinds(t *testing.T) {
	c := &Client{address: "https://tfc.example", org: "o"}
	for _, tc := range []struct {
		row  runRow
		kind model.RunKind
	}{
		{runRow{PlanOnly: true}, model.RunPlan},
		{runRow{PlanOnly: true, RefreshOnly: true}, model.RunDriftCheck},
		{runRow{IsDestroy: true}, model.RunDestroy},
		{runRow{}, model.RunDeploy},
	} {
		tc.row.Status = tfe.RunPending
		if got := c.toRun("ws", &tc.row).Kind; got != tc.kind {
			t.Errorf("%+v: kind %s, want %s", tc.row, got, tc.kind)
		}
	}
	row := runRow{ID: "run-1", Status: tfe.RunPlanning, Message: "why", SavePlan: true, AutoApply: true,
		CreatedAt: "2026-03-01T12:00:00+00:00", ForceCancelAvailableAt: "2026-03-01T12:00:10.000Z",
		Actions: &tfe.RunActions{IsCancelable: false, IsForceCancelable: true}}
	r := c.toRun("ws", &row)
	if r.Title != "why" || !r.SavedPlan || !r.AutoApply || r.Actions == nil || !r.Actions.ForceCancel || r.Actions.Cancel ||
		r.Actions.ForceCancelAt.IsZero() || r.CreatedAt.IsZero() {
		t.Errorf("run = %+v, actions %+v", r, r.Actions)
	}
	row.CreatedAt = "yesterday"
	if r := c.toRun("ws", &row); !r.CreatedAt.IsZero() || r.ID != "run-1" {
		t.Errorf("a time that cannot be read should be unknown, not fail the run: %+v", r)
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
		{Address: "aws_s3_bucket.a", Action: model.ActionAdd, Attributes: []string{"arn", "bucket"}},
		{Address: "aws_iam_role.r", Action: model.ActionChange, Attributes: []string{"policy"}},
		{Address: "aws_instance.i", Action: model.ActionReplace, Attributes: nil},
		{Address: "aws_subnet.s", Action: model.ActionDestroy, Attributes: []string{"cidr"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i].Address != want[i].Address || got[i].Action != want[i].Action || !slices.Equal(got[i].Attributes, want[i].Attributes) {
			t.Errorf("change %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := parsePlanJSON([]byte("{not json")); err == nil {
		t.Error("malformed plan JSON accepted")
	}
}

// Plan JSON holds sensitive values in the clear, marked: they are never
// kept, only said to be sensitive; unknown values are known after apply;
// maps change key by key; replace paths and reasons are read.
func TestParsePlanJSONValues(t *testing.T) {
	raw := []byte(`{"resource_changes":[
		{"address":"aws_db_instance.d","action_reason":"replace_because_cannot_update","change":{"actions":["delete","create"],
		 "before":{"identifier":"a","password":"hunter2","tags":{"Name":"x","Team":"t"},"id":"db-1"},
		 "after":{"identifier":"b","password":"hunter3","tags":{"Name":"y","Team":"t"},"id":null},
		 "after_unknown":{"id":true},"before_sensitive":{"password":true},"after_sensitive":{"password":true},
		 "replace_paths":[["identifier"]]}}
	]}`)
	got, err := parsePlanJSON(raw)
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v, %v", got, err)
	}
	c := got[0]
	var vals []string
	for _, v := range c.Values {
		vals = append(vals, v.String())
	}
	want := `id: "db-1" → (known after apply)|identifier: "a" → "b"|password: (sensitive) → (sensitive)|tags.Name: "x" → "y"`
	if strings.Join(vals, "|") != want || c.Reason != "replace_because_cannot_update" || !slices.Equal(c.ReplacePaths, []string{"identifier"}) ||
		!slices.Equal(c.Attributes, []string{"id", "identifier", "password", "tags"}) {
		t.Fatalf("values %q, change %+v", vals, c)
	}
	if strings.Contains(fmt.Sprintf("%+v", c), "hunter") {
		t.Fatal("a sensitive value was kept")
	}
}
