package screen

import (
	"sort"
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
}

// Index is what the UI derives from a load once, so that no frame walks
// every stack: at 10,000 stacks such walks cost more than drawing the rows.
type Index struct {
	// Attention is per environment its tab's attention counts. It follows
	// the effective drift, so Data.ApplyDrift recounts it.
	Attention  []string
	Totals     []int               // per environment: how many stacks it has
	Dependents map[string][]string // stack id → ids of the stacks depending on it, sorted
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
func (d *Data) ApplyDrift(fresh bool, attention func(*model.Forest) []string) {
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
	d.Index.Attention = attention(&d.Forest)
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
