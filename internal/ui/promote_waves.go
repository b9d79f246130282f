package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/model"
)

// waveStack is one stack of a promotion's wave view.
type waveStack struct {
	id      string
	stack   *model.Stack // nil when the backend no longer lists it
	run     *model.Run   // the promotion's deploy run; nil before it starts
	blocked string       // the failed upstream stack that stops it
}

// promotionRun is the stack's run the promotion started: its latest tracked
// run (a predicted plan started since must not hide it), of the promoted
// commit or created since the branch moved (a dependent in another
// repository runs its own commit).
func (m Model) promotionRun(s *model.Stack) *model.Run {
	r := s.LatestTrackedRun
	if r == nil {
		return nil
	}
	if r.Commit == m.pr.commit || !r.CreatedAt.Before(m.pr.since) {
		return r
	}
	return nil
}

// waveStacks are the promotion's waves with each stack's run and, after
// a failure, what it blocks: Spacelift skips (does not fail) the runs of
// stacks downstream of a failed one, so they are named here instead.
func (m Model) waveStacks() [][]waveStack {
	failed := map[string]string{} // stack -> the failed stack that stops it
	out := make([][]waveStack, len(m.pr.waves))
	for i, wave := range m.pr.waves {
		for _, id := range wave {
			ws := waveStack{id: id, stack: m.forest.Stack(id)}
			if ws.stack != nil {
				ws.run = m.promotionRun(ws.stack)
				for _, up := range ws.stack.DependsOn {
					if root, ok := failed[up]; ok {
						ws.blocked = root
					}
				}
			}
			switch {
			case ws.blocked != "":
				failed[id] = ws.blocked
			case ws.run != nil && stopped(ws.run.State):
				failed[id] = id
			}
			out[i] = append(out[i], ws)
		}
	}
	return out
}

// stopped reports a run that ended without deploying.
func stopped(st model.RunState) bool {
	return st.Terminal() && st != model.StateFinished
}

// waveSummary is the wave view's next step, as a checklist line: which
// wave to act on, or where it stopped and what that blocks.
func (m Model) waveSummary(waves [][]waveStack) (string, bool) {
	for i, wave := range waves {
		var failedIDs, blocked, approve, waiting, running, notStarted []string
		for _, ws := range wave {
			switch {
			case ws.blocked != "":
				blocked = append(blocked, ws.id)
			case ws.run == nil:
				notStarted = append(notStarted, ws.id)
			case stopped(ws.run.State):
				failedIDs = append(failedIDs, fmt.Sprintf("%s %s", ws.id, ws.run.State))
			case ws.run.NeedsApproval:
				approve = append(approve, ws.id)
			case ws.run.State.Waiting():
				waiting = append(waiting, ws.id)
			case ws.run.State != model.StateFinished:
				running = append(running, ws.id)
			}
		}
		if len(failedIDs) > 0 {
			var down []string
			for _, later := range waves[i+1:] {
				for _, ws := range later {
					if ws.blocked != "" {
						down = append(down, ws.id)
					}
				}
			}
			text := fmt.Sprintf("✗ wave %d stopped: %s. No next wave", i+1, strings.Join(failedIDs, ", "))
			if len(down) > 0 {
				text += "; blocked downstream (their runs will be skipped): " + strings.Join(down, ", ")
			}
			return text, true
		}
		switch {
		case len(approve) > 0:
			return fmt.Sprintf("→ wave %d: approve %s (select, then %s), then confirm", i+1, strings.Join(approve, ", "),
				m.keys.Actions.Review.Help().Key), false
		case len(waiting) > 0:
			return fmt.Sprintf("→ wave %d: confirm %s (select, then %s)", i+1, strings.Join(waiting, ", "),
				m.keys.Actions.Confirm.Help().Key), false
		case len(running) > 0:
			return fmt.Sprintf("◐ wave %d running: %s", i+1, strings.Join(running, ", ")), false
		case len(notStarted) > 0 && len(blocked) == 0:
			return fmt.Sprintf("· wave %d: waiting for %s to start", i+1, strings.Join(notStarted, ", ")), false
		}
	}
	if len(waves) == 0 {
		return "✓ the promotion changed no stack's code: nothing runs", false
	}
	return fmt.Sprintf("✓ every wave finished: %s runs %s", m.pr.plan.Target.Name, shortSHA(m.pr.commit)), false
}

// waveSelected is the stack under the wave view's cursor.
func (m Model) waveSelected() *model.Stack {
	i := 0
	for _, wave := range m.pr.waves {
		for _, id := range wave {
			if i == m.pr.cursor {
				return m.forest.Stack(id)
			}
			i++
		}
	}
	return nil
}

func (m Model) waveCount() int {
	n := 0
	for _, w := range m.pr.waves {
		n += len(w)
	}
	return n
}

// promotionRunsMsg is the answer of the audit log to a promotion's runs.
type promotionRunsMsg struct{ err error }

// auditPromotionRuns records, once, the runs a promotion started: when
// every stack of its waves has its run or is blocked by a failed one.
func (m Model) auditPromotionRuns() (Model, tea.Cmd) {
	if m.view != viewPromote || m.pr.stage != stageWaves || m.pr.runsAudited {
		return m, nil
	}
	var parts []string
	for _, wave := range m.waveStacks() {
		for _, ws := range wave {
			switch {
			case ws.blocked != "":
				parts = append(parts, ws.id+" blocked by "+ws.blocked)
			case ws.run == nil:
				return m, nil
			default:
				parts = append(parts, fmt.Sprintf("%s run %s %s", ws.id, ws.run.ID, ws.run.State))
			}
		}
	}
	m.pr.runsAudited = true
	p := m.pr.plan
	entry := audit.Entry{Time: m.now(), Backend: m.info.Kind, Endpoint: m.info.Endpoint, Action: "promotion runs",
		Environment: p.Target.Name, Target: p.Repo, Result: audit.ResultOK,
		Detail: fmt.Sprintf("%s at %s started: %s", p.Target.Branch, shortSHA(m.pr.commit), orDash(strings.Join(parts, "; ")))}
	rec := m.audit
	return m, func() tea.Msg { return promotionRunsMsg{err: rec.Record(entry)} }
}
