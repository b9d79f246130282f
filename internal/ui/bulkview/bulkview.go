// Package bulkview confirms many runs by plan: the runs it is given (the
// tree's marks, or any screen's list of stacks and runs) are grouped by
// what their plans change (internal/plangroup), each distinct plan is
// reviewed once with the runs that share it, and one confirmation sends
// the runs of the plan on screen, never another's. Runs without values,
// held for approval, or not waiting for confirmation are listed apart and
// never confirmed here.
package bulkview

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/plangroup"
	"github.com/stackview/stackview/internal/ui/act"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// callTimeout bounds reading one run and its plan.
const callTimeout = 15 * time.Second

// Target is a run to confirm, as the screen that asks names it: the stack
// and the run (empty: the stack's run that waits for confirmation), or why
// it cannot be confirmed, when that screen already knows.
type Target struct {
	StackID, RunID string
	Apart          string
}

// gens numbers bulk views, so a closed one's answers are dropped.
var gens atomic.Int64

// Model is the bulk confirm screen.
type Model struct {
	gen     int64
	targets []Target
	loaded  bool
	groups  []plangroup.Group
	apart   []plangroup.Apart
	ops     map[string]mutation.StackOp // by run id: what confirming it sends
	// page is the plan on screen: the only one c confirms. sent are the
	// plans (by index) whose confirmation was sent.
	page   int
	scroll int
	sent   map[int]bool
}

// loadedMsg is every target read: its run, its plan, or why not.
type loadedMsg struct {
	gen   int64
	items []item
}

type item struct {
	target Target
	run    *model.Run
	plan   []model.ResourceChange
	err    error
}

// Open reads the targets' runs and plans, then groups them.
func Open(c *screen.Context, targets []Target) (Model, tea.Cmd) {
	m := Model{gen: gens.Add(1), targets: targets, sent: map[int]bool{}}
	ctx, b, gen := c.Ctx, c.Backend, m.gen
	return m, func() tea.Msg {
		items := make([]item, len(targets))
		for i, t := range targets {
			items[i].target = t
			if t.Apart != "" || t.RunID == "" {
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			r, err := b.GetRun(cctx, t.StackID, t.RunID)
			if err == nil {
				items[i].run = &r
				items[i].plan, err = b.RunChanges(cctx, t.StackID, t.RunID)
			}
			cancel()
			items[i].err = err
		}
		return loadedMsg{gen: gen, items: items}
	}
}

// Name implements screen.Named.
func (m Model) Name() string { return "bulk confirm by plan" }

// Title implements screen.Screen.
func (m Model) Title(*screen.Context) []string { return []string{"confirm by plan"} }

// Update implements screen.Screen.
func (m Model) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m = m.group(c, msg.items)
	case screen.Outcome:
		m = m.onOutcome(msg.Outcome)
	}
	return m, nil
}

// group resolves each run's confirmation (as the run view would) and
// splits the confirmable ones by plan.
func (m Model) group(c *screen.Context, items []item) Model {
	m.loaded, m.ops = true, map[string]mutation.StackOp{}
	var runs []plangroup.Run
	for _, it := range items {
		s := c.Data.Forest.Stack(it.target.StackID)
		r := plangroup.Run{StackID: it.target.StackID, Name: it.target.StackID, RunID: it.target.RunID, Apart: it.target.Apart}
		if s != nil {
			r.Name, r.Env, r.Unit = s.Name, s.Env, s.BusinessUnit
		}
		switch {
		case r.Apart != "":
		case s == nil:
			r.Apart = "the stack is no longer listed"
		case it.target.RunID == "":
			r.Apart = "no run waits for confirmation"
		case it.err != nil:
			r.Apart = "its run or plan could not be read: " + it.err.Error()
		default:
			o, why := act.Resolve(c, act.Confirm, act.Target{Stack: s, Run: it.run})
			r.Apart, r.Changes = why, it.plan
			m.ops[r.RunID] = o
		}
		runs = append(runs, r)
	}
	m.groups, m.apart = plangroup.Split(runs)
	m.page, m.scroll = 0, 0
	return m
}

// onOutcome marks a plan's runs sent once their confirmation went out.
func (m Model) onOutcome(o mutation.Outcome) Model {
	sentRuns := map[string]bool{}
	for _, r := range o.Stacks {
		if r.Op.Action == "confirm" {
			sentRuns[r.Op.RunID] = true
		}
	}
	sent := map[int]bool{}
	for i, v := range m.sent {
		sent[i] = v
	}
	for i, g := range m.groups {
		if len(g.Runs) > 0 && sentRuns[g.Runs[0].RunID] {
			sent[i] = true
		}
	}
	m.sent = sent
	return m
}

