package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promote/promotetest"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/modview"
	"github.com/stackview/stackview/internal/ui/tree"
)

const s3Bucket = "spacelift.io/acme/s3-bucket/aws"

// useAuditLogs adds an s3-bucket module block at 1.0.0 to a .tf file.
func useAuditLogs(old string) string {
	return old + "\n# Audit logs, kept for a year.\nmodule \"audit_logs\" {\n  source  = \"" + s3Bucket + "\"\n  version = \"1.0.0\"\n\n  name = \"audit\"\n}\n"
}

// bumpUnits are three business units' dev stacks and the file each adds
// s3-bucket to.
var bumpUnits = map[string]string{"dev-payments-ledger": "stacks/ledger/main.tf", "dev-identity": "terraform/main.tf", "dev-storefront": "terraform/main.tf"}

// newModulesWorld is a sandbox where three business units use s3-bucket
// 1.0.0 in every environment, deployed in dev, and the UI on it with the
// world's clone cache.
func newModulesWorld(t *testing.T, tweak ...func(*testOptions)) (*promotetest.World, *driver, *audit.Memory) {
	t.Helper()
	w := promotetest.New(t)
	setup := map[string]string{}
	for id, file := range bumpUnits {
		for _, branch := range []string{"dev", "qa", "main"} {
			head := w.Push(w.Stack(id).Repo, branch, file, useAuditLogs)
			if branch == "dev" {
				setup[id] = head
			}
		}
	}
	w.Until("the setup to deploy in dev", func() bool {
		for id, head := range setup {
			if w.DeployState(id, head) != model.StateFinished {
				return false
			}
		}
		return true
	})
	rec := &audit.Memory{}
	tweak = append([]func(*testOptions){func(o *testOptions) { o.Git, o.Audit = w.Cache, rec }}, tweak...)
	return w, newDriverOn(t, w.E, w.Clock.Now, 160, 60, tweak...), rec
}

// selectModule puts the modules view's cursor on a module's row.
func (d *driver) selectModule(address string) {
	d.t.Helper()
	i := slices.IndexFunc(d.mods().Rows(), func(r modview.Row) bool { return r.Unit == nil && r.Address == address })
	if i < 0 {
		d.t.Fatalf("no row for %s:\n%s", address, d.screen())
	}
	for d.mods().Cursor() < i {
		d.press("j")
	}
}

// TestModulesBumpDevAcrossThreeUnits is issue 8's story through the UI:
// the modules view shows three business units lagging on s3-bucket in every
// environment; b, a target, every repository, y → three commits on dev,
// their dev stacks run with the module's change in the plan, and the matrix
// shows dev ahead of qa and prod.
func TestModulesBumpDevAcrossThreeUnits(t *testing.T) {
	w, d, rec := newModulesWorld(t)
	d.press("M")
	d.requireScreen("MODULE / USED BY", "▸ s3-bucket  newest 2.0.0", "1.0.0 ↓2 ⚠", "payments  payments/stacks/ledger",
		"Where used:")
	d.selectModule(s3Bucket)
	d.requireScreen("dev   dev-identity", "terraform/main.tf:", "module audit_logs  1.0.0")

	d.press("b")
	d.requireScreen("Bump module s3-bucket", "Target version", "> 2.0.0", "Every repo (4)")
	d.press("ctrl+u")
	d.typeText("1.1.0")
	d.press("enter") // one scope on a module's row: enter goes on
	d.requireScreen("Bump s3-bucket to 1.1.0 in 3 repositories?", "stacks/ledger/main.tf:", "module audit_logs  1.0.0 → 1.1.0",
		"One commit per repository on dev, pushed to dev", "Left alone (at 1.1.0 or newer):", "analytics terraform/main.tf:")
	if len(d.m().ops.InFlight()) != 0 {
		t.Fatal("something was sent before the confirmation")
	}
	d.press("y")
	d.requireScreen("Bump s3-bucket to 1.1.0: 3 done, 0 failed", "pushed to dev — Bump module s3-bucket 1.0.0 → 1.1.0")
	d.press("enter")
	if len(d.m().ops.InFlight()) != 0 {
		t.Fatalf("still in flight: %v", d.m().ops.InFlight())
	}

	entries := rec.Entries()
	if len(entries) != 3 {
		t.Fatalf("audit entries %+v, want one per repository", entries)
	}
	for _, e := range entries {
		if e.Action != "bump" || e.Environment != "dev" || e.Result != audit.ResultOK || !strings.Contains(e.Detail, "pushed to dev") {
			t.Errorf("audit entry %+v", e)
		}
	}

	w.Sync()
	commits := d.mods().Following()
	for id := range bumpUnits {
		commit := commits[id]
		if commit == "" || w.Stack(id).BranchHead != commit {
			t.Fatalf("%s: dev head %s, followed commit %q", id, w.Stack(id).BranchHead, commit)
		}
		w.Until(id+" to deploy the bump", func() bool { return w.DeployState(id, commit) == model.StateFinished })
	}
	d.fireTimers() // the refresh picks the runs up
	d.requireScreen("dev-payments-ledger", "plan +1 ~2 -0")
	if got := strings.Count(d.screen(), "plan +1 ~2 -0"); got != 3 {
		t.Fatalf("%d followed runs show the plan delta, want 3:\n%s", got, d.screen())
	}

	units := 0
	for _, row := range d.mods().Rows() {
		if row.Address != s3Bucket || row.Unit == nil || strings.HasPrefix(row.Unit.Label, "analytics") {
			continue
		}
		units++
		var got []string
		for _, e := range d.m().envs {
			got = append(got, d.mods().Cell(row, e.Branch))
		}
		if want := []string{"1.1.0 ↓1 ⚠", "1.0.0 ↓2 ⚠", "1.0.0 ↓2 ⚠"}; !slices.Equal(got, want) {
			t.Errorf("%s by environment = %q, want dev ahead of qa and prod %q", row.Unit.Label, got, want)
		}
	}
	if units != 3 {
		t.Fatalf("%d business units use s3-bucket besides analytics, want 3", units)
	}
	d.requireScreen("payments  payments/stacks/ledger    1.1.0 ↓1 ⚠        1.0.0 ↓2 ⚠        1.0.0 ↓2 ⚠")
}

