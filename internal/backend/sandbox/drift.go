package sandbox

import (
	"context"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// Drift in the sandbox: resources change behind Terraform's back (seeded in
// the past, and a few more once the sandbox runs), and scheduled drift
// detection — proposed runs flagged as drift checks, like Spacelift's — find
// them. A deploy that applies puts them back.

// DriftIgnoreFile is where a repository lists known-noise drift.
const DriftIgnoreFile = ".stackview/drift-ignore.toml"

// scannerTag is an attribute a security scanner stamps on resources: the
// noise every project repository's ignore file lists.
const scannerTag = "tags.LastScanned"

const driftIgnoreSeed = `# Drift that stackview shows as ignored and does not count.
# address is a glob (* matches anything); attribute "*" ignores the whole resource.

[[ignore]]
address = "*"
attribute = "` + scannerTag + `"
reason = "the nightly security scanner stamps every resource it scans"
`

// driftEvery is how often a stack with drift detection is checked.
const driftEvery = 6 * time.Hour

// driftSchedule is the clock-driven part of drift: the next check of each
// stack with drift detection, and out-of-band changes still to happen.
type driftSchedule struct {
	on      bool
	next    map[string]time.Time
	events  []driftEvent
	soonest time.Time
}

type driftEvent struct {
	at      time.Time
	stackID string
	change  model.ResourceChange
}

// drifted is a resource changed outside Terraform: attribute and real
// value (HCL) pairs. The recorded side is what the state holds, read when a
// check finds it.
func drifted(address string, real ...string) model.ResourceChange {
	c := model.ResourceChange{Address: address, Action: model.ActionChange, ValuesFrom: model.ValuesPlan}
	for i := 0; i+1 < len(real); i += 2 {
		c.Attributes = append(c.Attributes, real[i])
		c.Values = append(c.Values, model.AttributeChange{Path: real[i], After: model.Known(real[i+1])})
	}
	return c
}

// scanned is the scanner's tag value at t.
func scanned(t time.Time) string { return `"` + t.UTC().Format(time.RFC3339) + `"` }

// startDriftSchedule turns drift detection on for the qa and prod stacks of
// the default organisation, the first checks a little over driftEvery from
// now, and schedules the changes those checks will find: a real one and one
// the ignore files call noise.
func (e *Engine) startDriftSchedule(now time.Time) {
	s := driftSchedule{on: true, next: map[string]time.Time{}}
	for _, st := range e.stacks {
		if st.Administrative || !(hasLabel(st.Labels, "env:qa") || hasLabel(st.Labels, "env:prod")) {
			continue
		}
		s.next[st.ID] = now.Add(driftEvery + offsetOf(st.ID))
	}
	for _, ev := range []driftEvent{
		{now.Add(2 * time.Hour), "prod-identity", drifted("aws_cognito_user_pool.main", "mfa_configuration", `"OFF"`)},
		{now.Add(3 * time.Hour), "qa-payments-api", drifted("aws_lb.api", scannerTag, scanned(now.Add(3*time.Hour)))},
	} {
		if _, ok := e.byID[ev.stackID]; ok {
			s.events = append(s.events, ev)
		}
	}
	s.soonest = s.earliest()
	e.sched = s
}

// offsetOf spreads stacks' checks over the first hour of a period.
func offsetOf(id string) time.Duration {
	h := fnv.New32a()
	h.Write([]byte(id))
	return time.Duration(h.Sum32()%3600) * time.Second
}

func (s *driftSchedule) earliest() time.Time {
	var t time.Time
	for _, n := range s.next {
		if t.IsZero() || n.Before(t) {
			t = n
		}
	}
	for _, ev := range s.events {
		if t.IsZero() || ev.at.Before(t) {
			t = ev.at
		}
	}
	return t
}

// due reports whether a drift change or check is due by t (cheap: the
// engine asks on every call).
func (s *driftSchedule) due(t time.Time) bool {
	return s.on && !s.soonest.IsZero() && !s.soonest.After(t)
}

// runDriftSchedule applies the changes and starts the checks due by t. A
// stack whose check time passed several times (the clock jumped) is checked
// once, at the latest slot, as a scheduler that was busy would. Callers hold
// e.mu.
func (e *Engine) runDriftSchedule(ctx context.Context, t time.Time) {
	s := &e.sched
	kept := s.events[:0]
	for _, ev := range s.events {
		if ev.at.After(t) {
			kept = append(kept, ev)
			continue
		}
		st := e.byID[ev.stackID]
		st.drift = append(st.drift, ev.change)
	}
	s.events = kept
	for _, id := range sortedKeys(s.next) {
		next := s.next[id]
		if next.After(t) {
			continue
		}
		for !next.Add(driftEvery).After(t) {
			next = next.Add(driftEvery)
		}
		st := e.byID[id]
		e.newRun(st, model.RunDriftCheck, st.TrackedCommit, "drift-detection", "Scheduled drift detection", next)
		s.next[id] = next.Add(driftEvery)
	}
	s.soonest = s.earliest()
	e.advanceTo(ctx, t)
}

// driftChanges lists the drifted resources not already in the plan, each
// attribute recorded → real, with the recorded side read from state (the
// applied configuration); restore turns them around: a deploy puts the
// recorded values back.
func driftChanges(state *configScope, drift []model.ResourceChange, planned []model.ResourceChange, restore bool) []model.ResourceChange {
	seen := map[string]bool{}
	for _, c := range planned {
		seen[c.Address] = true
	}
	var out []model.ResourceChange
	for _, c := range mergeDrift(drift) {
		if seen[c.Address] {
			continue
		}
		for i, v := range c.Values {
			v.Before = recorded(state, c.Address, v.Path)
			if restore {
				v.Before, v.After = v.After, v.Before
			}
			c.Values[i] = v
		}
		out = append(out, c)
	}
	return out
}

// recorded is the value the state holds for path ("tags.Name") of the
// resource at addr (an instance's index is the block's).
func recorded(state *configScope, addr, path string) model.Value {
	if i := strings.IndexByte(addr, '['); i >= 0 {
		addr = addr[:i]
	}
	attr, key, nested := strings.Cut(path, ".")
	v := state.attr(addr, attr)
	if nested {
		v = member(v, key)
	}
	if sensitiveAttrs[attr] {
		return model.Value{Sensitive: !v.IsNull(), Null: v.IsNull()}
	}
	return valueOf(v)
}

// mergeDrift folds several changes of one resource into one, attributes
// sorted and unique (the latest real value wins), resources in address
// order. The changes returned are copies.
func mergeDrift(drift []model.ResourceChange) []model.ResourceChange {
	byAddr := map[string]map[string]model.AttributeChange{}
	for _, c := range drift {
		if byAddr[c.Address] == nil {
			byAddr[c.Address] = map[string]model.AttributeChange{}
		}
		for _, a := range c.Attributes {
			v, ok := c.Value(a)
			if !ok {
				v = model.AttributeChange{Path: a, After: model.Value{Unknown: true}}
			}
			byAddr[c.Address][a] = v
		}
	}
	out := make([]model.ResourceChange, 0, len(byAddr))
	for _, addr := range sortedKeys(byAddr) {
		c := model.ResourceChange{Address: addr, Action: model.ActionChange, ValuesFrom: model.ValuesPlan}
		for _, a := range sortedKeys(byAddr[addr]) {
			c.Attributes = append(c.Attributes, a)
			c.Values = append(c.Values, byAddr[addr][a])
		}
		out = append(out, c)
	}
	return out
}

func cloneChanges(cs []model.ResourceChange) []model.ResourceChange {
	if cs == nil {
		return nil
	}
	out := make([]model.ResourceChange, len(cs))
	for i, c := range cs {
		out[i] = c
		out[i].Attributes = slices.Clone(c.Attributes)
		out[i].Values = slices.Clone(c.Values)
		out[i].ReplacePaths = slices.Clone(c.ReplacePaths)
	}
	return out
}