// Keys implements screen.Screen.
func (m Model) Keys(c *screen.Context) []screen.Group {
	turn := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			if len(m.groups) == 0 {
				return m, nil
			}
			m.page = (m.page + by + len(m.groups)) % len(m.groups)
			m.scroll = 0
			return m, nil
		}
	}
	scroll := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			m.scroll = max(0, min(m.scroll+by, max(0, len(m.lines(c))-1)))
			return m, nil
		}
	}
	one := screen.OffIf(len(m.groups) < 2, "one plan only")
	return []screen.Group{
		{Title: "Confirm by plan", Actions: []screen.Action{
			{Key: keys.BulkConfirm, Off: m.confirmOff(c), Do: func() (screen.Screen, tea.Cmd) { return m, m.confirm(c) }},
			{Key: keys.BulkNext, Off: one, Do: turn(1)},
			{Key: keys.BulkDown, Do: scroll(1)},
			screen.Back(c, ""),
		}},
		{Title: "Move", Actions: []screen.Action{
			{Key: keys.BulkPrev, Off: one, Do: turn(-1)},
			{Key: keys.BulkUp, Off: screen.OffIf(m.scroll == 0, "at the top"), Do: scroll(-1)},
		}},
	}
}

// confirmOff says why c does nothing now.
func (m Model) confirmOff(c *screen.Context) string {
	switch {
	case c.ReadOnly():
		return "read-only mode"
	case !m.loaded:
		return "the plans are still being read"
	case len(m.groups) == 0:
		return "no run can be confirmed here"
	case m.sent[m.page]:
		return "these runs' confirmation was sent"
	}
	return ""
}

// confirm proposes confirming the runs of the plan on screen, once, through
// the mutation pipeline (a protected environment's name is typed).
func (m Model) confirm(c *screen.Context) tea.Cmd {
	if err := c.Ops.Refuse("confirm"); err != nil {
		return c.Fail(err.Error())
	}
	if why := m.confirmOff(c); why != "" {
		return c.Fail("confirm unavailable: " + why)
	}
	g := m.groups[m.page]
	var ops []mutation.StackOp
	for _, r := range g.Runs {
		ops = append(ops, m.ops[r.RunID])
	}
	review := []string{fmt.Sprintf("These %d runs share one plan, reviewed on the screen behind:", len(ops)), ""}
	them := "them"
	if len(ops) == 1 {
		review[0], them = "This run's plan, reviewed on the screen behind:", "it"
	}
	for _, o := range ops {
		review = append(review, fmt.Sprintf("  • %s (%s) run %s", o.Name, kit.OrDash(o.Env), o.RunID))
	}
	review = append(review, "", "Plan (names put aside):")
	for _, l := range g.Plan {
		review = append(review, "  "+l)
	}
	if n := len(m.others()); n > 0 {
		review = append(review, "", fmt.Sprintf("%d other %s not confirmed with %s.", n, kit.Pick(n == 1, "run is", "runs are"), them))
	}
	title := fmt.Sprintf("Confirm %d %s with this plan?", len(ops), kit.Plural(len(ops), "run"))
	return c.Ask(screen.Propose{Request: mutation.Stacks{Ops: ops, Bulk: true, Review: review, Title: title}})
}

// others are the runs not in the plan on screen: other plans' and apart.
func (m Model) others() []string {
	var out []string
	for i, g := range m.groups {
		if i == m.page {
			continue
		}
		for _, r := range g.Runs {
			out = append(out, r.Name)
		}
	}
	for _, a := range m.apart {
		out = append(out, a.Run.Name)
	}
	return out
}

// View implements screen.Screen.
func (m Model) View(c *screen.Context, w, h int) string {
	lines := kit.WrapLines(m.lines(c), w)
	head, rest := lines[:min(2, len(lines))], lines[min(2, len(lines)):]
	rest = rest[min(m.scroll, len(rest)):]
	return kit.Block(append(head, rest...), w, h)
}

