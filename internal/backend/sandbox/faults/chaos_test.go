package faults_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox/faults"
	"github.com/stackview/stackview/internal/backend/sandbox/faults/chaostest"
	"github.com/stackview/stackview/internal/model"
)

// world adds the chaos driver to the rig.
type world struct{ *chaostest.World }

// tally is what the chaos line reports for one fault kind. refused counts
// mutations whose failure the client called a refusal (so applied nothing).
type tally struct{ attempted, completed, duplicates, crashes, refused int }

// guard runs f, counting a panic as a crash instead of dying of it.
func (ta *tally) guard(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			ta.crashes++
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}

// readBack retries a read until it answers: queries are safe to repeat,
// and the state they read is how a lost mutation reply is reconciled.
func readBack[T any](ta *tally, read func() (T, error)) (T, error) {
	var v T
	var err error
	for range 30 {
		if err = ta.guard(func() error { v, err = read(); return err }); err == nil {
			return v, nil
		}
	}
	return v, err
}

// refused is an answer that the server refused the action: final, not
// lost, so the action is not sent again. (A rate limit or an expired
// session refuses too, but the same action succeeds once it has passed.)
func refused(err error) bool {
	for _, e := range []error{backend.ErrConflict, backend.ErrForbidden, backend.ErrNotFound, backend.ErrUnsupported, backend.ErrInvalid} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// mutate performs one user action the way stackview must: send it once;
// if the answer is lost, read the state back and only resend when the
// state shows the action was not applied. It returns whether it took
// effect and how many times the engine received it.
func (w *world) mutate(ta *tally, kind string, send func() error, applied func() (bool, error)) (bool, int) {
	ta.attempted++
	before := w.Sent.Get(kind)
	for range 4 {
		err := ta.guard(send)
		if err == nil {
			break
		}
		if !backend.AnswerLost(err) {
			ta.refused++
		}
		if refused(err) {
			break
		}
		ok, err := readBack(ta, func() (bool, error) { return applied() })
		if err != nil || ok {
			break
		}
	}
	ok, _ := readBack(ta, func() (bool, error) { return applied() })
	got := w.Sent.Get(kind) - before
	if got > 1 {
		ta.duplicates += got - 1
	}
	if ok && got >= 1 {
		ta.completed++
	}
	return ok, got
}

// free is whether a user can deploy s now: unlocked, nothing in
// progress or waiting for a person.
func free(s model.Stack) bool {
	busy := s.LatestRun != nil && (s.LatestRun.State.Active() || s.LatestRun.State.Waiting())
	return !s.Locked() && !s.NeedsApproval && !busy && !s.State.Active() && !s.State.Waiting()
}

// drive lists the stacks, then on each of n free ones triggers a deploy
// and confirms it, under whatever faults are on.
func (w *world) drive(t *testing.T, ta *tally, n int) {
	ctx := context.Background()
	stacks, err := readBack(ta, func() ([]model.Stack, error) { return w.Client.ListStacks(ctx) })
	if err != nil {
		t.Fatalf("listing never succeeded: %v", err)
	}
	stacks = slices.DeleteFunc(stacks, func(s model.Stack) bool { return !free(s) })
	if len(stacks) < n {
		t.Fatalf("%d stacks are free to deploy, want %d", len(stacks), n)
	}
	for _, s := range stacks[:n] {
		runIDs := func() ([]string, error) {
			runs, _, err := w.Client.ListRuns(ctx, s.ID, "")
			ids := make([]string, len(runs))
			for i, r := range runs {
				ids[i] = r.ID
			}
			return ids, err
		}
		known, err := readBack(ta, runIDs)
		if err != nil {
			t.Fatalf("runs of %s: %v", s.ID, err)
		}
		var runID string
		triggered, _ := w.mutate(ta, "trigger", func() error {
			r, err := w.Client.Trigger(ctx, s.ID, model.RunDeploy)
			runID = r.ID
			return err
		}, func() (bool, error) {
			ids, err := runIDs()
			for _, id := range ids {
				if !slices.Contains(known, id) {
					runID = id
					return true, err
				}
			}
			return false, err
		})
		if !triggered {
			continue
		}
		w.Plan()
		w.mutate(ta, "confirm", func() error {
			_, err := w.Client.Confirm(ctx, s.ID, runID)
			return err
		}, func() (bool, error) {
			r, err := w.Client.GetRun(ctx, s.ID, runID)
			return err == nil && r.State != model.StateUnconfirmed, err
		})
	}
}

// recovers says, for each fault kind, whether a client can complete every
// action through it at the suite's rate: the fault hits a quarter of the
// requests, reads are retried and a lost mutation is reconciled by reading
// the state back, so every kind there is now passes. A kind added without a
// say here fails the suite.
var recovers = map[faults.Kind]bool{
	faults.Latency: true, faults.Status500: true, faults.Status502: true, faults.Status503: true,
	faults.RateLimit: true, faults.Drop: true, faults.Malformed: true, faults.Partial: true, faults.Expire: true,
}

// TestChaos drives each dialect's client through list, trigger and confirm
// under each fault kind: no mutation may reach the server twice, nothing may
// panic, every action completes where the kind allows recovery (and some do
// where it does not), and once the fault stops everything works.
func TestChaos(t *testing.T) {
	const actions = 8 // stacks per kind, two mutations each
	for _, dialect := range []struct {
		name  string
		world func(testing.TB, uint64) *chaostest.World
	}{{"spacelift", chaostest.Spacelift}, {"tfc", chaostest.TFC}} {
		for _, kind := range faults.Kinds {
			t.Run(dialect.name+"/"+string(kind), func(t *testing.T) {
				w := world{dialect.world(t, 11)}
				if err := w.Faults.Set(map[faults.Kind]float64{kind: 0.25}); err != nil {
					t.Fatal(err)
				}
				var ta tally
				w.drive(t, &ta, actions)
				fmt.Printf("chaos: kind=%s attempted=%d completed=%d duplicates=%d crashes=%d refused=%d dialect=%s injected=%d\n",
					kind, ta.attempted, ta.completed, ta.duplicates, ta.crashes, ta.refused, dialect.name, w.Faults.Injected(kind))
				if w.Faults.Injected(kind) == 0 {
					t.Error("no fault was injected")
				}
				if ta.duplicates != 0 || ta.crashes != 0 {
					t.Errorf("duplicates=%d crashes=%d, want none", ta.duplicates, ta.crashes)
				}
				// These faults damage an answer the server sent, or fail a
				// request no one refused: a mutation failing under them has
				// an unknown outcome, never a refusal.
				if lost := []faults.Kind{faults.Status500, faults.Status502, faults.Status503, faults.Drop, faults.Malformed, faults.Partial}; slices.Contains(lost, kind) && ta.refused != 0 {
					t.Errorf("%d mutations failing under %s faults were called refusals, though nobody refused them", ta.refused, kind)
				}
				recoverable, known := recovers[kind]
				switch {
				case !known:
					t.Errorf("fault kind %s does not say whether a client recovers from it", kind)
				case recoverable && (ta.completed != ta.attempted || ta.attempted != 2*actions):
					t.Errorf("completed %d of %d actions (%d planned), want every one", ta.completed, ta.attempted, 2*actions)
				case !recoverable && ta.completed == 0:
					t.Errorf("completed none of %d actions", ta.attempted)
				}
				w.Faults.Off()
				if _, err := w.Client.ListStacks(context.Background()); err != nil {
					t.Errorf("after the fault stopped: %v", err)
				}
			})
		}
	}
}
