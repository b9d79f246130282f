package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox/faults"
	"github.com/stackview/stackview/internal/backend/sandbox/faults/chaostest"
	"github.com/stackview/stackview/internal/model"
)

// TestChaosUI drives the UI over each dialect's client under each fault
// kind: every plan confirmed in a dialog reaches the server at most once,
// nothing panics, failures are on screen, a plan whose answer was lost is
// audited unknown (never error: the server may have it), and once the
// fault stops a refresh recovers with the selection where the user left
// it. Completion: some plans reach the server while the fault is on (all
// of them when it only slows), and once it stops the user sends again
// what did not reach it: then every plan attempted reached it once.
func TestChaosUI(t *testing.T) {
	for _, dialect := range []struct {
		name  string
		world func(testing.TB, uint64) *chaostest.World
	}{{"spacelift", chaostest.Spacelift}, {"tfc", chaostest.TFC}} {
		for _, kind := range faults.Kinds {
			t.Run(dialect.name+"/"+string(kind), func(t *testing.T) {
				for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"} {
					t.Setenv(v, t.TempDir())
				}
				w := dialect.world(t, 5)
				stacks, err := w.Client.ListStacks(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				rec := &audit.Memory{}
				d := newDriverOn(t, w.Client, func() time.Time { return uitest0 }, 260, 30, // wide: the whole failure line shows
					func(o *testOptions) { o.Audit = rec })
				if err := w.Faults.Set(map[faults.Kind]float64{kind: 0.5}); err != nil {
					t.Fatal(err)
				}
				var attempted, completed, duplicates, crashes int
				var sawFailure, sawLost bool
				reached := map[string]int{} // plans at the server, per stack
				last := ""
				plan := func(name string) (sent int, crashed bool) {
					before := w.Sent.Get("trigger")
					crashed = guardUI(func() {
						d.typeText(":stack " + name)
						d.press("enter")
						d.press("p", "y")
					})
					return w.Sent.Get("trigger") - before, crashed
				}
				var targets []model.Stack // a lock of someone else's refuses a plan, faults or not
				for _, s := range stacks[1:] {
					if s.Lock == nil && len(targets) < 8 {
						targets = append(targets, s)
					}
				}
				for _, s := range targets {
					got, crashed := plan(s.Name)
					if crashed {
						crashes++
						continue
					}
					attempted++
					last = s.Name
					reached[s.Name] = got
					sawFailure = sawFailure || strings.Contains(d.screen(), "✗")
					sawLost = sawLost || strings.Contains(d.screen(), "may have been applied")
					if got == 1 {
						completed++
					}
					if guardUI(func() { d.fireTimers() }) {
						crashes++
					}
				}
				for name, n := range reached {
					if n > 1 {
						duplicates += n - 1
						t.Errorf("%s: %d plans reached the server for one confirmation", name, n)
					}
				}
				t.Logf("chaos ui: kind=%s attempted=%d completed=%d duplicates=%d crashes=%d dialect=%s injected=%d",
					kind, attempted, completed, duplicates, crashes, dialect.name, w.Faults.Injected(kind))
				if duplicates != 0 || crashes != 0 {
					t.Fatalf("duplicates=%d crashes=%d, want none", duplicates, crashes)
				}
				if attempted != len(targets) || completed == 0 || (kind == faults.Latency && completed != attempted) {
					t.Errorf("attempted %d, completed %d while the fault was on", attempted, completed)
				}
				// Latency only slows; go-tfe waits out TFC's 429s itself; TFC
				// answers have no partial data to damage.
				silent := kind == faults.Latency || (w.Dialect == faults.TFC && (kind == faults.RateLimit || kind == faults.Partial))
				if !silent && !sawFailure {
					t.Errorf("no failure shown while %s faults were on:\n%s", kind, d.screen())
				}
				if lostAnswers(w.Dialect, kind) && !sawLost {
					t.Errorf("a lost answer was not called one:\n%s", d.screen())
				}
				checkLostAnswersAudited(t, rec, w.Dialect, kind)
				w.Faults.Off()
				d.press("r")
				if sel := d.forestStack(d.selected()); sel == nil || sel.Name != last {
					t.Errorf("after recovery the selection is %v, want %s", sel, last)
				}
				if scr := d.screen(); strings.Contains(scr, "refresh failed") {
					t.Errorf("still failing after the fault stopped:\n%s", scr)
				}
				// The user sends again what the server never got.
				for name, n := range reached {
					if n == 0 {
						got, crashed := plan(name)
						if crashed || got != 1 {
							t.Errorf("%s sent again after the fault: %d plans reached the server (crashed %v)", name, got, crashed)
							continue
						}
						reached[name] = 1
					}
				}
				done := 0
				for _, n := range reached {
					done += n
				}
				if done != attempted {
					t.Errorf("after recovery %d of %d plans reached the server", done, attempted)
				}
			})
		}
	}
}

// checkLostAnswersAudited: every plan sent is audited once; one that
// failed with its answer lost (a drop, a garbled answer, a 5xx: the
// server may have it; a resolver's error on a field it may have applied)
// is unknown with what to check, and only a refusal is an error.
func checkLostAnswersAudited(t *testing.T, rec *audit.Memory, dialect faults.Dialect, kind faults.Kind) {
	t.Helper()
	var unknown int
	for _, e := range rec.Entries() {
		switch e.Result {
		case audit.ResultUnknown:
			unknown++
			if !strings.Contains(e.Detail, "its answer was lost") || !strings.Contains(e.Detail, "'s runs before sending it again") {
				t.Errorf("an unknown outcome that does not say what to check: %+v", e)
			}
		case audit.ResultError:
			// Refusals: a 429, a 401. The partial fault's error names no
			// refusal, and the server applied the mutation.
			if kind != faults.RateLimit && kind != faults.Expire {
				t.Errorf("a %s fault audited as an error, though nobody refused it: %+v", kind, e)
			}
		}
	}
	if lostAnswers(dialect, kind) && unknown == 0 {
		t.Errorf("no plan audited unknown under %s faults: %+v", kind, rec.Entries())
	}
}

// lostAnswers: kind damages the answers of requests the server applied
// (TFC's answers have no partial data to damage).
func lostAnswers(dialect faults.Dialect, kind faults.Kind) bool {
	return kind == faults.Drop || kind == faults.Malformed || (kind == faults.Partial && dialect == faults.Spacelift)
}

// guardUI runs f and reports whether it panicked.
func guardUI(f func()) (crashed bool) {
	defer func() {
		if r := recover(); r != nil {
			crashed = true
			fmt.Println("panic:", r)
		}
	}()
	f()
	return false
}

func TestMutationHint(t *testing.T) {
	if got := mutationHint(fmt.Errorf("x: %w", backend.ErrConflict)); got != backend.Hint(backend.ErrConflict) {
		t.Errorf("a refusal got %q", got)
	}
	if got := mutationHint(&backend.RateLimitError{}); got != backend.Hint(backend.ErrRateLimited) {
		t.Errorf("a rate limit got %q", got)
	}
	if got := mutationHint(errors.New("unexpected EOF")); got != lostAnswerHint {
		t.Errorf("a lost answer got %q", got)
	}
}
