package uitest

import (
	"context"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/backendtest"
	"github.com/stackview/stackview/internal/model"
)

// TestContract holds the fake to the contract every backend passes, so a
// UI test built on it cannot pass on behaviour no real backend has: as
// NewFake makes it (Lock its only optional operation, what the goldens
// read), and claiming every capability, with what the fixture leaves out
// added: a plan waiting for a review and a deploy held for an approval.
func TestContract(t *testing.T) {
	t.Run("AsTheGoldensRead", func(t *testing.T) {
		backendtest.Run(t, func(t *testing.T) backendtest.Harness {
			f := NewFake()
			return backendtest.Harness{Backend: f, Advance: f.Advance}
		})
	})
	t.Run("ClaimingAll", func(t *testing.T) {
		backendtest.Run(t, func(t *testing.T) backendtest.Harness {
			f := NewFake()
			f.Claim(All)
			f.WantReview("prod-legacy-reports")
			f.WantApproval("qa-legacy-reports")
			for _, seed := range []struct {
				stack string
				kind  model.RunKind
			}{{"prod-legacy-reports", model.RunPlan}, {"qa-legacy-reports", model.RunDeploy}} {
				if _, err := f.Trigger(context.Background(), seed.stack, seed.kind); err != nil {
					t.Fatal(err)
				}
			}
			for range 3 {
				f.Advance(time.Second)
			}
			return backendtest.Harness{Backend: f, Advance: f.Advance}
		})
	})
}
