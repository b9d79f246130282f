package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/backendtest"
	"github.com/stackview/stackview/internal/backend/sandbox"
)

// epoch is a fixed "now" for tests, so seeded shas and ids are stable.
var epoch = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func newEngine(t *testing.T, opts sandbox.Options) (*sandbox.Engine, *sandbox.ManualClock) {
	t.Helper()
	clock := sandbox.NewManualClock(epoch)
	if opts.Clock == nil {
		opts.Clock = clock
	}
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	e, err := sandbox.New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e, clock
}

func TestContract(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backendtest.Harness {
		e, clock := newEngine(t, sandbox.Options{Seed: 7})
		return backendtest.Harness{Backend: e, Advance: clock.Advance}
	})
}
