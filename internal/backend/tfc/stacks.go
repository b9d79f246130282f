package tfc

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	tfe "github.com/hashicorp/go-tfe"
	"golang.org/x/sync/errgroup"

	"github.com/stackview/stackview/internal/model"
)

const (
	// workspacesPerPage is TFC's maximum page size.
	workspacesPerPage = 100
	// pageFetchers bounds the workspace pages fetched at once: the total is
	// known from the first page, so the rest go in parallel.
	pageFetchers = 4
	// detailFetchers bounds the per-workspace calls (run triggers, drift).
	detailFetchers = 8
	// detailBudget is the share of ListStacks' remaining time that the
	// per-workspace reads may use (see toStacks).
	detailBudget = 0.8
	// detailsInline is the most workspaces whose per-workspace reads
	// ListStacks waits for (see toStacks).
	detailsInline = workspacesPerPage
	// fillFetchers bounds the per-workspace reads of a background fill:
	// fewer than detailFetchers, so that refreshes and actions the user is
	// waiting for keep most of the connections and of the rate limit.
	fillFetchers = 4
	// backgroundFillTimeout bounds a background fill of those reads.
	backgroundFillTimeout = 5 * time.Minute
	// dependencyTTL is how long a workspace's run triggers are trusted: they
	// change rarely and cost one call per workspace against a 30 req/s limit.
	dependencyTTL = 5 * time.Minute
)

// administrativeTag marks a workspace-management workspace.
const administrativeTag = "administrative"

// workspaceRow is the part of a workspace stackview reads. It is decoded by
// hand (through go-tfe's raw request) because go-tfe's Workspace drops
// locked-reason, last-assessment-result-at and current-assessment-result.
type workspaceRow struct {
	ID               string                     `jsonapi:"primary,workspaces"`
	Name             string                     `jsonapi:"attr,name"`
	Description      string                     `jsonapi:"attr,description"`
	TagNames         []string                   `jsonapi:"attr,tag-names"`
	Locked           bool                       `jsonapi:"attr,locked"`
	LockedReason     string                     `jsonapi:"attr,locked-reason"`
	AutoApply        bool                       `jsonapi:"attr,auto-apply"`
	WorkingDirectory string                     `jsonapi:"attr,working-directory"`
	VCSRepo          *tfe.VCSRepo               `jsonapi:"attr,vcs-repo"`
	Permissions      *tfe.WorkspacePermissions  `jsonapi:"attr,permissions"`
	LastAssessmentAt time.Time                  `jsonapi:"attr,last-assessment-result-at,iso8601"`
	LockedBy         *tfe.LockedByChoice        `jsonapi:"polyrelation,locked-by"`
	TagBindings      []*tfe.EffectiveTagBinding `jsonapi:"relation,effective-tag-bindings"`
	CurrentRun       *tfe.Run                   `jsonapi:"relation,current-run"`
	Project          *tfe.Project               `jsonapi:"relation,project"`
	Assessment       *assessmentResult          `jsonapi:"relation,current-assessment-result"`
}

type workspaceRowList struct {
	*tfe.Pagination
	Items []*workspaceRow
}

// workspaceQuery is the list request's query string.
type workspaceQuery struct {
	PageNumber int    `url:"page[number],omitempty"`
	PageSize   int    `url:"page[size],omitempty"`
	Include    string `url:"include"`
}

// workspaceIncludes brings the current run with its plan (delta) and commit,
// the project (Stack.Space), the lock holder and the key/value tags, in the
// same response.
const workspaceIncludes = "current_run,current_run.plan,current_run.configuration_version.ingress_attributes," +
	"project,locked_by,effective_tag_bindings"

// basicWorkspaceIncludes are for older Terraform Enterprise releases, which
// answer 400 to includes they do not know (effective_tag_bindings, project).
const basicWorkspaceIncludes = "current_run,current_run.plan,locked_by"

// getWorkspaces reads path (a workspace list page, or one workspace) with
// the full includes, falling back to the basic ones for good once the
// server rejects them.
func (c *Client) getWorkspaces(ctx context.Context, what, path string, q workspaceQuery, into any) error {
	return c.call(ctx, what, func(ctx context.Context) error {
		for {
			basic := c.basicIncludes.Load()
			q.Include = workspaceIncludes
			if basic {
				q.Include = basicWorkspaceIncludes
			}
			req, err := c.api.NewRequest("GET", path, &q)
			if err != nil {
				return err
			}
			err = req.Do(ctx, into)
			if basic || !errors.Is(err, tfe.ErrInvalidIncludeValue) {
				return err
			}
			c.basicIncludes.Store(true)
		}
	})
}

