package spacelift

import (
	"context"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/backendtest"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
)

// TestContract runs the backend contract for the client against the sandbox
// engine served over HTTP in the Spacelift dialect.
func TestContract(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backendtest.Harness {
		c, clock := sandboxClient(t)
		return backendtest.Harness{Backend: c, Advance: clock.Advance}
	})
}

// sandboxClient serves a sandbox engine in the Spacelift dialect and
// connects a client in sandbox mode to it.
func sandboxClient(t *testing.T) (*Client, *sandbox.ManualClock) {
	t.Helper()
	clock := sandbox.NewManualClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))
	eng, err := sandbox.New(context.Background(), sandbox.Options{Dir: t.TempDir(), Seed: 7, Clock: clock})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	srv, err := spaceliftapi.New(eng, spaceliftapi.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	env := map[string]string{
		"SPACELIFT_API_KEY_ENDPOINT": base,
		"SPACELIFT_API_KEY_ID":       srv.APIKeyID(),
		"SPACELIFT_API_KEY_SECRET":   srv.APIKeySecret(),
	}
	c, err := New(context.Background(), Config{Env: func(k string) string { return env[k] }, HomeDir: t.TempDir(),
		Now: clock.Now, RetryBaseDelay: time.Millisecond, Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	if info := c.Info(); info.Kind != "sandbox" || !info.Sandbox || info.Endpoint != base {
		t.Fatalf("Info = %+v", info)
	}
	return c, clock
}
