package ops

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/ui/uitest"
)

var epoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func plan(stack string) mutation.Stacks {
	return mutation.Stacks{Ops: []mutation.StackOp{{Action: "plan", StackID: stack, Name: stack, Env: "dev"}}}
}

func TestReadOnlyRefusesBeforeAndAtSend(t *testing.T) {
	rec := &audit.Memory{}
	p := New(Config{Backend: uitest.NewFake(), Audit: rec, ReadOnly: true})
	var ro *mutation.ReadOnlyError
	if _, err := p.Prepare(plan("dev-network")); !errors.As(err, &ro) {
		t.Fatalf("Prepare in read-only mode = %v", err)
	}
	// A mutation prepared elsewhere still cannot be sent.
	open := New(Config{Backend: uitest.NewFake()})
	m, err := open.Prepare(plan("dev-network"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Send(m, mutation.Answer{Button: 1}); !errors.As(err, &ro) {
		t.Fatalf("Send in read-only mode = %v", err)
	}
	if len(rec.Entries()) != 0 {
		t.Fatalf("audited %+v", rec.Entries())
	}
}

func TestInFlightKeysAreHeldUntilTheAnswer(t *testing.T) {
	p := New(Config{Backend: uitest.NewFake()})
	m, err := p.Prepare(plan("dev-network"))
	if err != nil {
		t.Fatal(err)
	}
	work, err := p.Send(m, mutation.Answer{Button: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.InFlight(); got["dev-network"] != "plan" {
		t.Fatalf("in flight after Send: %v", got)
	}
	var busy *mutation.BusyError
	if _, err := p.Prepare(plan("dev-network")); !errors.As(err, &busy) || !strings.Contains(err.Error(), "plan on dev-network was sent") {
		t.Fatalf("second Prepare = %v", err)
	}
	if _, err := p.Send(m, mutation.Answer{Button: 1}); !errors.As(err, &busy) {
		t.Fatalf("second Send = %v", err)
	}
	out := work(context.Background())
	if len(out.Stacks) != 1 || out.Stacks[0].Err == nil { // the fake refuses triggers
		t.Fatalf("outcome %+v", out)
	}
	if len(p.InFlight()) != 0 {
		t.Fatalf("keys kept after the answer: %v", p.InFlight())
	}
}

func TestProtectedEnvironmentNeedsTheName(t *testing.T) {
	p := New(Config{Backend: uitest.NewFake()})
	m, err := p.Prepare(mutation.Stacks{Ops: []mutation.StackOp{{Action: "deploy", StackID: "prod-network", Name: "prod-network", Env: "prod"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Strict || len(m.Fields) != 1 || m.Fields[0].Want != "prod-network" {
		t.Fatalf("deploy in prod: %+v", m)
	}
	m, _ = p.Prepare(mutation.Stacks{Ops: []mutation.StackOp{{Action: "plan", StackID: "prod-network", Name: "prod-network", Env: "prod"}}})
	if m.Strict || len(m.Fields) != 0 {
		t.Fatalf("a plan in prod asks for the name: %+v", m)
	}
}

// TestIgnoreDriftIsAudited: ignoring drift hides it from every count, so
// it is a change like any other and lands in the audit log.
func TestIgnoreDriftIsAudited(t *testing.T) {
	rec := &audit.Memory{}
	var saved, removed []drift.Rule
	p := New(Config{Backend: uitest.NewFake(), Audit: rec, Now: func() time.Time { return epoch }, IgnoreFile: "/home/me/config.toml",
		SaveIgnore:   func(r drift.Rule) error { saved = append(saved, r); return nil },
		RemoveIgnore: func(r drift.Rule) error { removed = append(removed, r); return nil }})
	rule := drift.Rule{Address: "aws_s3_bucket.logs", Attribute: "tags", Environment: "qa", Source: drift.SourceConfig}
	m, err := p.Prepare(mutation.Ignore{Rule: rule, What: "aws_s3_bucket.logs tags in qa"})
	if err != nil || !m.Confirm || len(m.Fields) != 1 || !m.Fields[0].Required ||
		!strings.Contains(strings.Join(m.Lines, "\n"), "/home/me/config.toml") {
		t.Fatalf("an ignore is confirmed with a required reason and says where it is saved: %+v, %v", m, err)
	}
	work, err := p.Send(m, mutation.Answer{Button: 1, Values: []string{"  tags written by the scanner "}})
	if err != nil {
		t.Fatal(err)
	}
	out := work(context.Background())
	if out.Ignore == nil || !out.Ignore.Saved || len(saved) != 1 || saved[0].Reason != "tags written by the scanner" {
		t.Fatalf("outcome %+v, saved %v", out.Ignore, saved)
	}
	e := rec.Entries()
	if len(e) != 1 || e[0].Action != "ignore drift" || e[0].Environment != "qa" || e[0].Target != "aws_s3_bucket.logs" ||
		e[0].Result != audit.ResultOK || !strings.Contains(e[0].Detail, "attribute tags; reason: tags written by the scanner") || !e[0].Time.Equal(epoch) {
		t.Fatalf("audit %+v", e)
	}

	// Undone: confirmed, removed from the config, audited.
	m, err = p.Prepare(mutation.Unignore{Rule: saved[0], What: "aws_s3_bucket.logs tags in qa"})
	if err != nil || !m.Confirm {
		t.Fatalf("unignore: %+v, %v", m, err)
	}
	work, err = p.Send(m, mutation.Answer{Button: 1})
	if err != nil {
		t.Fatal(err)
	}
	if out := work(context.Background()); out.Ignore == nil || !out.Ignore.Removed || !out.Ignore.Saved || len(removed) != 1 || removed[0] != saved[0] {
		t.Fatalf("unignore outcome %+v, removed %v", out.Ignore, removed)
	}
	if e := rec.Entries(); len(e) != 2 || e[1].Action != "unignore drift" || !strings.Contains(e[1].Detail, "reason: tags written by the scanner") {
		t.Fatalf("audit %+v", e)
	}
	// Read-only mode refuses both before any dialog.
	ro := New(Config{Backend: uitest.NewFake(), ReadOnly: true})
	for _, r := range []mutation.Request{mutation.Ignore{Rule: rule}, mutation.Unignore{Rule: rule}} {
		if _, err := ro.Prepare(r); err == nil || !strings.Contains(err.Error(), "writes the config") {
			t.Errorf("read-only %T: %v", r, err)
		}
	}
}

func TestPromotionAndBumpNeedACloneCache(t *testing.T) {
	p := New(Config{Backend: uitest.NewFake()})
	if _, err := p.Prepare(mutation.Promotion{}); err == nil {
		t.Fatal("a promotion without a clone cache was prepared")
	}
	if _, err := p.Prepare(mutation.Bump{}); err == nil {
		t.Fatal("a bump without a clone cache was prepared")
	}
	if _, err := p.Prepare(mutation.Predict{}); err == nil || !strings.Contains(err.Error(), "cannot plan a given commit") {
		t.Fatalf("predicted plans on a backend without PlanCommit: %v", err)
	}
}
