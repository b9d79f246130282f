package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/attention"
	"github.com/stackview/stackview/internal/ui/dialog"
	"github.com/stackview/stackview/internal/ui/runview"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/tree"
)

// Messages of the mutation pipeline.
type (
	// sendMsg is a confirmation answered: send it unless cancelled.
	sendMsg struct {
		m mutation.Mutation
		a mutation.Answer
	}
	// outcomeMsg is the answer to a mutation sent.
	outcomeMsg struct {
		m   mutation.Mutation
		out mutation.Outcome
	}
)

// propose runs a request into the pipeline: prepared (or refused, with the
// reason), then confirmed in a dialog, or sent at once when it changes
// nothing a person must review.
func (m Model) propose(r mutation.Request) (Model, tea.Cmd) {
	mu, err := m.ops.Prepare(r)
	if err != nil {
		m.status = m.status.set(m.now(), err.Error(), errText)
		return m, nil
	}
	if !mu.Confirm {
		return m.send(sendMsg{m: mu})
	}
	d := dialog.For(mu, func(a mutation.Answer) tea.Msg { return sendMsg{m: mu, a: a} })
	return m.push(d, screen.Target{}), nil
}

// send hands a confirmed mutation to the pipeline, which sends it once.
func (m Model) send(msg sendMsg) (Model, tea.Cmd) {
	mu := msg.m
	if mu.Confirm && msg.a.Button == 0 {
		m.status = m.status.set(m.now(), mu.Cancelled, infoText)
		return m, nil
	}
	work, err := m.ops.Send(mu, msg.a)
	if err != nil {
		m.status = m.status.set(m.now(), err.Error(), errText)
		return m, nil
	}
	if mu.Bulk { // the marks it came from are spent: the nearest marking screen's
		m.stack = append([]screen.Screen(nil), m.stack...)
	marks:
		for i := len(m.stack) - 1; i >= 0; i-- {
			switch s := m.stack[i].(type) {
			case attention.Model:
				m.stack[i] = s.ClearMarks()
				break marks
			case tree.Model:
				m.stack[i] = s.ClearMarks()
				break marks
			}
		}
	}
	m.status = m.status.set(m.now(), mu.Sending, infoText)
	ctx := m.ctx
	return m, func() tea.Msg { return outcomeMsg{m: mu, out: work(ctx)} }
}

// onOutcome says what a mutation did, keeps what the root follows (drift
// runs, a pushed promotion, ignore rules), lets every screen hear of it and
// reloads what it changed.
func (m Model) onOutcome(msg outcomeMsg) (Model, tea.Cmd) {
	out := msg.out
	refresh := true
	var cmds []tea.Cmd
	switch {
	case out.Promotion != nil:
		m = m.onPromoted(*out.Promotion)
	case out.Bump != nil:
		m.status = m.status.clear()
	case out.Predicted != nil:
		refresh = false
		m.status = m.status.clear()
	case out.Ignore != nil:
		refresh = false
		m = m.onIgnored(*out.Ignore)
	default:
		var ids []string
		for _, r := range out.Stacks {
			ids = append(ids, r.Op.StackID)
		}
		m.expireDetails(ids)
		var cmd tea.Cmd
		m, cmd = m.onStackResults(msg.m, out.Stacks)
		cmds = append(cmds, cmd)
	}
	m, screens := m.broadcast(screen.Outcome{Mutation: msg.m, Outcome: out})
	cmds = append(cmds, screens)
	if refresh {
		var load tea.Cmd
		m, load = m.refresh()
		cmds = append(cmds, load)
	}
	return m, tea.Batch(cmds...)
}

