package sandbox

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// Stack dependencies as Spacelift's documentation describes them: a stack
// may reference outputs of a stack it depends on (each reference fills an
// environment variable of its runs). When the upstream stack finishes a
// tracked run, a dependent is triggered if the dependency has no
// references, or a referenced output was created or changed, or the
// dependency is set to trigger always, or the dependent's own last tracked
// run did not succeed (so it can recover). A locked dependent is not
// triggered: only its lock holder starts runs there.

// Dependency is one upstream stack a stack depends on.
type Dependency struct {
	Upstream      string
	TriggerAlways bool
	References    []Reference
}

// Reference feeds an upstream output to a run of the dependent stack.
type Reference struct {
	Output string // the upstream stack's output id
	Input  string // the environment variable it fills, e.g. TF_VAR_vpc_id
}

// Output is one output of a stack's last applied run, as Spacelift's
// StackOutput.
type Output struct {
	ID        string
	Value     string
	Sensitive bool
}

// seedDependency is how the seeded business-unit stacks depend on their
// environment's network stack: in dev the dependency triggers always (dev
// redeploys on every network change), in qa and prod only when the shared
// security group or the internal zone the stacks reference changes.
func seedDependency(env, upstream string) Dependency {
	d := Dependency{Upstream: upstream, References: []Reference{
		{Output: "aws_security_group_shared_id", Input: "TF_VAR_shared_security_group_id"},
		{Output: "aws_route53_zone_internal_id", Input: "TF_VAR_internal_zone_id"},
	}}
	if env == "dev" {
		d.TriggerAlways = true
	}
	return d
}

// StackDependencies lists the stacks a stack depends on, with their
// references.
func (e *Engine) StackDependencies(ctx context.Context, stackID string) ([]Dependency, error) {
	return inspect(ctx, e, stackID, func(s *stack) ([]Dependency, error) {
		out := make([]Dependency, len(s.deps))
		for i, d := range s.deps {
			out[i] = Dependency{Upstream: d.Upstream, TriggerAlways: d.TriggerAlways, References: slices.Clone(d.References)}
		}
		return out, nil
	})
}

// dependency is s's dependency on upstream (its zero value when it has none
// recorded: a dependency without references).
func (s *stack) dependency(upstream string) Dependency {
	for _, d := range s.deps {
		if d.Upstream == upstream {
			return d
		}
	}
	return Dependency{Upstream: upstream}
}

// triggerDependents starts the runs a finished tracked run of s owes its
// dependents. before is the commit s had applied until now.
func (e *Engine) triggerDependents(ctx context.Context, s *stack, before string, at time.Time) {
	deps := e.dependents(s.ID)
	if len(deps) == 0 {
		return
	}
	changed := e.changedOutputs(ctx, s, before, s.applied)
	for _, d := range deps {
		if d.Lock != nil {
			continue
		}
		dep := d.dependency(s.ID)
		why := triggerReason(dep, changed, d.lastTrackedSucceeded())
		if why == "" {
			continue
		}
		e.newRun(d, model.RunDeploy, d.TrackedCommit, "", "Triggered by "+s.ID+" (dependency: "+why+")", at)
	}
}

// triggerReason says why a dependency starts its dependent's run, or "".
func triggerReason(dep Dependency, changed map[string]bool, lastOK bool) string {
	switch {
	case len(dep.References) == 0:
		return "no references"
	case dep.TriggerAlways:
		return "trigger always"
	case !lastOK:
		return "its last run did not succeed"
	}
	for _, ref := range dep.References {
		if changed[ref.Output] {
			return ref.Output + " changed"
		}
	}
	return ""
}

// lastTrackedSucceeded reports whether the stack's newest tracked run
// finished (a stack that never ran counts as fine).
func (s *stack) lastTrackedSucceeded() bool {
	for i := len(s.runs) - 1; i >= 0; i-- {
		if r := s.runs[i]; r.Kind.Tracked() && r.State.Terminal() {
			return r.State == model.StateFinished
		}
	}
	return true
}

// changedOutputs lists the outputs created or changed between two applied
// commits of s. An unreadable configuration changes nothing.
func (e *Engine) changedOutputs(ctx context.Context, s *stack, from, to string) map[string]bool {
	old, err := e.outputsAt(ctx, s, from)
	if err != nil {
		old = map[string]Output{}
	}
	cur, err := e.outputsAt(ctx, s, to)
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for id, o := range cur {
		if prev, ok := old[id]; !ok || prev.Value != o.Value {
			out[id] = true
		}
	}
	return out
}

// outputsAt is what a stack outputs with commit applied: one id per
// top-level resource, with a value shaped like an AWS id. The value is
// derived from the resource's configuration, so it changes when the
// resource's block changes (the sandbox treats such a change as a
// replacement) and a dependency's references can notice.
func (e *Engine) outputsAt(ctx context.Context, s *stack, commit string) (map[string]Output, error) {
	out := map[string]Output{}
	if commit == "" {
		return out, nil
	}
	cfg, res := e.loadConfig(ctx, s, commit)
	if res.failure != nil {
		return nil, fmt.Errorf("outputs of %s: %s", s.ID, strings.Join(res.failure, " "))
	}
	for _, addr := range sortedKeys(cfg.resources) {
		typ, _ := resourceTypeName(addr)
		h := sha1.New()
		fmt.Fprintf(h, "%s\x00%s", s.ID, addr)
		attrs := cfg.resources[addr]
		for _, k := range sortedKeys(attrs) {
			fmt.Fprintf(h, "\x00%s=%s", k, attrs[k])
		}
		id := strings.ReplaceAll(addr, ".", "_") + "_id"
		out[id] = Output{
			ID:        id,
			Value:     strings.TrimPrefix(strings.ReplaceAll(typ, "_", "-"), "aws-") + "-" + hex.EncodeToString(h.Sum(nil))[:17],
			Sensitive: typ == "aws_kms_key",
		}
	}
	return out, nil
}

func sortedOutputs(m map[string]Output) []Output {
	out := make([]Output, 0, len(m))
	for _, id := range sortedKeys(m) {
		out = append(out, m[id])
	}
	return out
}
