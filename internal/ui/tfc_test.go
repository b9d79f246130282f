package ui

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/repos"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/vcs"
)

// tfcDriver opens the UI on the sandbox served in the TFC dialect and read
// through the real TFC client, as `--backend tfc` against `sandbox serve`.
func tfcDriver(t *testing.T, reader bool) (*driver, *sandbox.ManualClock) {
	t.Helper()
	e, clk := newSandbox(t)
	srv := tfcapi.New(e, tfcapi.Options{})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	token := srv.Token()
	if reader {
		token = srv.ReaderToken()
	}
	c, err := tfc.New(context.Background(), tfc.Config{Address: ts.URL, Organization: srv.Organization(), HomeDir: t.TempDir(),
		Env:   func(k string) string { return map[string]string{"TFE_TOKEN": token}[k] },
		Clock: sandbox.NewManualClock(sandboxEpoch)}) // paced in virtual time
	if err != nil {
		t.Fatal(err)
	}
	b := repos.Wrap(c, repos.Options{Cache: &vcs.Cache{Dir: t.TempDir()}})
	d := newDriverOn(t, b, clk.Now, 160, 48, func(o *testOptions) { o.RepoFiles = b.(RepoFiles) })
	d.eng = e
	return d, clk
}

// Issue 15 point 6: on TFC a drift check is a refresh-only plan, which
// never becomes the workspace's current run and leaves its assessment as
// it was; the UI follows the check by its own id and reports what its own
// plan found.
func TestTFCDriftCheckIsFollowedByItsOwnRun(t *testing.T) {
	d, clk := tfcDriver(t, false)
	// TFC lists no drift: the inbox reads the assessments when it opens,
	// and says "not read yet", never "no drift", until they are read.
	d.Hold = true
	d.press("F")
	d.requireScreen("Drift inbox", "drift of 2 stack(s) not read yet")
	d.requireNotOnScreen("no drift:")
	d.Release()
	d.requireScreen("Drift inbox", "qa-storefront")
	d.press("f")
	d.requireScreen("a refresh-only plan")
	started, ok := d.m().data.Drift.Started["ws-qa-storefront"]
	if !ok {
		t.Fatalf("the check is not followed: %v", d.m().data.Drift.Started)
	}
	clk.Advance(11 * time.Second)
	d.press("r")
	d.requireScreen("check of qa-storefront ended FINISHED: 1 drifted")
	if s := d.forestStack("ws-qa-storefront"); s.LatestRun != nil && s.LatestRun.ID == started.ID {
		t.Error("the refresh-only plan became the workspace's current run")
	}
}

// Issue 15: for a user who may not read drifted resources, the detail says
// the stack drifted and why its resources are not listed.
func TestTFCDetailSaysWhyDriftIsNotKnown(t *testing.T) {
	d, _ := tfcDriver(t, true)
	d.typeText(":stack prod-network")
	d.press("enter")
	d.requireScreen("⚠ drifted", "(listing the drifted resources needs", "admin access to the workspace")
}

// Issue 15 point 4: the detail names the repository as the forge does
// (owner/name, from the workspace's VCS identifier), not by a clone URL
// on a random loopback port.
func TestTFCDetailNamesTheRepositoryAsTheForgeDoes(t *testing.T) {
	d, _ := tfcDriver(t, false)
	d.typeText(":stack prod-network")
	d.press("enter")
	d.requireScreen("Repository", "acme/environment")
	d.requireNotOnScreen("environment.git")
	if s := d.forestStack("ws-prod-network"); s == nil || s.Repository.Name != "environment" {
		t.Fatalf("the stack's repository: %+v", s)
	}
}
