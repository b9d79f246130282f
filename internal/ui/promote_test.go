package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ops"
	"github.com/stackview/stackview/internal/promote/promotetest"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/promoview"
	"github.com/stackview/stackview/internal/ui/screen"
)

// promoteRig is the UI over a promotion test world: a sandbox on a manual
// clock whose repositories a colleague pushes to.
type promoteRig struct {
	*driver
	w   *promotetest.World
	rec *audit.Memory
}

func newPromoteRig(t *testing.T, tweak ...func(*testOptions)) *promoteRig {
	t.Helper()
	w := promotetest.New(t)
	rec := &audit.Memory{}
	d := newDriverOn(t, w.E, w.Clock.Now, 160, 48, append([]func(*testOptions){func(o *testOptions) {
		o.Git = w.Cache
		o.Audit = rec
	}}, tweak...)...)
	return &promoteRig{driver: d, w: w, rec: rec}
}

// deployedChange pushes a change of identity's code to dev and waits for
// dev-identity to deploy it: a promotion dev → qa is ready.
func (r *promoteRig) deployedChange() (repo, head string) {
	r.t.Helper()
	repo = r.w.Stack("dev-identity").Repo
	head = r.w.Push(repo, "dev", "terraform/main.tf", promotetest.AddResource("audit"))
	r.until("dev-identity to deploy the change", func() bool {
		return r.w.DeployState("dev-identity", head) == model.StateFinished
	})
	return repo, head
}

// until steps the sandbox clock a second at a time, letting the UI refresh
// after each, until cond holds.
func (r *promoteRig) until(what string, cond func() bool) {
	r.t.Helper()
	for range 900 {
		if cond() {
			return
		}
		r.w.Clock.Advance(time.Second)
		r.fireTimers()
	}
	r.t.Fatalf("timed out waiting for %s:\n%s", what, r.screen())
}

// summary is the wave view's next-step line.
func (r *promoteRig) summary() string {
	c := r.ctx()
	s, _ := promoview.Summary(c, promoview.WaveStacks(c))
	return s
}

// selectCell moves the board's cursor to a repository and environment.
func (r *promoteRig) selectCell(label, env string) {
	r.t.Helper()
	board := func() (row, col int, rows []promoview.BoardRow) {
		b := find[promoview.Board](r.driver)
		row, col = b.Cursor()
		return row, col, b.Rows()
	}
	for row, _, _ := board(); row > 0; row, _, _ = board() {
		r.press("k")
	}
	for _, col, _ := board(); col > 0; _, col, _ = board() {
		r.press("left")
	}
	for row, _, rows := board(); rows[row].Label != label; row, _, rows = board() {
		if row == len(rows)-1 {
			r.t.Fatalf("no %s row on the board:\n%s", label, r.screen())
		}
		r.press("j")
	}
	for _, col, _ := board(); r.m().envs[col].Name != env; _, col, _ = board() {
		r.press("right")
	}
}

// selectWaveStack moves the wave view's cursor to a stack.
func (r *promoteRig) selectWaveStack(id string) {
	r.t.Helper()
	waves := func() promoview.Waves { return find[promoview.Waves](r.driver) }
	for waves().Cursor() > 0 {
		r.press("k")
	}
	for s := waves().Selected(r.ctx()); s == nil || s.ID != id; s = waves().Selected(r.ctx()) {
		if waves().Cursor() >= promoview.Count(r.ctx())-1 {
			r.t.Fatalf("%s is in no wave:\n%s", id, r.screen())
		}
		r.press("j")
	}
}

func (r *promoteRig) promotions() []audit.Entry {
	var out []audit.Entry
	for _, e := range r.rec.Entries() {
		if e.Action == "promotion" {
			out = append(out, e)
		}
	}
	return out
}

