package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promote/promotetest"
	"github.com/stackview/stackview/internal/ui/promoview"
)

// rename is issue 19's change: the identity stack's web client renamed.
func rename(old string) string { return strings.Replace(old, `name = "web"`, `name = "web-app"`, 1) }

const renamed = `name: "web" → "web-app"`

// pushTo commits an edit of file to branch of the engine's stack's
// repository, as a colleague would, and lets the engine see it.
func pushTo(t *testing.T, e *sandbox.Engine, stackID, branch, file string, edit func(string) string) {
	t.Helper()
	stacks, err := e.ListStacks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stacks {
		if s.ID == stackID {
			promotetest.Commit(t, s.Repo, branch, file, "Rename the web client", edit)
		}
	}
	if err := e.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// openPlannedRun steps the clock until the stack's latest run has planned,
// then opens it.
func openPlannedRun(t *testing.T, d *driver, clk *sandbox.ManualClock, stackID, name string) {
	t.Helper()
	for i := 0; ; i++ {
		s := d.forestStack(stackID)
		if r := s.LatestRun; r != nil && r.Delta != nil && !r.State.Active() && r.Title == "Rename the web client" {
			break
		}
		if i == 300 {
			t.Fatalf("%s never planned the rename:\n%s", stackID, d.screen())
		}
		clk.Advance(time.Second)
		d.fireTimers()
	}
	d.typeText(":stack " + name)
	d.press("enter", "l")
	for i := 0; !strings.Contains(d.screen(), "Changes ("); i++ {
		if i == 50 {
			t.Fatalf("the run view shows no changes:\n%s", d.screen())
		}
		clk.Advance(time.Second)
		d.fireTimers()
	}
}

// Issue 19, done when: a rename pushed to a business unit's dev branch
// shows `name: "web" → "web-app"` in the dev run's changes through both
// dialects: TFC from the plan JSON, Spacelift from the plan text in the
// planning log, each saying where its values come from.
func TestARenameShowsItsValuesThroughBothDialects(t *testing.T) {
	t.Run("spacelift", func(t *testing.T) {
		d, clk, _ := newSpaceliftDriver(t)
		pushTo(t, d.eng, "dev-identity", "dev", "terraform/main.tf", rename)
		openPlannedRun(t, d, clk, "dev-identity", "dev-identity")
		d.requireScreen("~ aws_cognito_user_pool_client.web  "+renamed, "read from the plan in the run's log")
		d.press("tab")
		d.requireScreen("── plan (1 change", "~ aws_cognito_user_pool_client.web", "    "+renamed)
	})
	t.Run("tfc", func(t *testing.T) {
		d, clk := tfcDriver(t, false)
		pushTo(t, d.eng, "dev-identity", "dev", "terraform/main.tf", rename)
		openPlannedRun(t, d, clk, "ws-dev-identity", "dev-identity")
		d.requireScreen("~ aws_cognito_user_pool_client.web  "+renamed, "values: before → after")
		d.requireNotOnScreen("read from the plan in the run's log")
	})
	t.Run("tfc reader", func(t *testing.T) {
		d, clk := tfcDriver(t, true)
		pushTo(t, d.eng, "dev-identity", "dev", "terraform/main.tf", rename)
		openPlannedRun(t, d, clk, "ws-dev-identity", "dev-identity")
		d.requireScreen("~ aws_cognito_user_pool_client.web", "values not available: values need admin access to the")
		d.requireNotOnScreen(renamed)
	})
}

// ... and in the promotion's predicted plan of qa.
func TestARenameShowsItsValuesInThePredictedPlan(t *testing.T) {
	r := newPromoteRig(t)
	head := r.w.Push(r.w.Stack("dev-identity").Repo, "dev", "terraform/main.tf", rename)
	r.until("dev-identity to deploy the rename", func() bool { return r.w.DeployState("dev-identity", head) == model.StateFinished })
	r.press("P")
	r.selectCell("identity", "dev")
	r.press("enter")
	r.requireScreen("Promote identity  dev → qa")
	r.press("p")
	diff := func() promoview.Diff { return find[promoview.Diff](r.driver) }
	r.until("the predicted plan's changes", func() bool {
		return diff().PredictionsDone() && len(diff().Predicted()) == 1 && strings.Contains(r.screen(), renamed)
	})
	r.requireScreen("qa-identity", "~ aws_cognito_user_pool_client.web", renamed, "values: before → after")
}

// Issue 19: a stack's drift shows each attribute recorded → real: on TFC
// from the assessment's resource_drift, on Spacelift (whose entities carry
// no values) from the drift check's own log, said so.
func TestDriftViewShowsRecordedAndRealValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) *driver
		note string
	}{
		{"tfc", func(t *testing.T) *driver { d, _ := tfcDriver(t, false); return d }, "values: recorded → real"},
		{"spacelift", func(t *testing.T) *driver { d, _, _ := newSpaceliftDriver(t); return d },
			"values (recorded → real) read from the plan in the run's log (drift check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.open(t)
			d.press("F")
			d.requireScreen("qa-storefront")
			d.press("enter")
			d.requireScreen("qa-storefront (qa) · 1 resource(s) drifted", "default_ttl: 3600 → 86400", tc.note)
		})
	}
}
