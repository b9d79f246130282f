package spacelift

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/stackview/stackview/internal/backend"
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

// toRun maps a run. PROPOSED is a plan, or a drift check when
// driftDetection is set; TRACKED (and anything else) is a deploy.
// history is newest first, as the API returns it.
func (c *Client) toRun(stackID string, n runNode, history []transitionNode) model.Run {
	r := model.Run{
		ID:          n.ID,
		StackID:     stackID,
		Kind:        model.RunDeploy,
		State:       toState(n.State),
		RawState:    n.State,
		Title:       n.Title,
		TriggeredBy: deref(n.TriggeredBy),
		CreatedAt:   fromUnix(&n.CreatedAt),
		UpdatedAt:   fromUnix(&n.UpdatedAt),
		URL:         c.endpoint + "/stack/" + stackID + "/run/" + n.ID,
	}
	if n.Type == "PROPOSED" {
		r.Kind = model.RunPlan
		if n.DriftDetection {
			r.Kind = model.RunDriftCheck
		}
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

// toState maps a Spacelift state; the model spells states the same way,
// so only values it does not know become UNKNOWN (RawState keeps them).
func toState(s string) model.RunState {
	st := model.RunState(s)
	if st.Terminal() || st.Active() || st.Waiting() || st == model.StateNone {
		return st
	}
	return model.StateUnknown
}

// ListRuns pages runs with before = the last run id of the previous page.
// The page size is the server's, so the next page is probed (ids only) to
// return an empty cursor on the last page, as the Backend contract asks.
func (c *Client) ListRuns(ctx context.Context, stackID, cursor string) ([]model.Run, string, error) {
	var q struct {
		Stack *struct {
			Runs []runNode `graphql:"runs(before: $before)"`
		} `graphql:"stack(id: $stack)"`
	}
	if err := c.query(ctx, "StackRuns", &q, map[string]any{"stack": graphql.ID(stackID), "before": optionalID(cursor)}); err != nil {
		return nil, "", err
	}
	if q.Stack == nil {
		return nil, "", backend.NotFoundf("stack %q", stackID)
	}
	runs := make([]model.Run, len(q.Stack.Runs))
	for i, n := range q.Stack.Runs {
		runs[i] = c.toRun(stackID, n, nil)
	}
	if len(runs) == 0 {
		return runs, "", nil
	}
	last := runs[len(runs)-1].ID
	var probe struct {
		Stack *struct {
			Runs []struct {
				ID string `graphql:"id"`
			} `graphql:"runs(before: $before)"`
		} `graphql:"stack(id: $stack)"`
	}
	if err := c.query(ctx, "StackRunsProbe", &probe, map[string]any{"stack": graphql.ID(stackID), "before": optionalID(last)}); err != nil {
		return nil, "", err
	}
	if probe.Stack == nil || len(probe.Stack.Runs) == 0 {
		return runs, "", nil
	}
	return runs, last, nil
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
	var logged []transitionNode
	for i := len(d.History) - 1; i >= 0; i-- {
		if d.History[i].HasLogs {
			logged = append(logged, d.History[i])
		}
	}
	if len(logged) == 0 {
		return backend.LogChunk{Next: token, Done: settled}, nil
	}
	idx = min(idx, len(logged)-1)
	var q struct {
		Stack *struct {
			Run *struct {
				Logs *struct {
					Finished  bool    `graphql:"finished"`
					HasMore   bool    `graphql:"hasMore"`
					NextToken *string `graphql:"nextToken"`
					Messages  []struct {
						Message string `graphql:"message"`
					} `graphql:"messages"`
				} `graphql:"logs(state: $state, token: $token, stateVersion: $stateVersion)"`
			} `graphql:"run(id: $run)"`
		} `graphql:"stack(id: $stack)"`
	}
	vars := map[string]any{
		"stack": graphql.ID(stackID), "run": graphql.ID(runID), "state": RunState(logged[idx].State),
		"token": optionalString(inner), "stateVersion": graphql.Int(logged[idx].StateVersion),
	}
	if err := c.query(ctx, "RunLogs", &q, vars); err != nil {
		return backend.LogChunk{}, err
	}
	if q.Stack == nil || q.Stack.Run == nil {
		return backend.LogChunk{}, backend.NotFoundf("run %q of stack %q", runID, stackID)
	}
	logs := q.Stack.Run.Logs
	if logs == nil {
		return backend.LogChunk{Next: token, Done: settled}, nil
	}
	var text strings.Builder
	for _, m := range logs.Messages {
		text.WriteString(m.Message)
	}
	next := inner
	if logs.NextToken != nil {
		next = *logs.NextToken
	}
	stateDone := logs.Finished && !logs.HasMore
	if stateDone && idx+1 < len(logged) {
		return backend.LogChunk{Text: text.String(), Next: strconv.Itoa(idx+1) + ":"}, nil
	}
	return backend.LogChunk{Text: text.String(), Next: strconv.Itoa(idx) + ":" + next, Done: stateDone && settled}, nil
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

// RunChangesInput is changesV3's input; empty asks for every change.
type RunChangesInput struct{}

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
				} `graphql:"changesV3(input: $input)"`
			} `graphql:"run(id: $run)"`
		} `graphql:"stack(id: $stack)"`
	}
	vars := map[string]any{"stack": graphql.ID(stackID), "run": graphql.ID(runID), "input": RunChangesInput{}}
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
	return out, nil
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
