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
	// want is how many of dev's stacks a filter line matches: terms apart
	// by spaces, all of which must hold; a term is text in the name or the
	// business unit (any case), or re: an expression. -1: the line is not
	// a filter (a malformed expression); -2: it has terms (state:, is:…)
	// this reading leaves to stackfilter's own tests.
	want := func(line string) int {
		var terms []func(string) bool
		for _, term := range strings.Fields(line) {
			key, val, ok := strings.Cut(term, ":")
			switch {
			case ok && key == "re":
				re, err := regexp.Compile("(?i)" + val)
				if err != nil {
					return -1
				}
				terms = append(terms, re.MatchString)
			case ok && key != "" && strings.Trim(key, "abcdefghijklmnopqrstuvwxyz") == "":
				return -2
			default:
				needle := strings.ToLower(term)
				terms = append(terms, func(s string) bool { return strings.Contains(strings.ToLower(s), needle) })
			}
		}
		n := 0
		for _, s := range dev {
			all := true
			for _, match := range terms {
				// An empty unit too: re:^$ finds the stacks of no unit.
				all = all && (match(s.name) || match(s.unit))
			}
			if all {
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
		rejected := d.tree().Filter() == "" && strings.TrimSpace(s) != ""
		if n == -1 && (!rejected || !strings.Contains(d.message(), "bad regular expression")) {
			t.Fatalf("the malformed %q: filter %q, message %q", s, d.tree().Filter(), d.message())
		}
		if rejected {
			if n >= 0 || d.message() == "" {
				t.Fatalf("%q rejected (message %q)", s, d.message())
			}
			n = len(dev) // the tree stays whole
		}
		m := counted.FindStringSubmatch(scr)
		if m == nil {
			t.Fatalf("filtered by %q, no count on screen:\n%s", s, scr)
		}
		got, total := atoi(t, m[1]), atoi(t, m[2])
		if total != len(dev) || got > total || (n >= 0 && got != n) {
			t.Fatalf("filtered by %q: %d/%d stacks shown, want %d of %d:\n%s", s, got, total, n, len(dev), scr)
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
