package ui

import (
	"errors"
	"flag"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promote/promotetest"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// goldenSizes are the terminal sizes every screen is pinned at.
var goldenSizes = [][2]int{{80, 24}, {160, 48}}

// goldenUpdate regenerates this package's goldens. The -update flag is
// golden's, defined only in the test binaries that import it: given to
// ./internal/ui/... it fails every package but this one.
const goldenUpdate = "go test ./internal/ui -run Golden -update"

// goldenTests are the tests that pin goldens: goldenUpdate's -run runs them.
var goldenTests = []string{"TestGolden", "TestGoldenHelpSmall", "TestGoldenGitScreens", "TestSandboxGolden"}

// requireGolden is golden.RequireEqual, saying how to regenerate the
// goldens when the change is meant.
func requireGolden(t *testing.T, out string) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("if the change is meant, regenerate the goldens with: %s", goldenUpdate)
		}
	})
	golden.RequireEqual(t, out)
}

// TestGoldenUpdateWorks: the regenerate command's flag exists in this
// package's test binary and its -run selects every golden test.
func TestGoldenUpdateWorks(t *testing.T) {
	if flag.Lookup("update") == nil {
		t.Fatalf("%q: this test binary has no -update flag", goldenUpdate)
	}
	run := regexp.MustCompile(strings.Fields(goldenUpdate)[4])
	for _, name := range goldenTests {
		if !run.MatchString(name) {
			t.Errorf("%q does not run %s", goldenUpdate, name)
		}
	}
}

// TestGolden pins the rendered content (ANSI stripped) of every screen on
// the fake organisation at 80×24 and 160×48 (goldenUpdate regenerates).
func TestGolden(t *testing.T) {
	screens := []struct {
		name     string
		setup    func(*uitest.Fake)
		keys     []string
		typed    string
		writable bool // read-only otherwise, so no key can change the organisation
	}{
		{name: "tree"},
		{name: "prod-drifted-selected", keys: []string{"3", "j", "j"}},
		{name: "detail", keys: []string{"3", "j", "j", "j", "j", "enter"}},
		{name: "filter", typed: "/pay"},
		{name: "help", keys: []string{"?"}},
		{name: "load-error", setup: func(f *uitest.Fake) { f.FailList(errors.New("dial tcp 10.0.0.1:443: i/o timeout")) }},
		{name: "run", keys: []string{"3", "j", "j", "j", "l"}},
		{name: "history", keys: []string{"3", "j", "j", "H"}},
		{name: "drift-inbox", keys: []string{"F"}},
		{name: "stack-drift", keys: []string{"F", "enter"}},
		{name: "dialog", keys: []string{"3", "j", "j", "j", "x"}, writable: true},
		{name: "bulk-review", keys: []string{"3", "ctrl+a", "p"}, writable: true},
		{name: "command", typed: ":env pr"},
		{name: "bulk-confirm", setup: func(f *uitest.Fake) {
			for _, id := range []string{"qa-payments-api", "qa-payments-worker", "qa-legacy-reports"} {
				f.SetPlan(id, id+"-bump", moduleBump(id, map[bool]string{true: "1024", false: "512"}[id == "qa-legacy-reports"]))
			}
		}, keys: []string{"2", "ctrl+a", "c"}, writable: true},
		{name: "copy-menu", keys: []string{"j", "j", "l", "y"}},
		{name: "waves", keys: []string{"P"}},
		{name: "attention", keys: []string{"A", "j"}},
		{name: "messages", keys: []string{"u", "j", "j", "c", "e"}, writable: true},
		{name: "ignore-rules", keys: []string{"F", "I"}},
		{name: "deploy-radius", keys: []string{"3", "D"}, writable: true},
	}
	for _, size := range goldenSizes {
		for _, sc := range screens {
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], sc.name), func(t *testing.T) {
				fake := uitest.NewFake()
				if sc.setup != nil {
					sc.setup(fake)
				}
				d := newDriverWith(t, fake, size[0], size[1], func(o *testOptions) {
					o.ReadOnly = !sc.writable
					o.DriftIgnore = []drift.Rule{{Address: "aws_iam_role.*", Attribute: "tags.*", Environment: "prod",
						Reason: "tags set by the org's tagging bot", Source: drift.SourceConfig}}
					o.DriftIgnoreFile = "~/.config/stackview/config.toml"
				})
				if sc.name == "waves" {
					followFakePromotion(d)
				}
				d.press(sc.keys...)
				d.typeText(sc.typed)
				requireGolden(t, d.screen())
			})
		}
	}
}

// followFakePromotion makes the fake's qa follow a promotion, as if one
// had just been pushed.
func followFakePromotion(d *driver) {
	m := d.m()
	m.data.Following = &promotion.Followed{Label: "payments", Commit: "q0000003", Since: uitest.Epoch.Add(-10 * 60e9),
		Waves: [][]string{{"qa-payments-api"}, {"qa-payments-worker"}}}
	m.data.Following.Plan.Source = model.Environment{Name: "dev", Branch: "dev"}
	m.data.Following.Plan.Target = model.Environment{Name: "qa", Branch: "qa"}
	d.setM(m)
}

// TestGoldenHelpSmall pins help on the smallest terminal the UI draws on.
func TestGoldenHelpSmall(t *testing.T) {
	d := newDriver(t, 60, 16, func(o *testOptions) { o.ReadOnly = true })
	d.press("?")
	requireGolden(t, d.screen())
}

// tempURL is a file URL under a test's temporary directory.
var tempURL = regexp.MustCompile(`file://\S+`)

// TestGoldenGitScreens pins the screens that read git: the modules view,
// the promotion board and a promotion's diff, on the sandbox's
// repositories (their temporary paths masked).
func TestGoldenGitScreens(t *testing.T) {
	w := promotetest.New(t)
	for _, size := range goldenSizes {
		for _, sc := range []struct {
			name string
			keys []string
		}{
			{"modules", []string{"M"}},
			{"board", []string{"P"}},
			{"diff", []string{"P", "j", "enter"}},
		} {
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], sc.name), func(t *testing.T) {
				d := newDriverOn(t, w.E, w.Clock.Now, size[0], size[1], func(o *testOptions) { o.Git = w.Cache })
				d.press(sc.keys...)
				// The paths differ in length, so the padding after them does too.
				var lines []string
				for _, l := range strings.Split(tempURL.ReplaceAllString(d.screen(), "file://…"), "\n") {
					lines = append(lines, strings.TrimRight(l, " "))
				}
				requireGolden(t, strings.Join(lines, "\n"))
			})
		}
	}
}
