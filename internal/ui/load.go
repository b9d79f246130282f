package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/screen"
)

// callTimeout bounds every backend call so a hung API never freezes the
// refresh loop.
const callTimeout = 15 * time.Second

// Result messages carry the id of the request that produced them; Update
// drops any whose id is not the latest, so a slow answer never overwrites a
// newer one.
type (
	// stacksMsg is the answer to ListStacks.
	stacksMsg struct {
		req    int
		stacks []model.Stack
		// arranged is stacks laid out off the UI loop; nil means Update
		// arranges them itself.
		arranged *arranged
		err      error
		// The drift ignore files of the drifted stacks, read in the same
		// command so that drift and its rules always arrive together.
		repoRules map[string][]drift.Rule
		rulesErr  error
	}
	// tickMsg asks for an automatic refresh. Only the tick of the current
	// generation counts, so a manual refresh does not start a second loop.
	tickMsg struct{ gen int }
	// clockMsg repaints once a second so "updated Ns ago" and run ages move
	// between refreshes, and fades old messages. Only Init starts its
	// chain, so there is only one.
	clockMsg struct{}
	// promotionRunsMsg is the audit log's answer to a promotion's runs.
	promotionRunsMsg struct{ err error }
)

// fetchStacks lists the stacks. Inputs are copied before the closure so the
// command never reads the model from its goroutine.
func (m Model) fetchStacks(req int) tea.Cmd {
	ctx, b, files, envs, mapping := m.ctx, m.backend, m.repoFiles, m.envs, m.mapping
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		stacks, err := b.ListStacks(ctx)
		if err != nil {
			return stacksMsg{req: req, err: err}
		}
		rules, rerr := loadRepoRules(ctx, files, stacks)
		return stacksMsg{req: req, stacks: stacks, arranged: arrange(stacks, envs, mapping), repoRules: rules, rulesErr: rerr}
	}
}

// refresh starts a stack load now. Bumping the tick generation retires the
// pending tick, and the new request id retires any load still in flight, so
// exactly one loop survives.
func (m Model) refresh() (Model, tea.Cmd) {
	m.stacksReq++
	m.tickGen++
	m.data.Loading = true
	return m, m.fetchStacks(m.stacksReq)
}