func TestPromoteDevToQAToProdThroughTheUI(t *testing.T) {
	r := newPromoteRig(t)
	_, head := r.deployedChange()

	r.press("P")
	r.requireScreen("Promotion board", "environment", "identity", "payments", "dev (dev)", "→ qa (qa)", "→ prod (main)",
		"Change terraform/main.tf on dev", "↓ 1 commit behind")
	if rows := find[promoview.Board](r.driver).Rows(); rows[0].Label != "environment" {
		t.Fatalf("the environment repository is not first: %+v", rows[0])
	}
	r.selectCell("identity", "dev")
	r.press("enter")
	r.requireScreen("Promote identity  dev → qa", "1. Commits (git log qa..dev): 1", "Change terraform/main.tf on dev",
		"qa-identity (", "terraform/main.tf", "wave 1 qa-identity", "6. Gates: 6 of 6 pass", "✓ deployed in source (1 of 1 stack)")

	r.requireScreen("p plans the affected stacks at " + model.ShortSHA(head))
	r.press("p")
	diff := func() promoview.Diff { return find[promoview.Diff](r.driver) }
	r.until("the predicted plan", func() bool { return len(diff().Predicted()) == 1 && diff().PredictionsDone() })
	r.requireScreen("5. Predicted plans at "+model.ShortSHA(head), "✓ FINISHED")
	if pp := diff().Predicted()[0]; pp.StackID != "qa-identity" || pp.Run.Kind != model.RunPlan || pp.Run.Commit != head ||
		pp.Run.Delta == nil || pp.Run.Delta.Add != 1 {
		t.Fatalf("predicted plan = %+v, run %+v", pp, pp.Run)
	}

	r.press("enter")
	r.requireScreen("Promote identity dev → qa?", "Strategy     fast-forward", "Runs         1 stack may run (1 wave)", "wave 1     qa-identity")
	r.press("y")
	r.requireScreen("Promotion dev → qa: qa is at " + model.ShortSHA(head))
	r.w.Sync()
	if got := r.w.Stack("qa-identity").TrackedCommit; got != head {
		t.Fatalf("qa-identity tracks %s after the promotion, want %s", got, head)
	}
	entries := r.promotions()
	if len(entries) != 1 || entries[0].Result != audit.ResultOK || entries[0].Environment != "qa" ||
		!strings.Contains(entries[0].Detail, "strategy: fast-forward") ||
		!strings.Contains(entries[0].Detail, "Change terraform/main.tf on dev") ||
		!strings.Contains(entries[0].Detail, "gates: pass deployed in source") ||
		!strings.Contains(entries[0].Detail, "runs expected on: qa-identity") {
		t.Fatalf("audit = %+v", entries)
	}

	// qa waits for confirmation: the wave view says so and confirms.
	r.until("qa-identity to wait for confirmation", func() bool { return strings.Contains(r.summary(), "confirm qa-identity") })
	r.requireScreen("Wave 1", "qa-identity", "? UNCONFIRMED")
	r.selectWaveStack("qa-identity")
	r.press("c")
	r.requireScreen("Confirm qa-identity?")
	r.press("y")
	r.until("qa to finish", func() bool { return strings.HasPrefix(r.summary(), "✓ every wave finished") })
	r.requireScreen("✓ every wave finished: qa runs " + model.ShortSHA(head))
	var runs []audit.Entry
	for _, e := range r.rec.Entries() {
		if e.Action == "promotion runs" {
			runs = append(runs, e)
		}
	}
	if len(runs) != 1 || !strings.Contains(runs[0].Detail, "qa-identity run ") || runs[0].Environment != "qa" {
		t.Fatalf("audit of the promotion's runs = %+v", runs)
	}

	// On to prod, which is protected: the name must be typed.
	r.press("esc")
	r.requireScreen("Promotion board")
	r.selectCell("identity", "qa")
	r.press("enter")
	r.requireScreen("Promote identity  qa → prod", "6. Gates: 6 of 6 pass", "prod is protected")
	r.press("enter")
	r.requireScreen("Protected: type the environment name (prod)")
	r.press("y", "enter") // y is text here, and "y" is not the name
	r.requireScreen("type prod exactly")
	if got := r.w.Stack("prod-identity").TrackedCommit; got == head {
		t.Fatal("prod moved without its name typed")
	}
	r.press("backspace")
	r.typeText("prod")
	r.press("enter")
	r.requireScreen("Promotion qa → prod: main is at " + model.ShortSHA(head))
	// prod's approval policy holds the deploy: approve it, then confirm.
	r.until("prod-identity to wait for an approval", func() bool { return strings.Contains(r.summary(), "approve prod-identity") })
	r.selectWaveStack("prod-identity")
	r.press("c")
	r.requireScreen("needs approval before it can be confirmed")
	r.press("v")
	r.typeText("prod-identity")
	r.press("enter", "enter", "right", "right", "enter")
	r.until("prod-identity to wait for confirmation", func() bool { return strings.Contains(r.summary(), "confirm prod-identity") })
	r.requireScreen("(protected: confirming asks for the name)")
	r.press("c")
	r.requireScreen("Protected: type the stack name (prod-identity)")
	r.typeText("prod-identity")
	r.press("enter")
	r.until("prod to finish", func() bool { return strings.HasPrefix(r.summary(), "✓ every wave finished") })
	if got := r.promotions(); len(got) != 2 || got[1].Environment != "prod" || got[1].Result != audit.ResultOK {
		t.Fatalf("audit = %+v", got)
	}
}

