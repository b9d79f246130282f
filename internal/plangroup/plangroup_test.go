package plangroup

import (
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/model"
)

// bump is a module bump's plan on one qa stack: the task definition's
// tags and cpu change; names carry the stack, unit and environment.
func bump(name, unit, cpu string) Run {
	return Run{StackID: name, Name: name, Env: "qa", Unit: unit, RunID: "run-" + name, Changes: []model.ResourceChange{
		{Address: "module.service.aws_ecs_task_definition.this", Action: model.ActionChange, ValuesFrom: model.ValuesPlan,
			Attributes: []string{"cpu", "tags"}, Values: []model.AttributeChange{
				{Path: "cpu", Before: model.Known(`"256"`), After: model.Known(`"` + cpu + `"`)},
				{Path: "tags.ModuleVersion", Before: model.Known(`"2.0.0"`), After: model.Known(`"2.1.0"`)},
				{Path: "tags.Name", Before: model.Known(`"` + name + `"`), After: model.Known(`"` + name + `"`)},
			}},
		{Address: "module.service.aws_cloudwatch_log_group.this", Action: model.ActionAdd, ValuesFrom: model.ValuesPlan,
			Attributes: []string{"name"}, Values: []model.AttributeChange{
				{Path: "name", Before: model.Value{Null: true}, After: model.Known(`"/ecs/` + name + `"`)},
			}},
	}}
}

func TestSameChangesAfterTheNamesAreOneGroup(t *testing.T) {
	runs := []Run{bump("qa-payments-api", "payments", "512"), bump("qa-search", "search", "512"),
		bump("qa-orders", "orders", "512"), bump("qa-storefront", "storefront", "1024")}
	groups, apart := Split(runs)
	if len(apart) != 0 || len(groups) != 2 {
		t.Fatalf("groups %+v, apart %+v", groups, apart)
	}
	var names []string
	for _, r := range groups[0].Runs {
		names = append(names, r.Name)
	}
	if strings.Join(names, " ") != "qa-orders qa-payments-api qa-search" || len(groups[1].Runs) != 1 || groups[1].Runs[0].Name != "qa-storefront" {
		t.Fatalf("groups: %v and %+v", names, groups[1].Runs)
	}
	plan := strings.Join(groups[0].Plan, "\n")
	for _, want := range []string{`name: null → "/ecs/‹stack›"`, `cpu: "256" → "512"`, `tags.Name: "‹stack›" → "‹stack›"`} {
		if !strings.Contains(plan, want) {
			t.Errorf("the normalised plan lacks %q:\n%s", want, plan)
		}
	}
	if diff := Difference(groups[1].Plan, groups[0].Plan, 3); len(diff) != 1 || diff[0] != `cpu: "256" → "1024"` {
		t.Errorf("difference %q", diff)
	}
}

func TestOnlyExactNamesAreSubstituted(t *testing.T) {
	sub := substituter(Run{Name: "qa-payments-api", Env: "qa", Unit: "payments"})
	for in, want := range map[string]string{
		`"qa-payments-api-logs"`:  `"‹stack›-logs"`,
		`"qa-payments-ledger"`:    `"‹env›-‹unit›-ledger"`,
		`"qaa-paymentsx"`:         `"qaa-paymentsx"`,
		`arn:aws:qa:payments/qa`:  `arn:aws:‹env›:‹unit›/‹env›`,
		`qa-payments-apiary`:      `‹env›-‹unit›-apiary`,
		`x.qa.qa.payments_api.qa`: `x.‹env›.‹env›.‹unit›_api.‹env›`,
	} {
		if got := sub(in); got != want {
			t.Errorf("sub(%q) = %q, want %q", in, got, want)
		}
	}
	if got := substituter(Run{Name: "stack", Unit: "stack"})("stack"); got != StackToken {
		t.Errorf("a placeholder was read again: %q", got)
	}
}

func TestRunsThatCannotBeComparedAreApart(t *testing.T) {
	noValues := bump("qa-a", "a", "512")
	noValues.Changes[0].ValuesFrom, noValues.Changes[0].Values, noValues.Changes[0].NoValues = model.ValuesNone, nil, "values need admin access"
	partly := bump("qa-b", "b", "512")
	partly.Changes[1].NoValues = "some values span lines in the log and were not read"
	held := bump("qa-c", "c", "512")
	held.Apart = "needs approval first"
	groups, apart := Split([]Run{noValues, partly, held, bump("qa-d", "d", "512")})
	if len(groups) != 1 || len(groups[0].Runs) != 1 || len(apart) != 3 {
		t.Fatalf("groups %+v apart %+v", groups, apart)
	}
	for i, want := range []string{"its plan shows no values (values need admin access)", "not every value", "needs approval first"} {
		if !strings.Contains(apart[i].Why, want) {
			t.Errorf("apart %d: %q, want %q", i, apart[i].Why, want)
		}
	}
}
