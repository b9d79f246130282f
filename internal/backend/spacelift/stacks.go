package spacelift

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/stackview/stackview/internal/model"
)

type commitNode struct {
	Hash string `graphql:"hash"`
}

// leanNode is the Stack selection of a lean listing (PageStacks): what the
// tree shows, and nothing that costs a list per stack. The API has no
// "latest run" field; the stack's state (its latest tracked run's, per the
// documentation), stateSetAt and the blocker (the unfinished tracked run
// holding the stack) stand in for it until the stack's runs are read
// (ReadDetails). Managed entities are never selected in a listing: a stack
// has hundreds, and only drifted stacks need theirs.
type leanNode struct {
	ID                string      `graphql:"id"`
	Name              string      `graphql:"name"`
	Description       *string     `graphql:"description"`
	Labels            []string    `graphql:"labels"`
	Space             string      `graphql:"space"`
	Provider          string      `graphql:"provider"`
	Namespace         string      `graphql:"namespace"`
	Repository        string      `graphql:"repository"`
	RepositoryURL     *string     `graphql:"repositoryURL"`
	APIHost           *string     `graphql:"apiHost"`
	Branch            string      `graphql:"branch"`
	ProjectRoot       *string     `graphql:"projectRoot"`
	State             string      `graphql:"state"`
	StateSetAt        *int64      `graphql:"stateSetAt"`
	TrackedCommit     *commitNode `graphql:"trackedCommit"`
	TrackedBranchHead *commitNode `graphql:"trackedBranchHead"`
	LockedBy          *string     `graphql:"lockedBy"`
	LockedAt          *int64      `graphql:"lockedAt"`
	LockNote          *string     `graphql:"lockNote"`
	IsDisabled        bool        `graphql:"isDisabled"`
	IsDrifted         bool        `graphql:"isDrifted"`
	NeedsApproval     bool        `graphql:"needsApproval"`
	Administrative    bool        `graphql:"administrative"`
	Autodeploy        bool        `graphql:"autodeploy"`
	CanWrite          bool        `graphql:"canWrite"`
	DependsOn         []struct {
		DependsOnStack struct {
			ID string `graphql:"id"`
		} `graphql:"dependsOnStack"`
	} `graphql:"dependsOn"`
	Blocker *runNode `graphql:"blocker"`
}

// stackNode is the Stack selection of a full listing (ListStacks) and of
// mutations: the lean one plus the first page of each run list, for the
// latest run and the latest tracked run (runs holds tracked runs,
// proposedRuns plans and drift checks, tasks the tasks).
type stackNode struct {
	leanNode
	Runs         []runNode `graphql:"runs"`
	ProposedRuns []runNode `graphql:"proposedRuns"`
	Tasks        []runNode `graphql:"tasks"`
}

type viewerNode struct {
	ID graphql.ID `graphql:"id"`
}

// whoNode is the viewer as a listing reads it: a lock is the viewer's when
// lockedBy names its id (the login) or its name.
type whoNode struct {
	ID   string `graphql:"id"`
	Name string `graphql:"name"`
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
	EnumEquals    []string `json:"enumEquals,omitempty"`
	BooleanEquals []bool   `json:"booleanEquals,omitempty"`
	StringMatches []string `json:"stringMatches,omitempty"`
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
	Viewer *whoNode     `graphql:"viewer"`
	Stacks []*stackNode `graphql:"stacks"`
}

func (q *allStacks) sessionLost() bool { return q.Viewer == nil }

// ListStacks reads every stack in one query. A null viewer means the token
// was not accepted (the API answers empty lists instead of an error), so it
// is reported as an expired session, never as "no stacks". An answer with
// data and errors keeps the stacks it has: the errors become the Problems
// of the stacks they name, so one unreadable stack does not blank the tree.
func (c *Client) ListStacks(ctx context.Context) ([]model.Stack, error) {
	var q allStacks
	fieldErrs, err := c.queryList(ctx, "Stacks", &q, nil)
	if err != nil {
		return nil, err
	}
	if q.Stacks == nil && len(fieldErrs) > 0 { // the list itself failed
		return nil, fmt.Errorf("spacelift Stacks: %s", fieldErrs.summary())
	}
	c.viewer.Store(q.Viewer)
	out := make([]model.Stack, 0, len(q.Stacks))
	for i, n := range q.Stacks {
		if n == nil { // the error nulled the whole stack
			continue
		}
		st := c.toStack(*n)
		st.Problems = fieldErrs.at("stacks", i)
		out = append(out, st)
	}
	if lost := len(q.Stacks) - len(out); lost > 0 {
		return out, fmt.Errorf("spacelift Stacks: %d %s could not be read: %s", lost, plural(lost, "stack"), fieldErrs.summary())
	}
	// Stack.entities lists every resource a stack manages, often hundreds:
	// only the drifted stacks' are read, 20 stacks a request.
	return c.ReadDetails(ctx, out)
}

