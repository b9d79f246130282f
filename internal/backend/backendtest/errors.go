package backendtest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// call is one Backend method, named, bound to its arguments but the context.
type call struct {
	name string
	fn   func(context.Context) error
}

// reads are the calls that change nothing.
var reads = map[string]bool{"ListRuns": true, "GetRun": true, "RunLogs": true, "RunChanges": true,
	"ListStacks": true, "ListModules": true, "ListModuleVersions": true}

// runCalls are the run-level methods on stackID with runID, and the
// stack-level ones on stackID, that the backend's capabilities allow.
func runCalls(b backend.Backend, stackID, runID string) []call {
	caps := b.Capabilities()
	calls := []call{
		{"ListRuns", func(c context.Context) error { _, _, err := b.ListRuns(c, stackID, ""); return err }},
		{"GetRun", func(c context.Context) error { _, err := b.GetRun(c, stackID, runID); return err }},
		{"RunLogs", func(c context.Context) error { _, err := b.RunLogs(c, stackID, runID, ""); return err }},
		{"RunChanges", func(c context.Context) error { _, err := b.RunChanges(c, stackID, runID); return err }},
		{"Trigger plan", func(c context.Context) error { _, err := b.Trigger(c, stackID, model.RunPlan); return err }},
		{"Trigger deploy", func(c context.Context) error { _, err := b.Trigger(c, stackID, model.RunDeploy); return err }},
		{"Confirm", func(c context.Context) error { _, err := b.Confirm(c, stackID, runID); return err }},
		{"Discard", func(c context.Context) error { _, err := b.Discard(c, stackID, runID); return err }},
		{"Retry", func(c context.Context) error { _, err := b.Retry(c, stackID, runID); return err }},
		{"Cancel", func(c context.Context) error { _, err := b.Cancel(c, stackID, runID); return err }},
	}
	optional := []struct {
		ok bool
		call
	}{
		{caps.DriftCheck, call{"Trigger drift check", func(c context.Context) error {
			_, err := b.Trigger(c, stackID, model.RunDriftCheck)
			return err
		}}},
		{caps.Stop, call{"Stop", func(c context.Context) error { _, err := b.Stop(c, stackID, runID); return err }}},
		{caps.Review, call{"Review", func(c context.Context) error { _, err := b.Review(c, stackID, runID, false, "no"); return err }}},
		{caps.Promote, call{"Promote", func(c context.Context) error { _, err := b.Promote(c, stackID, runID); return err }}},
		{caps.SyncCommit, call{"SyncCommit", func(c context.Context) error { _, err := b.SyncCommit(c, stackID); return err }}},
		{caps.Lock, call{"Lock", func(c context.Context) error { _, err := b.Lock(c, stackID, "contract"); return err }}},
		{caps.Lock, call{"Unlock", func(c context.Context) error { _, err := b.Unlock(c, stackID); return err }}},
	}
	for _, o := range optional {
		if o.ok {
			calls = append(calls, o.call)
		}
	}
	return calls
}

// testUnknownStack: every method that names a stack says ErrNotFound for
// one that does not exist, even with the id of a real run of another
// stack (a backend that addresses runs by id alone must still check).
func testUnknownStack(t *testing.T, h Harness) {
	var realRun string
	for _, s := range stacks(t, h) {
		if s.LatestRun != nil {
			realRun = s.LatestRun.ID
			break
		}
	}
	if realRun == "" {
		t.Fatal("no stack has a run")
	}
	for _, c := range runCalls(h.Backend, "no-such-stack", realRun) {
		if err := c.fn(ctx(t)); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("%s on an unknown stack: got %v, want ErrNotFound", c.name, err)
		}
	}
}

// testErrors: unknown runs, cursors and modules, and actions that do not
// fit a run's state.
func testErrors(t *testing.T, h Harness) {
	c := ctx(t)
	s := free(t, h)[0]
	for _, call := range runCalls(h.Backend, s.ID, "NO-SUCH-RUN") {
		switch call.name {
		case "ListRuns", "Trigger plan", "Trigger deploy", "Trigger drift check", "SyncCommit", "Lock", "Unlock":
			continue // about the stack, not the run
		}
		if err := call.fn(c); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("%s of an unknown run: got %v, want ErrNotFound", call.name, err)
		}
	}
	r := waitFor(t, h, trigger(t, h, s.ID, model.RunPlan), "settled", settled)
	if _, err := h.Backend.Confirm(c, s.ID, r.ID); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("confirming a %s run: got %v, want ErrConflict", r.State, err)
	}
	if _, err := h.Backend.Retry(c, s.ID, r.ID); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("retrying a %s run: got %v, want ErrConflict", r.State, err)
	}
}

// returns runs f on a context that is already done and says what it
// returned. A backend that ignored the context and waited for something
// would hang; the bound here only turns a hang into a failure.
func returns(t *testing.T, name string, done context.Context, f func(context.Context) error) error {
	t.Helper()
	out := make(chan error, 1)
	go func() { out <- f(done) }()
	select {
	case err := <-out:
		return err
	case <-time.After(20 * time.Second):
		t.Fatalf("%s with a done context did not return", name)
		return nil
	}
}

