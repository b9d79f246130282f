package sandbox_test

import (
	"fmt"
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

// The cost of remembering (journal.go), at 10,000 stacks: a mutation in a
// sandbox kept in a directory (journaled and synced to disk first) against
// the same in a temporary one (no journal), and a resume that replays a
// journal of 1,000 mutations. BenchmarkSnapshot10000 (in the package's
// internal tests) is the alternative not taken: writing the whole world.

func benchScale(b *testing.B, dir string) *sandbox.Engine {
	b.Helper()
	e, err := sandbox.New(bg, sandbox.Options{Dir: dir, Stacks: 10_000, Clock: sandbox.NewManualClock(epoch)})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// lockUnlock is one mutation per call, alternating.
func lockUnlock(b *testing.B, e *sandbox.Engine, i int) {
	var err error
	if i%2 == 0 {
		_, err = e.Lock(bg, "dev-network", "benchmark")
	} else {
		_, err = e.Unlock(bg, "dev-network")
	}
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPersistedMutation10000: a lock or unlock, journaled.
func BenchmarkPersistedMutation10000(b *testing.B) { benchMutations(b, b.TempDir()) }

// BenchmarkMutation10000: the same in a temporary sandbox, which keeps no
// journal.
func BenchmarkMutation10000(b *testing.B) { benchMutations(b, "") }

func benchMutations(b *testing.B, dir string) {
	e := benchScale(b, dir)
	defer e.Close()
	i := 0
	for b.Loop() {
		lockUnlock(b, e, i)
		i++
	}
}

// BenchmarkResume10000: New on a 10,000-stack directory whose journal
// holds none, or 1,000, mutations: what replaying them adds to rebuilding
// the seeded world.
func BenchmarkResume10000(b *testing.B) {
	for _, n := range []int{0, 1000} {
		b.Run(fmt.Sprintf("journal=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			e := benchScale(b, dir)
			for i := range n {
				lockUnlock(b, e, i)
			}
			e.Close()
			for b.Loop() {
				e := benchScale(b, dir)
				b.StopTimer()
				e.Close()
				b.StartTimer()
			}
		})
	}
}
