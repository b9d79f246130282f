package act

import (
	"testing"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/uitest"
)

func TestResolve(t *testing.T) {
	c, _ := uitest.Context(t, uitest.NewFake())
	c.Caps = backend.Capabilities{Lock: true, Stop: true, Promote: true, SyncCommit: true}
	stack := func(st model.RunState) *model.Stack {
		return &model.Stack{ID: "s", Name: "s", CanWrite: true, TrackedCommit: "a", BranchHead: "b",
			LatestRun: &model.Run{ID: "r", Kind: model.RunDeploy, State: st}}
	}
	finishedPlan := &model.Run{ID: "p", Kind: model.RunPlan, State: model.StateFinished, Commit: "c"}
	for _, tc := range []struct {
		name   string
		k      Kind
		t      Target
		action string // "" = refused
	}{
		{"confirm a waiting deploy", Confirm, Target{Stack: stack(model.StateUnconfirmed)}, "confirm"},
		{"confirm a finished deploy", Confirm, Target{Stack: stack(model.StateFinished)}, ""},
		{"retry a failure", Retry, Target{Stack: stack(model.StateFailed)}, "retry"},
		{"stop a queued run cancels", Stop, Target{Stack: stack(model.StateQueued)}, "cancel"},
		{"stop a planning run", Stop, Target{Stack: stack(model.StatePlanning)}, "stop"},
		{"deploy a finished preview", Deploy, Target{Stack: stack(model.StateFinished), Run: finishedPlan}, "promote"},
		{"sync a stack behind", Sync, Target{Stack: stack(model.StateFinished)}, "sync"},
		{"the run in view decides", Confirm, Target{Stack: stack(model.StateUnconfirmed), Run: finishedPlan}, ""},
		{"a waiting run among the recent ones", Discard, Target{Stack: stack(model.StateFinished),
			Recent: []model.Run{{ID: "w", State: model.StateUnconfirmed}}}, "discard"},
	} {
		o, why := Resolve(c, tc.k, tc.t)
		if got := map[bool]string{true: o.Action, false: ""}[why == ""]; got != tc.action {
			t.Errorf("%s: action %q (why %q), want %q", tc.name, got, why, tc.action)
		}
	}
	ro := stack(model.StateUnconfirmed)
	ro.CanWrite = false
	if _, why := Resolve(c, Plan, Target{Stack: ro}); why == "" {
		t.Error("a stack without write access resolved")
	}
}

// TestProposeRefusesBeforeResolving: read-only mode refuses any action,
// applicable or not, and asks for nothing.
func TestProposeRefusesBeforeResolving(t *testing.T) {
	c, muts := uitest.Context(t, uitest.NewFake())
	muts.ReadOnlyMode = true
	Propose(c, Confirm, Target{Stack: c.Data.Forest.Stack("dev-network")})
	if st, ok := (*c.Asks)[0].(screen.Status); !ok || !st.Err || st.Text == "" {
		t.Fatalf("asked %+v", *c.Asks)
	}
	muts.ReadOnlyMode = false
	*c.Asks = nil
	Propose(c, Plan, Target{Stack: c.Data.Forest.Stack("dev-network")})
	p, ok := (*c.Asks)[0].(screen.Propose)
	if !ok {
		t.Fatalf("asked %+v", *c.Asks)
	}
	if r := p.Request.(mutation.Stacks); r.Ops[0].Action != "plan" || r.Ops[0].StackID != "dev-network" {
		t.Fatalf("request %+v", r)
	}
}
