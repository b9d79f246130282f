package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/repos"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

// driftDriver opens the UI on the sandbox with its repositories' ignore
// files read through the clone cache (as every backend's are), recording
// the rules i saves.
func driftDriver(t *testing.T, tweak ...func(*testOptions)) (*driver, *sandbox.ManualClock, *[]drift.Rule) {
	t.Helper()
	e, clk := newSandbox(t)
	b := repos.Wrap(e, repos.Options{Cache: &vcs.Cache{Dir: t.TempDir()}})
	var saved []drift.Rule
	opts := append([]func(*testOptions){func(o *testOptions) {
		o.RepoFiles = b.(RepoFiles)
		o.SaveDriftIgnore = func(r drift.Rule) error { saved = append(saved, r); return nil }
	}}, tweak...)
	return newDriverOn(t, b, clk.Now, 160, 48, opts...), clk, &saved
}

// later moves the sandbox clock on and refreshes.
func (d *driver) later(clk *sandbox.ManualClock, by time.Duration) {
	d.t.Helper()
	clk.Advance(by)
	d.press("r")
}

// tabLine is the environment tabs with their counts, as the tree shows them.
func (d *driver) tabLine() string { return ansi.Strip(d.m().tabs()) }

func TestDriftInboxListsDriftAcrossEnvironments(t *testing.T) {
	d, _, _ := driftDriver(t)
	d.press("F")
	d.requireScreen("Drift inbox · 2 stack(s) drifted, 2 resource(s)", "qa-storefront", "prod-network",
		"aws_cloudfront_distribution.cdn", "aws_security_group.shared", "⚠ 1 +1 ign.")
	// The subnet's only drift is the scanner tag the repository ignores.
	d.requireNotOnScreen("module.vpc.aws_subnet.private")
	s := d.screen()
	if strings.Index(s, "qa-storefront") > strings.Index(s, "prod-network") {
		t.Fatalf("qa must come before prod:\n%s", s)
	}
	// prod also waits on two approvals (prod-storefront's deploy, prod-analytics' task).
	if tabs := d.tabLine(); !strings.Contains(tabs, "qa ?1 ⚠1") || !strings.Contains(tabs, "prod ?3 ⚠1") {
		t.Fatalf("tab counts = %q", tabs)
	}

	d.press("j", "enter")
	d.requireScreen("prod-network (prod) · 1 resource(s) drifted, 1 ignored", "aws_security_group.shared", "ingress",
		"module.vpc.aws_subnet.private", "tags.LastScanned", "ignored: the nightly security scanner stamps every resource it scans",
		"environment@main:.stackview/drift-ignore.toml")
	d.press("esc")
	d.requireScreen("Drift inbox")
	d.press("esc")
	d.requireScreen("STACK", "LATEST RUN")
	d.typeText(":drift")
	d.press("enter")
	d.requireScreen("Drift inbox")
}

func TestIgnoreHidesAResourceFromTheCount(t *testing.T) {
	d, _, saved := driftDriver(t)
	d.press("F", "enter") // qa-storefront
	d.requireScreen("qa-storefront (qa) · 1 resource(s) drifted", "default_ttl")
	d.press("j") // onto default_ttl, the one attribute that counts
	d.press("i")
	d.requireScreen("Ignore the drift of aws_cloudfront_distribution.cdn default_ttl in qa?", "Why is this drift noise?")
	d.press("enter") // no reason: refused
	d.requireScreen("Ignore the drift of")
	d.typeText("the CDN team tunes TTLs by hand")
	d.press("enter", "enter")
	d.requireScreen("qa-storefront (qa) · 0 resource(s) drifted, 1 ignored", "ignoring aws_cloudfront_distribution.cdn default_ttl in qa (saved to the config)")
	want := drift.Rule{Address: "aws_cloudfront_distribution.cdn", Attribute: "default_ttl", Environment: "qa", Reason: "the CDN team tunes TTLs by hand", Source: "config"}
	if len(*saved) != 1 || (*saved)[0] != want {
		t.Fatalf("saved = %+v, want %+v", *saved, want)
	}
	d.press("esc")
	d.requireScreen("Drift inbox · 1 stack(s) drifted, 1 resource(s)", "0 +1 ign.", "all of its drift is ignored")
	if tabs := d.tabLine(); strings.Contains(tabs, "qa ?1 ⚠") {
		t.Fatalf("qa still counts drift: %q", tabs)
	}
	// The tree marker comes from the same data, and survives a refresh.
	d.press("esc", "2")
	d.press("r")
	if s := d.forestStack("qa-storefront"); s.Drift.Drifted {
		t.Fatalf("qa-storefront still drifted in the tree: %+v", s.Drift)
	}
	d.press("i") // i means nothing in the tree
}

