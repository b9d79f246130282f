package promotion

import (
	"reflect"
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