// onStackResults says how backend actions went: per stack in a box for a
// bulk, on the status line for one.
func (m Model) onStackResults(mu mutation.Mutation, results []mutation.StackResult) (Model, tea.Cmd) {
	if len(results) == 0 {
		return m, nil
	}
	m = m.driftStarted(mu, results)
	if mu.Bulk {
		m.status = m.status.clear()
		return m.push(dialog.Info(resultsTitle(results), resultLines(results)), screen.Target{}), nil
	}
	r := results[0]
	text, kind := resultText(r), infoText
	if r.Err != nil {
		kind = errText
	}
	if _, inRun := m.top().(runview.Model); r.Err == nil && !inRun && runview.Follows(r) {
		text += " (l follows it)"
	}
	if note := m.checkNote(mu, r); note != "" {
		text += " (" + note + ")"
	}
	m.status = m.status.set(m.now(), text, kind)
	return m, nil
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

// isCheck reports a drift check now: the one stack mutation sent without
// a confirmation.
func isCheck(mu mutation.Mutation) bool {
	return !mu.Confirm && (mu.Action == "drift-check" || mu.Action == "plan")
}

// checkNote says what check now really started on this backend, or "".
func (m Model) checkNote(mu mutation.Mutation, r mutation.StackResult) string {
	switch {
	case !isCheck(mu) || r.Err != nil:
		return ""
	case m.info.Kind == "tfc":
		return "a refresh-only plan: HCP Terraform cannot start assessments through its API"
	case !m.caps.DriftCheck:
		return m.info.Kind + " runs drift detection only on its schedule; started a proposed run, whose plan shows the drift"
	}
	return ""
}

// driftStarted follows, while a drift screen is open, the runs its keys
// started: a check, a reconcile (D, a deploy) or the apply of one (c, a
// confirm).
func (m Model) driftStarted(mu mutation.Mutation, results []mutation.StackResult) Model {
	r := results[0]
	check := isCheck(mu)
	if mu.Bulk || r.Err != nil || r.Run == nil || !(check || m.has(screen.KindDriftInbox, screen.KindStackDrift)) {
		return m
	}
	title := map[string]string{"drift-check": "check", "deploy": "reconcile", "confirm": "apply", "plan": "plan"}[r.Op.Action]
	if check {
		title = "check"
	}
	if title == "" {
		return m
	}
	started := map[string]model.Run{}
	for id, run := range m.data.Drift.Started {
		started[id] = run
	}
	run := *r.Run
	run.Title = title
	started[r.Op.StackID] = run
	m.data.Drift.Started = started
	return m
}

// onPromoted says what a promotion did and, after a push, follows its runs.
func (m Model) onPromoted(res mutation.PromotionResult) Model {
	p := res.Plan
	switch {
	case res.Unknown:
		m.status = m.status.set(m.now(), "the promotion's push has no known outcome: "+res.Err.Error(), errText)
		return m
	case res.Err != nil:
		m.status = m.status.set(m.now(), "promotion refused, nothing moved: "+res.Err.Error(), errText)
		return m
	case res.Strategy == promotion.PullRequest:
		m.status = m.status.clear()
	default:
		m = m.follow(res)
		text := fmt.Sprintf("✓ %s is at %s: following the runs", p.Target.Branch, model.ShortSHA(res.New))
		if res.UpToDate {
			text = "✓ " + p.Target.Branch + " already was at " + model.ShortSHA(res.New) + ": nothing was pushed"
		}
		m.status = m.status.set(m.now(), text, infoText)
	}
	if res.AuditErr != nil {
		m.status = m.status.set(m.now(), "promoted, but the audit log failed: "+res.AuditErr.Error(), errText)
	}
	return m
}

// onIgnored keeps an ignore rule for the session, whether or not it
// reached the config file, or drops a removed one, and says which.
func (m Model) onIgnored(r mutation.IgnoreResult) Model {
	if r.Removed {
		return m.onUnignored(r)
	}
	rule := r.Rule
	if !r.Saved {
		rule.Source = drift.SourceSession
	}
	m.data.Drift.Added = append(append([]drift.Rule(nil), m.data.Drift.Added...), rule)
	m.data.ApplyDrift(false)
	switch {
	case r.Err != nil:
		m.status = m.status.set(m.now(), "ignoring "+r.What+" for this session only: "+r.Err.Error(), errText)
	case !r.Saved:
		m.status = m.status.set(m.now(), "ignoring "+r.What+" for this session", infoText)
	default:
		m.status = m.status.set(m.now(), "ignoring "+r.What+" (saved to the config)", infoText)
	}
	return m
}

// onUnignored drops a removed rule from the session's rules; when the
// config file could not be changed it stays there, and comes back at the
// next start, which the message says.
func (m Model) onUnignored(r mutation.IgnoreResult) Model {
	same := func(x drift.Rule) bool {
		return x.Address == r.Rule.Address && x.Attribute == r.Rule.Attribute && x.Environment == r.Rule.Environment && x.Reason == r.Rule.Reason
	}
	drop := func(rules []drift.Rule) []drift.Rule {
		var out []drift.Rule
		for _, x := range rules {
			if !same(x) {
				out = append(out, x)
			}
		}
		return out
	}
	m.data.Drift.Added, m.data.Drift.ConfigRules = drop(m.data.Drift.Added), drop(m.data.Drift.ConfigRules)
	m.data.ApplyDrift(false)
	if r.Err != nil {
		m.status = m.status.set(m.now(), "no longer ignoring "+r.What+" in this session, but the config still holds the rule: "+r.Err.Error(), errText)
		return m
	}
	m.status = m.status.set(m.now(), "no longer ignoring "+r.What, infoText)
	return m
}
