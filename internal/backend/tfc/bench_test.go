package tfc_test

import (
	"testing"

	"github.com/stackview/stackview/internal/backend"
)

// BenchmarkListStacks loads 1,000 workspaces through the TFC dialect: cold
// (every run trigger fetched) and warm (dependencies cached, as on refresh).
func BenchmarkListStacks(b *testing.B) {
	for _, mode := range []string{"cold", "warm"} {
		b.Run(mode, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				h := newHarness(b, harnessOpts{stacks: 1000})
				if mode == "warm" {
					if _, err := h.client.ListStacks(b.Context()); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if _, err := h.client.ListStacks(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPageStacks lists 10,000 workspaces leanly through the TFC
// dialect, as a second start does (no per-workspace read): what decoding
// a hundred pages of workspaces with their current runs costs the client.
func BenchmarkPageStacks(b *testing.B) {
	h := newHarness(b, harnessOpts{stacks: 10000})
	for b.Loop() {
		var l backend.Listing
		if err := h.client.PageStacks(b.Context(), backend.PageRequest{Full: true}, l.Apply); err != nil {
			b.Fatal(err)
		}
		if n := len(l.Stacks()); n != 10000 {
			b.Fatalf("%d stacks", n)
		}
	}
}
