package promotion

import (
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/model"
)

func TestGates(t *testing.T) {
	plan := Plan{Source: model.Environment{Name: "dev", Branch: "dev"}, Target: model.Environment{Name: "qa", Branch: "qa"},
		Commit: "c3c3c3c3c3", TargetHead: "a1a1a1a1a1"}
	green := func() GateInput {
		return GateInput{
			Plan: plan,
			SourceStacks: []model.Stack{
				{ID: "dev-payments-api", State: model.StateFinished},
				{ID: "dev-payments-ledger", State: model.StateFinished},
			},
			TargetStacks: []model.Stack{{ID: "qa-payments-api"}, {ID: "qa-payments-ledger"}},
			// the affected target stack, and a dependent in another repository
			WaveStacks: []model.Stack{{ID: "qa-payments-api"}, {ID: "qa-storefront", DependsOn: []string{"qa-payments-api"}}},
			Deploys: map[string]model.Run{
				"dev-payments-api":    {Commit: "c3c3c3c3c3", State: model.StateFinished},
				"dev-payments-ledger": {Commit: "b2b2b2b2b2", State: model.StateFinished},
			},
			// ledger's root last changed in b2: it need not deploy c3.
			Expected:   map[string]string{"dev-payments-api": "c3c3c3c3c3", "dev-payments-ledger": "b2b2b2b2b2"},
			TargetHead: "a1a1a1a1a1",
		}
	}
	for _, tc := range []struct {
		name   string
		mutate func(in *GateInput)
		failed string // the one gate that fails, "" = all pass
		reason string
	}{
		{"all green", func(*GateInput) {}, "", ""},
		{"deploy of an older commit", func(in *GateInput) {
			in.Deploys["dev-payments-api"] = model.Run{Commit: "b2b2b2b2b2", State: model.StateFinished}
		}, GateSourceDeployed, "dev-payments-api last deployed b2b2b2b, not c3c3c3c"},
		{"deploy of a later commit with the same root", func(in *GateInput) {
			in.Deploys["dev-payments-ledger"] = model.Run{Commit: "c3c3c3c3c3", State: model.StateFinished}
			in.DeployedRoot = map[string]string{"dev-payments-ledger": "b2b2b2b2b2"}
		}, "", ""},
		{"deploy of a later commit that changed the root", func(in *GateInput) {
			in.Deploys["dev-payments-api"] = model.Run{Commit: "e5e5e5e5e5", State: model.StateFinished}
			in.DeployedRoot = map[string]string{"dev-payments-api": "e5e5e5e5e5"}
		}, GateSourceDeployed, "dev-payments-api last deployed e5e5e5e, not c3c3c3c"},
		{"never deployed", func(in *GateInput) { delete(in.Deploys, "dev-payments-ledger") }, GateSourceDeployed, "dev-payments-ledger has never deployed b2b2b2b"},
		{"failed deploy", func(in *GateInput) {
			in.Deploys["dev-payments-api"] = model.Run{Commit: "c3c3c3c3c3", State: model.StateFailed}
			in.SourceStacks[0].State = model.StateFailed
		}, GateSourceDeployed + "|" + GateSourceSettled, "FAILED"},
		{"unconfirmed elsewhere", func(in *GateInput) { in.SourceStacks[1].State = model.StateUnconfirmed }, GateSourceSettled, "dev-payments-ledger is UNCONFIRMED"},
		{"a deploy in progress", func(in *GateInput) {
			r := &model.Run{Kind: model.RunDeploy, State: model.StatePlanning}
			in.SourceStacks[1].LatestRun, in.SourceStacks[1].LatestTrackedRun = r, r
		}, GateSourceSettled, "dev-payments-ledger is PLANNING"},
		{"a plan in progress after the deploy", func(in *GateInput) {
			in.SourceStacks[1].LatestRun = &model.Run{Kind: model.RunPlan, State: model.StatePlanning}
		}, "", ""},
		{"root absent at the commit", func(in *GateInput) {
			in.Expected["dev-payments-ledger"] = ""
			delete(in.Deploys, "dev-payments-ledger")
		}, "", ""},
		{"drift in target", func(in *GateInput) {
			in.WaveStacks[0].Drift = model.Drift{Drifted: true, Resources: []string{"aws_lb.api"}}
		}, GateTargetNoDrift, "qa-payments-api has drifted (1 resource)"},
		{"drift of a target stack no run reaches", func(in *GateInput) {
			in.TargetStacks[1].Drift = model.Drift{Drifted: true, Resources: []string{"aws_lb.api"}}
		}, "", ""},
		{"locked target", func(in *GateInput) {
			in.WaveStacks[0].Lock = &model.Lock{Holder: "maria.chen", Note: "freeze"}
		}, GateTargetWritable, "qa-payments-api is locked by maria.chen (freeze): its runs will not start"},
		{"locked dependent in another repository", func(in *GateInput) {
			in.WaveStacks[1].Lock = &model.Lock{Holder: "maria.chen", Note: "Change freeze"}
		}, GateTargetWritable, "qa-storefront is locked by maria.chen (Change freeze)"},
		{"locked by you", func(in *GateInput) {
			in.WaveStacks[1].Lock = &model.Lock{Holder: "you", Note: "freeze", Mine: true}
		}, "", ""},
		{"disabled target", func(in *GateInput) { in.WaveStacks[0].Disabled = true }, GateTargetWritable, "qa-payments-api is disabled"},
		{"a deploy waiting behind a newer plan", func(in *GateInput) {
			s := &in.WaveStacks[1]
			s.LatestRun = &model.Run{ID: "r9", Kind: model.RunPlan, State: model.StateFinished}
			s.Pending, s.PendingKnown = []model.Run{{ID: "r1", Kind: model.RunDeploy, State: model.StateUnconfirmed}}, true
		}, GateTargetSettled, "qa-storefront has deploy r1 UNCONFIRMED"},
		{"a plan waiting for review holds nothing", func(in *GateInput) {
			s := &in.WaveStacks[1]
			s.Pending, s.PendingKnown = []model.Run{{ID: "r1", Kind: model.RunPlan, State: model.StatePendingReview}}, true
		}, "", ""},
		{"a queued deploy in target", func(in *GateInput) {
			s := &in.WaveStacks[0]
			s.Pending, s.PendingKnown = []model.Run{{ID: "r2", Kind: model.RunDeploy, State: model.StateQueued}}, true
		}, GateTargetSettled, "qa-payments-api has deploy r2 queued"},
		{"a failed deploy in target", func(in *GateInput) {
			in.WaveStacks[1].LatestTrackedRun = &model.Run{ID: "r3", Kind: model.RunDeploy, State: model.StateFailed}
		}, GateTargetSettled, "qa-storefront last deploy FAILED"},
		{"target moved", func(in *GateInput) { in.TargetHead = "d4d4d4d4d4" }, GateTargetUnchanged, "qa moved from a1a1a1a to d4d4d4d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := green()
			tc.mutate(&in)
			gates := Gates(in)
			if len(gates) != 6 {
				t.Fatalf("%d gates, want 6", len(gates))
			}
			var failed []string
			for _, g := range Failed(gates) {
				failed = append(failed, g.Name)
				if !strings.Contains(g.Reason, tc.reason) {
					t.Errorf("gate %q reason %q does not say %q", g.Name, g.Reason, tc.reason)
				}
			}
			if got := strings.Join(failed, "|"); got != tc.failed {
				t.Errorf("failed gates = %q, want %q", got, tc.failed)
			}
			for _, g := range gates {
				if g.Pass && g.Reason == "" {
					t.Errorf("passing gate %q has no reason", g.Name)
				}
			}
		})
	}
}

