package sandbox

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/stackview/stackview/internal/model"
)

// planResult is what initializing and planning a run found: the resource
// changes, the modules it installed, or the error that stops it.
type planResult struct {
	base    string // the applied commit the plan compared with
	changes []model.ResourceChange
	modules []string // "name (source version)" lines for the init log
	failure []string // non-nil: the run fails while initializing, with these lines
}

// evaluate plans r from git: the project root at the stack's applied commit
// against the run's commit, modules resolved through the registry's tags,
// every attribute evaluated (values.go). Drift checks only report the
// stack's drifted resources, recorded → real; a destroy removes everything
// applied.
func (e *Engine) evaluate(ctx context.Context, r *run) planResult {
	s := r.stack
	newCfg, res := e.loadConfig(ctx, s, r.Commit)
	if res.failure != nil {
		return res
	}
	if r.Kind == model.RunTask { // a task initializes the workspace, then runs its command
		return res
	}
	res.base = s.applied
	oldCfg, _ := e.loadConfig(ctx, s, s.applied)
	state := e.scopeOf(s, oldCfg)
	if r.Kind == model.RunDriftCheck {
		res.changes = driftChanges(state, s.drift, nil, false)
		return res
	}
	destroy := r.Kind == model.RunDestroy
	if destroy {
		newCfg = loadedConfig{resources: map[string]map[string]string{}, modules: map[string]resolvedModule{}}
	}
	res.changes = e.planChanges(s, oldCfg, newCfg, destroy)
	if !destroy {
		res.changes = append(res.changes, driftChanges(state, s.drift, res.changes, true)...)
	}
	sort.Slice(res.changes, func(i, j int) bool { return res.changes[i].Address < res.changes[j].Address })
	return res
}

// loadedConfig is a project root with its module calls resolved.
type loadedConfig struct {
	resources map[string]map[string]string
	modules   map[string]resolvedModule
}

type resolvedModule struct {
	call      moduleCall
	resources map[string]map[string]string
	vars      map[string]string // the module's variables' defaults
}

func (e *Engine) loadConfig(ctx context.Context, s *stack, commit string) (loadedConfig, planResult) {
	cfg := loadedConfig{resources: map[string]map[string]string{}, modules: map[string]resolvedModule{}}
	files, err := s.repo.files(ctx, commit, s.ProjectRoot)
	if err != nil {
		return cfg, planResult{failure: errorBlock("Failed to read the repository", err.Error())}
	}
	parsed, diags := e.parsed.parseDir(files, s.ProjectRoot)
	if diags.HasErrors() {
		var lines []string
		for _, d := range diags.Errs() {
			lines = append(lines, errorBlock("Invalid configuration", d.Error())...)
		}
		return cfg, planResult{failure: lines}
	}
	cfg.resources = parsed.Resources
	var res planResult
	for _, name := range sortedKeys(parsed.Modules) {
		call := parsed.Modules[name]
		m := e.moduleBySource(call.Source)
		if m == nil {
			return cfg, planResult{failure: errorBlock("Module not found", fmt.Sprintf(
				"on %s line %d, in module %q: module %q is not in the %s registry.", call.File, call.Pos.Line, name, call.Source, e.org))}
		}
		tag, ok := m.repo.tags["v"+call.Version]
		if !ok {
			return cfg, planResult{failure: errorBlock("no available releases match the given constraints", fmt.Sprintf(
				"on %s line %d, in module %q: module %q (from %s) has no version %s; the latest is %s.",
				call.File, call.Pos.Line, name, name, call.Source, call.Version, m.Latest))}
		}
		mfiles, err := m.repo.files(ctx, tag.Commit, ".")
		if err != nil {
			return cfg, planResult{failure: errorBlock("Failed to download module", err.Error())}
		}
		mcfg, _ := e.parsed.parseDir(mfiles, ".")
		cfg.modules[name] = resolvedModule{call: call, resources: mcfg.Resources, vars: mcfg.Variables}
		res.modules = append(res.modules, fmt.Sprintf("- %s in .terraform/modules/%s (%s %s)", name, name, call.Source, call.Version))
	}
	return cfg, res
}

