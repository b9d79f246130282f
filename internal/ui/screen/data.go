package screen

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
)

// Data is what the root loads and keeps for every screen.
type Data struct {
	Forest model.Forest
	Waves  map[string]int // dependency wave of every stack
	Index  Index          // derived from the forest on each load

	Loaded   bool      // at least one load succeeded
	Loading  bool      // a load is on its way
	LastLoad time.Time // when the last good load landed
	LoadErr  error     // the last load's error; nil after a good one
	// Incomplete says why the tree may lack stacks: no listing has read
	// every stack yet (the first is still paging, or a page of it failed).
	// Until it is "", no count may say "all fine" and no promotion goes.
	Incomplete string
	Interval   time.Duration

	Drift Drift

	// Following is the promotion pushed in this session whose runs are
	// followed wave by wave: P returns to it from anywhere.
	Following *promotion.Followed
	// Watches are runs the bell rings for when they settle.
	Watches []Watch

	// Hooks for the chrome, filled by later features: how many stacks need
	// a person (the attention view), and how far a progressive load is.
	// The header shows each once it is known.
	Attention Count
	Progress  Count
}

// Count is a number the chrome shows once Known.
type Count struct {
	Known    bool
	N, Total int
	// AtLeast: part of what is counted is not read yet, so there may be
	// more than N.
	AtLeast bool
}

// Index is what the UI derives from a load once, so that no frame walks
// every stack: at 10,000 stacks such walks cost more than drawing the rows.
type Index struct {
	// Attention is per environment its tab's attention counts. It follows
	// the effective drift, so Data.ApplyDrift recounts it.
	Attention []string
	// Needs is what the attention view lists (model.Needs over every
	// placed stack, drift after the rules); NeedsUnread counts the stacks
	// whose pending runs are not read yet. Recounted with Attention.
	Needs       []model.Need
	NeedsUnread int
	Totals      []int               // per environment: how many stacks it has
	Dependents  map[string][]string // stack id → ids of the stacks depending on it, sorted
}

// Watch is a pinned run.
type Watch struct{ StackID, RunID, Name string }

// Env is environment i's tree, nil when there is none.
func (d *Data) Env(i int) *model.EnvTree {
	if i < 0 || i >= len(d.Forest.Envs) {
		return nil
	}
	return &d.Forest.Envs[i]
}

// Drift is the drift every screen counts alike: each stack's report after
// the ignore rules, and what was started from the drift screens.
type Drift struct {
	Reports     map[string]drift.Report // by stack id: what the backend said, after the rules
	RepoRules   map[string][]drift.Rule // by stack id, from its repository's ignore file
	ConfigRules []drift.Rule
	ConfigFile  string       // where the config's rules live ("" when not known)
	Added       []drift.Rule // ignored with i this session
	RulesErr    error        // an ignore file that could not be read

	// Started holds the drift check or reconcile started from the drift
	// screens on each stack, to show its progress and say when it ends.
	Started map[string]model.Run
}

// ApplyDrift evaluates every placed stack's drift against its rules (repo
// file, then config, then those added this session) and leaves the
// effective drift on the stack, so the tree markers, tab counts and detail
// pane count exactly what the inbox counts. fresh says the forest was just
// loaded; otherwise the stacks hold effective drift already and the reports
// keep what the backend said, so a rule added later applies to that.
func (d *Data) ApplyDrift(fresh bool) {
	reports := make(map[string]drift.Report, len(d.Drift.Reports))
	for i := range d.Forest.Envs {
		for _, s := range d.Forest.Envs[i].Stacks() {
			raw := s.Drift
			if !fresh {
				raw = d.Drift.Reports[s.ID].Drift
			}
			rep := drift.Evaluate(raw, s.Env, d.RulesFor(s.ID))
			reports[s.ID] = rep
			s.Drift = rep.Effective()
		}
	}
	d.Drift.Reports = reports
	d.recount()
}

