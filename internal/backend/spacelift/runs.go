package spacelift

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/plantext"
	"github.com/stackview/stackview/internal/model"
)

// runNode is the Run selection of lists; runDetail adds the history.
type runNode struct {
	ID             string      `graphql:"id"`
	Type           string      `graphql:"type"`
	State          string      `graphql:"state"`
	Title          string      `graphql:"title"`
	CreatedAt      int64       `graphql:"createdAt"`
	UpdatedAt      int64       `graphql:"updatedAt"`
	TriggeredBy    *string     `graphql:"triggeredBy"`
	DriftDetection bool        `graphql:"driftDetection"`
	NeedsApproval  bool        `graphql:"needsApproval"`
	Commit         *commitNode `graphql:"commit"`
	Delta          *struct {
		AddCount    int `graphql:"addCount"`
		ChangeCount int `graphql:"changeCount"`
		DeleteCount int `graphql:"deleteCount"`
	} `graphql:"delta"`
}

type transitionNode struct {
	State        string  `graphql:"state"`
	StateVersion int     `graphql:"stateVersion"`
	Timestamp    int64   `graphql:"timestamp"`
	Terminal     bool    `graphql:"terminal"`
	HasLogs      bool    `graphql:"hasLogs"`
	Note         *string `graphql:"note"`
}

type runDetail struct {
	runNode
	History []transitionNode `graphql:"history"`
}

// RunType and RunState are Spacelift enums; the Go type names are the
// GraphQL variable types the client declares.
type (
	RunType           string
	RunState          string
	RunReviewDecision string
)

// toRun maps a run. history is newest first, as the API returns it.
func (c *Client) toRun(stackID string, n runNode, history []transitionNode) model.Run {
	r := model.Run{
		ID:            n.ID,
		StackID:       stackID,
		Kind:          toKind(n.Type, n.DriftDetection),
		State:         toState(n.State),
		RawState:      n.State,
		Title:         n.Title,
		TriggeredBy:   deref(n.TriggeredBy),
		CreatedAt:     fromUnix(&n.CreatedAt),
		UpdatedAt:     fromUnix(&n.UpdatedAt),
		URL:           c.endpoint + "/stack/" + stackID + "/run/" + n.ID,
		NeedsApproval: n.NeedsApproval,
	}
	if n.Commit != nil {
		r.Commit = n.Commit.Hash
	}
	if d := n.Delta; d != nil {
		r.Delta = &model.Delta{Add: d.AddCount, Change: d.ChangeCount, Destroy: d.DeleteCount}
	}
	for i := len(history) - 1; i >= 0; i-- {
		h := history[i]
		r.History = append(r.History, model.RunTransition{State: toState(h.State), At: fromUnix(&h.Timestamp), Note: deref(h.Note)})
	}
	return r
}

// toKind maps a RunType: PROPOSED is a plan, or a drift check when
// driftDetection is set; TRACKED a deploy; DESTROY, TASK and TESTING what
// they say. A type stackview does not know (e.g. PARSE) is "other", never a
// deploy.
func toKind(runType string, drift bool) model.RunKind {
	switch runType {
	case "PROPOSED":
		if drift {
			return model.RunDriftCheck
		}
		return model.RunPlan
	case "TRACKED":
		return model.RunDeploy
	case "DESTROY":
		return model.RunDestroy
	case "TASK":
		return model.RunTask
	case "TESTING":
		return model.RunTesting
	}
	return model.RunOther
}

// toState maps a Spacelift state; the model spells states the same way,
// so only values it does not know become UNKNOWN (RawState keeps them).
// PENDING, deprecated, is a run not yet picked up: QUEUED.
func toState(s string) model.RunState {
	st := model.RunState(s)
	switch {
	case s == "PENDING":
		return model.StateQueued
	case st.Terminal() || st.Active() || st.Waiting() || st == model.StateNone:
		return st
	}
	return model.StateUnknown
}

