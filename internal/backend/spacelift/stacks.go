package spacelift

import (
	"context"
	"time"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/stackview/stackview/internal/model"
)

type commitNode struct {
	Hash string `graphql:"hash"`
}

// stackNode is the Stack selection stackview needs. runs gives the latest
// run: the API has no "latest run" field.
type stackNode struct {
	ID                string      `graphql:"id"`
	Name              string      `graphql:"name"`
	Description       *string     `graphql:"description"`
	Labels            []string    `graphql:"labels"`
	Space             string      `graphql:"space"`
	Repository        string      `graphql:"repository"`
	Branch            string      `graphql:"branch"`
	ProjectRoot       *string     `graphql:"projectRoot"`
	State             string      `graphql:"state"`
	TrackedCommit     *commitNode `graphql:"trackedCommit"`
	TrackedBranchHead *commitNode `graphql:"trackedBranchHead"`
	LockedBy          *string     `graphql:"lockedBy"`
	LockedAt          *int64      `graphql:"lockedAt"`
	LockNote          *string     `graphql:"lockNote"`
	IsDisabled        bool        `graphql:"isDisabled"`
	IsDrifted         bool        `graphql:"isDrifted"`
	Administrative    bool        `graphql:"administrative"`
	Autodeploy        bool        `graphql:"autodeploy"`
	CanWrite          bool        `graphql:"canWrite"`
	DependsOn         []struct {
		DependsOnStack struct {
			ID string `graphql:"id"`
		} `graphql:"dependsOnStack"`
	} `graphql:"dependsOn"`
	Entities []struct {
		Address string `graphql:"address"`
		Drifted *int64 `graphql:"drifted"`
	} `graphql:"entities"`
	Runs []runNode `graphql:"runs"`
}

type viewerNode struct {
	ID graphql.ID `graphql:"id"`
}

// SearchInput is Spacelift's SearchInput; the Go type name is the GraphQL
// variable type the client declares.
type SearchInput struct {
	First      *int              `json:"first,omitempty"`
	After      *string           `json:"after,omitempty"`
	Predicates []searchPredicate `json:"predicates,omitempty"`
	OrderBy    *searchOrder      `json:"orderBy,omitempty"`
}

type searchPredicate struct {
	Field      string          `json:"field"`
	Exclude    bool            `json:"exclude"`
	Constraint fieldConstraint `json:"constraint"`
}

type fieldConstraint struct {
	EnumEquals []string `json:"enumEquals,omitempty"`
}

type searchOrder struct {
	Field     string `json:"field"`
	Direction string `json:"direction"`
}

// allStacks is the unpaginated stacks query. It replaced paging
// searchStacks 50 at a time: at 10,000 stacks one request is several times
// faster end to end than 200 pages (BenchmarkListStacksOverHTTP compares
// them), and the tree needs every stack before it can be drawn anyway.
type allStacks struct {
	Viewer *viewerNode `graphql:"viewer"`
	Stacks []stackNode `graphql:"stacks"`
}

func (q *allStacks) sessionLost() bool { return q.Viewer == nil }

// ListStacks reads every stack in one query. A null viewer means the token
// was not accepted (the API answers empty lists instead of an error), so it
// is reported as an expired session, never as "no stacks".
func (c *Client) ListStacks(ctx context.Context) ([]model.Stack, error) {
	var q allStacks
	if err := c.queryList(ctx, "Stacks", &q, nil); err != nil {
		return nil, err
	}
	out := make([]model.Stack, len(q.Stacks))
	for i, n := range q.Stacks {
		out[i] = c.toStack(n)
	}
	return out, c.addDriftedAttributes(ctx, out)
}

func (c *Client) toStack(n stackNode) model.Stack {
	st := model.Stack{
		ID:             n.ID,
		Name:           n.Name,
		Description:    deref(n.Description),
		Space:          n.Space,
		Labels:         n.Labels,
		Repo:           n.Repository,
		Branch:         n.Branch,
		ProjectRoot:    deref(n.ProjectRoot),
		State:          toState(n.State),
		Administrative: n.Administrative,
		Autodeploy:     n.Autodeploy,
		CanWrite:       n.CanWrite,
		Disabled:       n.IsDisabled,
		URL:            c.endpoint + "/stack/" + n.ID,
	}
	if n.TrackedCommit != nil {
		st.TrackedCommit = n.TrackedCommit.Hash
	}
	if n.TrackedBranchHead != nil {
		st.BranchHead = n.TrackedBranchHead.Hash
	}
	for _, d := range n.DependsOn {
		st.DependsOn = append(st.DependsOn, d.DependsOnStack.ID)
	}
	if n.LockedBy != nil {
		st.Lock = &model.Lock{Holder: *n.LockedBy, Note: deref(n.LockNote), At: fromUnix(n.LockedAt)}
	}
	st.Drift.Drifted = n.IsDrifted
	st.Drift.RunID = driftRunID(n.Runs)
	for _, e := range n.Entities {
		if e.Drifted == nil {
			continue
		}
		st.Drift.Resources = append(st.Drift.Resources, e.Address)
		if at := fromUnix(e.Drifted); at.After(st.Drift.CheckedAt) {
			st.Drift.CheckedAt = at
		}
	}
	if len(n.Runs) > 0 {
		r := c.toRun(n.ID, n.Runs[0], nil)
		st.LatestRun = &r
	}
	return st
}

// Lock takes the stack's lock with a note; Unlock releases it.
func (c *Client) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	var m struct {
		StackLock stackNode `graphql:"stackLock(id: $id, note: $note)"`
	}
	if err := c.mutate(ctx, "StackLock", &m, map[string]any{"id": graphql.ID(stackID), "note": graphql.String(note)}); err != nil {
		return model.Stack{}, err
	}
	return c.toStack(m.StackLock), nil
}

// SyncCommit moves the tracked commit to the branch head (stackSyncCommit).
func (c *Client) SyncCommit(ctx context.Context, stackID string) (model.Stack, error) {
	var m struct {
		StackSyncCommit stackNode `graphql:"stackSyncCommit(id: $id)"`
	}
	if err := c.mutate(ctx, "StackSyncCommit", &m, map[string]any{"id": graphql.ID(stackID)}); err != nil {
		return model.Stack{}, err
	}
	return c.toStack(m.StackSyncCommit), nil
}

func (c *Client) Unlock(ctx context.Context, stackID string) (model.Stack, error) {
	var m struct {
		StackUnlock stackNode `graphql:"stackUnlock(id: $id)"`
	}
	if err := c.mutate(ctx, "StackUnlock", &m, map[string]any{"id": graphql.ID(stackID)}); err != nil {
		return model.Stack{}, err
	}
	return c.toStack(m.StackUnlock), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func fromUnix(v *int64) time.Time {
	if v == nil || *v == 0 {
		return time.Time{}
	}
	return time.Unix(*v, 0).UTC()
}
