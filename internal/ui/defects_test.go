package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// The tests of this file pin the user-visible defects issue 17 lists; each
// failed on the UI before the screen stack.

// footerLine is the last line on screen: the footer.
func (d *driver) footerLine() string {
	lines := strings.Split(d.screen(), "\n")
	return lines[len(lines)-1]
}

// headerLine is the first line on screen.
func (d *driver) headerLine() string { return strings.Split(d.screen(), "\n")[0] }

// TestHelpFooterIsHelps: with help open the footer shows help's own keys,
// whatever screen is under it.
func TestHelpFooterIsHelps(t *testing.T) {
	for name, keys := range map[string][]string{"tree": nil, "run view": {"l"}, "history": {"H"}} {
		t.Run(name, func(t *testing.T) {
			d := newDriver(t, 120, 30)
			d.press(keys...)
			d.press("?")
			f := d.footerLine()
			for _, want := range []string{"close help", "q quit"} {
				if !strings.Contains(f, want) {
					t.Errorf("help's footer lacks %q: %q", want, f)
				}
			}
			for _, unwanted := range []string{"follow", "open run", "filter", "detail"} {
				if strings.Contains(f, unwanted) {
					t.Errorf("help's footer offers the screen under it (%q): %q", unwanted, f)
				}
			}
		})
	}
}

// helpText scrolls help to its end and returns every line it showed.
func (d *driver) helpText() string {
	d.t.Helper()
	var all strings.Builder
	for range 50 {
		s := d.screen()
		all.WriteString(s)
		if !strings.Contains(s, "more (j/k") {
			return all.String()
		}
		d.press("pgdown")
	}
	d.t.Fatal("help never reached its end")
	return ""
}

// TestHelpShowsEveryKeyAtSmallSizes: at 80×24 and 60×16 help scrolls
// through every key of the screen, the global ones (M, P, :) included.
func TestHelpShowsEveryKeyAtSmallSizes(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 16}} {
		d := newDriver(t, size[0], size[1])
		c := d.ctx()
		groups := append(d.top().Keys(c), d.m().globals(c, d.top()))
		d.press("?")
		if f := d.footerLine(); !strings.Contains(f, "scroll down") {
			t.Errorf("%dx%d: help does not offer to scroll: %q", size[0], size[1], f)
		}
		text := d.helpText()
		for _, g := range groups {
			for _, a := range g.Actions {
				desc := a.Help
				if desc == "" {
					desc = c.Keys.Desc(a.Key)
				}
				if !strings.Contains(text, c.Keys.Key(a.Key)) || !strings.Contains(text, strings.Fields(desc)[0]) {
					t.Errorf("%dx%d: help never shows %s %s", size[0], size[1], c.Keys.Key(a.Key), desc)
				}
			}
		}
		for _, want := range []string{"modules (versions, bumps)", "drift inbox", "filter (name, re:, state:, kind:, is:)", "is:drifted|locked|waiting|behind", "command (:env"} {
			if !strings.Contains(text, want) {
				t.Errorf("%dx%d: help never shows %q", size[0], size[1], want)
			}
		}
	}
}

// TestRunFooterOffersWhatTheRunTakes: confirm and discard only while the run
// waits, retry once it failed.
func TestRunFooterOffersWhatTheRunTakes(t *testing.T) {
	r := newActionRig(t)
	r.selectStack("dev-network") // its latest deploy finished
	r.press("l")
	r.advance(2 * time.Second)
	if f := r.footerLine(); strings.Contains(f, "c confirm") || strings.Contains(f, "x discard") || strings.Contains(f, "R retry") {
		t.Errorf("a finished run's footer offers what it does not take: %q", f)
	}
	r.press("esc")
	r.selectStack("dev-analytics") // its latest deploy failed
	r.press("l")
	if f := r.footerLine(); !strings.Contains(f, "R retry") || strings.Contains(f, "c confirm") {
		t.Errorf("a failed run's footer: %q", f)
	}
	r.press("esc")
	r.selectStack("qa-payments-ledger") // a deploy waits for confirmation
	r.press("l")
	if f := r.footerLine(); !strings.Contains(f, "c confirm") || !strings.Contains(f, "x discard") || strings.Contains(f, "R retry") {
		t.Errorf("a waiting run's footer: %q", f)
	}
}

