package tfcapitest_test

import (
	"testing"

	"github.com/stackview/stackview/internal/backend/backendtest"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi/tfcapitest"
)

// TestContract holds the fake to the contract every backend passes, so
// tests built on it cannot pass on behaviour no real backend has.
func TestContract(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backendtest.Harness {
		f := tfcapitest.New(9)
		return backendtest.Harness{Backend: f, Advance: f.Advance}
	})
}