// testCancelledContext: with a context already cancelled (or past its
// deadline), every method returns at once. A mutation returns the
// context's error and is not applied; a read may answer from what it has
// (a cache), or return the context's error, never another.
func testCancelledContext(t *testing.T, h Harness) {
	r := unconfirmed(t, h)
	s := stackByID(t, h, r.StackID)
	runsBefore := allRuns(t, h, s.ID)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	calls := append(runCalls(h.Backend, s.ID, r.ID),
		call{"ListStacks", func(c context.Context) error { _, err := h.Backend.ListStacks(c); return err }},
		call{"ListModules", func(c context.Context) error { _, err := h.Backend.ListModules(c); return err }},
		call{"ListModuleVersions", func(c context.Context) error { _, err := h.Backend.ListModuleVersions(c, "any"); return err }},
	)
	for _, c := range calls {
		for _, done := range []struct {
			what string
			ctx  context.Context
			want error
		}{{"a cancelled context", cancelled, context.Canceled}, {"a context past its deadline", expired, context.DeadlineExceeded}} {
			err := returns(t, c.name, done.ctx, c.fn)
			if errors.Is(err, done.want) || (err == nil && reads[c.name]) {
				continue
			}
			t.Errorf("%s with %s: got %v, want %v", c.name, done.what, err, done.want)
		}
	}
	// Nothing was applied: no run started, the run still waits, the lock
	// is free.
	if after := allRuns(t, h, s.ID); len(after) != len(runsBefore) {
		t.Errorf("calls with a done context started runs: %d before, %d after", len(runsBefore), len(after))
	}
	if got, err := h.Backend.GetRun(ctx(t), r.StackID, r.ID); err != nil || got.State != model.StateUnconfirmed {
		t.Errorf("the run a done context confirmed, discarded or cancelled is %s (%v), want still UNCONFIRMED", got.State, err)
	}
	if after := stackByID(t, h, s.ID); after.Locked() != s.Locked() || after.TrackedCommit != s.TrackedCommit {
		t.Errorf("a done context changed the stack: lock %+v → %+v, tracked %s → %s", s.Lock, after.Lock, s.TrackedCommit, after.TrackedCommit)
	}
}

// allRuns pages through a stack's runs.
func allRuns(t *testing.T, h Harness, stackID string) []model.Run {
	t.Helper()
	var all []model.Run
	cursor := ""
	for page := 0; page < 100; page++ {
		runs, next, err := h.Backend.ListRuns(ctx(t), stackID, cursor)
		if err != nil {
			t.Fatalf("ListRuns %s: %v", stackID, err)
		}
		all = append(all, runs...)
		if next == "" {
			return all
		}
		cursor = next
	}
	t.Fatalf("paging the runs of %s does not end", stackID)
	return nil
}

// testCapabilities: every capability flag agrees with what the backend
// does. A flag it lacks answers ErrUnsupported; one it has does not (the
// subtests of each feature show it works). Every field of Capabilities
// must be checked here, so a new one cannot go untested.
func testCapabilities(t *testing.T, h Harness) {
	b := h.Backend
	caps := b.Capabilities()
	s := free(t, h)[0]
	plan := waitFor(t, h, trigger(t, h, s.ID, model.RunPlan), "settled", settled)
	checks := map[string]struct {
		has   bool
		calls []call
	}{
		"DriftCheck": {caps.DriftCheck, []call{{"Trigger drift check", func(c context.Context) error {
			_, err := b.Trigger(c, s.ID, model.RunDriftCheck)
			return err
		}}}},
		"Review": {caps.Review, []call{{"Review", func(c context.Context) error {
			_, err := b.Review(c, s.ID, plan.ID, false, "")
			return err
		}}}},
		"Lock": {caps.Lock, []call{
			{"Lock", func(c context.Context) error { _, err := b.Lock(c, s.ID, "contract"); return err }},
			{"Unlock", func(c context.Context) error { _, err := b.Unlock(c, s.ID); return err }},
		}},
		"Stop": {caps.Stop, []call{{"Stop", func(c context.Context) error { _, err := b.Stop(c, s.ID, plan.ID); return err }}}},
		"Promote": {caps.Promote, []call{{"Promote", func(c context.Context) error {
			_, err := b.Promote(c, s.ID, plan.ID)
			return err
		}}}},
		"SyncCommit": {caps.SyncCommit, []call{{"SyncCommit", func(c context.Context) error {
			_, err := b.SyncCommit(c, s.ID)
			return err
		}}}},
	}
	fields := reflect.TypeFor[backend.Capabilities]()
	for i := range fields.NumField() {
		name := fields.Field(i).Name
		check, ok := checks[name]
		if !ok {
			t.Errorf("capability %s has no check in the contract", name)
			continue
		}
		for _, c := range check.calls {
			err := c.fn(ctx(t))
			if check.has && errors.Is(err, backend.ErrUnsupported) {
				t.Errorf("%s claims %s but %s answers %v", b.Info().Kind, name, c.name, err)
			}
			if !check.has && !errors.Is(err, backend.ErrUnsupported) {
				t.Errorf("%s lacks %s but %s answers %v, want ErrUnsupported", b.Info().Kind, name, c.name, err)
			}
		}
	}
}