func TestFailedDevStackRefusesThePromotionNamingTheGate(t *testing.T) {
	r := newPromoteRig(t)
	if s := r.w.Stack("dev-analytics"); s.State != model.StateFailed {
		t.Fatalf("the seed's dev-analytics is %s, want FAILED", s.State)
	}
	repo, qaBefore := r.w.Stack("qa-analytics").Repo, r.w.Stack("qa-analytics").BranchHead

	r.press("P")
	r.selectCell("analytics", "dev")
	r.press("enter")
	r.requireScreen("✗ deployed in source (0 of 1 stack) — ", "dev-analytics", "module lake 1.1.0 → 2.1.0",
		"enter promotes only with a reason typed to override the failing gates")
	r.press("enter")
	r.requireScreen("✗ gate deployed in source (0 of 1 stack):", "2 gates failed: type why you go ahead anyway")
	r.press("enter") // a blank reason does not override
	r.requireScreen("this cannot be left blank")
	r.press("esc")
	r.requireScreen("cancelled: no branch was moved")
	if len(r.promotions()) != 0 {
		t.Fatalf("a cancelled promotion was audited: %+v", r.promotions())
	}
	r.w.Sync()
	if qaAfter := r.w.Stack("qa-analytics").BranchHead; qaAfter != qaBefore {
		t.Fatal("a refused promotion moved qa")
	}

	// Read-only mode refuses before any dialog.
	writable := r.m().ops
	r.setOps(ops.New(ops.Config{Backend: r.w.E, ReadOnly: true}))
	r.press("enter")
	r.requireScreen("read-only mode: promotion refused")
	r.setOps(writable)

	// With a reason the override goes ahead, and the reason is audited.
	r.press("enter")
	r.typeText("lake 2.1.0 is needed in qa today")
	r.press("enter")
	got := r.promotions()
	if len(got) != 1 || !strings.Contains(got[0].Detail, "override: lake 2.1.0 is needed in qa today") ||
		!strings.Contains(got[0].Detail, "FAIL deployed in source") || got[0].Target != repo {
		t.Fatalf("audit = %+v", got)
	}
	r.requireScreen("Promotion dev → qa: qa is at")
}

func TestPullRequestStrategyLeavesTheBranchAlone(t *testing.T) {
	w := promotetest.New(t)
	rec := &audit.Memory{}
	d := newDriverOn(t, w.E, w.Clock.Now, 160, 48, func(o *testOptions) {
		o.Git, o.Audit, o.Strategy = w.Cache, rec, promotion.PullRequest
	})
	r := &promoteRig{driver: d, w: w, rec: rec}
	before := w.Stack("qa-payments-api").BranchHead
	r.press("P")
	r.selectCell("payments", "dev")
	r.press("enter")
	r.requireScreen("by pull-request", "6. Gates: 6 of 6 pass")
	r.press("enter", "y")
	r.requireScreen("Promotion dev → qa proposed", "The qa stacks run once it is merged.")
	w.Sync()
	if after := w.Stack("qa-payments-api").BranchHead; after != before {
		t.Fatalf("a pull-request promotion moved qa from %s to %s", before, after)
	}
	if got := r.promotions(); len(got) != 1 || !strings.Contains(got[0].Detail, "strategy: pull-request") {
		t.Fatalf("audit = %+v", got)
	}
	if r.m().has(screen.KindWaves) {
		t.Fatal("a proposed promotion opened the wave view")
	}
	find[promoview.Diff](r.driver) // the diff stays under the box
}

func TestBoardScrollsToItsCursorOnASmallTerminal(t *testing.T) {
	w := promotetest.New(t)
	d := newDriverOn(t, w.E, w.Clock.Now, 80, 24, func(o *testOptions) { o.Git = w.Cache })
	r := &promoteRig{driver: d, w: w}
	r.press("P")
	r.requireScreen("analytics", "enter promote")
	r.requireNotOnScreen("storefront")
	r.selectCell("storefront", "qa")
	r.requireScreen("storefront", "▶ ")
	r.requireNotOnScreen("analytics")
}

