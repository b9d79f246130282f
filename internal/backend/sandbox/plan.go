package sandbox

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/stackview/stackview/internal/model"
)

// planResult is what initializing and planning a run found: the resource
// changes, the modules it installed, or the error that stops it.
type planResult struct {
	changes []model.ResourceChange
	modules []string // "name (source version)" lines for the init log
	failure []string // non-nil: the run fails while initializing, with these lines
}

// evaluate plans r from git: the project root at the stack's applied commit
// against the run's commit, modules resolved through the registry's tags.
// Drift checks only report the stack's drifted resources; a destroy
// removes everything applied.
func (e *Engine) evaluate(ctx context.Context, r *run) planResult {
	s := r.stack
	newCfg, res := e.loadConfig(ctx, s, r.Commit)
	if res.failure != nil {
		return res
	}
	switch r.Kind {
	case model.RunDriftCheck:
		res.changes = driftChanges(s.drift, nil)
		return res
	case model.RunTask: // a task initializes the workspace, then runs its command
		return res
	}
	oldCfg, _ := e.loadConfig(ctx, s, s.applied)
	if r.Kind == model.RunDestroy {
		empty := loadedConfig{modules: map[string]resolvedModule{}}
		res.changes = append(diffResources("", oldCfg.resources, nil), e.diffModules(oldCfg, empty)...)
		sort.Slice(res.changes, func(i, j int) bool { return res.changes[i].Address < res.changes[j].Address })
		return res
	}
	res.changes = append(diffResources("", oldCfg.resources, newCfg.resources), e.diffModules(oldCfg, newCfg)...)
	res.changes = append(res.changes, driftChanges(s.drift, res.changes)...)
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
		cfg.modules[name] = resolvedModule{call: call, resources: mcfg.Resources}
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

// diffResources compares two resource sets; prefix addresses them inside a module.
func diffResources(prefix string, old, cur map[string]map[string]string) []model.ResourceChange {
	var out []model.ResourceChange
	for _, addr := range sortedKeys(cur) {
		attrs, had := old[addr]
		switch {
		case !had:
			out = append(out, model.ResourceChange{Address: prefix + addr, Action: model.ActionAdd, Attributes: sortedKeys(cur[addr])})
		default:
			if changed := changedAttrs(attrs, cur[addr]); len(changed) > 0 {
				out = append(out, model.ResourceChange{Address: prefix + addr, Action: model.ActionChange, Attributes: changed})
			}
		}
	}
	for _, addr := range sortedKeys(old) {
		if _, ok := cur[addr]; !ok {
			out = append(out, model.ResourceChange{Address: prefix + addr, Action: model.ActionDestroy})
		}
	}
	return out
}

// diffModules expands module calls into the resources they change: a version
// bump diffs the module's code between the two tags, and changed inputs
// change every resource of the module.
func (e *Engine) diffModules(old, cur loadedConfig) []model.ResourceChange {
	var out []model.ResourceChange
	names := map[string]bool{}
	for n := range old.modules {
		names[n] = true
	}
	for n := range cur.modules {
		names[n] = true
	}
	for _, name := range sortedKeys(names) {
		o, n := old.modules[name], cur.modules[name]
		changes := diffResources("module."+name+".", o.resources, n.resources)
		if inputs := changedAttrs(o.call.Inputs, n.call.Inputs); len(inputs) > 0 && o.resources != nil && n.resources != nil {
			seen := map[string]bool{}
			for _, c := range changes {
				seen[c.Address] = true
			}
			for _, addr := range sortedKeys(n.resources) {
				if _, both := o.resources[addr]; both && !seen["module."+name+"."+addr] {
					changes = append(changes, model.ResourceChange{Address: "module." + name + "." + addr, Action: model.ActionChange, Attributes: inputs})
				}
			}
		}
		out = append(out, changes...)
	}
	return out
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
