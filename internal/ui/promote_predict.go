package ui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// predictedPlan is one affected target stack planned at the promoted
// commit: a proposed run, nothing applied.
type predictedPlan struct {
	stackID string
	run     *model.Run
	err     error
}

// predictedMsg carries the predicted plans as started or last polled.
type predictedMsg struct {
	req   int
	plans []predictedPlan
}

// predictPlans starts a proposed run of the promoted commit on every
// affected target stack (p on the diff). It changes nothing, but it is a
// run started: read-only mode refuses it and the audit log records it.
func (m Model) predictPlans() (Model, tea.Cmd) {
	cp, ok := m.backend.(backend.CommitPlanner)
	switch {
	case m.readOnly:
		return m.refuseReadOnly("predicted plans")
	case !ok:
		return m.failed("%s cannot plan a given commit: no predicted plans", m.info.Kind)
	case m.pr.loading || m.pr.err != nil:
		return m.failed("the diff is not computed yet")
	case len(m.pr.plan.Affected) == 0:
		return m.failed("no %s stack's code changes: nothing to plan", m.pr.plan.Target.Name)
	case len(m.pr.predicted) > 0 && !m.predictionsDone():
		return m.failed("predicted plans are running")
	}
	p := m.pr.plan
	ctx, rec, info, now, req := m.ctx, m.audit, m.info, m.now, m.pr.req
	m.pr.predicted = nil
	m.message, m.messageErr = fmt.Sprintf("planning %d %s at %s…", len(p.Affected), plural(len(p.Affected), "stack"), shortSHA(p.Commit)), false
	return m, func() tea.Msg {
		plans := make([]predictedPlan, 0, len(p.Affected))
		for _, a := range p.Affected {
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			r, err := cp.PlanCommit(cctx, a.StackID, p.Commit)
			cancel()
			entry := audit.Entry{Time: now(), Backend: info.Kind, Endpoint: info.Endpoint, Action: "predicted plan",
				Environment: p.Target.Name, Target: a.StackID, Result: audit.ResultOK,
				Detail: fmt.Sprintf("commit %s; run %s", shortSHA(p.Commit), r.ID)}
			if err != nil {
				entry.Result, entry.Detail = audit.ResultError, err.Error()
			}
			if aerr := rec.Record(entry); aerr != nil && err == nil {
				err = fmt.Errorf("started, but the audit log failed: %w", aerr)
			}
			plan := predictedPlan{stackID: a.StackID, err: err}
			if err == nil {
				plan.run = &r
			}
			plans = append(plans, plan)
		}
		return predictedMsg{req: req, plans: plans}
	}
}

func (m Model) onPredicted(msg predictedMsg) Model {
	if msg.req != m.pr.req {
		return m
	}
	m.pr.predicted = msg.plans
	if m.predictionsDone() {
		m.message = ""
	}
	return m
}

// predictionsDone reports that no predicted plan is still running.
func (m Model) predictionsDone() bool {
	for _, p := range m.pr.predicted {
		if p.run != nil && !p.run.State.Terminal() && !p.run.State.Waiting() {
			return false
		}
	}
	return true
}

// pollPredicted reads the predicted plans again while any is running.
func (m Model) pollPredicted() tea.Cmd {
	if m.view != viewPromote || m.pr.stage != stageDiff || m.predictionsDone() {
		return nil
	}
	ctx, b, req, plans := m.ctx, m.backend, m.pr.req, append([]predictedPlan(nil), m.pr.predicted...)
	return func() tea.Msg {
		for i, p := range plans {
			if p.run == nil {
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			r, err := b.GetRun(cctx, p.stackID, p.run.ID)
			cancel()
			if err == nil {
				plans[i].run = &r
			}
		}
		return predictedMsg{req: req, plans: plans}
	}
}

// onStacksPromote keeps the promotion screens live with each stack
// refresh: the predicted plans are polled, the started runs audited.
func (m Model) onStacksPromote() (Model, tea.Cmd) {
	poll := m.pollPredicted()
	m, audited := m.auditPromotionRuns()
	return m, tea.Batch(poll, audited)
}

// predictedLines is the diff's section on predicted plans.
func (m Model) predictedLines() []string {
	st := m.styles
	if len(m.pr.predicted) == 0 {
		return []string{st.Subtle.Render(fmt.Sprintf("    %s plans the affected stacks at %s (proposed runs: nothing is applied)",
			m.keys.Promote.Predict.Help().Key, shortSHA(m.pr.plan.Commit)))}
	}
	var lines []string
	for _, p := range m.pr.predicted {
		name := fit(p.stackID, 28)
		if p.err != nil {
			lines = append(lines, "    "+name+st.StatusError.Render(" ✗ "+p.err.Error()))
			continue
		}
		label, style := stateLabel(p.run.State, st)
		text := "    " + name + " " + style.Render(fit(label, 16))
		if d := p.run.Delta; d != nil {
			text += "  " + deltaText(d)
			if d.Destroy > 0 {
				text += st.Fail.Render(fmt.Sprintf("  ⚠ destroys %d %s", d.Destroy, plural(d.Destroy, "resource")))
			}
		}
		lines = append(lines, text)
	}
	return append(lines, st.Subtle.Render("    proposed runs: each stays in its stack's history"))
}
