package ui

import (
	"context"
	"fmt"
	"maps"
	"path"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promote"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/vcs"
)

// promoteStage is the screen of a promotion the body shows.
type promoteStage int

const (
	stageBoard promoteStage = iota // where every repository stands per environment
	stageDiff                      // one promotion: commits, stacks, modules, gates
	stageWaves                     // the runs it started, wave by wave
)

// promoteState is the promotion board and the promotion under way.
type promoteState struct {
	stage    promoteStage
	req      int // drops answers to older board or diff requests
	loading  bool
	err      error
	rows     []boardRow
	row, col int // the board's cursor: repository, environment

	plan   promotion.Plan
	gates  []promotion.Gate
	waves  [][]string
	scroll int // first line of the diff shown
	// predicted are the affected stacks planned at the promoted commit.
	predicted []predictedPlan

	// The promotion's dialog fields, by index in its values (-1: none).
	overrideField, confirmField int

	result *promote.Result
	commit string    // what the target branch moved to
	since  time.Time // when: deploy runs from then on are the promotion's
	cursor int       // wave view: the stack selected, in wave order
	// runsAudited: the runs the promotion started are in the audit log.
	runsAudited bool
}

// boardRow is one repository of the board: the environment repository or
// a business unit's.
type boardRow struct {
	label string
	url   string
	row   promotion.Row
}

// boardMsg is the loaded board.
type boardMsg struct {
	req  int
	rows []boardRow
	err  error
}

// promotionPlanMsg is a computed promotion with its gates and waves.
type promotionPlanMsg struct {
	req   int
	plan  promotion.Plan
	gates []promotion.Gate
	waves [][]string
	err   error
}

// promotedMsg is the answer to a promotion that was sent.
type promotedMsg struct {
	result   promote.Result
	err      error
	auditErr error
	at       time.Time
}

// promotionKey marks a repository's promotion in flight (m.inflight).
func promotionKey(repo string) string { return "promotion " + repo }

// openBoard shows the promotion board and loads it.
func (m Model) openBoard() (Model, tea.Cmd) {
	m.view = viewPromote
	m.pr.stage = stageBoard
	return m.loadBoard()
}

// allStacks are every classified stack of the forest.
func (m Model) allStacks() []model.Stack {
	var out []model.Stack
	for i := range m.forest.Envs {
		for _, s := range m.forest.Envs[i].Stacks() {
			out = append(out, *s)
		}
	}
	return out
}

// boardRepos lists the repositories to show: the environment repository
// first, then each business unit's, by name. Administrative stacks do not
// follow environments and stay off the board.
func boardRepos(stacks []model.Stack) []boardRow {
	var rows []boardRow
	index := map[string]int{}
	for _, s := range stacks {
		if s.Repo == "" || s.Layer == model.LayerAdministrative {
			continue
		}
		key := ""
		for _, r := range rows {
			if vcs.SameRepo(r.url, s.Repo) {
				key = r.url
			}
		}
		if key == "" {
			index[s.Repo] = len(rows)
			rows = append(rows, boardRow{url: s.Repo})
			key = s.Repo
		}
		r := &rows[index[key]]
		switch {
		case s.Layer == model.LayerEnvironment:
			r.label = "environment"
		case r.label == "":
			r.label = s.BusinessUnit
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if (rows[i].label == "environment") != (rows[j].label == "environment") {
			return rows[i].label == "environment"
		}
		return rows[i].label < rows[j].label
	})
	return rows
}

// loadBoard fetches every repository and reads its environment branches.
func (m Model) loadBoard() (Model, tea.Cmd) {
	m.pr.req++
	m.pr.loading, m.pr.err = true, nil
	ctx, cache, envs, req := m.ctx, m.git, m.envs, m.pr.req
	stacks := m.allStacks()
	rows := boardRepos(stacks)
	return m, func() tea.Msg {
		for i := range rows {
			err := withClone(ctx, &cache, rows[i].url, func(cl *vcs.Clone) error {
				var err error
				rows[i].row, err = promote.BoardRow(ctx, cl, envs, stacks)
				return err
			})
			if err != nil {
				return boardMsg{req: req, err: fmt.Errorf("%s repository: %w", rows[i].label, err)}
			}
		}
		return boardMsg{req: req, rows: rows}
	}
}

