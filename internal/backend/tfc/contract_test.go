package tfc_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/backendtest"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/tfc"
)

// TestContract runs the backend contract for the TFC client against the
// sandbox engine served in the TFC dialect over HTTP.
func TestContract(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backendtest.Harness {
		c, clock := sandboxClient(t)
		return backendtest.Harness{Backend: c, Advance: clock.Advance}
	})
}

// sandboxClient serves the seeded sandbox in the TFC dialect and connects a
// client to it.
func sandboxClient(t *testing.T) (*tfc.Client, *sandbox.ManualClock) {
	t.Helper()
	clock := sandbox.NewManualClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))
	engine, err := sandbox.New(context.Background(), sandbox.Options{Dir: t.TempDir(), Seed: 7, Clock: clock})
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	t.Cleanup(func() { engine.Close() })
	srv := tfcapi.New(engine, tfcapi.Options{})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	c, err := tfc.New(ctxFor(t), tfc.Config{
		Address: ts.URL, Organization: srv.Organization(), HomeDir: t.TempDir(),
		Env: envOf(map[string]string{"TFE_TOKEN": srv.Token()}),
	})
	if err != nil {
		t.Fatalf("tfc.New: %v", err)
	}
	return c, clock
}
