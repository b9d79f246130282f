package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend/repos"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promote/promotetest"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/attention"
	"github.com/stackview/stackview/internal/ui/promoview"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/vcs"
)

// The sandbox situations of issue 18, each as the user met it, with what
// the UI says now.

// runTo starts a run of kind on a stack of the sandbox and steps the clock
// until it ends or waits.
func (r *actionRig) runTo(stackID string, kind model.RunKind) model.Run {
	r.t.Helper()
	run, err := r.e.Trigger(context.Background(), stackID, kind)
	if err != nil {
		r.t.Fatal(err)
	}
	for range 120 {
		if got := r.run(stackID, run.ID); got.State.Terminal() || got.State.Waiting() {
			return got
		}
		r.advance(time.Second)
	}
	r.t.Fatalf("run %s of %s did not settle", run.ID, stackID)
	return run
}

// TestHiddenWaitingPlanIsCountedAndListed: prod-identity's plan waits for
// review; a newer plan on the stack used to hide it from every count
// (the stack's latest run is the newer one). Every count still has it, and
// the attention view lists it by its id.
func TestHiddenWaitingPlanIsCountedAndListed(t *testing.T) {
	r := newActionRig(t)
	waiting := r.forestStack("prod-identity").LatestRun
	if waiting == nil || waiting.State != model.StatePendingReview {
		t.Fatalf("the seed's prod-identity plan: %+v", waiting)
	}
	newer := r.runTo("prod-identity", model.RunPlan)
	r.press("r")
	if got := r.forestStack("prod-identity").LatestRun; got == nil || got.ID != newer.ID || got.State != model.StateFinished {
		t.Fatalf("the newer plan is not the latest run: %+v", got)
	}
	r.press("3")
	if tabs := r.tabLine(); !strings.Contains(tabs, "prod ?3") {
		t.Fatalf("prod's tab lost the waiting plan: %q", tabs)
	}
	r.selectStack("prod-identity")
	r.requireScreen("Waiting    ? plan PENDING_REVIEW")
	r.press("A")
	r.requireScreen("Waiting on you", "prod-identity", waiting.ID, "PENDING_REVIEW", "v reviews")
	found := false
	for _, need := range r.ctx().Data.Index.Needs {
		found = found || need.Kind == model.NeedWaiting && need.Run.ID == waiting.ID
	}
	if !found {
		t.Fatalf("the attention view does not list %s", waiting.ID)
	}
	// l opens the listed run, not the stack's latest one.
	r.selectNeed(model.NeedWaiting, "prod-identity")
	r.press("l")
	r.requireScreen("Run "+waiting.ID, "PENDING_REVIEW")
}

// selectNeed moves the attention view's cursor to a stack's row of a kind.
func (r *actionRig) selectNeed(kind model.NeedKind, stackID string) model.Need {
	r.t.Helper()
	view := func() attention.Model { return find[attention.Model](r.driver) }
	for view().Cursor() > 0 {
		r.press("k")
	}
	for {
		n, ok := view().Selected(r.ctx())
		if ok && n.Kind == kind && n.Stack.ID == stackID {
			return n
		}
		if !ok || view().Cursor() >= len(r.ctx().Data.Index.Needs)-1 {
			r.t.Fatalf("no %d row for %s:\n%s", kind, stackID, r.screen())
		}
		r.press("j")
	}
}

// TestAttentionListsTheSeededSandboxAndConfirms: A lists the waiting plan,
// the unconfirmed qa run and the failed dev run, at 80×24 as at 160×48,
// the header counts them on every screen, and c on the unconfirmed run
// confirms that run.
func TestAttentionListsTheSeededSandboxAndConfirms(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		e, clk := newSandbox(t)
		d := newDriverOn(t, e, clk.Now, size[0], size[1])
		d.press("A")
		d.requireScreen("Waiting on you", "prod-identity", "PENDING_REVIEW", "qa-payments-ledger", "UNCONFIRMED",
			"Failed", "dev-analytics", "FAILED", "Locked by someone else", "prod-payments-api", "maria.chen")
		if h := d.headerLine(); !strings.Contains(h, "need you") {
			t.Fatalf("%v: header %q has no attention count", size, h)
		}
		// The approval-held runs are listed as such.
		d.requireScreen("prod-storefront", "prod-analytics")
		if size[0] == 160 {
			d.requireScreen("needs approval: v approves")
		}
		r := &actionRig{driver: d, e: e, clk: clk}
		n := r.selectNeed(model.NeedWaiting, "qa-payments-ledger")
		d.press("c")
		d.requireScreen("Confirm qa-payments-ledger?", "Run          "+n.Run.ID)
		d.press("y")
		if got := r.run("qa-payments-ledger", n.Run.ID); got.State != model.StateConfirmed && !got.State.Active() && got.State != model.StateFinished {
			t.Fatalf("%v: after c, y: %s", size, got.State)
		}
		d.requireScreen("✓ confirm qa-payments-ledger: run " + n.Run.ID)
	}
}