// withClone runs fn on the locked clone of url and releases it.
func withClone(ctx context.Context, cache *vcs.Cache, url string, fn func(*vcs.Clone) error) error {
	cl, err := cache.Open(ctx, url)
	if err != nil {
		return err
	}
	defer cl.Close()
	return fn(cl)
}

func (m Model) onBoard(msg boardMsg) Model {
	if msg.req != m.pr.req {
		return m
	}
	m.pr.loading, m.pr.err = false, msg.err
	if msg.err == nil {
		m.pr.rows = msg.rows
		m.pr.row = min(m.pr.row, max(0, len(msg.rows)-1))
	}
	return m
}

// computePromotion plans promoting the board's cell to the next
// environment and checks its gates.
func (m Model) computePromotion() (Model, tea.Cmd) {
	if m.pr.row >= len(m.pr.rows) || m.pr.col >= len(m.envs) {
		return m.failed("nothing to promote: the board is empty")
	}
	source := m.envs[m.pr.col]
	target, ok := promotion.Next(m.envs, source.Name)
	if !ok {
		return m.failed("%s is the last environment: promote into it from %s", source.Name, m.envs[max(0, m.pr.col-1)].Name)
	}
	m.pr.req++
	m.pr.stage, m.pr.loading, m.pr.err, m.pr.scroll = stageDiff, true, nil, 0
	m.pr.plan = promotion.Plan{Repo: m.pr.rows[m.pr.row].url, Source: source, Target: target}
	m.pr.gates, m.pr.waves, m.pr.predicted = nil, nil, nil
	ctx, cache, b, req, url := m.ctx, m.git, m.backend, m.pr.req, m.pr.rows[m.pr.row].url
	stacks := m.allStacks()
	return m, func() tea.Msg {
		msg := promotionPlanMsg{req: req}
		msg.err = withClone(ctx, &cache, url, func(cl *vcs.Clone) error {
			var err error
			if msg.plan, err = promote.Compute(ctx, cl, stacks, source, target); err != nil {
				return err
			}
			if msg.gates, err = promote.Check(ctx, cl, b, msg.plan); err != nil {
				return err
			}
			msg.waves, err = promotion.Waves(msg.plan, stacks)
			return err
		})
		return msg
	}
}

func (m Model) onPromotionPlan(msg promotionPlanMsg) Model {
	if msg.req != m.pr.req {
		return m
	}
	m.pr.loading, m.pr.err = false, msg.err
	if msg.err == nil {
		m.pr.plan, m.pr.gates, m.pr.waves = msg.plan, msg.gates, msg.waves
	}
	return m
}

