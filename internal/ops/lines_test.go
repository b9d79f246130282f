package ops

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// brokenLog is an audit log that cannot be written.
type brokenLog struct{ n int }

var errDiskFull = errors.New("disk full")

func (b *brokenLog) Record(audit.Entry) error { b.n++; return errDiskFull }

// sendOne prepares and sends r on p with the answer, and returns the outcome.
func sendOne(t *testing.T, p *Pipeline, r mutation.Request, a mutation.Answer) mutation.Outcome {
	t.Helper()
	m, err := p.Prepare(r)
	if err != nil {
		t.Fatal(err)
	}
	work, err := p.Send(m, a)
	if err != nil {
		t.Fatal(err)
	}
	return work(context.Background())
}

func TestDefaultStrategyIsFastForward(t *testing.T) {
	if got := New(Config{Backend: uitest.NewFake()}).Strategy(); got != promotion.FastForward {
		t.Errorf("default strategy %q", got)
	}
	if got := New(Config{Backend: uitest.NewFake(), Strategy: promotion.PullRequest}).Strategy(); got != promotion.PullRequest {
		t.Errorf("a configured strategy became %q", got)
	}
}

// TestAFailedAuditLogIsSaid: a mutation that went through but could not
// be written to the audit log says so (and a run it started is not
// followed as if all were well); a mutation that failed keeps its own
// error.
func TestAFailedAuditLogIsSaid(t *testing.T) {
	lock := mutation.Stacks{Ops: []mutation.StackOp{{Action: "lock", StackID: "dev-network", Name: "dev-network", Env: "dev"}}}
	log := &brokenLog{}
	p := New(Config{Backend: uitest.NewFake(), Audit: log})
	out := sendOne(t, p, lock, mutation.Answer{Button: 1, Values: []string{"why"}})
	if err := out.Stacks[0].Err; !errors.Is(err, errDiskFull) || !strings.HasPrefix(err.Error(), "sent, but the audit log failed") {
		t.Errorf("a lock sent, the log broken: %v", err)
	}
	refused := sendOne(t, p, lock, mutation.Answer{Button: 1, Values: []string{"again"}}) // locked already: a conflict
	if err := refused.Stacks[0].Err; err == nil || errors.Is(err, errDiskFull) {
		t.Errorf("a refused lock, the log broken: %v", err)
	}

	plan := mutation.Predict{Plan: promotion.Plan{Target: model.Environment{Name: "qa"}, Commit: "abcdef0123",
		Affected: []promotion.Affected{{StackID: "qa-network"}}}}
	ok := New(Config{Backend: answering{uitest.NewFake(), nil}, Audit: log})
	if pp := sendOne(t, ok, plan, mutation.Answer{}).Predicted[0]; !errors.Is(pp.Err, errDiskFull) || pp.Run != nil ||
		!strings.HasPrefix(pp.Err.Error(), "started, but the audit log failed") {
		t.Errorf("a predicted plan started, the log broken: %+v", pp)
	}
	ok = New(Config{Backend: answering{uitest.NewFake(), nil}, Audit: &audit.Memory{}})
	if pp := sendOne(t, ok, plan, mutation.Answer{}).Predicted[0]; pp.Err != nil || pp.Run == nil {
		t.Errorf("a predicted plan started: %+v", pp)
	}
	lost := errors.New("no answer")
	failed := New(Config{Backend: answering{uitest.NewFake(), lost}, Audit: log})
	if pp := sendOne(t, failed, plan, mutation.Answer{}).Predicted[0]; !errors.Is(pp.Err, lost) || pp.Run != nil {
		t.Errorf("a predicted plan failed, the log broken: %+v", pp)
	}

	rule := drift.Rule{Address: "aws_s3_bucket.logs", Attribute: "tags", Environment: "qa", Source: drift.SourceConfig}
	saveErr := errors.New("read-only file system")
	for _, tc := range []struct {
		name string
		save func(drift.Rule) error
		want error
		text string
	}{
		{"saved", func(drift.Rule) error { return nil }, errDiskFull, "ignored, but the audit log failed"},
		{"not saved", func(drift.Rule) error { return saveErr }, saveErr, "read-only file system"},
	} {
		p := New(Config{Backend: uitest.NewFake(), Audit: log, SaveIgnore: tc.save, RemoveIgnore: tc.save})
		if res := sendOne(t, p, mutation.Ignore{Rule: rule}, mutation.Answer{Button: 1, Values: []string{"noise"}}).Ignore; !errors.Is(res.Err, tc.want) ||
			!strings.HasPrefix(res.Err.Error(), tc.text) {
			t.Errorf("ignore, %s, the log broken: %v", tc.name, res.Err)
		}
		want, text := tc.want, tc.text
		if tc.name == "saved" {
			text = "removed, but the audit log failed"
		}
		if res := sendOne(t, p, mutation.Unignore{Rule: rule}, mutation.Answer{Button: 1}).Ignore; !errors.Is(res.Err, want) ||
			!strings.HasPrefix(res.Err.Error(), text) {
			t.Errorf("unignore, %s, the log broken: %v", tc.name, res.Err)
		}
	}
}

