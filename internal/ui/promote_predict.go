package ui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/mutation"
)

// predictedMsg carries the predicted plans as started or last polled.
type predictedMsg struct {
	req   int
	plans []mutation.PredictedPlan
}

// predictPlans starts a proposed run of the promoted commit on every
// affected target stack (p on the diff). It changes nothing, but it is a
// run started: read-only mode refuses it and the audit log records it.
func (m Model) predictPlans() (Model, tea.Cmd) {
	if next, cmd, ok := m.refused("predicted plans"); ok {
		return next, cmd
	}
	switch {
	case m.pr.loading || m.pr.err != nil:
		return m.failed("the diff is not computed yet")
	case len(m.pr.predicted) > 0 && !m.predictionsDone():
		return m.failed("predicted plans are running")
	}
	m.pr.predicted = nil
	return m.propose(mutation.Predict{Plan: m.pr.plan})
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
		if p.Run != nil && !p.Run.State.Terminal() && !p.Run.State.Waiting() {
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
	ctx, b, req, plans := m.ctx, m.backend, m.pr.req, append([]mutation.PredictedPlan(nil), m.pr.predicted...)
	return func() tea.Msg {
		for i, p := range plans {
			if p.Run == nil {
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			r, err := b.GetRun(cctx, p.StackID, p.Run.ID)
			cancel()
			if err == nil {
				plans[i].Run = &r
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
		name := fit(p.StackID, 28)
		if p.Err != nil {
			lines = append(lines, "    "+name+st.StatusError.Render(" ✗ "+p.Err.Error()))
			continue
		}
		label, style := stateLabel(p.Run.State, st)
		text := "    " + name + " " + style.Render(fit(label, 16))
		if d := p.Run.Delta; d != nil {
			text += "  " + deltaText(d)
			if d.Destroy > 0 {
				text += st.Fail.Render(fmt.Sprintf("  ⚠ destroys %d %s", d.Destroy, plural(d.Destroy, "resource")))
			}
		}
		lines = append(lines, text)
	}
	return append(lines, st.Subtle.Render("    proposed runs: each stays in its stack's history"))
}
