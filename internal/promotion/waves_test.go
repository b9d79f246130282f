package promotion

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/model"
)

func TestWaves(t *testing.T) {
	stacks := []model.Stack{
		{ID: "qa-network"},
		{ID: "qa-payments-api", DependsOn: []string{"qa-network"}},
		{ID: "qa-payments-ledger", DependsOn: []string{"qa-network"}},
		{ID: "qa-reports", DependsOn: []string{"qa-payments-ledger"}},
		{ID: "dev-payments-api", DependsOn: []string{"dev-network"}},
	}
	for _, tc := range []struct {
		name     string
		affected []string
		want     [][]string
	}{
		{"environment stack first", []string{"qa-network"}, [][]string{{"qa-network"}, {"qa-payments-api", "qa-payments-ledger"}, {"qa-reports"}}},
		{"one business unit", []string{"qa-payments-api"}, [][]string{{"qa-payments-api"}}},
		{"with its dependents", []string{"qa-payments-ledger", "qa-payments-api"}, [][]string{{"qa-payments-api", "qa-payments-ledger"}, {"qa-reports"}}},
		{"nothing affected", nil, nil},
	} {
		p := Plan{}
		for _, id := range tc.affected {
			p.Affected = append(p.Affected, Affected{StackID: id})
		}
		got, err := Waves(p, stacks)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: waves = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

func TestReachAndWhatStandsInTheWay(t *testing.T) {
	stacks := []model.Stack{
		{ID: "prod-network", Name: "prod-network", Lock: &model.Lock{Holder: "you", Note: "release checks", Mine: true}},
		{ID: "prod-payments-api", Name: "prod-payments-api", DependsOn: []string{"prod-network"},
			Lock: &model.Lock{Holder: "maria.chen", Note: "Change freeze"}},
		{ID: "prod-identity", Name: "prod-identity", DependsOn: []string{"prod-network"}, PendingKnown: true,
			Pending: []model.Run{{ID: "p1", Kind: model.RunPlan, State: model.StatePendingReview}}},
		{ID: "prod-storefront", Name: "prod-storefront", DependsOn: []string{"prod-payments-api"}, PendingKnown: true,
			Pending: []model.Run{{ID: "d1", Kind: model.RunDeploy, State: model.StateUnconfirmed}}},
		{ID: "dev-network", Name: "dev-network"},
	}
	waves, err := Reach([]string{"prod-network"}, stacks)
	if err != nil || fmt.Sprint(waves) != "[[prod-network] [prod-identity prod-payments-api] [prod-storefront]]" {
		t.Fatalf("reach = %v, %v", waves, err)
	}
	for _, tc := range []struct {
		stack  int
		text   string
		blocks bool
	}{
		{0, "locked by you (release checks)", false},
		{1, "locked by maria.chen (Change freeze): its runs will not start", true},
		{2, "plan p1 PENDING_REVIEW waits for review", false},
		{3, "deploy d1 UNCONFIRMED waits for confirmation", true},
	} {
		in := InTheWay(stacks[tc.stack])
		if got := strings.Join(Texts(in), "; "); got != tc.text || Blocking(in) != tc.blocks {
			t.Errorf("%s: in the way %q (blocks %t), want %q (%t)", stacks[tc.stack].ID, got, Blocking(in), tc.text, tc.blocks)
		}
	}
	byID := map[string]model.Stack{}
	for _, s := range stacks {
		byID[s.ID] = s
	}
	var ws [][]model.Stack
	for _, w := range waves {
		var row []model.Stack
		for _, id := range w {
			row = append(row, byID[id])
		}
		ws = append(ws, row)
	}
	lines := Radius(ws)
	if len(lines) != 4 || lines[0] != "Then         3 stacks may run after it (2 waves); 2 have something in the way" ||
		!strings.HasPrefix(lines[1], "  wave 2     prod-identity") || !strings.HasPrefix(lines[3], "  wave 3     prod-storefront") {
		t.Fatalf("radius:\n%s", strings.Join(lines, "\n"))
	}
	if Radius(ws[:1]) != nil {
		t.Fatal("a stack nothing depends on has a radius")
	}
}