// TestIgnoreRulesSayWhereTheyLive: the audit line of a rule kept for the
// session only says so; one saved or failing to save does not.
func TestIgnoreRulesSayWhereTheyLive(t *testing.T) {
	rule := drift.Rule{Address: "aws_s3_bucket.logs", Attribute: drift.AnyAttribute, Environment: "qa", Source: drift.SourceSession}
	for _, tc := range []struct {
		name    string
		save    func(drift.Rule) error
		session bool
	}{
		{"no config file", nil, true},
		{"saved", func(drift.Rule) error { return nil }, false},
		{"save failed", func(drift.Rule) error { return errors.New("read-only file system") }, false},
	} {
		rec := &audit.Memory{}
		p := New(Config{Backend: uitest.NewFake(), Audit: rec, SaveIgnore: tc.save})
		sendOne(t, p, mutation.Ignore{Rule: rule}, mutation.Answer{Button: 1, Values: []string{"noise"}})
		if e := rec.Entries(); len(e) != 1 || strings.Contains(e[0].Detail, "this session only") != tc.session {
			t.Errorf("%s: %+v", tc.name, e)
		}
	}
	// The confirmation: the whole resource spelled out, the reason asked
	// for (not shown as given); the unignore shows the rule's reason.
	p := New(Config{Backend: uitest.NewFake()})
	m, err := p.Prepare(mutation.Ignore{Rule: drift.Rule{Address: "a.b", Attribute: drift.AnyAttribute, Reason: "typed before"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(m.Lines, "Attribute    * (the whole resource)") || slices.ContainsFunc(m.Lines, hasPrefix("Reason")) {
		t.Errorf("ignore confirmation: %q", m.Lines)
	}
	m, err = p.Prepare(mutation.Unignore{Rule: drift.Rule{Address: "a.b", Attribute: "tags", Reason: "scanner tags"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(m.Lines, "Attribute    tags") || !slices.Contains(m.Lines, "Reason       scanner tags") {
		t.Errorf("unignore confirmation: %q", m.Lines)
	}
}

func hasPrefix(p string) func(string) bool {
	return func(s string) bool { return strings.HasPrefix(s, p) }
}

// TestStackConfirmations: what a stack action's confirmation and audit
// line say, line by line.
func TestStackConfirmations(t *testing.T) {
	p := New(Config{Backend: uitest.NewFake()})
	prep := func(r mutation.Stacks) mutation.Mutation {
		t.Helper()
		m, err := p.Prepare(r)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	one := prep(mutation.Stacks{Ops: []mutation.StackOp{{Action: "deploy", StackID: "dev-network", Name: "dev-network", Env: "dev"}}})
	if one.Sending != "sending deploy of dev-network…" || one.Strict || len(one.Fields) != 0 ||
		slices.ContainsFunc(one.Lines, hasPrefix("Run ")) || slices.ContainsFunc(one.Lines, hasPrefix("Ignored")) || one.Lines[len(one.Lines)-1] == "" {
		t.Errorf("a deploy in dev: %+v", one)
	}
	bulk := prep(mutation.Stacks{Bulk: true, Ops: []mutation.StackOp{{Action: "plan", StackID: "dev-network", Name: "dev-network", Env: "dev"}}})
	if bulk.Title != "Plan 1 stack?" || bulk.Sending != "sending plan of dev-network…" {
		t.Errorf("a bulk of one: %q, %q", bulk.Title, bulk.Sending)
	}
	two := prep(mutation.Stacks{Bulk: true, Ops: []mutation.StackOp{{Action: "plan", StackID: "dev-network", Name: "dev-network", Env: "dev"},
		{Action: "plan", StackID: "dev-search", Name: "dev-search", Env: "dev"}}})
	if two.Title != "Plan 2 stacks?" || two.Sending != "sending plan of 2 stacks…" {
		t.Errorf("a bulk of two: %q, %q", two.Title, two.Sending)
	}
	run := prep(mutation.Stacks{Ops: []mutation.StackOp{{Action: "confirm", StackID: "dev-network", Name: "dev-network", Env: "dev",
		RunID: "r1", State: model.StateUnconfirmed, IgnoredDrift: []string{"aws_s3_bucket.logs tags — ignored: scanner"}}}})
	if !slices.Contains(run.Lines, "Run          r1 (UNCONFIRMED)") ||
		!slices.Contains(run.Lines, "Ignored      1 drifted resource ignore rules hide; its plan reverts it too:") ||
		!slices.Contains(run.Lines, "             · aws_s3_bucket.logs tags — ignored: scanner") {
		t.Errorf("a confirm with ignored drift: %q", run.Lines)
	}
	waves := [][]model.Stack{{{ID: "dev-network", Name: "dev-network"}}, {{ID: "dev-search", Name: "dev-search"}}}
	radius := prep(mutation.Stacks{Radius: waves, Ops: []mutation.StackOp{{Action: "deploy", StackID: "dev-network", Name: "dev-network", Env: "dev"}}})
	if want := promotion.Radius(waves); len(want) == 0 || !slices.Equal(radius.Lines[len(radius.Lines)-len(want):], want) ||
		radius.Lines[len(radius.Lines)-len(want)-1] != "" {
		t.Errorf("a deploy others follow: %q", radius.Lines)
	}

	rec := &audit.Memory{}
	p = New(Config{Backend: uitest.NewFake(), Audit: rec})
	sendOne(t, p, mutation.Stacks{Ops: []mutation.StackOp{{Action: "lock", StackID: "dev-network", Name: "dev-network", Env: "dev"}}},
		mutation.Answer{Button: 1, Values: []string{"  release  "}})
	sendOne(t, p, mutation.Stacks{Ops: []mutation.StackOp{{Action: "unlock", StackID: "dev-network", Name: "dev-network", Env: "dev"}}},
		mutation.Answer{Button: 1})
	if e := rec.Entries(); len(e) != 2 || e[0].Detail != "stack dev-network; note: release" || e[1].Detail != "stack dev-network" {
		t.Errorf("audit: %+v", e)
	}
}