func TestGateReasonNamesAFew(t *testing.T) {
	in := GateInput{}
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		in.WaveStacks = append(in.WaveStacks, model.Stack{ID: id, Disabled: true})
	}
	g := targetWritable(in)
	if g.Pass || g.Reason != "a is disabled; b is disabled; c is disabled; d is disabled; and 2 more" {
		t.Fatalf("gate = %+v", g)
	}
}

// TestGatesCountStacks: each gate that judges stacks says how many of how
// many pass; the target gates count every stack the runs reach, yours
// locked included.
func TestGatesCountStacks(t *testing.T) {
	in := GateInput{Plan: Plan{Target: model.Environment{Name: "prod"}}, WaveStacks: []model.Stack{
		{ID: "prod-network"}, {ID: "prod-payments-api", Lock: &model.Lock{Holder: "maria.chen", Note: "Change freeze"}},
		{ID: "prod-identity", Lock: &model.Lock{Holder: "you", Mine: true}},
	}}
	g := targetWritable(in)
	if g.Pass || g.Count() != " (2 of 3 stacks)" {
		t.Fatalf("gate %+v counts %q", g, g.Count())
	}
	in.WaveStacks[1].Lock = nil
	g = targetWritable(in)
	if !g.Pass || g.Count() != " (3 of 3 stacks)" || !strings.Contains(g.Reason, "locked by you: prod-identity") {
		t.Fatalf("gate %+v counts %q", g, g.Count())
	}
	if c := TargetUnchanged(in).Count(); c != "" {
		t.Fatalf("the branch gate judges no stack, yet counts %q", c)
	}
}
