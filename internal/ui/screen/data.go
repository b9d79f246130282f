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

	Loaded  bool // at least one load succeeded
	Loading bool // a load is on its way
	// LoadSince is when the load on its way started: before the first
	// good load, the tree says how long it has been connecting.
	LoadSince time.Time
	LastLoad  time.Time // when the last good load landed
	LoadErr   error     // the last load's error; nil after a good one
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
	for i := range d.Forest.Envs {
		stacks = append(stacks, d.Forest.Envs[i].Stacks()...)
	}
	d.Index.Needs, d.Index.NeedsUnread = model.Needs(stacks)
	d.Index.Attention = make([]string, len(d.Forest.Envs))
	n := 0
	for i := range d.Forest.Envs {
		t := tallyOf(d.Index.Needs, d.Forest.Envs[i].Stacks())
		d.Index.Attention[i] = t.counts()
		n += t.needs
	}
	d.Attention = Count{Known: true, N: n, AtLeast: d.Index.NeedsUnread > 0}
}

// PendingUnread is up to limit stacks, in the forest's order, whose
// pending runs a lean listing left unread (only loaded stacks: the listing
// itself reads the others again), so what waits on them can be read rather
// than guessed.
func (d *Data) PendingUnread(limit int) []string {
	var ids []string
	for i := range d.Forest.Envs {
		for _, s := range d.Forest.Envs[i].Stacks() {
			if len(ids) == limit {
				return ids
			}
			if _, known := s.Waiting(); !known && s.Loaded() {
				ids = append(ids, s.ID)
			}
		}
	}
	return ids
}

// AttentionOf counts what needs a person among some stacks (a collapsed
// business unit's) as the tabs count it: "?1 ✗2", "✓", "…".
func (d *Data) AttentionOf(stacks []*model.Stack) string {
	return tallyOf(d.Index.Needs, stacks).counts()
}

// tally is what needs a person among some stacks: the stacks waiting,
// failed and drifted, whether some stack's runs are not read yet, and how
// many needs count.
type tally struct {
	waiting, failed, drifted map[string]bool
	unread                   bool
	// driftUnknown counts stacks whose drift is not read yet (TFC reads it
	// per workspace), notLoaded those the last listing could not read.
	driftUnknown, notLoaded int
	needs                   int
}

func tallyOf(needs []model.Need, stacks []*model.Stack) tally {
	t := tally{waiting: map[string]bool{}, failed: map[string]bool{}, drifted: map[string]bool{}}
	in := make(map[string]bool, len(stacks))
	for _, s := range stacks {
		in[s.ID] = true
		if _, known := s.Waiting(); !known {
			t.unread = true
		}
		if s.Waits() { // the stack's own state or approval flag counts even before its runs are read
			t.waiting[s.ID] = true
		}
		if s.State == model.StateFailed && s.Unread.Has(model.DetailRuns) {
			t.failed[s.ID] = true // so does its failed state: a lean listing reads no runs
		}
		switch {
		case !s.Loaded():
			t.notLoaded++
		case s.Unread.Has(model.DetailDrift) && !s.Drift.Drifted:
			t.driftUnknown++
		}
	}
	for _, need := range needs {
		if !in[need.Stack.ID] {
			continue
		}
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
		t.needs++
	}
	return t
}

func (t tally) counts() string {
	return tabCounts(len(t.waiting), len(t.failed), len(t.drifted), t.driftUnknown, t.notLoaded, t.unread)
}

// tabCounts is an environment tab's counts: "?2 ✗1 ⚠1", "✓" when nothing
// needs a person, "…" added while some stacks' runs are not read yet. The
// stacks whose drift is not read yet count as "⚠?N", those the last
// listing could not read as "◌N": unknown, never ✓.
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
