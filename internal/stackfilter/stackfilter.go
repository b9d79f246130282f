// Package stackfilter is the tree's filter line and sort orders, pure (it
// reads stacks, nothing else), so a listing can be filtered and sorted off
// the UI's loop and `ls` filters as the tree does.
//
// A filter line is terms separated by spaces, all of which must hold:
//
//	payments         the name or business unit contains it (any case)
//	re:^prod-        the name or business unit matches the expression
//	state:failed     the stack's state (a prefix; several: state:failed,unconfirmed)
//	kind:plan        the kind of its latest run (plan, deploy, drift-check, …)
//	is:drifted       drift that counts (after ignore rules)
//	is:locked        someone holds its lock
//	is:waiting       a run waits for a person (confirmation, review, approval)
//	is:behind        its tracked commit is behind its branch head
package stackfilter

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// Query is a parsed filter line; the zero Query matches every stack.
type Query struct {
	terms []func(*model.Stack) bool
}

// Flags are the is: terms, in help order.
var Flags = []string{"drifted", "locked", "waiting", "behind"}

// Parse reads a filter line. A malformed expression, an unknown is: flag
// or an unknown prefix is an error that says what is valid, never a panic.
func Parse(line string) (Query, error) {
	var q Query
	for _, t := range strings.Fields(line) {
		term, err := parseTerm(t)
		if err != nil {
			return Query{}, err
		}
		q.terms = append(q.terms, term)
	}
	return q, nil
}

func parseTerm(t string) (func(*model.Stack) bool, error) {
	key, val, ok := strings.Cut(t, ":")
	if !ok || !isWord(key) {
		return text(t), nil
	}
	switch key {
	case "re":
		re, err := regexp.Compile("(?i)" + val)
		if err != nil {
			return nil, fmt.Errorf("bad regular expression: %w", err)
		}
		return func(s *model.Stack) bool { return re.MatchString(s.Name) || re.MatchString(s.BusinessUnit) }, nil
	case "state":
		want := values(val)
		if bad := unknown(want, StateNames()); bad != "" {
			return nil, fmt.Errorf("state:%s names no state (state: takes %s)", bad, strings.Join(StateNames(), ", "))
		}
		return func(s *model.Stack) bool { return StateIs(s, want...) }, nil
	case "kind":
		want := values(val)
		if bad := unknown(want, kindNames()); bad != "" {
			return nil, fmt.Errorf("kind:%s names no run kind (kind: takes %s)", bad, strings.Join(kindNames(), ", "))
		}
		return func(s *model.Stack) bool {
			return s.LatestRun != nil && anyPrefix(string(s.LatestRun.Kind), want)
		}, nil
	case "is":
		var fs []func(*model.Stack) bool
		for _, v := range values(val) {
			f, ok := flags[v]
			if !ok {
				return nil, fmt.Errorf("unknown filter is:%s (is: takes %s)", v, strings.Join(Flags, ", "))
			}
			fs = append(fs, f)
		}
		return func(s *model.Stack) bool {
			for _, f := range fs {
				if f(s) {
					return true
				}
			}
			return len(fs) == 0
		}, nil
	}
	return nil, fmt.Errorf("unknown filter %s: (terms: a name, re:EXPR, state:NAME, kind:KIND, is:%s)", key, strings.Join(Flags, "|"))
}

var flags = map[string]func(*model.Stack) bool{
	"drifted": func(s *model.Stack) bool { return s.Drift.Status() == model.DriftDrifted },
	"locked":  func(s *model.Stack) bool { return s.Locked() },
	"waiting": func(s *model.Stack) bool {
		return s.State.Waiting() || s.NeedsApproval || (s.LatestRun != nil && s.LatestRun.State.Waiting())
	},
	"behind": func(s *model.Stack) bool { return s.Behind() != "" },
}

// text matches a substring of the name or business unit, any case.
func text(t string) func(*model.Stack) bool {
	needle := strings.ToLower(t)
	return func(s *model.Stack) bool {
		return strings.Contains(strings.ToLower(s.Name), needle) || strings.Contains(strings.ToLower(s.BusinessUnit), needle)
	}
}

