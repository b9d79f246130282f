package tfc_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// TestAssessmentsFromTheSandbox reads drift as health assessments, with the
// drifted attributes from resource_drift, and sees a refresh-only check
// replace the assessment.
func TestAssessmentsFromTheSandbox(t *testing.T) {
	c, clock := sandboxClient(t)
	byName := func() map[string]model.Stack {
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
	net := byName()["prod-network"]
	d := net.Drift
	if !d.Drifted || d.RunID == "" || d.CheckedAt.IsZero() {
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
	if byName()["prod-identity"].Drift.Drifted {
		t.Fatal("prod-identity drifted before anything changed")
	}

	r, err := c.Trigger(ctxFor(t), net.ID, model.RunDriftCheck)
	if err != nil || r.Kind != model.RunDriftCheck {
		t.Fatalf("refresh-only check = %+v, %v", r, err)
	}
	clock.Advance(time.Minute)
	after := byName()["prod-network"].Drift
	if after.RunID == d.RunID || !after.CheckedAt.After(d.CheckedAt) || len(after.Changes) != 2 {
		t.Fatalf("after the check, drift = %+v; before %+v", after, d)
	}
}