// lines are the plan on screen: its runs, its changes with the names put
// aside, and every run not confirmed with it, why.
func (m Model) lines(c *screen.Context) []string {
	st := c.Styles
	n := len(m.targets)
	// A target is a stack (its run, or why it has none to confirm).
	head := fmt.Sprintf("  Confirm by plan · %d %s", n, kit.Plural(n, "stack"))
	if !m.loaded {
		return []string{st.Title.Render(head), "", "  reading the runs and their plans…"}
	}
	head += fmt.Sprintf(": %d %s, %d apart", len(m.groups), kit.Plural(len(m.groups), "plan"), len(m.apart))
	lines := []string{st.Title.Render(head), ""}
	if len(m.groups) == 0 {
		lines = append(lines, st.Warn.Render("  No run can be confirmed here: each is listed apart below."))
	} else {
		g := m.groups[m.page]
		status := fmt.Sprintf("%s confirms these %d", c.Keys.Key(keys.BulkConfirm), len(g.Runs))
		share := fmt.Sprintf("%d runs share it", len(g.Runs))
		if len(g.Runs) == 1 {
			status, share = c.Keys.Key(keys.BulkConfirm)+" confirms it", "1 run shares it"
		}
		if m.sent[m.page] {
			status = "✓ confirmation sent"
		}
		lines = append(lines, st.Heading.Render(fmt.Sprintf("  Plan %d of %d — %s", m.page+1, len(m.groups), share))+st.Subtle.Render(" · "+status))
		for _, r := range g.Runs {
			lines = append(lines, fmt.Sprintf("    • %s %s", kit.Fit(r.Name, 28), st.Subtle.Render(kit.OrDash(r.Env)+" · run "+r.RunID)))
		}
		lines = append(lines, "", st.Heading.Render("  Changes")+st.Subtle.Render(fmt.Sprintf(" (the stack's, environment's and unit's names read %s, %s, %s)",
			plangroup.StackToken, plangroup.EnvToken, plangroup.UnitToken)))
		for _, l := range g.Plan {
			lines = append(lines, "    "+l)
		}
		if len(g.Plan) == 0 {
			lines = append(lines, st.Subtle.Render("    no changes"))
		}
	}
	if others := m.otherLines(c); len(others) > 0 {
		title := "  Not confirmed with this plan"
		if len(m.groups) == 0 {
			title = "  Not confirmed"
		}
		lines = append(lines, "", st.Heading.Render(title)+st.Subtle.Render(" (listed apart)"))
		lines = append(lines, others...)
	}
	next := "esc goes back"
	if len(m.groups) > 1 {
		next = c.Keys.Key(keys.BulkNext) + " shows the next plan · " + next
	}
	return append(lines, "", st.Accent.Render("  → "+next))
}

// otherLines are the runs of other plans (how theirs differs) and those
// apart (why).
func (m Model) otherLines(c *screen.Context) []string {
	st := c.Styles
	var out []string
	for i, g := range m.groups {
		if i == m.page {
			continue
		}
		var diff []string
		if m.page < len(m.groups) {
			diff = plangroup.Difference(g.Plan, m.groups[m.page].Plan, 3)
		}
		why := fmt.Sprintf("plan %d: its plan differs", i+1)
		if len(diff) > 0 {
			why += ": " + strings.Join(diff, "; ")
		}
		for _, r := range g.Runs {
			out = append(out, "    – "+kit.Fit(r.Name, 28)+" "+st.Subtle.Render(why))
		}
	}
	for _, a := range m.apart {
		out = append(out, "    – "+kit.Fit(a.Run.Name, 28)+" "+st.Warn.Render(a.Why))
	}
	return out
}

// Propose opens the bulk confirm on targets, from any screen.
func Propose(c *screen.Context, targets []Target) tea.Cmd {
	if err := c.Ops.Refuse("confirm"); err != nil {
		return c.Fail(err.Error())
	}
	if len(targets) == 0 {
		return c.Fail("nothing to confirm: mark the stacks first")
	}
	s, init := Open(c, targets)
	return c.Ask(screen.Push{Screen: s, Init: init})
}

// Marked turns stacks into targets: each stack's run that waits for
// confirmation (as the action keys resolve it), or why there is none.
func Marked(c *screen.Context, stacks []*model.Stack) []Target {
	out := make([]Target, 0, len(stacks))
	for _, s := range stacks {
		t := Target{StackID: s.ID}
		if o, why := act.Resolve(c, act.Confirm, act.Target{Stack: s}); why != "" {
			t.Apart = why
		} else {
			t.RunID = o.RunID
		}
		out = append(out, t)
	}
	return apartInFlight(c, out)
}

// Runs turns marked runs (the attention view's) into targets.
func Runs(c *screen.Context, runs []screen.RunRef) []Target {
	out := make([]Target, 0, len(runs))
	for _, r := range runs {
		out = append(out, Target{StackID: r.StackID, RunID: r.RunID})
	}
	return apartInFlight(c, out)
}

// apartInFlight puts apart the targets whose stack has a mutation in flight.
func apartInFlight(c *screen.Context, targets []Target) []Target {
	inflight := c.Ops.InFlight()
	for i, t := range targets {
		if busy, ok := inflight[t.StackID]; ok {
			targets[i].Apart = busy + " already sent"
		}
	}
	return targets
}