// toStack maps a stack with its runs: nothing is left unread but the
// drifted resources, which ListStacks reads next.
func (c *Client) toStack(n stackNode) model.Stack {
	st := c.toLean(n.leanNode)
	c.setRuns(&st, c.mergeRuns(n.ID, n.Runs, n.ProposedRuns, n.Tasks))
	return st
}

// toLean maps a stack of a lean listing: its runs, and the resources of a
// drifted stack, are left unread.
func (c *Client) toLean(n leanNode) model.Stack {
	st := model.Stack{
		ID:             n.ID,
		Name:           n.Name,
		Description:    deref(n.Description),
		Space:          n.Space,
		Labels:         n.Labels,
		Repository:     toRepository(n),
		Branch:         n.Branch,
		ProjectRoot:    deref(n.ProjectRoot),
		State:          toState(n.State),
		StateSetAt:     fromUnix(n.StateSetAt),
		Administrative: n.Administrative,
		Autodeploy:     n.Autodeploy,
		CanWrite:       n.CanWrite,
		Disabled:       n.IsDisabled,
		NeedsApproval:  n.NeedsApproval,
		URL:            c.endpoint + "/stack/" + n.ID,
		Unread:         model.DetailRuns,
	}
	// Only raw Git names a URL to clone; a hosted provider's clone URL is
	// derived from Repository (forge hosts, URL rewrites, [git.clones]) by
	// the one resolver shared by every backend, which fills Repo then.
	if st.Repository.Provider == "git" {
		st.Repo = st.Repository.URL
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
		st.Lock = &model.Lock{Holder: *n.LockedBy, Note: deref(n.LockNote), At: fromUnix(n.LockedAt), Mine: c.isViewer(*n.LockedBy)}
	}
	if n.Blocker != nil {
		b := c.toRun(n.ID, *n.Blocker, nil)
		st.Blocker = &b
	}
	st.Drift.Drifted = n.IsDrifted
	if n.IsDrifted {
		st.Unread |= model.DetailDrift
	}
	return st
}

// setRuns fills the latest run, the latest tracked run and the pending
// runs from the stack's runs (newest first), and the drift check that set
// isDrifted.
func (c *Client) setRuns(st *model.Stack, runs []model.Run) {
	st.LatestRun, st.LatestTrackedRun = nil, nil
	st.Pending, st.PendingKnown = pending(runs, st.Blocker), true
	if len(runs) > 0 {
		st.LatestRun = &runs[0]
	}
	for i := range runs {
		if runs[i].Kind.Tracked() {
			st.LatestTrackedRun = &runs[i]
			break
		}
	}
	if r := latestDriftRun(runs); r != nil {
		st.Drift.RunID, st.Drift.CheckedAt = r.ID, r.UpdatedAt
	}
	st.Unread &^= model.DetailRuns
}

// pending are the unfinished runs among a stack's runs (newest first, the
// first page of each list) and its blocker, oldest first. Tracked runs and
// tasks older than the blocker have all ended (it is the oldest one that
// has not), so the first pages hold every unfinished one but a proposed
// run older than a whole page of newer ones (docs/FIDELITY.md).
func pending(runs []model.Run, blocker *model.Run) []model.Run {
	out := []model.Run{}
	seen := false
	for i := len(runs) - 1; i >= 0; i-- {
		if r := runs[i]; !r.State.Terminal() {
			out = append(out, r)
			seen = seen || blocker != nil && r.ID == blocker.ID
		}
	}
	if blocker != nil && !seen && !blocker.State.Terminal() {
		out = append(out, *blocker)
		slices.SortStableFunc(out, func(a, b model.Run) int {
			if model.Newer(b, a) {
				return -1
			}
			return 1
		})
	}
	return out
}

// isViewer reports a lock holder who is the viewer of the last listing.
func (c *Client) isViewer(holder string) bool {
	v := c.viewer.Load()
	return v != nil && holder != "" && (holder == v.ID || holder == v.Name)
}

// toRepository names the stack's repository as the API does: a provider,
// an owner (namespace), the repository's name, the API host of a
// self-hosted forge, and for raw Git its URL.
func toRepository(n leanNode) model.Repository {
	r := model.Repository{
		Provider:  strings.ReplaceAll(strings.ToLower(n.Provider), "_", "-"),
		Namespace: n.Namespace,
		Name:      n.Repository,
		URL:       deref(n.RepositoryURL),
	}
	if host := deref(n.APIHost); host != "" {
		if u, err := url.Parse(host); err == nil && u.Host != "" {
			host = u.Hostname()
		}
		r.Host = host
	}
	return r
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
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