// TestModulesBumpRefusedReadOnly: b in read-only mode sends nothing.
func TestModulesBumpRefusedReadOnly(t *testing.T) {
	_, d, rec := newModulesWorld(t, func(o *testOptions) { o.ReadOnly = true })
	d.press("M")
	d.selectModule(s3Bucket)
	d.press("b")
	d.requireScreen("read-only mode: bump refused")
	if d.dialogOpen() || len(rec.Entries()) != 0 {
		t.Fatal("read-only mode opened the bump")
	}
}

// TestModulesBumpUnknownVersion: a target the registry does not have is
// refused before anything is edited; esc leaves the view.
func TestModulesBumpUnknownVersion(t *testing.T) {
	_, d, rec := newModulesWorld(t)
	d.press("M")
	d.selectModule(s3Bucket)
	d.press("b", "ctrl+u")
	d.typeText("1.7.0")
	d.press("enter")
	d.requireScreen(`bump refused: spacelift.io/acme/s3-bucket/aws has no version "1.7.0"`)
	if d.dialogOpen() || len(rec.Entries()) != 0 {
		t.Fatal("an unknown version went ahead")
	}
	d.press("esc")
	if _, ok := d.top().(tree.Model); !ok {
		t.Fatalf("esc left %T on top", d.top())
	}
}

// TestModulesUnreadableFileReported: a .tf file that does not parse is
// named with its line under the table, and the other branches still count.
func TestModulesUnreadableFileReported(t *testing.T) {
	w := promotetest.New(t)
	w.Push(w.Stack("dev-identity").Repo, "dev", "terraform/main.tf", func(old string) string { return old + "\nmodule \"x\" {\n  source = \n" })
	d := newDriverOn(t, w.E, w.Clock.Now, 160, 60, func(o *testOptions) { o.Git = w.Cache })
	d.press("M")
	d.requireScreen("⚠ 1 Terraform file could not be read (skipped):", "identity@dev terraform/main.tf:", "▸ iam-role",
		"identity  identity/terraform        —                 1.0.1 ↓1")
}

// TestModulesBumpAsPullRequest: with the pull-request strategy the bump is
// proposed on its own branch, sent once, dev does not move and no run is
// followed.
func TestModulesBumpAsPullRequest(t *testing.T) {
	w := promotetest.New(t)
	before := w.Stack("dev-identity").BranchHead
	d := newDriverOn(t, w.E, w.Clock.Now, 160, 60, func(o *testOptions) { o.Git, o.Strategy = w.Cache, promotion.PullRequest })
	d.press("M")
	d.selectModule("spacelift.io/acme/iam-role/aws")
	d.press("b", "enter")
	d.requireScreen("Bump iam-role to 1.1.0 in 1 repository?", "proposed as a pull request to dev")
	d.Hold = true // the bump is slow: b again must not send it twice
	d.press("y")
	d.press("b")
	d.requireScreen("a bump of spacelift.io/acme/iam-role/aws was sent; waiting for the answer")
	if d.dialogOpen() {
		t.Fatal("b opened a second bump while the first was in flight")
	}
	d.release()
	d.requireScreen("Bump iam-role to 1.1.0: 1 done, 0 failed", "stackview/bump-iam-role-1.1.0", "not on GitHub")
	w.Sync()
	if got := w.Stack("dev-identity").BranchHead; got != before || len(d.mods().Following()) != 0 {
		t.Fatalf("dev moved to %s (was %s), following %v", got, before, d.mods().Following())
	}
}

// TestModulesBumpProtectedDev: when dev is protected the module's name must
// be typed; y alone sends nothing.
func TestModulesBumpProtectedDev(t *testing.T) {
	w := promotetest.New(t)
	envs := model.DefaultEnvironments()
	envs[0].Protected = true
	d := newDriverOn(t, w.E, w.Clock.Now, 160, 60, func(o *testOptions) { o.Git, o.Environments = w.Cache, envs })
	d.press("M")
	d.selectModule("spacelift.io/acme/iam-role/aws")
	d.press("b", "enter")
	d.requireScreen("Protected: type the module name (iam-role) to go ahead")
	d.press("y", "enter")
	d.requireScreen("type iam-role exactly to go ahead")
	if len(d.m().ops.InFlight()) != 0 {
		t.Fatal("sent without the name typed")
	}
	d.press("ctrl+u")
	d.typeText("iam-role")
	d.press("enter")
	d.requireScreen("Bump iam-role to 1.1.0: 1 done, 0 failed")
}
