package sandbox_test

import (
	"testing"

	"github.com/stackview/stackview/internal/backend/sandbox"
)

// BenchmarkNewDefaultOrg measures creating the default organisation: its
// repositories written by fast-import and its past replayed.
func BenchmarkNewDefaultOrg(b *testing.B) {
	for b.Loop() {
		e, err := sandbox.New(bg, sandbox.Options{Dir: b.TempDir(), Clock: sandbox.NewManualClock(epoch)})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

// BenchmarkListStacksDefaultOrg measures the call the UI makes on every refresh.
func BenchmarkListStacksDefaultOrg(b *testing.B) {
	e, err := sandbox.New(bg, sandbox.Options{Dir: b.TempDir(), Clock: sandbox.NewManualClock(epoch)})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	for b.Loop() {
		if _, err := e.ListStacks(bg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewScale5000 measures scale mode at 5000 stacks.
func BenchmarkNewScale5000(b *testing.B) {
	for b.Loop() {
		e, err := sandbox.New(bg, sandbox.Options{Dir: b.TempDir(), Stacks: 5000, Clock: sandbox.NewManualClock(epoch)})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

// BenchmarkListStacksScale5000 measures a refresh at 5000 stacks.
func BenchmarkListStacksScale5000(b *testing.B) {
	e, err := sandbox.New(bg, sandbox.Options{Dir: b.TempDir(), Stacks: 5000, Clock: sandbox.NewManualClock(epoch)})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	for b.Loop() {
		if _, err := e.ListStacks(bg); err != nil {
			b.Fatal(err)
		}
	}
}
