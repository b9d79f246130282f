package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/spacelift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// opCounter counts the GraphQL operations a server receives, by name.
type opCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *opCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var req struct {
			OperationName string `json:"operationName"`
		}
		_ = json.Unmarshal(body, &req)
		c.mu.Lock()
		c.n[req.OperationName]++
		c.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (c *opCounter) get(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

// newSpaceliftDriver runs the UI through the real Spacelift client over
// HTTP, against the seeded sandbox served in the Spacelift dialect, and
// counts the operations the server receives.
func newSpaceliftDriver(t *testing.T) (*driver, *sandbox.ManualClock, *opCounter) {
	t.Helper()
	e, clk := newSandbox(t)
	ops := &opCounter{n: map[string]int{}}
	srv, err := spaceliftapi.New(e, spaceliftapi.Options{Clock: clk, Middleware: ops.wrap})
	if err != nil {
		t.Fatal(err)
	}
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	env := map[string]string{"SPACELIFT_API_KEY_ENDPOINT": base, "SPACELIFT_API_KEY_ID": srv.APIKeyID(), "SPACELIFT_API_KEY_SECRET": srv.APIKeySecret()}
	c, err := spacelift.New(context.Background(), spacelift.Config{Env: func(k string) string { return env[k] },
		HomeDir: t.TempDir(), Now: clk.Now, RetryBaseDelay: time.Millisecond, Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	d := newDriverOn(t, c, clk.Now, 160, 48)
	d.eng = e
	return d, clk, ops
}

// TestPlanThroughTheSpaceliftClientEndsItsLog is issue 14's stepped-clock
// flow, through the real Spacelift client over HTTP against the sandbox's
// dialect: p on a dev stack makes that plan the tree's latest run (a
// proposed run, listed apart from the tracked ones), l opens it, it
// finishes, and then the run view asks for no more logs (Spacelift does
// not promise "finished", so the client must know the log is complete).
func TestPlanThroughTheSpaceliftClientEndsItsLog(t *testing.T) {
	d, clk, ops := newSpaceliftDriver(t)
	advance := func(secs int) {
		for range secs {
			clk.Advance(time.Second)
			d.fireTimers()
		}
	}
	d.typeText(":stack dev-identity")
	d.press("enter")
	d.press("p", "y")
	d.requireScreen("✓ plan dev-identity")
	advance(1) // the next refresh
	latest := d.forestStack(d.selected()).LatestRun
	if latest == nil || latest.Kind != model.RunPlan || latest.TriggeredBy != "you" {
		t.Fatalf("the tree's latest run of dev-identity is %+v, want the plan just started", latest)
	}
	d.requireScreen("plan ◐")
	d.press("l")
	d.requireScreen("Run "+latest.ID+" of dev-identity", "── log (following)")
	advance(15)
	d.requireScreen("✓ FINISHED", "── log (complete)", "Terraform")
	logs := ops.get("RunLogs")
	const ticks = 10
	advance(ticks)
	if got := ops.get("RunLogs") - logs; got != 0 {
		t.Fatalf("%d log requests in the %d poll ticks after the run finished, want 0", got, ticks)
	}
	if n := d.pendingPolls(); n != 0 {
		t.Fatalf("%d log polls still pending", n)
	}
	d.requireScreen("Run "+latest.ID, "✓ FINISHED", "── log (complete)")
}

// TestAttentionReadsTheRunsItLists: the Spacelift client's lean listing
// reads runs only for the rows on screen, so the attention view asks for
// the runs of every stack while it is open: prod-identity's plan pending
// review (a stack never shown in the tree) is listed, and nothing is said
// to be unread once the reads are done.
func TestAttentionReadsTheRunsItLists(t *testing.T) {
	// As in an account too large for the runs to be read after the load.
	was := smallAccountReads
	smallAccountReads = 0
	t.Cleanup(func() { smallAccountReads = was })
	d, _, _ := newSpaceliftDriver(t)
	if h := d.headerLine(); !strings.Contains(h, "+ need you") {
		t.Fatalf("the header counts as if every stack's runs were read: %s", h)
	}
	d.press("A")
	d.requireScreen("Waiting on you", "prod-identity", "PENDING_REVIEW", "qa-payments-ledger", "dev-analytics")
	if strings.Contains(d.screen(), "not read yet") {
		t.Fatalf("the attention view still says runs are unread:\n%s", d.screen())
	}
}

// TestASmallAccountsHeaderCountIsExact: when few stacks' pending runs are
// left unread by the lean listing, they are read after the load, so the
// header counts what waits on a person exactly (the 7 the sandbox seeds,
// among them prod-identity's plan on a stack not on screen), not "6+".
func TestASmallAccountsHeaderCountIsExact(t *testing.T) {
	d, _, _ := newSpaceliftDriver(t)
	if h := d.headerLine(); !strings.Contains(h, "⚑ 7 need you") {
		t.Fatalf("header %q, want the exact count ⚑ 7 need you", h)
	}
}

// TestKeysFlownPastReadNoDetails: keys that come faster than
// detailsSettle (a key held down) read no details for the screens they
// pass; the screen they stop on is read once, when they rest. Reads of
// screens already left would take the rate limit from a listing still
// under way, and the keypress's priority lets them.
func TestKeysFlownPastReadNoDetails(t *testing.T) {
	was := smallAccountReads // as in an account whose runs are read for the screen only
	smallAccountReads = 0
	t.Cleanup(func() { smallAccountReads = was })
	d, _, ops := newSpaceliftDriver(t)
	reads := func() int { return ops.get("StackDetails") + ops.get("StacksRuns") }
	before := reads()
	d.Send(uitest.Press("2")) // qa, then prod at once
	d.Send(uitest.Press("3"))
	if got := reads() - before; got != 0 {
		t.Fatalf("%d detail reads while the keys came, want none", got)
	}
	d.requireScreen("prod-network", "… not read yet")
	d.Rest()
	if got := reads() - before; got != 1 {
		t.Fatalf("%d detail reads once the keys rested, want 1 (the prod screen's)", got)
	}
	d.requireNotOnScreen("… not read yet")
	d.press("2") // qa was flown past: read now that it is on screen
	if got := reads() - before; got != 2 {
		t.Fatalf("%d detail reads after returning to qa, want 2", got)
	}
}