// TestAttentionMarksAreReadByAnotherScreen: space marks runs; a screen
// opened over the view reads them (screen.RunMarker); c confirms the marked
// ones plan by plan (issue 19): the run held for approval is listed apart.
func TestAttentionMarksAreReadByAnotherScreen(t *testing.T) {
	r := newActionRig(t)
	r.press("A")
	ledger := r.selectNeed(model.NeedWaiting, "qa-payments-ledger")
	r.press("space")
	r.selectNeed(model.NeedWaiting, "prod-storefront")
	r.press("space")
	marker, ok := r.top().(screen.RunMarker)
	if !ok {
		t.Fatal("the attention view is no RunMarker")
	}
	marked := marker.MarkedRuns(r.ctx())
	if len(marked) != 2 || marked[0].StackID != "qa-payments-ledger" || marked[0].RunID != ledger.Run.ID {
		t.Fatalf("marked = %+v", marked)
	}
	r.press("c")
	r.requireScreen("Confirm by plan · 2 stacks: 1 plan, 1 apart", "Plan 1 of 1 — 1 run shares it", "qa-payments-ledger",
		"prod-storefront", "needs approval before it")
	if got := r.run("qa-payments-ledger", ledger.Run.ID); got.State != model.StateUnconfirmed {
		t.Fatalf("confirmed before its plan was confirmed: %s", got.State)
	}
	r.press("c")
	r.requireScreen("Confirm 1 run with this plan?", "• qa-payments-ledger (qa) run "+ledger.Run.ID, "1 other run is not confirmed with it.")
	r.press("y")
	if got := r.run("qa-payments-ledger", ledger.Run.ID); got.State == model.StateUnconfirmed {
		t.Fatal("the marked run was not confirmed")
	}
	if m := find[attention.Model](r.driver).MarkedRuns(r.ctx()); len(m) != 0 {
		t.Fatalf("marks kept after the bulk was sent: %+v", m)
	}
}