// recount derives, from the stacks as they are now (effective drift), what
// needs a person: the attention view's list, the tabs' counts and the
// header's count, so that all three count the same runs and stacks.
func (d *Data) recount() {
	var stacks []*model.Stack
	env := map[string]int{}
	for i := range d.Forest.Envs {
		env[d.Forest.Envs[i].Env.Name] = i
		stacks = append(stacks, d.Forest.Envs[i].Stacks()...)
	}
	d.Index.Needs, d.Index.NeedsUnread = model.Needs(stacks)
	type tally struct{ waiting, failed, drifted map[string]bool }
	tallies := make([]tally, len(d.Forest.Envs))
	for i := range tallies {
		tallies[i] = tally{map[string]bool{}, map[string]bool{}, map[string]bool{}}
	}
	unread := make([]bool, len(d.Forest.Envs))
	driftUnknown, notLoaded := make([]int, len(tallies)), make([]int, len(tallies))
	for _, s := range stacks {
		if _, known := s.Waiting(); !known {
			unread[env[s.Env]] = true
		}
		switch {
		case !s.Loaded():
			notLoaded[env[s.Env]]++
		case s.Unread.Has(model.DetailDrift) && !s.Drift.Drifted:
			driftUnknown[env[s.Env]]++
		}
		if s.Waits() { // the stack's own state or approval flag counts even before its runs are read
			tallies[env[s.Env]].waiting[s.ID] = true
		}
	}
	n := 0
	for _, need := range d.Index.Needs {
		t := tallies[env[need.Stack.Env]]
		switch need.Kind {
		case model.NeedWaiting:
			t.waiting[need.Stack.ID] = true
		case model.NeedFailed:
			t.failed[need.Stack.ID] = true
		case model.NeedDrift:
			t.drifted[need.Stack.ID] = true
		default:
			continue // queued runs wait on a run already counted; locks are others' to lift
		}
		n++
	}
	d.Index.Attention = make([]string, len(tallies))
	for i, t := range tallies {
		d.Index.Attention[i] = tabCounts(len(t.waiting), len(t.failed), len(t.drifted), driftUnknown[i], notLoaded[i], unread[i])
	}
	d.Attention = Count{Known: true, N: n, AtLeast: d.Index.NeedsUnread > 0}
}

// tabCounts is an environment tab's counts: "?2 ✗1 ⚠1", "✓" when nothing
// needs a person, "…" added while some stacks' runs are not read yet. The
// stacks whose drift is not read yet (TFC reads it per workspace) count as
// "⚠?N", those the last listing could not read as "◌N": unknown, never ✓.
func tabCounts(waiting, failed, drifted, driftUnknown, notLoaded int, unread bool) string {
	var out []string
	for _, c := range []struct {
		mark string
		n    int
	}{{"?", waiting}, {"✗", failed}, {"⚠", drifted}, {"⚠?", driftUnknown}, {"◌", notLoaded}} {
		if c.n > 0 {
			out = append(out, c.mark+strconv.Itoa(c.n))
		}
	}
	switch {
	case len(out) == 0 && unread:
		return "…"
	case len(out) == 0:
		return "✓"
	case unread:
		out = append(out, "…")
	}
	return strings.Join(out, " ")
}

// RulesFor lists the ignore rules that apply to a stack: its repository's,
// the configuration's and those added this session.
func (d *Data) RulesFor(stackID string) []drift.Rule {
	var rules []drift.Rule
	rules = append(rules, d.Drift.RepoRules[stackID]...)
	rules = append(rules, d.Drift.ConfigRules...)
	return append(rules, d.Drift.Added...)
}

// DriftUnknown counts the stacks whose drift no read has told yet: a lean
// listing left it unread (TFC reads assessments per workspace), or the
// last listing could not read the stack.
func (d *Data) DriftUnknown() int {
	n := 0
	for i := range d.Forest.Envs {
		for _, s := range d.Forest.Envs[i].Stacks() {
			if !s.Loaded() || s.Unread.Has(model.DetailDrift) && !s.Drift.Drifted {
				n++
			}
		}
	}
	return n
}

// CountedDrift is the drift the inbox counts for a stack as a backend
// lists it afresh (the promotion gates read one): its ignore rules
// applied in its environment. It reads a snapshot taken now, so it may run
// off the UI's loop.
func (d *Data) CountedDrift() func(model.Stack) model.Drift {
	env := map[string]string{}
	for i := range d.Forest.Envs {
		for _, s := range d.Forest.Envs[i].Stacks() {
			env[s.ID] = s.Env
		}
	}
	repo := d.Drift.RepoRules // replaced on each load, never changed in place
	common := append(append([]drift.Rule(nil), d.Drift.ConfigRules...), d.Drift.Added...)
	return func(s model.Stack) model.Drift {
		rules := append(append([]drift.Rule(nil), repo[s.ID]...), common...)
		return drift.Evaluate(s.Drift, env[s.ID], rules).Effective()
	}
}

// DriftEntry is a stack whose latest check found drift.
type DriftEntry struct {
	Stack  *model.Stack
	Report drift.Report
}

// DriftEntries lists the stacks whose latest check found drift, ignored or
// not, by environment (in the configured order) then oldest drift first.
func (d *Data) DriftEntries() []DriftEntry {
	var out []DriftEntry
	order := map[string]int{}
	for i := range d.Forest.Envs {
		order[d.Forest.Envs[i].Env.Name] = i
		for _, s := range d.Forest.Envs[i].Stacks() {
			if rep, ok := d.Drift.Reports[s.ID]; ok && rep.Drift.Drifted {
				out = append(out, DriftEntry{Stack: s, Report: rep})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Stack, out[j].Stack
		if order[a.Env] != order[b.Env] {
			return order[a.Env] < order[b.Env]
		}
		return a.Drift.CheckedAt.Before(b.Drift.CheckedAt)
	})
	return out
}
