package ui

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// request is a set of mutations waiting in the confirmation dialog.
type request struct {
	ops    []op
	note   bool     // the last field is a note for every op
	review bool     // buttons: 1 rejects, 2 approves
	bulk   bool     // results are shown per stack
	lines  []string // bulk: which stacks the action applies to, which are skipped and why
	title  string   // overrides the title made from the action
	// promotion: the dialog confirms the promotion in m.pr, not ops.
	promotion bool
}

// opResult is the answer to one op.
type opResult struct {
	op  op
	run *model.Run // the run the backend returned, for run-level answers
	err error
}

// actionsMsg carries the results of one confirmed request.
type actionsMsg struct {
	bulk    bool
	results []opResult
}

// propose is the single entry of every mutating key: it refuses in
// read-only mode, refuses while the stack has a mutation in flight, says why
// an action is unavailable, and otherwise opens the confirmation.
func (m Model) propose(k actionKind) (Model, tea.Cmd) {
	if m.readOnly {
		return m.refuseReadOnly(k.String())
	}
	if len(m.marks) > 0 && m.view == viewTree && (k == actPlan || k == actConfirm || k == actDiscard) {
		return m.proposeBulk(k)
	}
	s, viewed := m.actionTarget()
	if s == nil {
		return m.failed("no stack selected")
	}
	if busy, ok := m.inflight[s.ID]; ok {
		return m.failed("%s on %s was sent; waiting for the answer", busy, s.Name)
	}
	o, why := m.resolve(k, s, viewed)
	if why != "" {
		if k.runLevel() && o.runID == "" {
			why += m.latestText(s, viewed)
		}
		return m.failed("%s unavailable: %s", k, why)
	}
	return m.openRequest(request{ops: []op{o}}), nil
}

func (m Model) refuseReadOnly(action string) (Model, tea.Cmd) {
	return m.failed("read-only mode: %s refused, nothing was sent (started with --read-only or read_only = true)", action)
}

func (m Model) failed(format string, args ...any) (Model, tea.Cmd) {
	m.message, m.messageErr = fmt.Sprintf(format, args...), true
	return m, nil
}

// openRequest builds the dialog for req. Protected environments make it
// strict: the stack name (one op) or the environment names (bulk) must be
// typed, except for plans, which change nothing.
func (m Model) openRequest(req request) Model {
	first := req.ops[0]
	var fields []field
	var lines []string
	strict := false
	if first.action != "plan" {
		var protected []string
		for _, o := range req.ops {
			if m.protected(o.env) && !contains(protected, o.env) {
				protected = append(protected, o.env)
			}
		}
		if len(protected) > 0 {
			strict = true
			want := first.name
			what := "the stack name"
			if req.bulk {
				sort.Strings(protected)
				want, what = strings.Join(protected, " "), "the environment name"
				if len(protected) > 1 {
					what = "the environment names"
				}
			}
			fields = append(fields, field{label: "Protected: type " + what + " (" + want + ") to go ahead", want: want})
		}
	}
	title := titleVerb(first.action) + " " + first.name + "?"
	if req.bulk {
		title = fmt.Sprintf("%s %d %s?", titleVerb(first.action), len(req.ops), plural(len(req.ops), "stack"))
		lines = req.lines
		if req.title != "" {
			title = req.title
		}
	} else {
		lines = m.describe(first)
	}
	switch {
	case first.action == "lock" && first.note == "":
		req.note = true
		fields = append(fields, field{label: "Lock note (why; shown to everyone)"})
	case first.action == "review":
		req.note, req.review = true, true
		fields = append(fields, field{label: "Review note (optional)"})
	}
	var buttons []button
	if req.review {
		buttons = []button{{label: "Reject", hotkey: rejectKey}, {label: "Approve", hotkey: approveKey}}
	} else {
		buttons = []button{goButton(titleVerb(first.action))}
	}
	d := newDialog(title, lines, fields, strict, buttons...)
	m.dialog, m.pending = &d, req
	return m
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// onDialogKey feeds a key to the open dialog and acts on the outcome.
func (m Model) onDialogKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	d, out := m.dialog.update(msg, m.keys.Dialog, m.keys.Input)
	if out == nil {
		m.dialog = &d
		return m, nil
	}
	m.dialog = nil
	req := m.pending
	m.pending = request{}
	if req.promotion {
		return m.onPromotionDialog(out)
	}
	if out.button == 0 || len(req.ops) == 0 {
		if len(req.ops) > 0 {
			m.message, m.messageErr = "cancelled: nothing was sent", false
		}
		return m, nil
	}
	ops := append([]op(nil), req.ops...)
	for i := range ops {
		if req.note {
			ops[i].note = strings.TrimSpace(out.values[len(out.values)-1])
		}
		if req.review {
			ops[i].action = map[int]string{1: "reject", 2: "approve"}[out.button]
		}
	}
	return m.dispatch(ops, req.bulk)
}

// dispatch sends ops once: their stacks are marked in flight until the
// answer comes, so repeated keys cannot send them again.
func (m Model) dispatch(ops []op, bulk bool) (Model, tea.Cmd) {
	inflight := maps.Clone(m.inflight)
	if inflight == nil {
		inflight = map[string]string{}
	}
	for _, o := range ops {
		inflight[o.stackID] = o.action
	}
	m.inflight = inflight
	if bulk {
		m.marks = nil
	}
	m.message, m.messageErr = fmt.Sprintf("sending %s…", describeOps(ops)), false
	return m, m.sendOps(ops, bulk)
}

func describeOps(ops []op) string {
	if len(ops) == 1 {
		return ops[0].action + " of " + ops[0].name
	}
	return fmt.Sprintf("%s of %d stacks", ops[0].action, len(ops))
}