// values are a term's comma-separated values, lower case; empty ones
// dropped (a term being typed, "state:", matches everything).
func values(v string) []string {
	var out []string
	for _, x := range strings.Split(strings.ToLower(v), ",") {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// anyPrefix reports whether s starts with one of prefixes, any case; no
// prefixes: true. It compares in place: it runs for every stack on every
// keystroke of a filter, and lower-casing copies would be garbage each time.
func anyPrefix(s string, prefixes []string) bool {
	if len(prefixes) == 0 {
		return true
	}
	for _, p := range prefixes {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

// StateIs reports whether the stack's state starts with one of names, any
// case ("unconf", "failed"; NONE for a stack that never ran); no names:
// any state.
func StateIs(s *model.Stack, names ...string) bool {
	st := string(s.State)
	if st == "" {
		st = "none"
	}
	return anyPrefix(st, names)
}

// states are the stack and run states a state: term names.
var states = []model.RunState{model.StateNone, model.StateQueued, model.StateReady, model.StatePreparing,
	model.StateInitializing, model.StatePlanning, model.StatePendingReview, model.StateUnconfirmed,
	model.StateConfirmed, model.StatePreparingApply, model.StateApplying, model.StatePerforming,
	model.StateDestroying, model.StateReplanRequested, model.StatePreparingReplan, model.StateFinished,
	model.StateFailed, model.StateDiscarded, model.StateCanceled, model.StateStopped, model.StateSkipped,
	model.StateUnknown}

// StateNames lists the state names, lower case.
func StateNames() []string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = strings.ToLower(string(s))
	}
	return out
}

// kinds are the run kinds a kind: term names.
var kinds = []model.RunKind{model.RunPlan, model.RunDeploy, model.RunDriftCheck, model.RunDestroy,
	model.RunTask, model.RunTesting, model.RunOther}

func kindNames() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

// unknown is the first of the values that is a prefix of none of names
// (a typo, said at once rather than matching nothing); "" when all are.
func unknown(values, names []string) string {
	for _, v := range values {
		if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, v) }) {
			return v
		}
	}
	return ""
}

// Empty reports a query with no terms.
func (q Query) Empty() bool { return len(q.terms) == 0 }

// Match reports whether every term holds for s.
func (q Query) Match(s *model.Stack) bool {
	for _, t := range q.terms {
		if !t(s) {
			return false
		}
	}
	return true
}

// Order is how stacks are sorted within their group.
type Order string

// The orders :sort takes.
const (
	ByName    Order = "name"
	ByState   Order = "state"
	ByUpdated Order = "updated"
)

// Orders lists them, in help order.
var Orders = []Order{ByName, ByState, ByUpdated}

// ParseOrder reads a :sort argument.
func ParseOrder(s string) (Order, error) {
	for _, o := range Orders {
		if strings.EqualFold(s, string(o)) {
			return o, nil
		}
	}
	return "", fmt.Errorf("sort by name, state or updated, not %q", s)
}

// Sort orders stacks in place: by name; by state, what needs a person
// first (failed, waiting, working, the rest, finished, never ran); by
// updated, the newest latest run first (stacks without runs last). Ties go
// by name, so the order is stable whatever the input's.
func Sort(stacks []*model.Stack, by Order) {
	slices.SortStableFunc(stacks, func(a, b *model.Stack) int {
		switch by {
		case ByState:
			if c := cmp.Compare(stateRank(a.State), stateRank(b.State)); c != 0 {
				return c
			}
		case ByUpdated:
			ta, tb := updated(a), updated(b)
			if !ta.Equal(tb) {
				return tb.Compare(ta)
			}
		}
		return cmp.Compare(a.Name, b.Name)
	})
}

func stateRank(s model.RunState) int {
	switch {
	case s == model.StateFailed:
		return 0
	case s.Waiting():
		return 1
	case s.Active():
		return 2
	case s == model.StateFinished:
		return 4
	case s == model.StateNone || s == "":
		return 5
	}
	return 3
}

// updated is when the stack's latest run last changed (zero without runs).
func updated(s *model.Stack) (t time.Time) {
	if r := s.LatestRun; r != nil {
		if !r.UpdatedAt.IsZero() {
			return r.UpdatedAt
		}
		return r.CreatedAt
	}
	return t
}
