package model

import (
	"regexp"
	"sort"
	"strings"
)

// Mapping holds the rules that place a stack in an environment and a business
// unit. The zero value of a field switches its rule off.
type Mapping struct {
	EnvironmentLabelPrefix  string         // "env:" — a label "env:prod" puts the stack in prod
	BusinessUnitLabelPrefix string         // "bu:" — a label "bu:payments" names its business unit
	EnvironmentStackLabel   string         // "layer:environment" marks the environment stack
	BusinessUnitPattern     *regexp.Regexp // matched on the stack name; its "bu" group names the unit
	UseSpace                bool           // a space named like an environment sets it; any other names the unit
}

// DefaultMapping is the mapping used when the config says nothing.
func DefaultMapping() Mapping {
	return Mapping{
		EnvironmentLabelPrefix:  "env:",
		BusinessUnitLabelPrefix: "bu:",
		EnvironmentStackLabel:   "layer:environment",
	}
}

// DefaultEnvironments is dev → qa → prod on the dev, qa and main branches,
// with prod protected.
func DefaultEnvironments() []Environment {
	return []Environment{
		{Name: "dev", Branch: "dev"},
		{Name: "qa", Branch: "qa"},
		{Name: "prod", Branch: "main", Protected: true},
	}
}

// UnitGroup is the stacks of one business unit in one environment.
type UnitGroup struct {
	Name   string
	Stacks []*Stack
}

// EnvTree is one environment: its environment stack as the root, the
// business-unit stacks on top of it, the stacks that fit no unit, and the
// administrative stacks, which are shown apart.
type EnvTree struct {
	Env        Environment
	Root       *Stack // nil when no stack qualifies as the environment stack
	Units      []UnitGroup
	Unassigned []*Stack
	Admin      []*Stack
}

// Stacks returns every stack of the environment in display order: root,
// units, unassigned, administrative.
func (t *EnvTree) Stacks() []*Stack {
	var out []*Stack
	if t.Root != nil {
		out = append(out, t.Root)
	}
	for _, u := range t.Units {
		out = append(out, u.Stacks...)
	}
	out = append(out, t.Unassigned...)
	return append(out, t.Admin...)
}

// Forest is the whole organisation, one tree per environment in configured
// order. Unmapped holds the stacks no rule placed in any environment.
type Forest struct {
	Envs     []EnvTree
	Unmapped []*Stack
	byID     map[string]*Stack
}

// Stack finds a stack by id.
func (f *Forest) Stack(id string) *Stack { return f.byID[id] }

// Env finds an environment's tree by name.
func (f *Forest) Env(name string) *EnvTree {
	for i := range f.Envs {
		if f.Envs[i].Env.Name == name {
			return &f.Envs[i]
		}
	}
	return nil
}

// Dependents lists the ids of the stacks that depend on id, sorted.
func (f *Forest) Dependents(id string) []string {
	var out []string
	for sid, s := range f.byID {
		for _, d := range s.DependsOn {
			if d == id {
				out = append(out, sid)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// BuildForest assigns each stack its environment, business unit and layer,
// and arranges them per environment. Input order does not matter: stacks
// are sorted by name within each group. The forest keeps stacks as its
// own: it sorts the slice and sets those fields in place (a caller that
// goes on using it passes a copy), because at 10,000 stacks a copy per
// layout was half of what a load's layouts allocated.
func BuildForest(all []Stack, envs []Environment, m Mapping) Forest {
	f := Forest{Envs: make([]EnvTree, len(envs)), byID: make(map[string]*Stack, len(all))}
	byEnv := make(map[string]int, len(envs))
	for i, e := range envs {
		f.Envs[i].Env = e
		byEnv[e.Name] = i
	}
	members := make([][]*Stack, len(envs))
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	for i := range all {
		s := &all[i]
		f.byID[s.ID] = s
		s.Env, s.BusinessUnit = m.environment(s, envs), m.businessUnit(s, envs)
		idx, ok := byEnv[s.Env]
		if !ok {
			s.Env = ""
			f.Unmapped = append(f.Unmapped, s)
			continue
		}
		members[idx] = append(members[idx], s)
	}
	for i := range f.Envs {
		f.Envs[i].arrange(members[i], m)
	}
	return f
}

func (t *EnvTree) arrange(stacks []*Stack, m Mapping) {
	var candidates []*Stack
	for _, s := range stacks {
		if s.Administrative {
			s.Layer, s.BusinessUnit = LayerAdministrative, ""
			t.Admin = append(t.Admin, s)
			continue
		}
		candidates = append(candidates, s)
	}
	t.Root = environmentStack(candidates, m)
	units := map[string][]*Stack{}
	for _, s := range candidates {
		switch {
		case s == t.Root:
			s.Layer, s.BusinessUnit = LayerEnvironment, ""
		case s.BusinessUnit == "":
			s.Layer = LayerBusinessUnit
			t.Unassigned = append(t.Unassigned, s)
		default:
			s.Layer = LayerBusinessUnit
			units[s.BusinessUnit] = append(units[s.BusinessUnit], s)
		}
	}
	names := make([]string, 0, len(units))
	for n := range units {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Units = append(t.Units, UnitGroup{Name: n, Stacks: units[n]})
	}
}

// environmentStack picks the labelled stack, else the one most others in
// the environment depend on (ties go to the first by name).
func environmentStack(stacks []*Stack, m Mapping) *Stack {
	if m.EnvironmentStackLabel != "" {
		for _, s := range stacks {
			if hasLabel(s.Labels, m.EnvironmentStackLabel) {
				return s
			}
		}
	}
	inEnv := make(map[string]int, len(stacks))
	for _, s := range stacks {
		inEnv[s.ID] = 0
	}
	for _, s := range stacks {
		for _, d := range s.DependsOn {
			if _, ok := inEnv[d]; ok && d != s.ID {
				inEnv[d]++
			}
		}
	}
	var best *Stack
	for _, s := range stacks {
		if n := inEnv[s.ID]; n > 0 && (best == nil || n > inEnv[best.ID]) {
			best = s
		}
	}
	return best
}

func (m Mapping) environment(s *Stack, envs []Environment) string {
	if v, ok := labelValue(s.Labels, m.EnvironmentLabelPrefix); ok {
		return v
	}
	if m.UseSpace && isEnvName(s.Space, envs) {
		return s.Space
	}
	for _, e := range envs {
		if e.Branch == s.Branch {
			return e.Name
		}
	}
	return ""
}

func (m Mapping) businessUnit(s *Stack, envs []Environment) string {
	if v, ok := labelValue(s.Labels, m.BusinessUnitLabelPrefix); ok {
		return v
	}
	if m.UseSpace && s.Space != "" && !isEnvName(s.Space, envs) {
		return s.Space
	}
	if m.BusinessUnitPattern != nil {
		if sub := m.BusinessUnitPattern.FindStringSubmatch(s.Name); sub != nil {
			if i := m.BusinessUnitPattern.SubexpIndex("bu"); i > 0 && sub[i] != "" {
				return sub[i]
			}
		}
	}
	return ""
}

func isEnvName(name string, envs []Environment) bool {
	for _, e := range envs {
		if e.Name == name {
			return true
		}
	}
	return false
}

func labelValue(labels []string, prefix string) (string, bool) {
	if prefix == "" {
		return "", false
	}
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, prefix); ok && v != "" {
			return v, true
		}
	}
	return "", false
}

func hasLabel(labels []string, want string) bool {
	for _, l := range labels {
		if l == want {
			return true
		}
	}
	return false
}