// proposePromotion opens the promotion's confirmation: it refuses in
// read-only mode, while one is in flight, before the gates are known and
// when the target moved (no override lands a diff nobody reviewed).
// Failing gates need a typed reason; a protected target its name.
func (m Model) proposePromotion() (Model, tea.Cmd) {
	p := m.pr.plan
	switch {
	case m.readOnly:
		return m.refuseReadOnly("promotion")
	case m.pr.loading || m.pr.err != nil || len(m.pr.gates) == 0:
		return m.failed("the promotion's gates are not checked yet (r checks again)")
	}
	if _, busy := m.inflight[promotionKey(p.Repo)]; busy {
		return m.failed("a promotion of this repository was sent; waiting for the answer")
	}
	failed := promotion.Failed(m.pr.gates)
	for _, g := range failed {
		if g.Name == promotion.GateTargetUnchanged {
			return m.failed("%s: %s (r computes the diff again)", g.Name, g.Reason)
		}
	}
	lines := []string{
		"Action       promote (move the " + p.Target.Name + " branch; its stacks then run)",
		"Repository   " + m.pr.rows[m.pr.row].label + " (" + path.Base(p.Repo) + ")",
		fmt.Sprintf("Move         %s (%s) → %s", p.Target.Branch, shortSHA(p.TargetHead), shortSHA(p.Commit)),
		fmt.Sprintf("Commits      %d", len(p.Commits)),
		"Strategy     " + string(m.strategyOrDefault()),
		"Stacks       " + orDash(strings.Join(affectedIDs(p), ", ")),
	}
	if m.protected(p.Target.Name) {
		lines[0] += " · " + p.Target.Name + " is protected"
	}
	var fields []field
	m.pr.overrideField, m.pr.confirmField = -1, -1
	lines = append(lines, fmt.Sprintf("Gates        %d of %d pass", len(m.pr.gates)-len(failed), len(m.pr.gates)))
	for _, g := range failed {
		lines = append(lines, "✗ gate "+g.Name+": "+g.Reason)
	}
	if len(failed) > 0 {
		m.pr.overrideField = len(fields)
		fields = append(fields, field{label: fmt.Sprintf("%d %s failed: type why you go ahead anyway (recorded in the audit log)",
			len(failed), plural(len(failed), "gate")), required: true})
	}
	strict := p.Target.Protected || m.protected(p.Target.Name)
	if strict {
		m.pr.confirmField = len(fields)
		fields = append(fields, field{label: "Protected: type the environment name (" + p.Target.Name + ") to go ahead", want: p.Target.Name})
	}
	d := newDialog(fmt.Sprintf("Promote %s %s → %s?", m.pr.rows[m.pr.row].label, p.Source.Name, p.Target.Name),
		lines, fields, strict, goButton("Promote"))
	m.dialog, m.pending = &d, request{promotion: true}
	return m, nil
}

func (m Model) strategyOrDefault() promotion.Strategy {
	if m.strategy == "" {
		return promotion.FastForward
	}
	return m.strategy
}

func affectedIDs(p promotion.Plan) []string {
	ids := make([]string, 0, len(p.Affected))
	for _, a := range p.Affected {
		ids = append(ids, a.StackID)
	}
	return ids
}

// onPromotionDialog sends the promotion the dialog confirmed, once.
func (m Model) onPromotionDialog(out *dialogOutcome) (Model, tea.Cmd) {
	if out.button == 0 {
		m.message, m.messageErr = "cancelled: no branch was moved", false
		return m, nil
	}
	opts := promote.Options{Strategy: m.strategyOrDefault()}
	if i := m.pr.overrideField; i >= 0 {
		opts.Override = strings.TrimSpace(out.values[i])
	}
	if i := m.pr.confirmField; i >= 0 {
		opts.ConfirmEnv = out.values[i]
	}
	inflight := maps.Clone(m.inflight)
	if inflight == nil {
		inflight = map[string]string{}
	}
	inflight[promotionKey(m.pr.plan.Repo)] = "promotion"
	m.inflight = inflight
	m.message, m.messageErr = fmt.Sprintf("promoting %s to %s…", m.pr.rows[m.pr.row].label, m.pr.plan.Target.Name), false
	return m, m.sendPromotion(opts)
}

// sendPromotion moves the branch and audits the promotion, whatever the
// outcome.
func (m Model) sendPromotion(opts promote.Options) tea.Cmd {
	ctx, cache, rec, info, now := m.ctx, m.git, m.audit, m.info, m.now
	p, gates := m.pr.plan, m.pr.gates
	return func() tea.Msg {
		var res promote.Result
		err := withClone(ctx, &cache, p.Repo, func(cl *vcs.Clone) error {
			var err error
			res, err = promote.Execute(ctx, cl, p, gates, opts)
			return err
		})
		if err != nil {
			res.Plan, res.Gates, res.Strategy, res.Override = p, gates, opts.Strategy, opts.Override
		}
		at := now()
		entry := audit.Entry{Time: at, Backend: info.Kind, Endpoint: info.Endpoint, Action: "promotion",
			Environment: p.Target.Name, Target: p.Repo, Result: audit.ResultOK, Detail: promotionDetail(res)}
		if err != nil {
			entry.Result, entry.Detail = audit.ResultError, entry.Detail+"; error: "+err.Error()
		}
		return promotedMsg{result: res, err: err, auditErr: rec.Record(entry), at: at}
	}
}

