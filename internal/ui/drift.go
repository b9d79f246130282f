package ui

import (
	"context"
	"fmt"
	"sort"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
)

// driftState is the drift inbox (every drifted stack across environments),
// one stack's drifted resources, and what was started from them.
type driftState struct {
	open    bool
	cursor  int    // inbox row
	detail  string // stack whose resources are shown; "" = the inbox
	dcursor int    // resource / attribute row

	reports     map[string]drift.Report // by stack id: what the backend said, after the rules
	repoRules   map[string][]drift.Rule // by stack id, from its repository's ignore file
	configRules []drift.Rule
	added       []drift.Rule // ignored with i this session
	rulesErr    error        // an ignore file that could not be read

	// started holds the drift check or reconcile started from here on each
	// stack, to show its progress and say when it ends.
	started  map[string]model.Run
	checking map[string]bool // a check now is on its way
}

// driftEntry is one inbox row.
type driftEntry struct {
	stack  *model.Stack
	report drift.Report
}

// driftEntries lists the stacks whose latest check found drift, ignored or
// not, by environment (in the configured order) then oldest drift first.
func (m Model) driftEntries() []driftEntry {
	var out []driftEntry
	order := map[string]int{}
	for i := range m.forest.Envs {
		order[m.forest.Envs[i].Env.Name] = i
		for _, s := range m.forest.Envs[i].Stacks() {
			if rep, ok := m.drift.reports[s.ID]; ok && rep.Drift.Drifted {
				out = append(out, driftEntry{stack: s, report: rep})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].stack, out[j].stack
		if order[a.Env] != order[b.Env] {
			return order[a.Env] < order[b.Env]
		}
		return a.Drift.CheckedAt.Before(b.Drift.CheckedAt)
	})
	return out
}

// driftRow is one line of a stack's resource list: a resource, or one of
// its drifted attributes.
type driftRow struct {
	res  drift.Resource
	attr *drift.Attribute
}

func driftRows(rep drift.Report) []driftRow {
	var rows []driftRow
	for _, r := range rep.Resources {
		rows = append(rows, driftRow{res: r})
		for i := range r.Attributes {
			rows = append(rows, driftRow{res: r, attr: &r.Attributes[i]})
		}
	}
	return rows
}

// driftStack is the stack the drift keys act on.
func (m Model) driftStack() *model.Stack {
	if m.drift.detail != "" {
		return m.forest.Stack(m.drift.detail)
	}
	entries := m.driftEntries()
	if m.drift.cursor < len(entries) {
		return entries[m.drift.cursor].stack
	}
	return nil
}

// openDrift shows the inbox.
func (m Model) openDrift() (tea.Model, tea.Cmd) {
	m.drift.open, m.drift.detail, m.helpOpen = true, "", false
	m.drift.cursor = min(m.drift.cursor, max(0, len(m.driftEntries())-1))
	return m, nil
}

// handleDriftKey handles the keys of the inbox and resource list; ok is
// false for keys it leaves to the global bindings.
func (m Model) handleDriftKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd, bool) {
	dk := m.keys.Drift
	s := m.driftStack()
	switch {
	case key.Matches(msg, m.keys.Global.ClearEsc):
		if m.drift.detail != "" {
			m.drift.detail = ""
		} else {
			m.drift.open = false
		}
		m.message = ""
		return m, nil, true
	case key.Matches(msg, dk.Up):
		m.driftMove(-1)
	case key.Matches(msg, dk.Down):
		m.driftMove(1)
	case key.Matches(msg, dk.Open):
		if m.drift.detail == "" && s != nil {
			m.drift.detail, m.drift.dcursor = s.ID, 0
		}
	case key.Matches(msg, dk.Check):
		mm, cmd := m.checkNow(s)
		return mm, cmd, true
	case key.Matches(msg, dk.Ignore):
		mm, cmd := m.ignoreSelected()
		return mm, cmd, true
	default:
		return m, nil, false
	}
	return m, nil, true
}

func (m *Model) driftMove(d int) {
	if m.drift.detail != "" {
		n := len(driftRows(m.drift.reports[m.drift.detail]))
		m.drift.dcursor = max(0, min(m.drift.dcursor+d, n-1))
		return
	}
	n := len(m.driftEntries())
	m.drift.cursor = max(0, min(m.drift.cursor+d, n-1))
}

