package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
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
	predicted []mutation.PredictedPlan

	result *mutation.PromotionResult
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
			if model.SameRepo(r.url, s.Repo) {
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
	ctx, reader, envs, req := m.ctx, m.promotions, m.envs, m.pr.req
	stacks := m.allStacks()
	rows := boardRepos(stacks)
	return m, func() tea.Msg {
		if reader == nil {
			return boardMsg{req: req, err: errors.New("the promotion board needs a clone cache; none is set up")}
		}
		ctx, cancel := context.WithTimeout(ctx, scanTimeout)
		defer cancel()
		for i := range rows {
			var err error
			if rows[i].row, err = reader.Board(ctx, rows[i].url, envs, stacks); err != nil {
				return boardMsg{req: req, err: fmt.Errorf("%s repository: %w", rows[i].label, err)}
			}
		}
		return boardMsg{req: req, rows: rows}
	}
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
	ctx, reader, req, url := m.ctx, m.promotions, m.pr.req, m.pr.rows[m.pr.row].url
	stacks := m.allStacks()
	return m, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, scanTimeout)
		defer cancel()
		msg := promotionPlanMsg{req: req}
		if msg.plan, msg.gates, msg.err = reader.Plan(ctx, url, stacks, source, target); msg.err == nil {
			msg.waves, msg.err = promotion.Waves(msg.plan, stacks)
		}
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

// proposePromotion asks the pipeline for the promotion's confirmation:
// refused in read-only mode, while one is in flight, before the gates are
// known and when the target moved.
func (m Model) proposePromotion() (Model, tea.Cmd) {
	if next, cmd, ok := m.refused("promotion"); ok {
		return next, cmd
	}
	if m.pr.loading || m.pr.err != nil || len(m.pr.gates) == 0 {
		return m.failed("the promotion's gates are not checked yet (r checks again)")
	}
	return m.propose(mutation.Promotion{Plan: m.pr.plan, Gates: m.pr.gates, Label: m.pr.rows[m.pr.row].label})
}

// onPromoted shows the outcome: the wave view after a push, the pull
// request's page, or why nothing moved.
func (m Model) onPromoted(res mutation.PromotionResult) (Model, tea.Cmd) {
	p := res.Plan
	switch {
	case res.Err != nil:
		m.message, m.messageErr = "✗ promotion refused, nothing moved: "+res.Err.Error(), true
		return m, nil
	case res.Strategy == promotion.PullRequest:
		var lines []string
		if res.PullRequestURL != "" {
			lines = append(lines, pick(res.PullRequestCreated, "Pull request opened: ", "Open the pull request here: ")+res.PullRequestURL)
		}
		if res.PullRequestNote != "" {
			lines = append(lines, res.PullRequestNote)
		}
		lines = append(lines, "The "+p.Target.Name+" stacks run once it is merged.")
		d := infoDialog("Promotion "+p.Source.Name+" → "+p.Target.Name+" proposed", lines)
		m.dialog = &d
		m.message, m.messageErr = "", false
	default:
		m.pr.result, m.pr.commit, m.pr.since = &res, res.New, res.At
		m.pr.stage, m.pr.cursor, m.pr.runsAudited = stageWaves, 0, false
		m.message, m.messageErr = fmt.Sprintf("✓ %s is at %s: following the runs", p.Target.Branch, shortSHA(res.New)), false
		if res.UpToDate {
			m.message = "✓ " + p.Target.Branch + " already was at " + shortSHA(res.New) + ": nothing was pushed"
		}
	}
	if res.AuditErr != nil {
		m.message, m.messageErr = "promoted, but the audit log failed: "+res.AuditErr.Error(), true
	}
	return m.refresh()
}
