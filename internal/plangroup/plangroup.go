// Package plangroup groups runs by what their plans change, so a bulk
// confirm reviews each distinct plan once: two plans are the same when they
// make the same changes (resources, actions, changed attributes and their
// values) once the exact names of the stack, its environment and its
// business unit are put aside. Pure: it reads plans, nothing else.
package plangroup

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stackview/stackview/internal/model"
)

// Run is one run a bulk confirm was asked to confirm, with its plan.
type Run struct {
	StackID, Name, Env, Unit, RunID string
	Changes                         []model.ResourceChange
	// Apart, when set, keeps the run out of every group and says why
	// (it needs approval, it waits for no confirmation, its plan could
	// not be read).
	Apart string
}

// Group is runs whose plans make the same changes: Plan is that plan with
// the names put aside (the normalised diff a person reviews once).
type Group struct {
	Plan []string
	Runs []Run
}

// Apart is a run no group takes, and why.
type Apart struct {
	Run Run
	Why string
}

// Placeholders the names are replaced with.
const (
	StackToken = "‹stack›"
	EnvToken   = "‹env›"
	UnitToken  = "‹unit›"
)

// Split groups runs by their normalised plans, largest group first. Runs
// that cannot be compared are apart: those given a reason, those whose plan
// shows no values (or not all of them), since the same resources and
// attributes can hide different values.
func Split(runs []Run) ([]Group, []Apart) {
	var apart []Apart
	byPlan := map[string]*Group{}
	var order []string
	for _, r := range runs {
		if r.Apart != "" {
			apart = append(apart, Apart{r, r.Apart})
			continue
		}
		plan, why := Normalise(r)
		if why != "" {
			apart = append(apart, Apart{r, why})
			continue
		}
		key := strings.Join(plan, "\n")
		g, ok := byPlan[key]
		if !ok {
			g = &Group{Plan: plan}
			byPlan[key] = g
			order = append(order, key)
		}
		g.Runs = append(g.Runs, r)
	}
	groups := make([]Group, 0, len(order))
	for _, k := range order {
		g := byPlan[k]
		sort.Slice(g.Runs, func(i, j int) bool { return g.Runs[i].Name < g.Runs[j].Name })
		groups = append(groups, *g)
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if len(groups[i].Runs) != len(groups[j].Runs) {
			return len(groups[i].Runs) > len(groups[j].Runs)
		}
		return groups[i].Runs[0].Name < groups[j].Runs[0].Name
	})
	return groups, apart
}

// Normalise is a run's plan as comparable lines: each change (action and
// address) and each value (`path: before → after`), with the exact stack,
// environment and business-unit names replaced by placeholders; why is set
// when the plan cannot be compared.
func Normalise(r Run) (plan []string, why string) {
	changes := append([]model.ResourceChange(nil), r.Changes...)
	sort.Slice(changes, func(i, j int) bool { return changes[i].Address < changes[j].Address })
	sub := substituter(r)
	for _, c := range changes {
		switch {
		case !c.HasValues():
			what := "its plan shows no values"
			if c.NoValues != "" {
				what += " (" + c.NoValues + ")"
			}
			return nil, what
		case c.NoValues != "":
			return nil, "not every value of its plan could be read (" + c.NoValues + ")"
		}
		line := string(c.Action) + " " + sub(c.Address)
		if len(c.ReplacePaths) > 0 {
			line += " (replaced: " + strings.Join(c.ReplacePaths, ", ") + ")"
		}
		plan = append(plan, line)
		values := append([]model.AttributeChange(nil), c.Values...)
		sort.Slice(values, func(i, j int) bool { return values[i].Path < values[j].Path })
		for _, v := range values {
			plan = append(plan, "    "+sub(v.Path)+": "+sub(v.Before.String())+" → "+sub(v.After.String()))
		}
	}
	return plan, ""
}

// substituter replaces the run's names, as whole tokens (bounded by
// anything but letters and digits), longest first and in one pass: a stack
// called "qa-payments-api" in qa and unit payments is one token, not three,
// and a placeholder is never read again.
func substituter(r Run) func(string) string {
	type name struct{ text, token string }
	var names []name
	for _, n := range []name{{r.Name, StackToken}, {r.Unit, UnitToken}, {r.Env, EnvToken}} {
		if n.text != "" {
			names = append(names, n)
		}
	}
	sort.SliceStable(names, func(i, j int) bool { return len(names[i].text) > len(names[j].text) })
	return func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); {
			if i == 0 || !alnum(s[i-1]) {
				hit := false
				for _, n := range names {
					end := i + len(n.text)
					if strings.HasPrefix(s[i:], n.text) && (end == len(s) || !alnum(s[end])) {
						b.WriteString(n.token)
						i, hit = end, true
						break
					}
				}
				if hit {
					continue
				}
			}
			b.WriteByte(s[i])
			i++
		}
		return b.String()
	}
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// Difference says how a plan differs from another, in at most max lines:
// what this one has that the other lacks.
func Difference(plan, other []string, max int) []string {
	have := map[string]int{}
	for _, l := range other {
		have[l]++
	}
	var out []string
	for _, l := range plan {
		if have[l] > 0 {
			have[l]--
			continue
		}
		out = append(out, strings.TrimSpace(l))
	}
	if len(out) > max {
		out = append(out[:max], fmt.Sprintf("… %d more", len(out)-max))
	}
	return out
}