// promotionDetail is the audit log's account of a promotion: commits,
// gates, strategy, overrides and what moved.
func promotionDetail(res promote.Result) string {
	p := res.Plan
	parts := []string{fmt.Sprintf("%s → %s: %s to %s", p.Source.Name, p.Target.Name, p.Target.Branch, shortSHA(p.Commit))}
	var commits []string
	for _, c := range p.Commits {
		commits = append(commits, c.Short()+" "+c.Subject)
	}
	parts = append(parts, fmt.Sprintf("commits (%d): %s", len(p.Commits), strings.Join(commits, ", ")))
	var gates []string
	for _, g := range res.Gates {
		gates = append(gates, pick(g.Pass, "pass ", "FAIL ")+g.Name)
	}
	parts = append(parts, "gates: "+strings.Join(gates, ", "), "strategy: "+string(res.Strategy))
	if len(res.Overridden) > 0 || (res.Override != "" && len(promotion.Failed(res.Gates)) > 0) {
		parts = append(parts, "override: "+res.Override)
	}
	if res.Push.New != "" {
		parts = append(parts, fmt.Sprintf("pushed %s..%s", shortSHA(res.Push.Old), shortSHA(res.Push.New)))
	}
	if res.PullRequest.URL != "" {
		parts = append(parts, "pull request: "+res.PullRequest.URL)
	}
	if ids := affectedIDs(p); len(ids) > 0 {
		parts = append(parts, "runs expected on: "+strings.Join(ids, ", "))
	}
	return strings.Join(parts, "; ")
}

// onPromoted shows the outcome: the wave view after a push, the pull
// request's page, or why nothing moved.
func (m Model) onPromoted(msg promotedMsg) (Model, tea.Cmd) {
	inflight := maps.Clone(m.inflight)
	delete(inflight, promotionKey(msg.result.Plan.Repo))
	m.inflight = inflight
	p := msg.result.Plan
	switch {
	case msg.err != nil:
		m.message, m.messageErr = "✗ promotion refused, nothing moved: "+msg.err.Error(), true
		return m, nil
	case msg.result.Strategy == promotion.PullRequest:
		pr := msg.result.PullRequest
		var lines []string
		if pr.URL != "" {
			lines = append(lines, pick(pr.Created, "Pull request opened: ", "Open the pull request here: ")+pr.URL)
		}
		if pr.Note != "" {
			lines = append(lines, pr.Note)
		}
		lines = append(lines, "The "+p.Target.Name+" stacks run once it is merged.")
		d := infoDialog("Promotion "+p.Source.Name+" → "+p.Target.Name+" proposed", lines)
		m.dialog = &d
		m.message, m.messageErr = "", false
	default:
		res := msg.result
		m.pr.result, m.pr.commit, m.pr.since = &res, res.Push.New, msg.at
		m.pr.stage, m.pr.cursor, m.pr.runsAudited = stageWaves, 0, false
		m.message, m.messageErr = fmt.Sprintf("✓ %s is at %s: following the runs", p.Target.Branch, shortSHA(res.Push.New)), false
		if res.Push.UpToDate {
			m.message = "✓ " + p.Target.Branch + " already was at " + shortSHA(res.Push.New) + ": nothing was pushed"
		}
	}
	if msg.auditErr != nil {
		m.message, m.messageErr = "promoted, but the audit log failed: "+msg.auditErr.Error(), true
	}
	return m.refresh()
}