// refuseCheck says why s may not be checked for drift now, or "".
func (m Model) refuseCheck(s *model.Stack) string {
	switch {
	case s == nil:
		return "no stack selected"
	case m.readOnly:
		return "read-only mode: check for drift refused, nothing was sent"
	case !s.CanPlan():
		return "you may not queue plans (a drift check is one) on " + s.Name
	case s.Disabled:
		return s.Name + " is disabled"
	}
	if busy, ok := m.inflight[s.ID]; ok {
		return busy + " on " + s.Name + " was sent; waiting for the answer"
	}
	return ""
}

// checkNow starts a drift check of s, saying plainly when it is not what
// the backend's own drift detection runs: on TFC a refresh-only plan (a
// health assessment cannot be started through the API), on Spacelift a
// proposed run (drift detection only runs on its schedule). Like every
// mutation it is sent once and audited; it changes nothing, so it needs no
// confirmation.
func (m Model) checkNow(s *model.Stack) (Model, tea.Cmd) {
	if why := m.refuseCheck(s); why != "" {
		return m.driftFailed(why)
	}
	if m.drift.checking == nil {
		m.drift.checking = map[string]bool{}
	}
	m.drift.checking[s.ID] = true
	action := "drift-check"
	if !m.backend.Capabilities().DriftCheck {
		action = "plan"
	}
	return m.dispatch([]op{{action: action, stackID: s.ID, name: s.Name, env: s.Env, commit: s.TrackedCommit}}, false)
}

// reconcileKey is the deploy key as the drift view uses it.
func (m Model) reconcileKey() key.Binding {
	b := m.keys.Actions.Deploy
	b.SetHelp(b.Help().Key, "reconcile (deploy the tracked commit)")
	return b
}

// checkNote says what check now really started on this backend, or "".
func (m Model) checkNote() string {
	switch {
	case m.info.Kind == "tfc":
		return "a refresh-only plan: HCP Terraform cannot start assessments through its API"
	case !m.backend.Capabilities().DriftCheck:
		return m.info.Kind + " runs drift detection only on its schedule; started a proposed run, whose plan shows the drift"
	}
	return ""
}

// afterActions follows, from the drift view, the runs its actions started:
// a check, a reconcile (D, a deploy) or the apply of one (c, a confirm).
func (m Model) afterActions(msg actionsMsg) Model {
	if msg.bulk {
		return m
	}
	r := msg.results[0]
	checking := m.drift.checking[r.op.stackID]
	if checking {
		delete(m.drift.checking, r.op.stackID)
	}
	if r.err != nil || r.run == nil || !(m.drift.open || checking) {
		return m
	}
	title := map[string]string{"drift-check": "check", "deploy": "reconcile", "confirm": "apply", "plan": "plan"}[r.op.action]
	if title == "" {
		return m
	}
	if checking {
		title = "check"
		if note := m.checkNote(); note != "" {
			m.message += " (" + note + ")"
		}
	}
	if m.drift.started == nil {
		m.drift.started = map[string]model.Run{}
	}
	run := *r.run
	run.Title = title
	m.drift.started[r.op.stackID] = run
	return m
}

// pollStarted reads the runs started from the drift view by their own ids
// (not as the stack's latest run: on TFC a drift check, a refresh-only
// plan, never becomes the workspace's current run). It rides on the stack
// refresh. A check that ended comes with its own result: its plan's
// changes, since on TFC it does not update the workspace's drift.
func (m Model) pollStarted() tea.Cmd {
	var cmds []tea.Cmd
	for id, run := range m.drift.started {
		ctx, b, stackID, runID, check := m.ctx, m.backend, id, run.ID, run.Title == "check"
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, callTimeout)
			defer cancel()
			r, err := b.GetRun(ctx, stackID, runID)
			msg := startedMsg{stackID: stackID, run: r, err: err}
			if err == nil && check && r.State.Terminal() {
				msg.changes, msg.changesErr = b.RunChanges(ctx, stackID, runID)
			}
			return msg
		})
	}
	return tea.Batch(cmds...)
}

// startedMsg is a run started from the drift view as it is now.
type startedMsg struct {
	stackID    string
	run        model.Run
	err        error
	changes    []model.ResourceChange // a finished check's own findings
	changesErr error
}