// mergeRuns maps the pages of a stack's run lists into one list, newest
// first. A run listed twice (tasks may also appear among runs; no public
// source says) is kept once.
func (c *Client) mergeRuns(stackID string, lists ...[]runNode) []model.Run {
	seen := map[string]bool{}
	var out []model.Run
	for _, list := range lists {
		for _, n := range list {
			if !seen[n.ID] {
				seen[n.ID] = true
				out = append(out, c.toRun(stackID, n, nil))
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return model.Newer(out[i], out[j]) })
	return out
}

// The three lists a stack's history is merged from: tracked runs, proposed
// runs and tasks. Each pages with before: <last run id>; an empty page ends
// it.
const (
	listTracked = iota
	listProposed
	listTasks
	runLists
)

// runListsQuery fetches one page of each list still open (@include skips
// the others).
type runListsQuery struct {
	Stack *struct {
		Runs         []runNode `graphql:"runs(before: $runs) @include(if: $withRuns)"`
		ProposedRuns []runNode `graphql:"proposedRuns(before: $proposed) @include(if: $withProposed)"`
		Tasks        []runNode `graphql:"tasks(before: $tasks) @include(if: $withTasks)"`
	} `graphql:"stack(id: $stack)"`
}

// runListsProbe asks whether the lists go on after the runs returned.
type runListsProbe struct {
	Stack *struct {
		Runs []struct {
			ID string `graphql:"id"`
		} `graphql:"runs(before: $runs) @include(if: $withRuns)"`
		ProposedRuns []struct {
			ID string `graphql:"id"`
		} `graphql:"proposedRuns(before: $proposed) @include(if: $withProposed)"`
		Tasks []struct {
			ID string `graphql:"id"`
		} `graphql:"tasks(before: $tasks) @include(if: $withTasks)"`
	} `graphql:"stack(id: $stack)"`
}

// listCursor is where each list stands: "" at its start, the id of the last
// run returned from it, or done.
type listCursor struct {
	before [runLists]string
	done   [runLists]bool
}

func parseRunsCursor(cursor string) (listCursor, error) {
	var lc listCursor
	if cursor == "" {
		return lc, nil
	}
	parts := strings.Split(cursor, "|")
	if len(parts) != runLists+1 || parts[0] != "runs1" {
		return lc, fmt.Errorf("%w: runs cursor %q", backend.ErrNotFound, cursor)
	}
	for i, p := range parts[1:] {
		if p == "-" {
			lc.done[i] = true
		} else {
			lc.before[i] = p
		}
	}
	return lc, nil
}

func (lc listCursor) String() string {
	parts := []string{"runs1"}
	for i := range runLists {
		if lc.done[i] {
			parts = append(parts, "-")
		} else {
			parts = append(parts, lc.before[i])
		}
	}
	return strings.Join(parts, "|")
}

func (lc listCursor) vars(stackID string) map[string]any {
	return map[string]any{
		"stack":    graphql.ID(stackID),
		"runs":     optionalID(lc.before[listTracked]),
		"proposed": optionalID(lc.before[listProposed]),
		"tasks":    optionalID(lc.before[listTasks]),
		"withRuns": !lc.done[listTracked], "withProposed": !lc.done[listProposed], "withTasks": !lc.done[listTasks],
	}
}

// emitRuns adds to out the fetched runs no open list can precede: those
// at or above the frontier, the oldest run every open list has reached (a
// list's unfetched runs are all older than its last fetched one). The list
// that sets the frontier is used up whatever the order of its ids, so every
// round makes progress. used and lc.before advance past what was added.
func (c *Client) emitRuns(stackID string, pages [runLists][]runNode, lc *listCursor, used *[runLists]int, seen map[string]bool, out []model.Run) []model.Run {
	var frontier *model.Run
	edge := -1
	for i, page := range pages {
		if lc.done[i] || len(page) == 0 {
			continue
		}
		last := c.toRun(stackID, page[len(page)-1], nil)
		if frontier == nil || model.Newer(last, *frontier) {
			frontier, edge = &last, i
		}
	}
	for i, page := range pages {
		for _, n := range page[used[i]:] {
			r := c.toRun(stackID, n, nil)
			if i != edge && frontier != nil && model.Newer(*frontier, r) {
				break
			}
			used[i]++
			lc.before[i] = n.ID
			if !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// ListRuns returns a stack's history, newest first, merged from its three
// run lists with a cursor that remembers where each stands. A page holds
// every fetched run that no list still open can precede; lists whose page
// was used up are probed (ids only, one request) so the last page says so.
func (c *Client) ListRuns(ctx context.Context, stackID, cursor string) ([]model.Run, string, error) {
	lc, err := parseRunsCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	if lc.done == [runLists]bool{true, true, true} {
		return nil, "", nil
	}
	var q runListsQuery
	if err := c.query(ctx, "StackRuns", &q, lc.vars(stackID)); err != nil {
		return nil, "", err
	}
	if q.Stack == nil {
		return nil, "", backend.NotFoundf("stack %q", stackID)
	}
	pages := [runLists][]runNode{q.Stack.Runs, q.Stack.ProposedRuns, q.Stack.Tasks}
	for i, page := range pages {
		lc.done[i] = lc.done[i] || len(page) == 0
	}
	var out []model.Run
	seen := map[string]bool{}
	used := [runLists]int{}
	known := [runLists]bool{} // a probe said the list goes on
	for range runLists {
		out = c.emitRuns(stackID, pages, &lc, &used, seen, out)
		// Lists whose page was used up may or may not go on: ask (ids
		// only, one request). A list that ends lets the others' leftovers
		// through on the next round.
		var probe listCursor
		probing := false
		for i := range runLists {
			probe.before[i] = lc.before[i]
			probe.done[i] = lc.done[i] || known[i] || used[i] < len(pages[i])
			probing = probing || !probe.done[i]
		}
		if !probing {
			break
		}
		var p runListsProbe
		if err := c.query(ctx, "StackRunsProbe", &p, probe.vars(stackID)); err != nil {
			return nil, "", err
		}
		if p.Stack == nil {
			return nil, "", backend.NotFoundf("stack %q", stackID)
		}
		ended := false
		for i, n := range []int{len(p.Stack.Runs), len(p.Stack.ProposedRuns), len(p.Stack.Tasks)} {
			switch {
			case probe.done[i]:
			case n == 0:
				lc.done[i], ended = true, true
			default:
				known[i] = true
			}
		}
		if !ended {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return model.Newer(out[i], out[j]) })
	if lc.done == [runLists]bool{true, true, true} {
		return out, "", nil
	}
	return out, lc.String(), nil
}

func optionalID(id string) *graphql.ID {
	if id == "" {
		return nil
	}
	v := graphql.ID(id)
	return &v
}

type runQuery struct {
	Stack *struct {
		Run *runDetail `graphql:"run(id: $run)"`
	} `graphql:"stack(id: $stack)"`
}

// GetRun returns one run with its history, oldest transition first.
func (c *Client) GetRun(ctx context.Context, stackID, runID string) (model.Run, error) {
	d, err := c.runDetail(ctx, stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	return c.toRun(stackID, d.runNode, d.History), nil
}

func (c *Client) runDetail(ctx context.Context, stackID, runID string) (*runDetail, error) {
	var q runQuery
	if err := c.query(ctx, "Run", &q, map[string]any{"stack": graphql.ID(stackID), "run": graphql.ID(runID)}); err != nil {
		return nil, err
	}
	if q.Stack == nil || q.Stack.Run == nil {
		return nil, backend.NotFoundf("run %q of stack %q", runID, stackID)
	}
	return q.Stack.Run, nil
}

// RunLogs walks the run's log-bearing states oldest first, as spacectl does,
// paging each with logs(state, token). The returned token is
// "<index of the state>:<the API's token>".
//
// Spacelift does not promise finished (spacectl's maintainers, PR #251), and
// spacectl's own rule still hangs on a run waiting for a person (#352). A
// state's log is complete when finished, or when nothing more is there
// (!hasMore) and the run has moved past that state, or is over, or waits
// for a person. An expired log, or one that does not exist once the run
// has moved on, is complete too, and said so in the chunk.
func (c *Client) RunLogs(ctx context.Context, stackID, runID, token string) (backend.LogChunk, error) {
	idx, inner, err := parseLogToken(token)
	if err != nil {
		return backend.LogChunk{}, err
	}
	d, err := c.runDetail(ctx, stackID, runID)
	if err != nil {
		return backend.LogChunk{}, err
	}
	state := toState(d.State)
	settled := state.Terminal() || state.Waiting()
	// The history is newest first; logged lists the states with logs oldest
	// first, each with whether the run has moved on since.
	type loggedState struct {
		transitionNode
		movedOn bool
	}
	var logged []loggedState
	for i := len(d.History) - 1; i >= 0; i-- {
		if d.History[i].HasLogs {
			logged = append(logged, loggedState{d.History[i], i > 0})
		}
	}
	if len(logged) == 0 {
		return backend.LogChunk{Next: token, Done: settled}, nil
	}
	idx = min(idx, len(logged)-1)
	at := logged[idx]
	logs, err := c.logsPage(ctx, stackID, runID, at.transitionNode, inner)
	if err != nil {
		return backend.LogChunk{}, err
	}
	over := at.movedOn || settled // nothing more will be written in this state
	chunk := backend.LogChunk{Next: token}
	stateDone := false
	switch {
	case logs == nil || !logs.Exists:
		stateDone, chunk.Missing = over, over
	case logs.Expired:
		stateDone, chunk.Expired = true, true
	default:
		chunk.Text = logs.text()
		next := inner
		if logs.NextToken != nil {
			next = *logs.NextToken
		}
		chunk.Next = strconv.Itoa(idx) + ":" + next
		stateDone = logs.Finished || (!logs.HasMore && over)
	}
	if stateDone && idx+1 < len(logged) {
		chunk.Next = strconv.Itoa(idx+1) + ":"
		return chunk, nil
	}
	chunk.Done = stateDone && settled
	return chunk, nil
}

// logsPage is one page of a state's log, from token ("" = its start):
// nil when the state has none.
type logsPage struct {
	Exists    bool    `graphql:"exists"`
	Expired   bool    `graphql:"expired"`
	Finished  bool    `graphql:"finished"`
	HasMore   bool    `graphql:"hasMore"`
	NextToken *string `graphql:"nextToken"`
	Messages  []struct {
		Message string `graphql:"message"`
	} `graphql:"messages"`
}

func (p *logsPage) text() string {
	var b strings.Builder
	for _, m := range p.Messages {
		b.WriteString(m.Message)
	}
	return b.String()
}

func (c *Client) logsPage(ctx context.Context, stackID, runID string, state transitionNode, token string) (*logsPage, error) {
	var q struct {
		Stack *struct {
			Run *struct {
				Logs *logsPage `graphql:"logs(state: $state, token: $token, stateVersion: $stateVersion)"`
			} `graphql:"run(id: $run)"`
		} `graphql:"stack(id: $stack)"`
	}
	vars := map[string]any{
		"stack": graphql.ID(stackID), "run": graphql.ID(runID), "state": RunState(state.State),
		"token": optionalString(token), "stateVersion": graphql.Int(state.StateVersion),
	}
	if err := c.query(ctx, "RunLogs", &q, vars); err != nil {
		return nil, err
	}
	if q.Stack == nil || q.Stack.Run == nil {
		return nil, backend.NotFoundf("run %q of stack %q", runID, stackID)
	}
	return q.Stack.Run.Logs, nil
}

func parseLogToken(token string) (int, string, error) {
	if token == "" {
		return 0, "", nil
	}
	i, inner, ok := strings.Cut(token, ":")
	n, err := strconv.Atoi(i)
	if !ok || err != nil || n < 0 {
		return 0, "", fmt.Errorf("%w: log token %q", backend.ErrNotFound, token)
	}
	return n, inner, nil
}

func optionalString(s string) *graphql.String {
	if s == "" {
		return nil
	}
	v := graphql.String(s)
	return &v
}

// RunChanges lists what the run's plan changes.
func (c *Client) RunChanges(ctx context.Context, stackID, runID string) ([]model.ResourceChange, error) {
	var q struct {
		Stack *struct {
			Run *struct {
				ChangesV3 []struct {
					Resources []struct {
						Address  string `graphql:"address"`
						Metadata struct {
							Type string `graphql:"type"`
						} `graphql:"metadata"`
					} `graphql:"resources"`
				} `graphql:"changesV3(input: {})"`
			} `graphql:"run(id: $run)"`
		} `graphql:"stack(id: $stack)"`
	}
	// The input is written as the literal {} spacectl sends: no public
	// source names its type, so the client declares no variable of it.
	vars := map[string]any{"stack": graphql.ID(stackID), "run": graphql.ID(runID)}
	if err := c.query(ctx, "RunChanges", &q, vars); err != nil {
		return nil, err
	}
	if q.Stack == nil || q.Stack.Run == nil {
		return nil, backend.NotFoundf("run %q of stack %q", runID, stackID)
	}
	var out []model.ResourceChange
	for _, group := range q.Stack.Run.ChangesV3 {
		for _, r := range group.Resources {
			out = append(out, model.ResourceChange{Address: r.Address, Action: model.ChangeAction(r.Metadata.Type)})
		}
	}
	if len(out) > 0 {
		c.valuesFromLog(ctx, stackID, runID, out)
	}
	return out, nil
}

// valuesFromLog fills changes' values from Terraform's plan text in the
// run's planning log: changesV3 carries none. Each value is marked as read
// from the log; a resource the log does not show, or a log that cannot be
// read, says "values not available" and why.
func (c *Client) valuesFromLog(ctx context.Context, stackID, runID string, changes []model.ResourceChange) {
	log, err := c.planningLog(ctx, stackID, runID)
	if err != nil {
		for i := range changes {
			changes[i].NoValues = "values not available: the planning log could not be read (" + err.Error() + ")"
		}
		return
	}
	parsed := map[string]model.ResourceChange{}
	for _, p := range plantext.Parse(log) {
		parsed[p.Address] = p
	}
	for i, ch := range changes {
		p, ok := parsed[ch.Address]
		if !ok || len(p.Values) == 0 {
			changes[i].NoValues = "values not available: the planning log does not show them"
			continue
		}
		changes[i].Attributes, changes[i].Values, changes[i].ValuesFrom = p.Attributes, p.Values, model.ValuesLog
		changes[i].Reason, changes[i].ReplacePaths, changes[i].NoValues = p.Reason, p.ReplacePaths, p.NoValues
	}
}

// maxPlanningLog bounds the planning log read for values.
const maxPlanningLog = 16 << 20

// planningLog is the whole log of the run's last PLANNING state.
func (c *Client) planningLog(ctx context.Context, stackID, runID string) (string, error) {
	d, err := c.runDetail(ctx, stackID, runID)
	if err != nil {
		return "", err
	}
	var planning *transitionNode
	for i := range d.History { // newest first
		if toState(d.History[i].State) == model.StatePlanning && d.History[i].HasLogs {
			planning = &d.History[i]
			break
		}
	}
	if planning == nil {
		return "", errors.New("the run has no planning log")
	}
	var text strings.Builder
	token := ""
	for {
		logs, err := c.logsPage(ctx, stackID, runID, *planning, token)
		if err != nil {
			return "", err
		}
		switch {
		case logs == nil || !logs.Exists:
			return "", errors.New("the planning log does not exist")
		case logs.Expired:
			return "", errors.New("the planning log expired")
		}
		text.WriteString(logs.text())
		if logs.Finished || !logs.HasMore || logs.NextToken == nil || *logs.NextToken == token {
			return text.String(), nil
		}
		if text.Len() > maxPlanningLog {
			return "", fmt.Errorf("the planning log is over %d MiB", maxPlanningLog>>20)
		}
		token = *logs.NextToken
	}
}

// Trigger starts a tracked (deploy) or proposed (plan) run of the tracked
// commit. Spacelift has no mutation for an on-demand drift check; the
// sandbox's dialect has one.
func (c *Client) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	runType := RunType("TRACKED")
	switch kind {
	case model.RunDeploy:
	case model.RunPlan:
		runType = "PROPOSED"
	case model.RunDriftCheck:
		if c.sandbox {
			return c.triggerDriftCheck(ctx, stackID)
		}
		fallthrough
	default:
		return model.Run{}, fmt.Errorf("%w: Spacelift runs drift detection on a schedule; it cannot be started on demand", backend.ErrUnsupported)
	}
	var m struct {
		RunTrigger runNode `graphql:"runTrigger(stack: $stack, runType: $runType)"`
	}
	if err := c.mutate(ctx, "RunTrigger", &m, map[string]any{"stack": graphql.ID(stackID), "runType": runType}); err != nil {
		return model.Run{}, err
	}
	return c.toRun(stackID, m.RunTrigger, nil), nil
}

// PlanCommit starts a proposed run of a given commit (backend.CommitPlanner),
// Spacelift's runTrigger with commitSha.
func (c *Client) PlanCommit(ctx context.Context, stackID, commit string) (model.Run, error) {
	var m struct {
		RunTrigger runNode `graphql:"runTrigger(stack: $stack, commitSha: $commitSha, runType: $runType)"`
	}
	vars := map[string]any{"stack": graphql.ID(stackID), "commitSha": commit, "runType": RunType("PROPOSED")}
	if err := c.mutate(ctx, "RunTrigger", &m, vars); err != nil {
		return model.Run{}, err
	}
	return c.toRun(stackID, m.RunTrigger, nil), nil
}

func (c *Client) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	var m struct {
		Run runNode `graphql:"runConfirm(stack: $stack, run: $run)"`
	}
	return c.runMutation(ctx, "RunConfirm", stackID, &m, &m.Run, graphql.NewID(runID))
}

func (c *Client) Discard(ctx context.Context, stackID, runID string) (model.Run, error) {
	var m struct {
		Run runNode `graphql:"runDiscard(stack: $stack, run: $run)"`
	}
	return c.runMutation(ctx, "RunDiscard", stackID, &m, &m.Run, graphql.NewID(runID))
}

// Retry returns the new run Spacelift starts.
func (c *Client) Retry(ctx context.Context, stackID, runID string) (model.Run, error) {
	var m struct {
		Run runNode `graphql:"runRetry(stack: $stack, run: $run)"`
	}
	return c.runMutation(ctx, "RunRetry", stackID, &m, &m.Run, graphql.ID(runID))
}

// Stop stops a run that has started (runStop).
func (c *Client) Stop(ctx context.Context, stackID, runID string) (model.Run, error) {
	var m struct {
		Run runNode `graphql:"runStop(stack: $stack, run: $run)"`
	}
	return c.runMutation(ctx, "RunStop", stackID, &m, &m.Run, graphql.ID(runID))
}

// Promote deploys a finished proposed run (runPromote): "deploy preview".
func (c *Client) Promote(ctx context.Context, stackID, runID string) (model.Run, error) {
	var m struct {
		Run runNode `graphql:"runPromote(stack: $stack, run: $run)"`
	}
	return c.runMutation(ctx, "RunPromote", stackID, &m, &m.Run, graphql.ID(runID))
}

// Review approves or rejects a run with a note (runReview). The answer is
// the review, so the run is read again for its new state.
func (c *Client) Review(ctx context.Context, stackID, runID string, approve bool, note string) (model.Run, error) {
	var m struct {
		Review struct {
			ID string `graphql:"id"`
		} `graphql:"runReview(stack: $stack, run: $run, decision: $decision, note: $note)"`
	}
	decision := RunReviewDecision("REJECT")
	if approve {
		decision = "APPROVE"
	}
	vars := map[string]any{"stack": graphql.ID(stackID), "run": graphql.NewID(runID), "decision": decision,
		"note": optionalString(note)}
	if err := c.mutate(ctx, "RunReview", &m, vars); err != nil {
		return model.Run{}, err
	}
	return c.GetRun(ctx, stackID, runID)
}

// Cancel uses runCancel for a run that has not started and runStop for one
// that has: Spacelift refuses the other mutation in each case.
func (c *Client) Cancel(ctx context.Context, stackID, runID string) (model.Run, error) {
	d, err := c.runDetail(ctx, stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	if st := toState(d.State); st == model.StateQueued || st == model.StateReady {
		var m struct {
			Run runNode `graphql:"runCancel(stack: $stack, run: $run)"`
		}
		return c.runMutation(ctx, "RunCancel", stackID, &m, &m.Run, graphql.ID(runID))
	}
	var m struct {
		Run runNode `graphql:"runStop(stack: $stack, run: $run)"`
	}
	return c.runMutation(ctx, "RunStop", stackID, &m, &m.Run, graphql.ID(runID))
}

// runMutation sends a run mutation whose $run is optional (*ID, confirm and
// discard) or required (ID, retry and cancel), as the schema declares it.
func (c *Client) runMutation(ctx context.Context, name, stackID string, m any, run *runNode, runID any) (model.Run, error) {
	if err := c.mutate(ctx, name, m, map[string]any{"stack": graphql.ID(stackID), "run": runID}); err != nil {
		return model.Run{}, err
	}
	return c.toRun(stackID, *run, nil), nil
}
