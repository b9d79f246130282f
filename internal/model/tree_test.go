package model

import (
	"regexp"
	"slices"
	"testing"
)

func ids(ss []*Stack) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}

func TestBuildForestDefaults(t *testing.T) {
	stacks := []Stack{
		{ID: "dev-net", Name: "dev-net", Branch: "dev"},
		{ID: "dev-pay-api", Name: "dev-pay-api", Branch: "dev", Labels: []string{"bu:payments"}, DependsOn: []string{"dev-net"}},
		{ID: "dev-pay-ledger", Name: "dev-pay-ledger", Branch: "dev", Labels: []string{"bu:payments"}, DependsOn: []string{"dev-net"}},
		{ID: "dev-id", Name: "dev-id", Branch: "dev", Labels: []string{"bu:identity"}, DependsOn: []string{"dev-net"}},
		{ID: "dev-orphan", Name: "dev-orphan", Branch: "dev"},
		{ID: "prod-net", Name: "prod-net", Branch: "main", Labels: []string{"layer:environment"}},
		{ID: "prod-pay", Name: "prod-pay", Branch: "main", Labels: []string{"bu:payments"}},
		{ID: "admin", Name: "admin", Branch: "main", Administrative: true, Labels: []string{"bu:platform"}},
		{ID: "feature", Name: "feature", Branch: "feature/x"},
	}
	f := BuildForest(stacks, DefaultEnvironments(), DefaultMapping())

	dev := f.Env("dev")
	if dev.Root == nil || dev.Root.ID != "dev-net" {
		t.Fatalf("dev root = %v, want dev-net (the stack the others depend on)", dev.Root)
	}
	if dev.Root.Layer != LayerEnvironment || dev.Root.BusinessUnit != "" {
		t.Errorf("root layer/bu = %q/%q", dev.Root.Layer, dev.Root.BusinessUnit)
	}
	var units []string
	for _, u := range dev.Units {
		units = append(units, u.Name)
	}
	if !slices.Equal(units, []string{"identity", "payments"}) {
		t.Errorf("dev units = %v", units)
	}
	if got := ids(dev.Units[1].Stacks); !slices.Equal(got, []string{"dev-pay-api", "dev-pay-ledger"}) {
		t.Errorf("payments stacks = %v", got)
	}
	if got := ids(dev.Unassigned); !slices.Equal(got, []string{"dev-orphan"}) {
		t.Errorf("unassigned = %v", got)
	}
	if got := ids(dev.Stacks()); len(got) != 5 || got[0] != "dev-net" {
		t.Errorf("dev display order = %v", got)
	}

	if qa := f.Env("qa"); qa.Root != nil || len(qa.Stacks()) != 0 {
		t.Errorf("qa should be empty, got %v", ids(qa.Stacks()))
	}
	prod := f.Env("prod")
	if prod.Root == nil || prod.Root.ID != "prod-net" {
		t.Fatalf("prod root = %v, want the labelled prod-net", prod.Root)
	}
	if got := ids(prod.Admin); !slices.Equal(got, []string{"admin"}) {
		t.Errorf("prod admin = %v", got)
	}
	if a := f.Stack("admin"); a.Layer != LayerAdministrative || a.BusinessUnit != "" || a.Env != "prod" {
		t.Errorf("admin classified as %+v", a)
	}
	if got := ids(f.Unmapped); !slices.Equal(got, []string{"feature"}) {
		t.Errorf("unmapped = %v", got)
	}
	if got := f.Dependents("dev-net"); !slices.Equal(got, []string{"dev-id", "dev-pay-api", "dev-pay-ledger"}) {
		t.Errorf("dependents = %v", got)
	}
	// The forest keeps the stacks it was given, arranged in place: a layout
	// at 10,000 stacks makes no copy of them.
	for i := range stacks {
		if f.Stack(stacks[i].ID) != &stacks[i] {
			t.Fatalf("the forest's %s is a copy of the stack it was given", stacks[i].ID)
		}
	}
}

func TestMappingRules(t *testing.T) {
	envs := DefaultEnvironments()
	pattern := regexp.MustCompile(`^(?:dev|qa|prod)-(?P<bu>[a-z]+)`)
	tests := []struct {
		name    string
		m       Mapping
		s       Stack
		env, bu string
	}{
		{"branch", DefaultMapping(), Stack{Branch: "qa"}, "qa", ""},
		{"label beats branch", DefaultMapping(), Stack{Branch: "qa", Labels: []string{"env:prod"}}, "prod", ""},
		{"empty label value ignored", DefaultMapping(), Stack{Branch: "qa", Labels: []string{"env:"}}, "qa", ""},
		{"bu label", DefaultMapping(), Stack{Branch: "dev", Labels: []string{"bu:identity"}}, "dev", "identity"},
		{"space env", Mapping{UseSpace: true}, Stack{Space: "prod", Branch: "dev"}, "prod", ""},
		{"space bu", Mapping{UseSpace: true}, Stack{Space: "payments", Branch: "dev"}, "dev", "payments"},
		{"space off", Mapping{}, Stack{Space: "prod", Branch: "dev"}, "dev", ""},
		{"pattern", Mapping{BusinessUnitPattern: pattern}, Stack{Name: "qa-storefront-web", Branch: "qa"}, "qa", "storefront"},
		{"pattern no match", Mapping{BusinessUnitPattern: pattern}, Stack{Name: "network", Branch: "qa"}, "qa", ""},
		{"no env", DefaultMapping(), Stack{Branch: "release"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.environment(&tt.s, envs); got != tt.env {
				t.Errorf("environment = %q, want %q", got, tt.env)
			}
			if got := tt.m.businessUnit(&tt.s, envs); got != tt.bu {
				t.Errorf("business unit = %q, want %q", got, tt.bu)
			}
		})
	}
}

func TestEnvironmentStackTieAndNone(t *testing.T) {
	a := &Stack{ID: "a", Name: "a"}
	b := &Stack{ID: "b", Name: "b"}
	c := &Stack{ID: "c", Name: "c", DependsOn: []string{"a", "b"}}
	if got := environmentStack([]*Stack{a, b, c}, Mapping{}); got != a {
		t.Errorf("tie should go to the first by name, got %v", got)
	}
	if got := environmentStack([]*Stack{a, b}, Mapping{}); got != nil {
		t.Errorf("no dependencies should give no environment stack, got %v", got)
	}
	self := &Stack{ID: "s", Name: "s", DependsOn: []string{"s"}}
	if got := environmentStack([]*Stack{self}, Mapping{}); got != nil {
		t.Errorf("a self-dependency does not make an environment stack, got %v", got)
	}
}

func TestBehind(t *testing.T) {
	tests := []struct {
		s    Stack
		want string
	}{
		{Stack{TrackedCommit: "a", BranchHead: "b", CommitsBehind: 3}, "↓3"},
		{Stack{TrackedCommit: "a", BranchHead: "b"}, "↓"},
		{Stack{TrackedCommit: "a", BranchHead: "a"}, ""},
		{Stack{TrackedCommit: "a"}, ""},
	}
	for _, tt := range tests {
		if got := tt.s.Behind(); got != tt.want {
			t.Errorf("%+v: Behind() = %q, want %q", tt.s, got, tt.want)
		}
	}
}