func (e *Engine) moduleBySource(src string) *module {
	for _, m := range e.modules {
		if m.Source == src {
			return m
		}
	}
	return nil
}

// planChanges diffs two configurations by value, root and module
// resources alike: a resource only the new one has is created, one only
// the old one has destroyed, and one whose attributes evaluate differently
// updated in place, or replaced when an attribute the provider cannot
// update changed. What the plan creates or replaces is known after apply
// wherever it is referenced.
func (e *Engine) planChanges(s *stack, old, cur loadedConfig, destroy bool) []model.ResourceChange {
	before, after := e.scopeOf(s, old), e.scopeOf(s, cur)
	after.pending = map[string]bool{}
	for addr := range after.resources {
		if _, ok := before.resources[addr]; !ok {
			after.pending[addr] = true
		}
	}
	for mod := range after.modules {
		if !before.modules[mod] {
			after.pending[mod] = true
		}
	}
	for {
		changes := diffScopes(before, after, destroy)
		grew := false
		for _, c := range changes {
			if c.Action == model.ActionReplace && !after.pending[c.Address] {
				after.pending[c.Address], grew = true, true
			}
		}
		if !grew {
			return changes
		}
	}
}

// diffScopes lists what changes from before to after, with values.
func diffScopes(before, after *configScope, destroy bool) []model.ResourceChange {
	var out []model.ResourceChange
	null := cty.NullVal(cty.DynamicPseudoType)
	for _, addr := range sortedKeys(after.resources) {
		r := after.resources[addr]
		old, had := before.resources[addr]
		c := model.ResourceChange{Address: addr, ValuesFrom: model.ValuesPlan}
		if !had {
			c.Action, c.Attributes = model.ActionAdd, sortedKeys(r.attrs)
			for _, a := range c.Attributes {
				c.Values = append(c.Values, attributeChanges(a, null, after.attr(addr, a), sensitiveAttrs[a])...)
			}
			out = append(out, c)
			continue
		}
		names := map[string]bool{}
		for a := range old.attrs {
			names[a] = true
		}
		for a := range r.attrs {
			names[a] = true
		}
		typ, _ := resourceTypeName(addr)
		for _, a := range sortedKeys(names) {
			vals := attributeChanges(a, before.attr(addr, a), after.attr(addr, a), sensitiveAttrs[a])
			if len(vals) == 0 {
				continue
			}
			c.Attributes = append(c.Attributes, a)
			c.Values = append(c.Values, vals...)
			if slices.Contains(forceNew[typ], a) {
				c.ReplacePaths = append(c.ReplacePaths, a)
			}
		}
		switch {
		case len(c.Attributes) == 0:
			continue
		case len(c.ReplacePaths) > 0:
			c.Action, c.Reason = model.ActionReplace, "replace_because_cannot_update"
		default:
			c.Action = model.ActionChange
		}
		out = append(out, c)
	}
	for _, addr := range sortedKeys(before.resources) {
		if _, ok := after.resources[addr]; ok {
			continue
		}
		c := model.ResourceChange{Address: addr, Action: model.ActionDestroy, ValuesFrom: model.ValuesPlan}
		for _, a := range sortedKeys(before.resources[addr].attrs) {
			c.Values = append(c.Values, attributeChanges(a, before.attr(addr, a), null, sensitiveAttrs[a])...)
		}
		switch {
		case destroy:
		case strings.HasPrefix(addr, "module.") && !after.modules[moduleOf(addr)]:
			c.Reason = "delete_because_no_module"
		default:
			c.Reason = "delete_because_no_resource_config"
		}
		out = append(out, c)
	}
	return out
}

// moduleOf is "module.x" of an address inside module x.
func moduleOf(addr string) string {
	parts := strings.SplitN(addr, ".", 3)
	if len(parts) < 3 {
		return ""
	}
	return parts[0] + "." + parts[1]
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func errorBlock(summary, detail string) []string {
	lines := []string{"╷", "│ Error: " + summary, "│"}
	for _, l := range strings.Split(detail, "\n") {
		lines = append(lines, "│ "+l)
	}
	return append(lines, "╵")
}