func TestCheckNowUpdatesTheInbox(t *testing.T) {
	d, clk, _ := driftDriver(t)
	before := d.forestStack("prod-network").Drift.RunID
	d.press("F", "j", "f")
	d.requireScreen("✓ drift-check prod-network: run")
	started := d.m().data.Drift.Started["prod-network"]
	if started.Kind != model.RunDriftCheck || started.ID == before {
		t.Fatalf("started %+v", started)
	}
	d.requireScreen("check " + started.ID)
	d.later(clk, 11*time.Second)
	d.requireScreen("check of prod-network ended FINISHED: 1 drifted, 1 ignored")
	if got := d.forestStack("prod-network").Drift.RunID; got != started.ID {
		t.Fatalf("drift run = %s, want the new check %s", got, started.ID)
	}
}

func TestReconcileFromTheInbox(t *testing.T) {
	d, clk, _ := driftDriver(t)
	d.press("F", "j", "enter", "D")
	d.requireScreen("Deploy prod-network?", "type the stack name (prod-network)")
	d.press("y", "enter") // y is text in a protected confirmation
	d.requireScreen("type prod-network exactly to go ahead")
	d.press("ctrl+u")
	d.typeText("prod-network")
	d.press("enter")
	d.requireScreen("✓ deploy prod-network: run")
	run := d.m().data.Drift.Started["prod-network"]
	if run.Title != "reconcile" || run.Kind != model.RunDeploy {
		t.Fatalf("followed %+v, want the reconcile deploy", run)
	}
	d.later(clk, 11*time.Second)
	// prod's approval policy holds the deploy: c is refused until v approves.
	d.requireScreen("reconcile " + run.ID + " UNCONFIRMED — needs approval: v approves, then c applies it")
	d.press("c")
	d.requireScreen("confirm unavailable: run " + run.ID + " needs approval before it can be confirmed; v approves or rejects it")
	d.press("v")
	d.requireScreen("Review prod-network?", "Approval     an approval policy holds this run until it is approved")
	d.typeText("prod-network")
	d.press("enter", "enter", "right", "right", "enter")
	d.requireScreen("✓ approve prod-network")
	d.press("c")
	d.requireScreen("Confirm prod-network?", "+0 ~2 -0")
	d.typeText("prod-network")
	d.press("enter")
	d.requireScreen("✓ confirm prod-network")
	d.later(clk, 10*time.Second)
	d.requireScreen("apply of prod-network ended FINISHED: no drift", "prod-network (prod) · no drift", "✓ prod-network matches its code")
	d.press("esc")
	d.requireScreen("Drift inbox · 1 stack(s) drifted", "▸ qa     qa-storefront")
	for _, e := range d.driftEntries() {
		if e.Stack.ID == "prod-network" {
			t.Fatalf("prod-network is still in the inbox: %+v", e.Report)
		}
	}
	if tabs := d.tabLine(); strings.Contains(tabs, "prod ?1 ⚠") {
		t.Fatalf("prod still counts drift: %q", tabs)
	}
}

func TestDriftActionsRefusedReadOnly(t *testing.T) {
	d, _, saved := driftDriver(t, func(o *testOptions) { o.ReadOnly = true })
	d.press("F", "f")
	d.requireScreen("read-only mode: check for drift refused")
	d.press("D")
	d.requireScreen("read-only mode: deploy refused")
	d.press("enter", "j", "i")
	d.requireScreen("read-only mode: ignoring drift writes the config")
	if len(*saved) != 0 || len(d.m().data.Drift.Started) != 0 {
		t.Fatalf("read-only mode acted: saved %v, started %v", *saved, d.m().data.Drift.Started)
	}
}

// otherBackend is the sandbox presented as another backend kind, with or
// without on-demand drift checks.
type otherBackend struct {
	*sandbox.Engine
	kind       string
	driftCheck bool
}

func (o otherBackend) Info() backend.Info {
	i := o.Engine.Info()
	i.Kind = o.kind
	return i
}

func (o otherBackend) Capabilities() backend.Capabilities {
	c := o.Engine.Capabilities()
	c.DriftCheck = o.driftCheck
	return c
}

func TestCheckNowSaysWhatItStarts(t *testing.T) {
	e, clk := newSandbox(t)
	d := newDriverOn(t, otherBackend{e, "spacelift", false}, clk.Now, 160, 48)
	d.press("F", "f")
	if msg := d.message(); !strings.Contains(msg, "✓ plan qa-storefront") || !strings.Contains(msg, "spacelift runs drift detection only on its schedule; started a proposed run") {
		t.Fatalf("message = %q", msg)
	}
	if k := d.m().data.Drift.Started["qa-storefront"].Kind; k != model.RunPlan {
		t.Fatalf("Spacelift check now started a %s, want a proposed run", k)
	}

	d = newDriverOn(t, otherBackend{e, "tfc", true}, clk.Now, 160, 48)
	d.press("F", "f")
	if msg := d.message(); !strings.Contains(msg, "(a refresh-only plan: HCP Terraform cannot start assessments through its API)") {
		t.Fatalf("message = %q", msg)
	}
	if k := d.m().data.Drift.Started["qa-storefront"].Kind; k != model.RunDriftCheck {
		t.Fatalf("TFC check now started a %s, want the refresh-only drift check", k)
	}
}
