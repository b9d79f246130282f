package ui

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/ui/uitest"
)

// counted is the status line's "N/T stacks".
var counted = regexp.MustCompile(`(\d+)/(\d+) stacks`)

// FuzzFilterAndCommand types arbitrary text as a "/" filter and as a ":"
// command line: the UI must answer (a result or an error message) and keep
// rendering, never panic. A filter it takes shows exactly dev's stacks
// whose name or business unit it matches (by its own rules, computed here
// apart), a subset of them; a rejected one says why and leaves the tree
// whole and usable.
func FuzzFilterAndCommand(f *testing.F) {
	for _, s := range []string{"api", "re:^prod-", "re:(", "re:[a-", "env prod", "stack prod-identity",
		"freeze qa release", "unfreeze", "stack", "help", "env", "  ", "re:\\", "ünïcödé", "PAY", "re:WORK|search"} {
		f.Add(s)
	}
	type stack struct{ name, unit string }
	var dev []stack
	listed, err := uitest.NewFake().ListStacks(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range listed {
		if slices.Contains(s.Labels, "env:dev") {
			st := stack{name: s.Name}
			for _, l := range s.Labels {
				if u, ok := strings.CutPrefix(l, "bu:"); ok {
					st.unit = u
				}
			}
			dev = append(dev, st)
		}
	}
	// want is how many of dev's stacks filter matches, or -1 when it is
	// not a filter (a malformed expression).
	want := func(filter string) int {
		match := func(s string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(filter)) }
		if expr, ok := strings.CutPrefix(filter, "re:"); ok {
			re, err := regexp.Compile("(?i)" + expr)
			if err != nil {
				return -1
			}
			match = re.MatchString
		}
		n := 0
		for _, s := range dev {
			if match(s.name) || match(s.unit) { // an empty unit too: re:^$ finds the stacks of no unit
				n++
			}
		}
		return n
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f { // control keys are key presses of their own, not typed text
				return -1
			}
			return r
		}, s)
		if strings.HasPrefix(s, "q") || strings.HasPrefix(strings.TrimSpace(s), "q") {
			s = "x" + s // ":q" ends the program, which is not under test here
		}
		d := newDriver(t, 100, 30)
		d.typeText("/" + s)
		d.press("enter")
		scr := d.screen()
		n := want(s)
		if n < 0 {
			if d.tree().Filter() != "" || !strings.Contains(d.message(), "bad regular expression") {
				t.Fatalf("the malformed %q: filter %q, message %q", s, d.tree().Filter(), d.message())
			}
			n = len(dev) // the tree stays whole
		}
		m := counted.FindStringSubmatch(scr)
		if m == nil {
			t.Fatalf("filtered by %q, no count on screen:\n%s", s, scr)
		}
		if got, total := atoi(t, m[1]), atoi(t, m[2]); got != n || total != len(dev) {
			t.Fatalf("filtered by %q: %s/%s stacks shown, want %d/%d:\n%s", s, m[1], m[2], n, len(dev), scr)
		}
		d.press("esc", "j", "k")
		d.typeText(":" + s)
		d.press("enter")
		if d.Quit {
			t.Fatalf("%q quit", s)
		}
		_ = d.screen()
		d.press("esc", "esc")
		_ = d.screen()
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