// ListStacks reads every workspace with its current run, one request per
// page of 100; after the first page, whose meta gives the total, the other
// pages are fetched concurrently. Dependencies and drift come from
// per-workspace calls that are cached.
func (c *Client) ListStacks(ctx context.Context) ([]model.Stack, error) {
	first, err := c.workspacePage(ctx, 1)
	if err != nil {
		return nil, err
	}
	pages := make([][]*workspaceRow, 1, max(1, first.TotalPages))
	pages[0] = first.Items
	if first.Pagination != nil && first.TotalPages > 1 {
		pages = pages[:first.TotalPages]
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(pageFetchers)
		for n := 2; n <= first.TotalPages; n++ {
			g.Go(func() error {
				p, err := c.workspacePage(gctx, n)
				if err == nil {
					pages[n-1] = p.Items
				}
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
	}
	var rows []*workspaceRow
	for _, p := range pages {
		rows = append(rows, p...)
	}
	return c.toStacks(ctx, rows)
}

func (c *Client) workspacePage(ctx context.Context, n int) (*workspaceRowList, error) {
	list := &workspaceRowList{}
	err := c.getWorkspaces(ctx, "tfc: list workspaces (page "+strconv.Itoa(n)+")", "organizations/"+c.org+"/workspaces",
		workspaceQuery{PageNumber: n, PageSize: workspacesPerPage}, list)
	return list, err
}

// readStack reads one workspace as a stack (after lock and unlock).
func (c *Client) readStack(ctx context.Context, id string) (model.Stack, error) {
	row := &workspaceRow{}
	if err := c.getWorkspaces(ctx, "tfc: read workspace "+id, "workspaces/"+id, workspaceQuery{}, row); err != nil {
		return model.Stack{}, err
	}
	stacks, err := c.toStacks(ctx, []*workspaceRow{row})
	if err != nil {
		return model.Stack{}, err
	}
	return stacks[0], nil
}

// toStacks converts rows with their dependencies and drift, which cost a
// call (or two) per workspace and are cached as they arrive.
//
// When at most detailsInline workspaces need such calls, they are made
// here, concurrently, within part of the caller's remaining time
// (detailBudget): what misses it is left out of this answer and filled in
// by the next refresh. When more need them (a cold load of a large
// organisation: one run-trigger read per workspace, paced by TFC's 30
// requests a second), the answer is built from the pages alone, so the
// tree draws at once, and the reads run in the background for the next
// refresh. A stale cached value is shown while it is read again.
func (c *Client) toStacks(ctx context.Context, rows []*workspaceRow) ([]model.Stack, error) {
	out := make([]model.Stack, len(rows))
	var pending []int
	for i, row := range rows {
		out[i] = c.toStack(row)
		deps, fresh, ok := c.cache.deps(row.ID)
		drift, _, driftOK := c.cachedDrift(row)
		out[i].DependsOn, out[i].Drift = deps, drift
		if !ok || !fresh || !driftOK {
			pending = append(pending, i)
		}
	}
	if len(pending) > detailsInline {
		c.fillDetails(rows, pending)
		return out, nil
	}
	budget, cancel := withBudget(ctx, detailBudget)
	defer cancel()
	g, gctx := errgroup.WithContext(budget)
	g.SetLimit(detailFetchers)
	for _, i := range pending {
		g.Go(func() error {
			deps, err := c.dependencies(gctx, rows[i].ID)
			if err == nil {
				out[i].DependsOn = deps
				out[i].Drift, err = c.drift(gctx, rows[i])
			}
			if err != nil && budget.Err() != nil && ctx.Err() == nil {
				return nil // out of budget: the next refresh fills it in
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// fillDetails reads the pending rows' dependencies and drift into the cache
// in the background, fillFetchers at a time. Only one fill runs at once;
// a refresh during it returns what is cached so far. Errors are dropped:
// the next refresh finds the row still pending and tries again.
func (c *Client) fillDetails(rows []*workspaceRow, pending []int) {
	if !c.filling.CompareAndSwap(false, true) {
		return
	}
	todo := make([]*workspaceRow, len(pending))
	for j, i := range pending {
		todo[j] = rows[i]
	}
	go func() {
		defer c.filling.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), backgroundFillTimeout)
		defer cancel()
		var g errgroup.Group
		g.SetLimit(fillFetchers)
		for _, row := range todo {
			g.Go(func() error {
				if _, err := c.dependencies(ctx, row.ID); err == nil {
					_, _ = c.drift(ctx, row)
				}
				return nil
			})
		}
		_ = g.Wait()
	}()
}

// withBudget derives a context that ends when share of ctx's remaining
// time has passed (ctx itself when it has no deadline).
func withBudget(ctx context.Context, share float64) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, time.Now().Add(time.Duration(float64(time.Until(deadline))*share)))
}

func (c *Client) toStack(w *workspaceRow) model.Stack {
	s := model.Stack{
		ID: w.ID, Name: w.Name, Description: w.Description, Labels: labels(w.TagNames, w.TagBindings),
		ProjectRoot: w.WorkingDirectory, Autodeploy: w.AutoApply, State: model.StateNone,
		Administrative: slices.Contains(w.TagNames, administrativeTag), URL: c.workspaceURL(w.Name),
	}
	if w.Project != nil {
		s.Space = w.Project.Name
	}
	if w.VCSRepo != nil {
		s.Repo, s.Branch = w.VCSRepo.Identifier, w.VCSRepo.Branch
	}
	if w.Permissions != nil {
		s.CanWrite = w.Permissions.CanQueueApply
	}
	if w.Locked {
		s.Lock = &model.Lock{Holder: lockHolder(w.LockedBy), Note: w.LockedReason}
	}
	if w.CurrentRun != nil && w.CurrentRun.Status != "" {
		w.CurrentRun.Workspace = &tfe.Workspace{ID: w.ID, Name: w.Name}
		r := c.toRun(w.ID, w.CurrentRun)
		s.LatestRun, s.State, s.TrackedCommit = &r, r.State, r.Commit
		if r.Kind.Tracked() { // the current run is the workspace's newest non-speculative run
			s.LatestTrackedRun = &r
		}
	}
	return s
}

// labels are the flat tags, then each key/value tag (own or inherited from
// the project) as "key:value", or "key" alone when it has no value, so
// env=prod reads as env:prod for the mapping's label prefixes.
func labels(tags []string, bindings []*tfe.EffectiveTagBinding) []string {
	out := slices.Clone(tags)
	for _, b := range bindings {
		l := b.Key
		if b.Value != "" {
			l += ":" + b.Value
		}
		if b.Key != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// lockHolder names who holds a workspace lock: a user, a team or a run.
func lockHolder(by *tfe.LockedByChoice) string {
	switch {
	case by == nil:
	case by.User != nil && by.User.Username != "":
		return by.User.Username
	case by.Team != nil && by.Team.Name != "":
		return by.Team.Name
	case by.Run != nil && by.Run.ID != "":
		return "run " + by.Run.ID
	}
	return "unknown"
}

// dependencies lists the sources of the workspace's inbound run triggers:
// the workspaces it depends on.
func (c *Client) dependencies(ctx context.Context, wsID string) ([]string, error) {
	if deps, fresh, _ := c.cache.deps(wsID); fresh {
		return deps, nil
	}
	var deps []string
	for pageNo := 1; pageNo > 0; {
		var list *tfe.RunTriggerList
		err := c.call(ctx, "tfc: list run triggers of "+wsID, func(ctx context.Context) (err error) {
			list, err = c.api.RunTriggers.List(ctx, wsID, &tfe.RunTriggerListOptions{
				ListOptions:    tfe.ListOptions{PageNumber: pageNo, PageSize: 100},
				RunTriggerType: tfe.RunTriggerInbound,
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, t := range list.Items {
			if t.Sourceable != nil {
				deps = append(deps, t.Sourceable.ID)
			}
		}
		pageNo = 0
		if list.Pagination != nil {
			pageNo = list.NextPage
		}
	}
	slices.Sort(deps)
	c.cache.putDeps(wsID, deps)
	return deps, nil
}
