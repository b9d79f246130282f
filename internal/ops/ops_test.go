package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/scheduler"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/uitest"
	"github.com/stackview/stackview/internal/vcs"
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
	if len(out.Stacks) != 1 || out.Stacks[0].Err != nil || out.Stacks[0].Run == nil || out.Stacks[0].Run.StackID != "dev-network" {
		t.Fatalf("outcome %+v, want the plan started on dev-network", out)
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

// answering is a backend whose mutations all fail with err.
type answering struct {
	*uitest.Fake
	err error
}

func (b answering) Trigger(context.Context, string, model.RunKind) (model.Run, error) {
	return model.Run{}, b.err
}
func (b answering) Lock(context.Context, string, string) (model.Stack, error) {
	return model.Stack{}, b.err
}
func (b answering) PlanCommit(context.Context, string, string) (model.Run, error) {
	return model.Run{}, b.err
}

// TestLostAnswersAreAuditedUnknown: a mutation that failed without a
// refusal (a dropped connection, a timeout, a 5xx, a garbled answer) may
// have been applied: its audit line says unknown and what to check, not
// error; a refusal is an error.
func TestLostAnswersAreAuditedUnknown(t *testing.T) {
	lost := []error{
		errors.New("spacelift RunTrigger: no answer: read tcp 127.0.0.1:1: connection reset by peer"),
		context.DeadlineExceeded,
		&scheduler.AttemptTimeoutError{Host: "app.terraform.io", After: 15 * time.Second},
		errors.New("HTTP 503: Service Unavailable"),
	}
	refused := []error{
		backend.Conflictf("run is not in a state to confirm"),
		&backend.LockedError{Stack: "dev-network", Lock: model.Lock{Holder: "alice"}},
		&backend.RateLimitError{RetryAfter: time.Second},
		fmt.Errorf("x: %w", backend.ErrForbidden),
		fmt.Errorf("x: %w", backend.ErrUnauthorized),
		backend.NotFoundf("stack dev-network"),
	}
	send := func(err error, op mutation.StackOp) audit.Entry {
		t.Helper()
		rec := &audit.Memory{}
		p := New(Config{Backend: answering{uitest.NewFake(), err}, Audit: rec})
		m, perr := p.Prepare(mutation.Stacks{Ops: []mutation.StackOp{op}})
		if perr != nil {
			t.Fatal(perr)
		}
		work, serr := p.Send(m, mutation.Answer{Button: 1, Values: []string{"note"}})
		if serr != nil {
			t.Fatal(serr)
		}
		if out := work(context.Background()); len(out.Stacks) != 1 || !errors.Is(out.Stacks[0].Err, err) {
			t.Fatalf("outcome %+v", out)
		}
		if e := rec.Entries(); len(e) == 1 {
			return e[0]
		}
		t.Fatalf("audit %+v", rec.Entries())
		return audit.Entry{}
	}
	planOp := mutation.StackOp{Action: "plan", StackID: "dev-network", Name: "dev-network", Env: "dev"}
	lockOp := mutation.StackOp{Action: "lock", StackID: "dev-network", Name: "dev-network", Env: "dev"}
	for _, err := range lost {
		if e := send(err, planOp); e.Result != audit.ResultUnknown || !strings.Contains(e.Detail, "stack dev-network") ||
			!strings.Contains(e.Detail, "its answer was lost ("+err.Error()+"), so it may have been applied: check dev-network's runs before sending it again") {
			t.Errorf("plan, %v: %+v", err, e)
		}
		if e := send(err, lockOp); e.Result != audit.ResultUnknown || !strings.Contains(e.Detail, "check whether dev-network is locked") {
			t.Errorf("lock, %v: %+v", err, e)
		}
	}
	for _, err := range refused {
		if e := send(err, planOp); e.Result != audit.ResultError || e.Detail != err.Error() {
			t.Errorf("plan refused with %v: %+v", err, e)
		}
	}

	// A predicted plan is a run started: the same.
	rec := &audit.Memory{}
	p := New(Config{Backend: answering{uitest.NewFake(), lost[0]}, Audit: rec})
	m, err := p.Prepare(mutation.Predict{Plan: promotion.Plan{Target: model.Environment{Name: "qa"}, Commit: "abcdef0123",
		Affected: []promotion.Affected{{StackID: "qa-network"}}}})
	if err != nil {
		t.Fatal(err)
	}
	work, err := p.Send(m, mutation.Answer{})
	if err != nil {
		t.Fatal(err)
	}
	work(context.Background())
	if e := rec.Entries(); len(e) != 1 || e[0].Result != audit.ResultUnknown || !strings.Contains(e[0].Detail, "check qa-network's runs") {
		t.Errorf("predicted plan: %+v", e)
	}
}

// TestPushOutcomesAreAudited: a git push nobody saw the end of is
// unknown with the ref to check; any other git failure an error.
func TestPushOutcomesAreAudited(t *testing.T) {
	p := New(Config{Backend: uitest.NewFake()})
	unknown := &vcs.PushUnknownError{Repo: "payments.git", Ref: "refs/heads/qa", Commit: "abcdef0123", Cause: errors.New("git push was stopped")}
	if e := p.pushEntry("promotion", "qa", "payments.git", "dev → qa", fmt.Errorf("promote: %w", unknown)); e.Result != audit.ResultUnknown ||
		!strings.HasPrefix(e.Detail, "dev → qa; outcome unknown: ") || !strings.Contains(e.Detail, "check refs/heads/qa on the remote") {
		t.Errorf("unknown push: %+v", e)
	}
	if e := p.pushEntry("promotion", "qa", "payments.git", "dev → qa", errors.New("fetch failed")); e.Result != audit.ResultError ||
		e.Detail != "dev → qa; error: fetch failed" {
		t.Errorf("failed push: %+v", e)
	}
	if e := p.pushEntry("promotion", "qa", "payments.git", "dev → qa", nil); e.Result != audit.ResultOK || e.Detail != "dev → qa" {
		t.Errorf("pushed: %+v", e)
	}
}