// TestReadOnlyFooterOffersNoMutation: in read-only mode no footer offers a
// key that would be refused.
func TestReadOnlyFooterOffersNoMutation(t *testing.T) {
	r := newActionRig(t, func(o *testOptions) { o.ReadOnly = true })
	for _, keys := range [][]string{nil, {"l"}, {"H"}, {"F"}, {"F", "enter"}} {
		r.press("esc", "esc", "esc")
		r.selectStack("qa-payments-ledger")
		r.press(keys...)
		f := r.footerLine()
		for _, k := range []string{"p plan", "D deploy", "c confirm", "x discard", "R retry", "L lock", "f check", "i ignore", "D reconcile"} {
			if strings.Contains(f, k) {
				t.Errorf("after %v the read-only footer offers %q: %q", keys, k, f)
			}
		}
	}
}

// TestEscPopsOneScreen: esc goes back one screen, to the one it came from.
func TestEscPopsOneScreen(t *testing.T) {
	d := newDriver(t, 120, 30)
	d.press("l", "?")
	d.requireScreen("Keys for the run view")
	d.press("esc")
	d.requireScreen("Run dev-network-run1")
	d.press("esc")
	d.requireScreen("STATE", "dev-network")
}

// TestBreadcrumbSaysWhereYouAre: below the header, the way here.
func TestBreadcrumbSaysWhereYouAre(t *testing.T) {
	d := newDriver(t, 120, 30)
	d.press("3", "j", "j", "l")
	if line := strings.Split(d.screen(), "\n")[1]; !strings.Contains(line, "prod › prod-payments-api › run prod-payme… › log") {
		t.Fatalf("breadcrumb = %q", line)
	}
	d.press("esc", "H", "enter")
	if line := strings.Split(d.screen(), "\n")[1]; !strings.Contains(line, "prod › prod-payments-api › runs › run") {
		t.Fatalf("breadcrumb = %q", line)
	}
}

// TestHeaderOrderAt80Columns: badges, attention, load progress, data age,
// endpoint — cut from the end.
func TestHeaderOrderAt80Columns(t *testing.T) {
	d := newDriver(t, 80, 24, func(o *testOptions) { o.ReadOnly = true })
	m := d.m()
	m.data.Attention = screenCount(3, 0)
	m.data.Progress = screenCount(40, 100)
	d.setM(m)
	h := d.headerLine()
	order := []string{"[SANDBOX]", "[READ-ONLY]", "⚑ 3 need you", "⟳ 40/100", "updated 0s ago", "sandbox"}
	at := -1
	for _, part := range order {
		i := strings.Index(h, part)
		if i < 0 || i < at {
			t.Fatalf("header %q: %q missing or out of order", h, part)
		}
		at = i
	}
}

// TestMessagesFade: a message fades after a few seconds on the model's
// clock; an error stays until the next key.
func TestMessagesFade(t *testing.T) {
	now := uitest.Epoch
	d := newDriver(t, 120, 30, func(o *testOptions) { o.Now = func() time.Time { return now } })
	d.press("u")
	d.requireScreen("copied https://acme.example/stack/dev-network")
	now = now.Add(2 * time.Second)
	d.fireTimers()
	d.requireScreen("copied https://acme.example")
	now = now.Add(5 * time.Second)
	d.fireTimers()
	d.requireNotOnScreen("copied")

	d.press("c") // refused: no run waits
	d.requireScreen("✗ confirm unavailable")
	now = now.Add(time.Minute)
	d.fireTimers()
	d.requireScreen("✗ confirm unavailable") // errors do not fade
	d.press("j")
	d.requireNotOnScreen("confirm unavailable") // the next key reads them
}