// TestQueuedRunNamesItsBlocker: a deploy started on qa-payments-ledger
// queues behind its older UNCONFIRMED run; the detail, the run view (and
// its empty log), the attention view and a promotion's wave view say
// behind which run, where they used to say nothing.
func TestQueuedRunNamesItsBlocker(t *testing.T) {
	r := newActionRig(t)
	older := r.forestStack("qa-payments-ledger").LatestTrackedRun
	queued, err := r.e.Trigger(context.Background(), "qa-payments-ledger", model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	r.advance(5 * time.Second)
	if got := r.run("qa-payments-ledger", queued.ID); got.State != model.StateQueued {
		t.Fatalf("the new deploy is %s, want QUEUED behind %s", got.State, older.ID)
	}
	behind := "queued behind " + older.ID + " UNCONFIRMED"
	r.selectStack("qa-payments-ledger")
	r.requireScreen("↳ queued behind " + older.ID[:10] + "… UNCONFIRMED")
	r.press("l")
	r.requireScreen("Run "+queued.ID, "◐ "+behind, "no log yet: the run has not started")
	r.press("esc", "A")
	r.requireScreen("Queued", "qa-payments-ledger", behind)
	r.press("esc")
	// A promotion whose wave reaches the stack says the same.
	m := r.m()
	m.data.Following = &promotion.Followed{Label: "payments", Commit: queued.Commit, Since: queued.CreatedAt.Add(-time.Second),
		Waves: [][]string{{"qa-payments-ledger"}}, Plan: promotion.Plan{Source: model.Environment{Name: "dev"}, Target: model.Environment{Name: "qa"}}}
	r.setM(m)
	r.press("P")
	r.requireScreen("Wave 1", "qa-payments-ledger", "◐ QUEUED", behind)
}

// TestDirectDeployOfALockedStackNamesTheHolder: deploying prod-payments-api,
// which maria.chen locked for a change freeze, names her and the note in
// the dialog before anything is typed; the refusal reads in full, with one
// glyph.
func TestDirectDeployOfALockedStackNamesTheHolder(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("prod-payments-api")
	r.press("D")
	r.requireScreen("Deploy prod-payments-api?", "Lock         ⊘ locked by maria.chen: “Change freeze: payments release on",
		"Friday”", "only the holder starts runs on it", "Protected: type the stack name (prod-payments-api)")
	r.typeText("prod-payments-api")
	r.press("enter")
	r.requireScreen("✗ deploy prod-payments-api:", "locked by maria.chen", "Change freeze: payments release on Friday")
	if strings.Contains(r.screen(), "✗ ✗") {
		t.Fatalf("the error's glyph is doubled:\n%s", r.screen())
	}
	if strings.Contains(r.screen(), "maria.c…") {
		t.Fatalf("the error is cut:\n%s", r.screen())
	}
}

// TestQaToProdStopsAtTheLockedPaymentsStack: the environment repository's
// qa → prod promotion reaches every prod stack in its second wave. Its
// gates judged only the repository's own stacks and said "5 of 5 pass";
// now they judge every stack of every wave, and maria.chen's change freeze
// on prod-payments-api fails one, which only a typed reason overrides. A
// lock of yours (a :freeze) is said, not failed.
func TestQaToProdStopsAtTheLockedPaymentsStack(t *testing.T) {
	r := newPromoteRig(t)
	repo := r.w.Stack("qa-network").Repo
	head := r.w.Push(repo, "qa", "network/main.tf", promotetest.AddResource("audit"))
	r.until("qa-network to wait for confirmation", func() bool { return r.w.DeployState("qa-network", head) == model.StateUnconfirmed })
	if _, err := r.w.E.Confirm(context.Background(), "qa-network", r.w.Stack("qa-network").LatestTrackedRun.ID); err != nil {
		t.Fatal(err)
	}
	r.until("qa-network to deploy", func() bool { return r.w.DeployState("qa-network", head) == model.StateFinished })
	before := r.w.Stack("prod-network").BranchHead

	r.typeText(":freeze prod release checks")
	r.press("enter")
	r.typeText("prod")
	r.press("enter")
	r.requireScreen("Lock: 6 sent, 0 failed")
	r.press("enter")
	r.until("the freeze", func() bool { return r.w.Stack("prod-identity").Lock != nil })

	r.press("P")
	r.selectCell("environment", "qa")
	r.press("enter")
	r.requireScreen("Promote environment  qa → prod", "wave 1 prod-network", "wave 2 prod-analytics",
		"prod-payments-api — locked by maria.chen (Change freeze: payments release on Friday): its runs will not start",
		"prod-identity — locked by you (release checks)",
		"✗ target stacks unlocked and enabled (", "prod-payments-api is locked by maria.chen (Change freeze: payments release on Friday)")
	var writable promotion.Gate
	for _, g := range find[promoview.Diff](r.driver).Gates() {
		if g.Name == promotion.GateTargetWritable {
			writable = g
		}
	}
	if writable.Pass || writable.Stacks < 6 || writable.Passed != writable.Stacks-1 || strings.Contains(writable.Reason, "prod-identity is locked") {
		t.Fatalf("the lock gate judged %d of %d stacks: %+v", writable.Passed, writable.Stacks, writable)
	}
	r.press("enter")
	r.requireScreen("Promote environment qa → prod?", "✗ gate target stacks unlocked and enabled (5 of 6 stacks): prod-payments-api",
		"is locked by maria.chen (Change freeze:", "type why you go ahead anyway")
	r.press("enter") // past the reason, to the environment's name
	r.typeText("prod")
	r.press("enter") // no reason: refused
	r.requireScreen("this cannot be left blank")
	r.press("esc")
	r.w.Sync()
	if got := r.w.Stack("prod-network").BranchHead; got != before {
		t.Fatalf("main moved to %s without a reason to override the failing gate", got)
	}
	if p := r.promotions(); len(p) != 0 {
		t.Fatalf("a refused promotion was audited as sent: %+v", p)
	}
}

// TestIgnoredAttributePassesTheDriftGate: qa-storefront's drifted
// default_ttl failed the storefront promotion's drift gate; once ignored
// (with a reason) the gate counts drift as the inbox does, and passes.
func TestIgnoredAttributePassesTheDriftGate(t *testing.T) {
	w := promotetest.New(t)
	b := repos.Wrap(w.E, repos.Options{Cache: &vcs.Cache{Dir: t.TempDir()}})
	rec := &audit.Memory{}
	d := newDriverOn(t, b, w.Clock.Now, 160, 48, func(o *testOptions) {
		o.Git, o.Audit, o.RepoFiles = w.Cache, rec, b.(RepoFiles)
		o.SaveDriftIgnore = func(drift.Rule) error { return nil }
	})
	r := &promoteRig{driver: d, w: w, rec: rec}
	repo := w.Stack("dev-storefront").Repo
	head := w.Push(repo, "dev", "terraform/main.tf", promotetest.AddResource("audit"))
	r.until("dev-storefront to deploy", func() bool { return w.DeployState("dev-storefront", head) == model.StateFinished })

	r.press("P")
	r.selectCell("storefront", "dev")
	r.press("enter")
	r.requireScreen("Promote storefront  dev → qa", "✗ no drift in target (0 of 1 stack) — qa-storefront has drifted (1 resource)")

	r.press("esc", "esc", "F", "enter", "j", "i")
	r.typeText("the CDN team tunes TTLs by hand")
	r.press("enter", "enter")
	r.requireScreen("qa-storefront (qa) · 0 resource(s) drifted, 1 ignored")

	r.press("P")
	r.selectCell("storefront", "dev")
	r.press("enter")
	r.requireScreen("Promote storefront  dev → qa", "✓ no drift in target (1 of 1 stack)")
}

// TestIgnoreAndUnignoreAreAudited: i asks why and goes through the
// confirmation and the audit log; I lists the rule with where it lives;
// d removes it (confirmed, audited) and the drift counts again; a
// repository's rule names the file to edit instead.
func TestIgnoreAndUnignoreAreAudited(t *testing.T) {
	rec := &audit.Memory{}
	var removed []drift.Rule
	d, _, saved := driftDriver(t, func(o *testOptions) {
		o.Audit = rec
		o.DriftIgnoreFile = "/home/me/.config/stackview/config.toml"
		o.RemoveDriftIgnore = func(r drift.Rule) error { removed = append(removed, r); return nil }
	})
	d.press("F", "enter", "j", "i")
	d.requireScreen("Ignore the drift of aws_cloudfront_distribution.cdn default_ttl in qa?",
		"Saved to     the user config, /home/me/.config/stackview/config.toml")
	d.typeText("TTLs are tuned by hand")
	d.press("enter", "enter")
	d.press("esc", "I")
	d.requireScreen("Drift ignore rules", "aws_cloudfront_distribution.cdn default_ttl · qa · ignores 1 now",
		"reason: TTLs are tuned by hand", "in user config /home/me/.config/stackview/config.toml",
		"tags.LastScanned", "in repository file storefront@qa:.stackview/drift-ignore.toml")
	d.press("d")
	d.requireScreen("Stop ignoring aws_cloudfront_distribution.cdn default_ttl in qa?", "Removed from the user config")
	d.press("y")
	d.requireScreen("no longer ignoring aws_cloudfront_distribution.cdn default_ttl in qa")
	if len(removed) != 1 || removed[0] != (*saved)[0] {
		t.Fatalf("removed %+v, saved %+v", removed, *saved)
	}
	var actions []string
	for _, e := range rec.Entries() {
		actions = append(actions, e.Action+": "+e.Detail)
	}
	if len(actions) != 2 || !strings.HasPrefix(actions[0], "ignore drift: ") || !strings.HasPrefix(actions[1], "unignore drift: ") ||
		!strings.Contains(actions[1], "reason: TTLs are tuned by hand") {
		t.Fatalf("audit = %q", actions)
	}
	// A repository's rule is not stackview's to remove.
	for range 5 {
		d.press("j")
	}
	d.press("d")
	d.requireScreen("rule of the repository file", "drift-ignore.toml: remove its [[ignore]] entry there")
	d.press("esc")
	d.requireScreen("Drift inbox · 2 stack(s) drifted")
}

// TestReconcileListsTheIgnoredResourcesItTouches: reconciling prod-network
// reverts the subnet tag its repository ignores too; the confirmation says
// so, and lists the five stacks that may run after it.
func TestReconcileListsTheIgnoredResourcesItTouches(t *testing.T) {
	d, _, _ := driftDriver(t)
	d.press("F", "j", "enter", "D")
	d.requireScreen("Deploy prod-network?", "Ignored      1 drifted resource ignore rules hide; its plan reverts it too:",
		"module.vpc.aws_subnet.private[0] tags.LastScanned — ignored:", "the nightly security scanner",
		"Then         5 stacks may run after it (1 wave)")
	d.press("down", "down", "down", "down", "down")
	d.requireScreen("prod-payments-api — locked by maria.chen")
}
