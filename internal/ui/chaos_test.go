package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox/faults"
	"github.com/stackview/stackview/internal/backend/sandbox/faults/chaostest"
)

// TestChaosUI drives the UI over each dialect's client under each fault
// kind: every plan confirmed in a dialog reaches the server at most once,
// nothing panics, failures are on screen, and once the fault stops a
// refresh recovers with the selection where the user left it.
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
				d := newDriverOn(t, w.Client, func() time.Time { return uitest0 }, 260, 30) // wide: the whole failure line shows
				if err := w.Faults.Set(map[faults.Kind]float64{kind: 0.5}); err != nil {
					t.Fatal(err)
				}
				var attempted, completed, duplicates, crashes int
				var sawFailure, sawLost bool
				last := ""
				for _, s := range stacks[1:5] {
					before := w.Sent.Get("trigger")
					crashed := guardUI(func() {
						d.typeText(":stack " + s.Name)
						d.press("enter")
						d.press("p", "y")
					})
					if crashed {
						crashes++
						continue
					}
					attempted++
					last = s.Name
					sawFailure = sawFailure || strings.Contains(d.screen(), "✗")
					sawLost = sawLost || strings.Contains(d.screen(), "may have been applied")
					switch got := w.Sent.Get("trigger") - before; {
					case got > 1:
						duplicates += got - 1
					case got == 1:
						completed++
					}
					if guardUI(func() { d.fireTimers() }) {
						crashes++
					}
				}
				t.Logf("chaos ui: kind=%s attempted=%d completed=%d duplicates=%d crashes=%d dialect=%s injected=%d",
					kind, attempted, completed, duplicates, crashes, dialect.name, w.Faults.Injected(kind))
				if duplicates != 0 || crashes != 0 {
					t.Fatalf("duplicates=%d crashes=%d, want none", duplicates, crashes)
				}
				// Latency only slows; go-tfe waits out TFC's 429s itself; TFC
				// answers have no partial data to damage.
				silent := kind == faults.Latency || (w.Dialect == faults.TFC && (kind == faults.RateLimit || kind == faults.Partial))
				if !silent && !sawFailure {
					t.Errorf("no failure shown while %s faults were on:\n%s", kind, d.screen())
				}
				if (kind == faults.Drop || kind == faults.Malformed) && !sawLost {
					t.Errorf("a lost answer was not called one:\n%s", d.screen())
				}
				w.Faults.Off()
				d.press("r")
				if sel := d.forestStack(d.selected()); sel == nil || sel.Name != last {
					t.Errorf("after recovery the selection is %v, want %s", sel, last)
				}
				if scr := d.screen(); strings.Contains(scr, "refresh failed") {
					t.Errorf("still failing after the fault stopped:\n%s", scr)
				}
			})
		}
	}
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