// TestLongErrorCanBeReadWhole: ! shows a message cut off by the width,
// and keeps it.
func TestLongErrorCanBeReadWhole(t *testing.T) {
	d := newDriver(t, 60, 16)
	d.forestStack("dev-network").CanWrite = false
	d.press("p")
	// Not cut: the error wraps over the bottom of the body, with one ✗.
	d.requireScreen("✗ plan unavailable: you have no write access", "to dev-network")
	if n := strings.Count(d.screen(), "✗ ✗"); n != 0 {
		t.Fatalf("the error's glyph is doubled:\n%s", d.screen())
	}
	if !strings.Contains(d.footerLine(), "e recent messages") {
		t.Fatalf("footer does not offer the messages: %q", d.footerLine())
	}
	d.press("e")
	d.requireScreen("Recent messages", "✗ plan unavailable: you have no write access to", "dev-network")
	d.press("esc")
	d.requireScreen("STATE", "dev-network")
	d.typeText(":messages")
	d.press("enter")
	d.requireScreen("Recent messages", "✗ plan unavailable") // the log keeps it after the next key
}

// followedRig is a promotion pushed from the UI, its waves followed.
func followedRig(t *testing.T) *promoteRig {
	t.Helper()
	r := newPromoteRig(t)
	_, head := r.deployedChange()
	r.press("P")
	r.selectCell("identity", "dev")
	r.press("enter", "enter", "y")
	r.requireScreen("Promotion dev → qa: qa is at " + model.ShortSHA(head))
	return r
}

// TestFollowedPromotionIsReachable: the promotion being followed lives in
// the model: H then esc returns to its waves, and P reopens them from
// anywhere.
func TestFollowedPromotionIsReachable(t *testing.T) {
	r := followedRig(t)
	r.selectWaveStack("qa-identity")
	r.press("H")
	r.requireScreen("Runs of qa-identity")
	r.press("esc")
	r.requireScreen("Promotion dev → qa: qa is at")
	r.press("esc", "esc")
	r.requireScreen("STATE", "LATEST RUN")
	r.press("P")
	r.requireScreen("Promotion dev → qa: qa is at", "Wave 1", "qa-identity")
	r.press("F", "P") // from another screen too
	r.requireScreen("Promotion dev → qa: qa is at")
}

// TestQuitAsksWhileAPromotionIsFollowed: q asks once while the followed
// promotion's runs go on, then quits.
func TestQuitAsksWhileAPromotionIsFollowed(t *testing.T) {
	r := followedRig(t)
	r.press("q")
	if r.Quit {
		t.Fatal("q quit while the promotion's runs were followed")
	}
	r.requireScreen("is still running: press q again to quit")
	r.press("q")
	if !r.Quit {
		t.Fatal("the second q did not quit")
	}
}

// TestIgnoringDriftIsAudited: an ignore rule hides drift from every count,
// so it is a change the audit log records.
func TestIgnoringDriftIsAudited(t *testing.T) {
	rec := &audit.Memory{}
	d, _, _ := driftDriver(t, func(o *testOptions) { o.Audit = rec })
	d.press("F", "enter", "j", "i")
	d.typeText("TTLs are tuned by hand")
	d.press("enter", "enter")
	d.requireScreen("ignoring aws_cloudfront_distribution.cdn default_ttl in qa")
	e := rec.Entries()
	if len(e) != 1 || e[0].Action != "ignore drift" || e[0].Environment != "qa" || e[0].Target != "aws_cloudfront_distribution.cdn" ||
		!strings.Contains(e[0].Detail, "reason: TTLs are tuned by hand") {
		t.Fatalf("audit = %+v", e)
	}
}

// TestPromotionMovesGoThroughThePipeline: a promotion is in flight in the
// pipeline like any mutation, so quitting warns and it cannot be sent twice.
func TestPromotionMovesGoThroughThePipeline(t *testing.T) {
	r := newPromoteRig(t)
	r.press("P")
	r.selectCell("identity", "dev")
	r.press("enter", "enter")
	r.Hold = true
	r.press("y")
	if got := r.m().ops.InFlight(); len(got) != 1 {
		t.Fatalf("in flight while the promotion is sent: %v", got)
	}
	r.release()
	if got := r.m().ops.InFlight(); len(got) != 0 {
		t.Fatalf("in flight after the answer: %v", got)
	}
}

func screenCount(n, total int) screen.Count { return screen.Count{Known: true, N: n, Total: total} }
