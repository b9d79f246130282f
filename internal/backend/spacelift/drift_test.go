package spacelift

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

func TestSandboxDriftThroughTheDialect(t *testing.T) {
	c, clock := sandboxClient(t)
	stacks, err := c.ListStacks(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(stacks, func(s model.Stack) bool { return s.ID == "prod-network" })
	d := stacks[i].Drift
	if !d.Drifted || d.RunID == "" || len(d.Changes) != 2 || !slices.Equal(d.Changes[0].Attributes, []string{"ingress"}) {
		t.Fatalf("prod-network drift = %+v, want two resources with attributes and the drift run", d)
	}
	if !c.Capabilities().DriftCheck {
		t.Fatal("the sandbox dialect starts drift checks")
	}
	r, err := c.Trigger(ctx(t), "qa-storefront", model.RunDriftCheck)
	if err != nil || r.Kind != model.RunDriftCheck {
		t.Fatalf("check now = %+v, %v", r, err)
	}
	clock.Advance(time.Minute)
	if r, err = c.GetRun(ctx(t), "qa-storefront", r.ID); err != nil || r.State != model.StateFinished {
		t.Fatalf("check = %+v, %v", r, err)
	}
	stacks, _ = c.ListStacks(ctx(t))
	i = slices.IndexFunc(stacks, func(s model.Stack) bool { return s.ID == "qa-storefront" })
	if d := stacks[i].Drift; d.RunID != r.ID || !d.Drifted {
		t.Errorf("after check now, drift = %+v, want found by %s", d, r.ID)
	}
}

func TestRealSpaceliftCannotStartDriftChecks(t *testing.T) {
	f := newFixture(t, 1)
	c := f.client(t, f.env(nil))
	if c.Capabilities().DriftCheck {
		t.Error("real Spacelift has no on-demand drift check")
	}
	if _, err := c.Trigger(ctx(t), "stack-000", model.RunDriftCheck); !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("drift check on Spacelift: %v, want ErrUnsupported", err)
	}
}
