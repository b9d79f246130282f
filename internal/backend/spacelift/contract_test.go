package spacelift

import (
	"context"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/backendtest"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/model"
)

// TestContract runs the backend contract for the client against the sandbox
// engine served over HTTP in the Spacelift dialect.
func TestContract(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backendtest.Harness {
		c, clock := sandboxClient(t)
		return backendtest.Harness{Backend: c, Advance: clock.Advance}
	})
}

// TestContractWithoutSandboxExtensions runs the contract for the client as
// it talks to Spacelift itself: without the sandbox's extensions (the
// driftDetection trigger, Entity.driftedAttributes), so nothing the
// contract checks depends on them.
func TestContractWithoutSandboxExtensions(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backendtest.Harness {
		w := newWorld(t, false)
		if w.c.Capabilities().DriftCheck {
			t.Fatal("without the sandbox's extensions the client claims it can start a drift check")
		}
		return backendtest.Harness{Backend: w.c, Advance: w.clock.Advance}
	})
}

// sandboxClient serves a sandbox engine in the Spacelift dialect and
// connects a client in sandbox mode to it.
func sandboxClient(t *testing.T) (*Client, *sandbox.ManualClock) {
	t.Helper()
	w := newSandboxWorld(t)
	return w.c, w.clock
}

// sandboxWorld is the seeded sandbox served in the Spacelift dialect, a
// sandbox-mode client over it, and the operations the client sent.
type sandboxWorld struct {
	c     *Client
	eng   *sandbox.Engine
	clock *sandbox.ManualClock
	ops   *opLog
}

func newSandboxWorld(t *testing.T) *sandboxWorld {
	t.Helper()
	return newWorld(t, true)
}

// newWorld is newSandboxWorld with the client's sandbox extensions on or
// off; off, it reads the sandbox as it would read Spacelift.
func newWorld(t *testing.T, extensions bool) *sandboxWorld {
	t.Helper()
	clock := sandbox.NewManualClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))
	eng, err := sandbox.New(context.Background(), sandbox.Options{Dir: t.TempDir(), Seed: 7, Clock: clock})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	ops := &opLog{}
	srv, err := spaceliftapi.New(eng, spaceliftapi.Options{Clock: clock, Middleware: ops.record})
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
		Now: clock.Now, RetryBaseDelay: time.Millisecond, Sandbox: extensions})
	if err != nil {
		t.Fatal(err)
	}
	if info := c.Info(); info.Sandbox != extensions || info.Endpoint != base {
		t.Fatalf("Info = %+v", info)
	}
	return &sandboxWorld{c: c, eng: eng, clock: clock, ops: ops}
}

// TestPlanCommit plans a qa stack at dev's commit: a proposed run of that
// commit; a commit the repository lacks is refused.
func TestPlanCommit(t *testing.T) {
	c, _ := sandboxClient(t)
	var _ backend.CommitPlanner = c
	ctx := context.Background()
	dev, qa := stackByID(t, c, "dev-payments-api"), stackByID(t, c, "qa-payments-api")
	if dev.TrackedCommit == qa.TrackedCommit {
		t.Fatal("the seed's dev and qa payments are at one commit")
	}
	r, err := c.PlanCommit(ctx, qa.ID, dev.TrackedCommit)
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != model.RunPlan || r.Commit != dev.TrackedCommit || r.StackID != qa.ID {
		t.Fatalf("run = %+v", r)
	}
	if _, err := c.PlanCommit(ctx, qa.ID, "0000000000000000000000000000000000000000"); err == nil {
		t.Fatal("planned a commit the repository lacks")
	}
}

func stackByID(t *testing.T, b backend.Backend, id string) model.Stack {
	t.Helper()
	stacks, err := b.ListStacks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stacks {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no stack %s", id)
	return model.Stack{}
}
