package tfc_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/model"
)

func byName(t *testing.T, c *tfc.Client) map[string]model.Stack {
	t.Helper()
	stacks, err := c.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.Stack{}
	for _, s := range stacks {
		out[s.Name] = s
	}
	return out
}

// TestAssessmentsFromTheSandbox reads drift as health assessments, with the
// drifted attributes from resource_drift.
func TestAssessmentsFromTheSandbox(t *testing.T) {
	c := sandboxClient(t, sandboxOpts{}).c
	d := byName(t, c)["prod-network"].Drift
	if !d.Drifted || d.RunID == "" || d.CheckedAt.IsZero() || d.Unknown != "" {
		t.Fatalf("prod-network drift = %+v, want the current assessment", d)
	}
	want := []model.ResourceChange{
		{Address: "aws_security_group.shared", Action: model.ActionChange, Attributes: []string{"ingress"}},
		{Address: "module.vpc.aws_subnet.private[0]", Action: model.ActionChange, Attributes: []string{"tags.LastScanned"}},
	}
	if !slices.EqualFunc(d.Changes, want, func(a, b model.ResourceChange) bool {
		return a.Address == b.Address && slices.Equal(a.Attributes, b.Attributes)
	}) || !slices.Equal(d.Resources, []string{want[0].Address, want[1].Address}) {
		t.Fatalf("drift = %+v, want %+v", d, want)
	}
	if byName(t, c)["prod-identity"].Drift.Drifted {
		t.Fatal("prod-identity drifted before anything changed")
	}
}

// Issue 15 point 6: a drift check is a refresh-only plan. It never becomes
// the current run and leaves the assessment alone, so it is followed by its
// own id and its result read from its own plan.
func TestADriftCheckIsFollowedByItsOwnRunAndLeavesTheAssessment(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{})
	c, clock := w.c, w.clock
	before := byName(t, c)["qa-storefront"]
	check, err := c.Trigger(ctxFor(t), before.ID, model.RunDriftCheck)
	if err != nil || check.Kind != model.RunDriftCheck {
		t.Fatalf("check = %+v, %v", check, err)
	}
	for range 30 {
		if check, err = c.GetRun(ctxFor(t), before.ID, check.ID); err != nil {
			t.Fatal(err)
		}
		if check.State.Terminal() {
			break
		}
		clock.Advance(time.Second)
	}
	if check.State != model.StateFinished || check.Title != "Queued from stackview" {
		t.Fatalf("check ended %+v", check)
	}
	after := byName(t, c)["qa-storefront"]
	if after.Drift.RunID != before.Drift.RunID || !after.Drift.CheckedAt.Equal(before.Drift.CheckedAt) {
		t.Errorf("the refresh-only plan replaced the assessment: %+v, before %+v", after.Drift, before.Drift)
	}
	if after.LatestRun == nil || after.LatestRun.ID == check.ID {
		t.Errorf("the check became the workspace's current run: %+v", after.LatestRun)
	}
	changes, err := c.RunChanges(ctxFor(t), before.ID, check.ID)
	if err != nil || len(changes) != 1 || changes[0].Address != "aws_cloudfront_distribution.cdn" ||
		!slices.Equal(changes[0].Attributes, []string{"default_ttl", "tags.LastScanned"}) {
		t.Errorf("the check's own result = %+v, %v", changes, err)
	}
}

// Issue 15 point 6: a failed assessment (succeeded: false) is unknown drift,
// not "no drift".
func TestAFailedAssessmentIsUnknownDrift(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{})
	c, clock, engine := w.c, w.clock, w.engine
	// dev-analytics calls a module version that is not published: its
	// assessment fails while initializing.
	run, err := engine.Trigger(context.Background(), "dev-analytics", model.RunDriftCheck)
	if err != nil {
		t.Fatal(err)
	}
	for range 30 {
		if run, _ = engine.GetRun(context.Background(), run.StackID, run.ID); run.State.Terminal() {
			break
		}
		clock.Advance(time.Second)
	}
	d := byName(t, c)["dev-analytics"].Drift
	if d.Drifted || d.Status() != model.DriftUnknown || !strings.Contains(d.Unknown, "assessment failed") {
		t.Errorf("after a failed assessment, drift = %+v (%s), want unknown", d, d.Status())
	}
}