// sendOps runs the mutations one after another (a bulk of twenty confirms
// should not look like an attack to the API) and audits each.
func (m Model) sendOps(ops []op, bulk bool) tea.Cmd {
	ctx, b, rec, info, now := m.ctx, m.backend, m.audit, m.info, m.now
	return func() tea.Msg {
		results := make([]opResult, 0, len(ops))
		for _, o := range ops {
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			run, err := perform(cctx, b, o)
			cancel()
			entry := audit.Entry{Time: now(), Backend: info.Kind, Endpoint: info.Endpoint, Action: o.action,
				Environment: o.env, Target: o.target(), Result: audit.ResultOK, Detail: auditDetail(o, run)}
			if err != nil {
				entry.Result, entry.Detail = audit.ResultError, err.Error()
			}
			if aerr := rec.Record(entry); aerr != nil && err == nil {
				err = fmt.Errorf("sent, but the audit log failed: %w", aerr)
				run = nil
			}
			results = append(results, opResult{op: o, run: run, err: err})
		}
		return actionsMsg{bulk: bulk, results: results}
	}
}

func auditDetail(o op, run *model.Run) string {
	parts := []string{"stack " + o.stackID}
	if o.note != "" {
		parts = append(parts, "note: "+o.note)
	}
	if run != nil {
		parts = append(parts, fmt.Sprintf("run %s %s", run.ID, run.State))
	}
	return strings.Join(parts, "; ")
}

// perform sends one op. Stack-level answers return no run.
func perform(ctx context.Context, b backend.Backend, o op) (*model.Run, error) {
	var r model.Run
	var err error
	switch o.action {
	case "plan":
		r, err = b.Trigger(ctx, o.stackID, model.RunPlan)
	case "deploy":
		r, err = b.Trigger(ctx, o.stackID, model.RunDeploy)
	case "drift-check":
		r, err = b.Trigger(ctx, o.stackID, model.RunDriftCheck)
	case "promote":
		r, err = b.Promote(ctx, o.stackID, o.runID)
	case "confirm":
		r, err = b.Confirm(ctx, o.stackID, o.runID)
	case "discard":
		r, err = b.Discard(ctx, o.stackID, o.runID)
	case "retry":
		r, err = b.Retry(ctx, o.stackID, o.runID)
	case "cancel":
		r, err = b.Cancel(ctx, o.stackID, o.runID)
	case "stop":
		r, err = b.Stop(ctx, o.stackID, o.runID)
	case "approve", "reject":
		r, err = b.Review(ctx, o.stackID, o.runID, o.action == "approve", o.note)
	case "lock":
		_, err = b.Lock(ctx, o.stackID, o.note)
		return nil, err
	case "unlock":
		_, err = b.Unlock(ctx, o.stackID)
		return nil, err
	case "sync":
		_, err = b.SyncCommit(ctx, o.stackID)
		return nil, err
	default:
		return nil, fmt.Errorf("unknown action %q", o.action)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// onActions takes the answers: the stacks leave the in-flight set, the
// outcome is said (per stack for bulk), and everything reloads.
func (m Model) onActions(msg actionsMsg) (Model, tea.Cmd) {
	inflight := maps.Clone(m.inflight)
	for _, r := range msg.results {
		delete(inflight, r.op.stackID)
	}
	m.inflight = inflight
	if msg.bulk {
		d := infoDialog(resultsTitle(msg.results), resultLines(msg.results))
		m.dialog, m.pending = &d, request{}
		m.message = ""
	} else {
		r := msg.results[0]
		m.message, m.messageErr = resultText(r), r.err != nil
	}
	var cmds []tea.Cmd
	if len(msg.results) == 1 && msg.results[0].err == nil {
		var follow tea.Cmd
		m, follow = m.followResult(msg.results[0])
		cmds = append(cmds, follow)
	}
	if m.view == viewHistory {
		m.hist.req++
		m.hist.runs, m.hist.next, m.hist.loading = nil, "", true
		cmds = append(cmds, m.fetchHistory(""))
	}
	m, refresh := m.refresh()
	m, runs := m.loadRunsIfNeeded(true)
	return m, tea.Batch(append(cmds, refresh, runs)...)
}

func resultsTitle(results []opResult) string {
	failed := 0
	for _, r := range results {
		if r.err != nil {
			failed++
		}
	}
	return fmt.Sprintf("%s: %d sent, %d failed", titleVerb(results[0].op.action), len(results)-failed, failed)
}

func resultLines(results []opResult) []string {
	lines := make([]string, 0, len(results))
	for _, r := range results {
		lines = append(lines, resultText(r))
	}
	return lines
}

// resultText is one op's outcome in a line, with a hint on failure.
func resultText(r opResult) string {
	if r.err != nil {
		return fmt.Sprintf("✗ %s %s: %v — %s", r.op.action, r.op.name, r.err, mutationHint(r.err))
	}
	text := fmt.Sprintf("✓ %s %s", r.op.action, r.op.name)
	if r.run != nil {
		text += fmt.Sprintf(": run %s %s", r.run.ID, r.run.State)
	}
	return text
}

// followResult keeps the run view on the run an action produced (a retry
// or a deployed preview is a new run) and polls it again.
func (m Model) followResult(r opResult) (Model, tea.Cmd) {
	if m.view != viewRun || r.run == nil || r.op.stackID != m.rv.stackID {
		if r.run != nil && m.view != viewRun && r.run.ID != r.op.runID {
			m.message += " (l follows it)"
		}
		return m, nil
	}
	return m.openRun(r.run.StackID, r.run.ID)
}
