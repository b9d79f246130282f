package tfc_test

import (
	"testing"
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
