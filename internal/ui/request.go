package ui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/tfmod"
)

// Mutator carries out mutations (internal/ops implements it): Refuse and
// Prepare check read-only mode and what is in flight before any dialog;
// Send checks again, claims the in-flight keys and returns the work, which
// sends, audits and releases them.
type Mutator interface {
	ReadOnly() bool
	Strategy() promotion.Strategy
	InFlight() map[string]string
	Refuse(verb string) error
	Prepare(r mutation.Request) (mutation.Mutation, error)
	Send(m mutation.Mutation, a mutation.Answer) (func(context.Context) mutation.Outcome, error)
	Record(n mutation.Note) error
}

// Promotions reads the promotion screens' data from git (internal/promote
// implements it).
type Promotions interface {
	Board(ctx context.Context, repo string, envs []model.Environment, stacks []model.Stack) (promotion.Row, error)
	Plan(ctx context.Context, repo string, stacks []model.Stack, source, target model.Environment) (promotion.Plan, []promotion.Gate, error)
}

// Modules reads the modules view's matrix from git and the registry
// (internal/modules implements it).
type Modules interface {
	Matrix(ctx context.Context, stacks []model.Stack, branches []string) (tfmod.Matrix, error)
}

// outcomeMsg is the answer to a mutation sent.
type outcomeMsg struct {
	m   mutation.Mutation
	out mutation.Outcome
}

// refused says why verb may not be sent now (read-only mode), if so.
func (m Model) refused(verb string) (Model, tea.Cmd, bool) {
	if err := m.ops.Refuse(verb); err != nil {
		next, cmd := m.failed("%v", err)
		return next, cmd, true
	}
	return m, nil, false
}

func (m Model) failed(format string, args ...any) (Model, tea.Cmd) {
	m.message, m.messageErr = fmt.Sprintf(format, args...), true
	return m, nil
}

// propose runs a request into the pipeline: prepared (or refused, with
// the reason), then confirmed in the dialog, or sent at once when it
// changes nothing a person must review.
func (m Model) propose(r mutation.Request) (Model, tea.Cmd) {
	mu, err := m.ops.Prepare(r)
	if err != nil {
		return m.failed("%v", err)
	}
	if !mu.Confirm {
		return m.send(mu, mutation.Answer{})
	}
	d := newDialog(mu.Title, mu.Lines, mu.Fields, mu.Strict, dialogButtons(mu.Buttons)...)
	m.dialog, m.pending = &d, &mu
	return m, nil
}

// send hands a confirmed mutation to the pipeline, which sends it once.
func (m Model) send(mu mutation.Mutation, a mutation.Answer) (Model, tea.Cmd) {
	work, err := m.ops.Send(mu, a)
	if err != nil {
		return m.failed("%v", err)
	}
	if mu.Bulk {
		m.marks = nil
	}
	m.message, m.messageErr = mu.Sending, false
	ctx := m.ctx
	return m, func() tea.Msg { return outcomeMsg{m: mu, out: work(ctx)} }
}

// onDialogKey feeds a key to the open dialog and acts on the outcome.
func (m Model) onDialogKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	d, out := m.dialog.update(msg, m.keys.Dialog, m.keys.Input)
	if out == nil {
		m.dialog = &d
		return m, nil
	}
	m.dialog = nil
	mu := m.pending
	m.pending = nil
	if mu == nil {
		return m, nil // results: nothing to send
	}
	if out.button == 0 {
		m.message, m.messageErr = mu.Cancelled, false
		return m, nil
	}
	return m.send(*mu, mutation.Answer{Button: out.button, Values: out.values})
}

// onOutcome shows what a mutation did, then reloads what it changed.
func (m Model) onOutcome(msg outcomeMsg) (Model, tea.Cmd) {
	out := msg.out
	switch {
	case out.Promotion != nil:
		return m.onPromoted(*out.Promotion)
	case out.Bump != nil:
		return m.onBump(*out.Bump)
	case out.Predicted != nil:
		return m.onPredicted(predictedMsg{req: m.pr.req, plans: out.Predicted}), nil
	case out.Ignore != nil:
		return m.onIgnored(*out.Ignore), nil
	}
	next, cmd := m.onActions(msg.m.Bulk, out.Stacks)
	return next.afterActions(msg.m.Bulk, out.Stacks), cmd
}

// onActions takes the answers of backend actions: the outcome is said
// (per stack for bulk), and everything reloads.
func (m Model) onActions(bulk bool, results []mutation.StackResult) (Model, tea.Cmd) {
	if len(results) == 0 {
		return m, nil
	}
	if bulk {
		d := infoDialog(resultsTitle(results), resultLines(results))
		m.dialog, m.pending = &d, nil
		m.message = ""
	} else {
		r := results[0]
		m.message, m.messageErr = resultText(r), r.Err != nil
	}
	var cmds []tea.Cmd
	if len(results) == 1 && results[0].Err == nil {
		var follow tea.Cmd
		m, follow = m.followResult(results[0])
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

func resultsTitle(results []mutation.StackResult) string {
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
		}
	}
	return fmt.Sprintf("%s: %d sent, %d failed", mutation.TitleVerb(results[0].Op.Action), len(results)-failed, failed)
}

func resultLines(results []mutation.StackResult) []string {
	lines := make([]string, 0, len(results))
	for _, r := range results {
		lines = append(lines, resultText(r))
	}
	return lines
}

// resultText is one op's outcome in a line, with a hint on failure.
func resultText(r mutation.StackResult) string {
	if r.Err != nil {
		return fmt.Sprintf("✗ %s %s: %v — %s", r.Op.Action, r.Op.Name, r.Err, mutationHint(r.Err))
	}
	text := fmt.Sprintf("✓ %s %s", r.Op.Action, r.Op.Name)
	if r.Run != nil {
		text += fmt.Sprintf(": run %s %s", r.Run.ID, r.Run.State)
	}
	return text
}

// followResult keeps the run view on the run an action produced (a retry
// or a deployed preview is a new run) and polls it again.
func (m Model) followResult(r mutation.StackResult) (Model, tea.Cmd) {
	if m.view != viewRun || r.Run == nil || r.Op.StackID != m.rv.stackID {
		if r.Run != nil && m.view != viewRun && r.Run.ID != r.Op.RunID {
			m.message += " (l follows it)"
		}
		return m, nil
	}
	return m.openRun(r.Run.StackID, r.Run.ID)
}
