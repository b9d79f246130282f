package drift

import (
	"slices"

	"github.com/stackview/stackview/internal/model"
)

// Attribute is one drifted attribute and the rule that ignores it, if any.
type Attribute struct {
	Name      string
	IgnoredBy *Rule
	// Value is recorded → real, where the backend gave it.
	Value *model.AttributeChange
}

// Resource is one drifted resource as the user sees it.
type Resource struct {
	Address    string
	Attributes []Attribute // nil when the backend did not say which attributes drifted
	// Change is the backend's account of it (values, where they come
	// from, why there are none); zero when it named only the address.
	Change model.ResourceChange
	// IgnoredBy is set when the resource is ignored as a whole: a
	// whole-resource rule, or every attribute ignored (then the first rule).
	IgnoredBy *Rule
}

// Ignored reports whether the resource does not count.
func (r Resource) Ignored() bool { return r.IgnoredBy != nil }

// Report is a stack's drift after the ignore rules.
type Report struct {
	Drift     model.Drift // as the backend reported it
	Resources []Resource  // every drifted resource, ignored ones included
}

// Counted is the number of resources that are not ignored.
func (r Report) Counted() int {
	n := 0
	for _, res := range r.Resources {
		if !res.Ignored() {
			n++
		}
	}
	return n
}

// Ignored is the number of resources that are ignored.
func (r Report) Ignored() int { return len(r.Resources) - r.Counted() }

// Evaluate applies rules to a stack's drift. Rules are tried in order; the
// first match names the rule.
func Evaluate(d model.Drift, env string, rules []Rule) Report {
	rep := Report{Drift: d}
	details := map[string][]string{}
	changes := map[string]model.ResourceChange{}
	for _, c := range d.Changes {
		details[c.Address] = append(details[c.Address], c.Attributes...)
		changes[c.Address] = c
	}
	addrs := slices.Clone(d.Resources)
	for _, c := range d.Changes {
		if !slices.Contains(addrs, c.Address) {
			addrs = append(addrs, c.Address)
		}
	}
	for _, addr := range addrs {
		res := Resource{Address: addr, IgnoredBy: firstMatch(rules, env, addr, ""), Change: changes[addr]}
		attrs, known := details[addr]
		if known && len(attrs) > 0 {
			all := true
			var first *Rule
			for _, a := range attrs {
				by := firstMatch(rules, env, addr, a)
				attr := Attribute{Name: a, IgnoredBy: by}
				if v, ok := changes[addr].Value(a); ok {
					attr.Value = &v
				}
				res.Attributes = append(res.Attributes, attr)
				if by == nil {
					all = false
				} else if first == nil {
					first = by
				}
			}
			if res.IgnoredBy == nil && all {
				res.IgnoredBy = first
			}
		}
		rep.Resources = append(rep.Resources, res)
	}
	return rep
}

func firstMatch(rules []Rule, env, addr, attr string) *Rule {
	for i := range rules {
		if rules[i].Matches(env, addr, attr) {
			return &rules[i]
		}
	}
	return nil
}

// Effective is the drift every view counts: only the resources not ignored,
// drifted only if any is left.
func (r Report) Effective() model.Drift {
	d := r.Drift
	d.Resources, d.Changes = nil, nil
	for _, res := range r.Resources {
		if res.Ignored() {
			continue
		}
		d.Resources = append(d.Resources, res.Address)
		c := res.Change
		c.Address, c.Action, c.Attributes, c.Values = res.Address, model.ActionChange, nil, nil
		for _, a := range res.Attributes {
			if a.IgnoredBy == nil {
				c.Attributes = append(c.Attributes, a.Name)
				if a.Value != nil {
					c.Values = append(c.Values, *a.Value)
				}
			}
		}
		if res.Attributes != nil {
			d.Changes = append(d.Changes, c)
		}
	}
	// A backend that says "drifted" without naming resources stays drifted.
	d.Drifted = r.Drift.Drifted && (len(r.Resources) == 0 || len(d.Resources) > 0)
	return d
}