// Issue 16: a promotion whose stacks the last listing could not all read
// is refused, gates or not, until a listing reads them.
func TestPromotionRefusedWhileItsStacksArePartlyLoaded(t *testing.T) {
	var pb *pagedBackend
	r := newPromoteRig(t, func(o *testOptions) {
		pb = &pagedBackend{Backend: o.Backend, pageSize: 5}
		o.Backend = pb
	})
	pb.fail("qa-analytics")
	r.press("r")
	r.requireScreen("refresh failed")

	r.press("P")
	r.selectCell("analytics", "dev")
	r.press("enter")
	r.requireScreen("6. Gates", "refused until the stacks are loaded: the last listing could not read 1 of its stacks (qa-analytics")
	r.press("enter")
	r.requireScreen("promotion refused: the last listing could not read 1 of its stacks")
	if got := r.promotions(); len(got) != 0 {
		t.Fatalf("a promotion of partly loaded stacks went ahead: %+v", got)
	}

	// A listing that reads them lifts the refusal: the dialog opens.
	pb.fail()
	r.press("esc", "esc", "r", "P")
	r.selectCell("analytics", "dev")
	r.press("enter")
	r.requireNotOnScreen("refused until the stacks are loaded")
	r.press("enter")
	r.requireScreen("gates failed: type why you go ahead anyway")
}

// TestPromotionWithALostPushIsUnknown: the remote takes the push and
// vanishes before answering (its receive-pack killed, the repository
// gone, so the ref cannot be read back): the promotion's audit line says
// unknown with the ref to check, not error, and the status line does not
// say that nothing moved.
func TestPromotionWithALostPushIsUnknown(t *testing.T) {
	r := newPromoteRig(t)
	repo, _ := r.deployedChange()
	r.press("P")
	r.selectCell("identity", "dev")
	r.press("enter")
	r.requireScreen("Promote identity  dev → qa", "6. Gates: 6 of 6 pass")
	dir := strings.TrimPrefix(repo, "file:")
	if err := os.MkdirAll(filepath.Join(dir, "hooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	hook := filepath.Join(dir, "hooks", "pre-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\ncat >/dev/null\nmv \"$(pwd)\" \"$(pwd).gone\"\nkill -9 $PPID\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Rename(dir+".gone", dir) })
	r.press("enter")
	r.requireScreen("Promote identity dev → qa?")
	r.press("y")
	r.requireScreen("✗ the promotion's push has no known outcome:", "refs/heads/qa: outcome unknown", "check refs/heads/qa on the remote")
	r.requireNotOnScreen("nothing moved")
	entries := r.promotions()
	if len(entries) != 1 || entries[0].Result != audit.ResultUnknown || !strings.Contains(entries[0].Detail, "outcome unknown") ||
		!strings.Contains(entries[0].Detail, "check refs/heads/qa on the remote") {
		t.Fatalf("audit = %+v", entries)
	}
	if err := os.Rename(dir+".gone", dir); err != nil {
		t.Fatal(err)
	}
}

// TestPredictedPlansAreRefusedReadOnly: predicted plans change nothing,
// but they are runs started: in read-only mode p is not offered, pressed
// it says why, and no run starts.
func TestPredictedPlansAreRefusedReadOnly(t *testing.T) {
	r := newPromoteRig(t, func(o *testOptions) { o.ReadOnly = true })
	repo := r.w.Stack("dev-identity").Repo
	head := r.w.Push(repo, "dev", "terraform/main.tf", promotetest.AddResource("audit"))
	r.press("P")
	r.selectCell("identity", "dev")
	r.press("enter")
	r.requireScreen("Promote identity  dev → qa", "qa-identity (", "read-only mode: promotion is refused")
	if f := r.footerLine(); strings.Contains(f, "p predicted") {
		t.Fatalf("the footer offers predicted plans in read-only mode: %q", f)
	}
	r.press("p")
	r.until("a run to start, if one was", func() bool { return r.w.Clock.Now().After(promotetest.Epoch.Add(30 * time.Second)) })
	runs, _, err := r.w.E.ListRuns(context.Background(), "qa-identity", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range runs {
		if run.Commit == head {
			t.Fatalf("a run of the promoted commit started in read-only mode: %+v", run)
		}
	}
	if e := r.rec.Entries(); len(e) != 0 {
		t.Fatalf("audited in read-only mode: %+v", e)
	}
	r.requireScreen("✗ read-only mode: predicted plans refused, nothing was sent")
}