// armTick schedules the next automatic refresh of the current generation,
// later than usual when the API said how long to back off.
func (m Model) armTick(lastErr error) tea.Cmd {
	gen, wait := m.tickGen, m.data.Interval
	var rl *backend.RateLimitError
	if errors.As(lastErr, &rl) {
		wait = max(wait, rl.RetryAfter)
	}
	return m.after(wait, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// armClock schedules the next once-a-second repaint.
func (m Model) armClock() tea.Cmd {
	return m.after(time.Second, func(time.Time) tea.Msg { return clockMsg{} })
}

// onStacks takes a load: the forest and what derives from it, the drift
// after the rules and the followed promotion's runs; then every screen
// hears of it, and the runs started from the drift screens are read again.
func (m Model) onStacks(msg stacksMsg) (Model, tea.Cmd) {
	if msg.req != m.stacksReq {
		return m, nil
	}
	m.data.Loading = false
	tick := m.armTick(msg.err)
	if msg.err != nil {
		m.data.LoadErr = msg.err
		return m, tick
	}
	m.data.LoadErr = nil
	m.data.Loaded = true
	m.data.LastLoad = m.now()
	a := msg.arranged
	if a == nil {
		a = arrange(msg.stacks, m.envs, m.mapping)
	}
	m.data.Forest, m.data.Waves, m.data.Index = a.forest, a.waves, a.index
	m.data.Drift.RepoRules, m.data.Drift.RulesErr = msg.repoRules, msg.rulesErr
	m.data.ApplyDrift(true, attentionByEnv)
	m, audited := m.auditPromotionRuns()
	m, screens := m.broadcast(screen.Loaded{})
	return m, tea.Batch(tick, screens, m.pollWatches(), m.pollStarted(), audited)
}

// pollStarted reads the runs started from the drift screens by their own
// ids (not as the stack's latest run: on TFC a drift check, a refresh-only
// plan, never becomes the workspace's current run). It rides on the stack
// refresh. A check that ended comes with its own result: its plan's
// changes, since on TFC it does not update the workspace's drift.
func (m Model) pollStarted() tea.Cmd {
	var cmds []tea.Cmd
	for id, run := range m.data.Drift.Started {
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

// startedMsg is a run started from the drift screens as it is now.
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
	started, ok := m.data.Drift.Started[msg.stackID]
	if !ok || (msg.err == nil && msg.run.ID != started.ID) {
		return m
	}
	following := map[string]model.Run{}
	for id, run := range m.data.Drift.Started {
		following[id] = run
	}
	m.data.Drift.Started = following
	s := m.data.Forest.Stack(msg.stackID)
	if msg.err != nil || s == nil {
		delete(following, msg.stackID)
		if msg.err != nil {
			m.status = m.status.set(m.now(), fmt.Sprintf("stopped following the %s of %s: %v", started.Title, msg.stackID, msg.err), errText)
		}
		return m
	}
	run := msg.run
	run.Title = started.Title
	following[msg.stackID] = run
	if !run.State.Terminal() {
		return m
	}
	delete(following, msg.stackID)
	rep := m.data.Drift.Reports[msg.stackID]
	if started.Title == "check" && run.State == model.StateFinished {
		if msg.changesErr != nil {
			m.status = m.status.set(m.now(), fmt.Sprintf("check of %s finished; its findings could not be read: %v", s.Name, msg.changesErr), errText)
			return m
		}
		found := model.Drift{Drifted: len(msg.changes) > 0, Changes: msg.changes}
		for _, c := range msg.changes {
			found.Resources = append(found.Resources, c.Address)
		}
		rep = drift.Evaluate(found, s.Env, m.data.RulesFor(s.ID))
	}
	result := "no drift"
	if rep.Drift.Drifted {
		result = fmt.Sprintf("%d drifted", rep.Counted())
		if n := rep.Ignored(); n > 0 {
			result += fmt.Sprintf(", %d ignored", n)
		}
	}
	kind := infoText
	if run.State != model.StateFinished {
		result, kind = "see the run", errText
	}
	m.status = m.status.set(m.now(), fmt.Sprintf("%s of %s ended %s: %s", run.Title, s.Name, run.State, result), kind)
	return m
}

// auditPromotionRuns records, once, the runs a followed promotion started:
// when every stack of its waves has its run or is blocked by a failed one.
func (m Model) auditPromotionRuns() (Model, tea.Cmd) {
	f := m.data.Following
	if f == nil || f.RunsAudited {
		return m, nil
	}
	var parts []string
	for _, wave := range f.Stacks(m.data.Forest.Stack) {
		for _, ws := range wave {
			switch {
			case ws.Blocked != "":
				parts = append(parts, ws.ID+" blocked by "+ws.Blocked)
			case ws.Run == nil:
				return m, nil
			default:
				parts = append(parts, fmt.Sprintf("%s run %s %s", ws.ID, ws.Run.ID, ws.Run.State))
			}
		}
	}
	next := *f
	next.RunsAudited = true
	m.data.Following = &next
	p := f.Plan
	detail := "–"
	if len(parts) > 0 {
		detail = strings.Join(parts, "; ")
	}
	note := mutation.Note{Action: "promotion runs", Environment: p.Target.Name, Target: p.Repo,
		Detail: fmt.Sprintf("%s at %s started: %s", p.Target.Branch, model.ShortSHA(f.Commit), detail)}
	ops := m.ops
	return m, func() tea.Msg { return promotionRunsMsg{err: ops.Record(note)} }
}

// follow keeps a pushed promotion in the model: its waves are followed
// from every load, and P returns to them.
func (m Model) follow(res mutation.PromotionResult) Model {
	waves, _ := promotion.Waves(res.Plan, m.data.Stacks())
	m.data.Following = &promotion.Followed{Plan: res.Plan, Label: res.Label, Commit: res.New, Since: res.At, Waves: waves}
	return m
}