// onStarted records a followed run and, once it ended, says how: a check
// by what it found (with the ignore rules applied), a reconcile or apply by
// the stack's drift now.
func (m Model) onStarted(msg startedMsg) Model {
	started, ok := m.drift.started[msg.stackID]
	if !ok || (msg.err == nil && msg.run.ID != started.ID) {
		return m
	}
	s := m.forest.Stack(msg.stackID)
	if msg.err != nil || s == nil {
		delete(m.drift.started, msg.stackID)
		if msg.err != nil {
			m.message, m.messageErr = fmt.Sprintf("stopped following the %s of %s: %v", started.Title, msg.stackID, msg.err), true
		}
		return m
	}
	run := msg.run
	run.Title = started.Title
	m.drift.started[msg.stackID] = run
	if !run.State.Terminal() {
		return m
	}
	delete(m.drift.started, msg.stackID)
	rep := m.drift.reports[msg.stackID]
	if started.Title == "check" && run.State == model.StateFinished {
		if msg.changesErr != nil {
			m.message, m.messageErr = fmt.Sprintf("check of %s finished; its findings could not be read: %v", s.Name, msg.changesErr), true
			return m
		}
		found := model.Drift{Drifted: len(msg.changes) > 0, Changes: msg.changes}
		for _, c := range msg.changes {
			found.Resources = append(found.Resources, c.Address)
		}
		rep = drift.Evaluate(found, s.Env, m.rulesFor(s.ID))
	}
	result := "no drift"
	if rep.Drift.Drifted {
		result = fmt.Sprintf("%d drifted", rep.Counted())
		if n := rep.Ignored(); n > 0 {
			result += fmt.Sprintf(", %d ignored", n)
		}
	}
	if run.State != model.StateFinished {
		result = "see the run"
	}
	m.message, m.messageErr = fmt.Sprintf("%s of %s ended %s: %s", run.Title, s.Name, run.State, result), run.State != model.StateFinished
	return m
}

func (m Model) driftFailed(text string) (Model, tea.Cmd) {
	m.message, m.messageErr = text, true
	return m, nil
}

// ignoreSelected ignores the selected attribute (or, on a resource line,
// the whole resource) in the stack's environment, for this session and —
// when the UI can save — in the user config.
func (m Model) ignoreSelected() (Model, tea.Cmd) {
	s := m.driftStack()
	if m.drift.detail == "" || s == nil {
		return m.driftFailed("open a stack (enter) and select the attribute to ignore")
	}
	if m.readOnly {
		return m.driftFailed("read-only mode: ignoring drift writes the config")
	}
	rows := driftRows(m.drift.reports[s.ID])
	if m.drift.dcursor >= len(rows) {
		return m, nil
	}
	row := rows[m.drift.dcursor]
	rule := drift.Rule{Address: row.res.Address, Attribute: drift.AnyAttribute, Environment: s.Env,
		Reason: "ignored in stackview", Source: "config"}
	what := row.res.Address
	if row.attr != nil {
		rule.Attribute, what = row.attr.Name, row.res.Address+" "+row.attr.Name
	}
	what += " in " + s.Env
	if (row.attr != nil && row.attr.IgnoredBy != nil) || (row.attr == nil && row.res.Ignored()) {
		return m.driftFailed(what + " is already ignored")
	}
	m.drift.added = append(m.drift.added, rule)
	m.applyDrift(false)
	m.rebuildRows()
	m.message, m.messageErr = "ignoring "+what, false
	if m.saveIgnore == nil {
		m.message += " for this session"
		return m, nil
	}
	save := m.saveIgnore
	return m, func() tea.Msg { return ignoreSavedMsg{what: what, err: save(rule)} }
}

// ignoreSavedMsg says whether an ignore rule reached the config file.
type ignoreSavedMsg struct {
	what string
	err  error
}

func (m Model) onIgnoreSaved(msg ignoreSavedMsg) Model {
	if msg.err != nil {
		m.message, m.messageErr = "ignoring "+msg.what+" for this session only: "+msg.err.Error(), true
		return m
	}
	m.message, m.messageErr = "ignoring "+msg.what+" (saved to the config)", false
	return m
}

// driftCounts is the inbox summary: stacks with drift that counts, and
// resources drifted.
func (m Model) driftCounts(entries []driftEntry) (stacks, resources int) {
	for _, e := range entries {
		if n := e.report.Counted(); n > 0 || len(e.report.Resources) == 0 {
			stacks++
			resources += n
		}
	}
	return stacks, resources
}
