package stackfilter

import (
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/model"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func stacks() []*model.Stack {
	run := func(kind model.RunKind, st model.RunState, ago time.Duration) *model.Run {
		return &model.Run{Kind: kind, State: st, UpdatedAt: now.Add(-ago)}
	}
	return []*model.Stack{
		{Name: "qa-payments-api", BusinessUnit: "payments", State: model.StateUnconfirmed,
			LatestRun: run(model.RunDeploy, model.StateUnconfirmed, time.Hour)},
		{Name: "qa-payments-ledger", BusinessUnit: "payments", State: model.StateFinished,
			LatestRun: run(model.RunPlan, model.StateFinished, time.Minute), Lock: &model.Lock{Holder: "ann"}},
		{Name: "qa-search", BusinessUnit: "search", State: model.StateFailed,
			LatestRun: run(model.RunDeploy, model.StateFailed, 3*time.Hour), TrackedCommit: "a", BranchHead: "b"},
		{Name: "qa-identity", BusinessUnit: "identity", State: model.StateFinished, Drift: model.Drift{Drifted: true},
			LatestRun: run(model.RunDriftCheck, model.StateFinished, 2*time.Hour), NeedsApproval: true},
		{Name: "qa-new", BusinessUnit: "search"},
	}
}

func names(ss []*model.Stack) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return strings.Join(out, " ")
}

func TestFilterTerms(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"", "qa-payments-api qa-payments-ledger qa-search qa-identity qa-new"},
		{"PAY", "qa-payments-api qa-payments-ledger"},
		{"search", "qa-search qa-new"}, // by unit too
		{"re:^qa-(search|new)$", "qa-search qa-new"},
		{"state:unconfirmed", "qa-payments-api"},
		{"state:UNCONF", "qa-payments-api"},
		{"state:failed,unconfirmed", "qa-payments-api qa-search"},
		{"state:none", "qa-new"},
		{"state:", "qa-payments-api qa-payments-ledger qa-search qa-identity qa-new"}, // still being typed
		{"kind:plan", "qa-payments-ledger"},
		{"kind:drift", "qa-identity"},
		{"kind:deploy payments", "qa-payments-api"},
		{"is:drifted", "qa-identity"},
		{"is:locked", "qa-payments-ledger"},
		{"is:waiting", "qa-payments-api qa-identity"}, // unconfirmed; held for approval
		{"is:behind", "qa-search"},
		{"is:locked,behind", "qa-payments-ledger qa-search"},
		{"is:waiting state:finished", "qa-identity"},
		{"is:waiting re:api", "qa-payments-api"},
		{"state:finished kind:deploy", ""},
	} {
		q, err := Parse(tc.line)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.line, err)
			continue
		}
		var got []*model.Stack
		for _, s := range stacks() {
			if q.Match(s) {
				got = append(got, s)
			}
		}
		if names(got) != tc.want {
			t.Errorf("%q matched %q, want %q", tc.line, names(got), tc.want)
		}
	}
}

func TestFilterErrorsSayWhatIsValid(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"re:*", "bad regular expression"},
		{"is:stale", "is: takes drifted, locked, waiting, behind"},
		{"owner:ann", "unknown filter owner:"},
		{"state:failed,bogus", "state:bogus names no state (state: takes none, queued"},
		{"kind:deplyo", "kind:deplyo names no run kind (kind: takes plan, deploy, drift-check"},
	} {
		if _, err := Parse(tc.line); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %q", tc.line, err, tc.want)
		}
	}
	if q, err := Parse("10.0.0.1:80 x-1:y"); err != nil || q.Empty() {
		t.Errorf("text with a colon that is not a term: %v", err)
	}
}

func TestSortOrders(t *testing.T) {
	for _, tc := range []struct {
		by   Order
		want string
	}{
		{ByName, "qa-identity qa-new qa-payments-api qa-payments-ledger qa-search"},
		{ByState, "qa-search qa-payments-api qa-identity qa-payments-ledger qa-new"},
		{ByUpdated, "qa-payments-ledger qa-payments-api qa-identity qa-search qa-new"},
	} {
		ss := stacks()
		Sort(ss, tc.by)
		if names(ss) != tc.want {
			t.Errorf("by %s: %q, want %q", tc.by, names(ss), tc.want)
		}
	}
	if o, err := ParseOrder("State"); err != nil || o != ByState {
		t.Errorf("ParseOrder: %v %v", o, err)
	}
	if _, err := ParseOrder("age"); err == nil {
		t.Error("an unknown order was taken")
	}
}
