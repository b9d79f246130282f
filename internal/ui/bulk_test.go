package ui

import (
	"fmt"
	"maps"
	"testing"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// moduleBump is the plan of a module bump on one stack: its task
// definition's tags and cpu change, and a log group named after the stack
// is created.
func moduleBump(stack, cpu string) []model.ResourceChange {
	return []model.ResourceChange{
		{Address: "module.service.aws_ecs_task_definition.this", Action: model.ActionChange, ValuesFrom: model.ValuesPlan,
			Attributes: []string{"cpu", "tags"}, Values: []model.AttributeChange{
				{Path: "cpu", Before: model.Known(`"256"`), After: model.Known(`"` + cpu + `"`)},
				{Path: "tags.ModuleVersion", Before: model.Known(`"2.0.0"`), After: model.Known(`"2.1.0"`)},
			}},
		{Address: "module.service.aws_cloudwatch_log_group.this", Action: model.ActionAdd, ValuesFrom: model.ValuesPlan,
			Attributes: []string{"name"}, Values: []model.AttributeChange{
				{Path: "name", Before: model.Value{Null: true}, After: model.Known(`"/ecs/` + stack + `"`)},
			}},
	}
}

// Issue 19, done when: three qa stacks with the same module-bump plan are
// confirmed as one group after one review; a fourth whose plan differs
// only in cpu ("512" vs "1024") is listed apart and not confirmed; each run
// is confirmed exactly once, and only once its plan was on screen.
func TestBulkConfirmGroupsRunsByPlan(t *testing.T) {
	fake := uitest.NewFake()
	same := []string{"qa-payments-api", "qa-payments-worker", "qa-search"}
	for _, id := range same {
		fake.SetPlan(id, id+"-bump", moduleBump(id, "512"))
	}
	fake.SetPlan("qa-legacy-reports", "qa-legacy-reports-bump", moduleBump("qa-legacy-reports", "1024"))
	d := newDriverWith(t, fake, 160, 48, func(o *testOptions) { o.ReadOnly = false })
	d.press("2", "ctrl+a")
	d.requireScreen("5 marked")
	d.press("c")
	d.requireScreen("Confirm by plan · 5 stacks: 2 plans, 1 apart",
		"Plan 1 of 2 — 3 runs share it", "c confirms these 3",
		"qa-payments-api", "qa-payments-worker", "qa-search",
		`cpu: "256" → "512"`, `name: null → "/ecs/‹stack›"`, `tags.ModuleVersion: "2.0.0" → "2.1.0"`,
		"Not confirmed with this plan",
		`qa-legacy-reports`, `plan 2: its plan differs: cpu: "256" → "1024"`,
		"qa-network", "no run waits for confirmation")
	if got := fake.Confirmed(); len(got) != 0 {
		t.Fatalf("confirmed before anything was asked: %v", got)
	}
	d.press("c")
	d.requireScreen("Confirm 3 runs with this plan?", "• qa-payments-api (qa) run qa-payments-api-bump",
		"• qa-search (qa) run qa-search-bump", `cpu: "256" → "512"`, "2 other runs are not confirmed with them.")
	d.requireNotOnScreen("• qa-legacy-reports")
	if got := fake.Confirmed(); len(got) != 0 {
		t.Fatalf("confirmed before the confirmation was answered: %v", got)
	}
	d.press("y")
	d.requireScreen("Confirm: 3 sent, 0 failed")
	want := map[string]int{"qa-payments-api-bump": 1, "qa-payments-worker-bump": 1, "qa-search-bump": 1}
	if got := fake.Confirmed(); !maps.Equal(got, want) {
		t.Fatalf("confirmed %v, want each of the three once", got)
	}
	d.press("enter") // the results box
	d.requireScreen("✓ confirmation sent")
	d.press("c", "c", "y")
	if got := fake.Confirmed(); !maps.Equal(got, want) {
		t.Fatalf("a second c confirmed again: %v", got)
	}
	d.press("tab")
	d.requireScreen("Plan 2 of 2 — 1 run shares it", "qa-legacy-reports", `cpu: "256" → "1024"`)
	if got := fake.Confirmed(); got["qa-legacy-reports-bump"] != 0 {
		t.Fatalf("the run whose plan differs was confirmed: %v", got)
	}
}

// A protected environment's runs are confirmed by plan too, once its name
// is typed; read-only mode refuses the whole screen.
func TestBulkConfirmInAProtectedEnvironment(t *testing.T) {
	fake := uitest.NewFake()
	for _, id := range []string{"prod-payments-api", "prod-payments-worker"} {
		fake.SetPlan(id, id+"-bump", moduleBump(id, "512"))
	}
	d := newDriverWith(t, fake, 160, 48)
	d.press("3", "j", "j", "space", "j", "space", "c")
	d.requireScreen("Plan 1 of 1 — 2 runs share it")
	d.press("c")
	d.requireScreen("type the environment name (prod)")
	d.press("y", "enter")
	if got := fake.Confirmed(); len(got) != 0 {
		t.Fatalf("confirmed without the environment's name: %v", got)
	}
	d.press("ctrl+u")
	d.typeText("prod")
	d.press("enter")
	if got := fake.Confirmed(); fmt.Sprint(got) != "map[prod-payments-api-bump:1 prod-payments-worker-bump:1]" {
		t.Fatalf("confirmed %v", got)
	}

	ro := newDriverWith(t, fake, 160, 48, func(o *testOptions) { o.ReadOnly = true })
	ro.press("3", "ctrl+a", "c")
	ro.requireScreen("read-only mode: confirm refused")
}
