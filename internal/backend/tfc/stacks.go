package tfc

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	tfe "github.com/hashicorp/go-tfe"
	"golang.org/x/sync/errgroup"

	"github.com/stackview/stackview/internal/backend/scheduler"
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
	backgroundFillTimeout = 30 * time.Minute
	// dependencyTTL is how long a workspace's run triggers are trusted: they
	// change rarely and cost one call per workspace against a 30 req/s limit.
	dependencyTTL = 5 * time.Minute
)

// administrativeTag marks a workspace-management workspace.
const administrativeTag = "administrative"

// workspaceRow is the part of a workspace stackview reads. It is decoded by
// hand (through go-tfe's raw request) because go-tfe's Workspace drops
// locked-reason, last-assessment-result-at and current-assessment-result,
// and so that times are read tolerantly: last-assessment-result-at comes
// with a +00:00 offset that go-tfe's iso8601 decoding refuses, and one such
// value would fail a whole page.
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
	LastAssessmentAt string                     `jsonapi:"attr,last-assessment-result-at"`
	LockedBy         *tfe.LockedByChoice        `jsonapi:"polyrelation,locked-by"`
	TagBindings      []*tfe.EffectiveTagBinding `jsonapi:"relation,effective-tag-bindings"`
	CurrentRun       *runRow                    `jsonapi:"relation,current-run"`
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
	Sort       string `url:"sort,omitempty"`
	Status     string `url:"filter[current-run][status],omitempty"`
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
// server rejects them, and decodes it (decode.go) into a
// *workspaceRowList or a *workspaceRow.
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
			body := &boundedBuffer{max: maxWorkspacePage}
			err = req.Do(ctx, body)
			if err == nil {
				return fillWorkspaces(body.Bytes(), into)
			}
			if basic || !errors.Is(err, tfe.ErrInvalidIncludeValue) {
				return err
			}
			c.basicIncludes.Store(true)
		}
	})
}

func fillWorkspaces(body []byte, into any) error {
	rows, pg, err := decodeWorkspaces(body)
	if err != nil {
		return err
	}
	switch v := into.(type) {
	case *workspaceRowList:
		v.Items, v.Pagination = rows, pg
	case *workspaceRow:
		if len(rows) != 1 {
			return fmt.Errorf("decoding a workspace: %d resources", len(rows))
		}
		*v = *rows[0]
	}
	return nil
}

// ListStacks reads every workspace with its current run, one request per
// page of 100; after the first page, whose meta gives the total, the other
// pages are fetched concurrently. Dependencies and drift come from
// per-workspace calls that are cached; one that fails or is refused makes
// that detail of that workspace unknown, never the list fail. The first
// load of a client may use nearly all of the rate limit.
func (c *Client) ListStacks(ctx context.Context) ([]model.Stack, error) {
	if c.loaded.CompareAndSwap(false, true) {
		ctx = scheduler.InitialLoad(ctx)
	}
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
	stacks := c.toStacks(ctx, rows)
	c.addPending(ctx, stacks) // what it cannot read stays unknown
	return stacks, nil
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
	return c.toStacks(ctx, []*workspaceRow{row})[0], nil
}

// notReadYet marks a detail whose read has not happened yet.
const notReadYet = "not read yet: the next refresh reads it"

// toStacks converts rows with their dependencies and drift, which cost a
// call (or two) per workspace and are cached as they arrive.
//
// When at most detailsInline workspaces need such calls, they are made
// here, concurrently, within part of the caller's remaining time
// (detailBudget): what misses it stays "not read yet" in this answer and is
// filled in by the next refresh. When more need them (a cold load of a
// large organisation: one run-trigger read per workspace, paced under
// TFC's 30 requests a second), the answer is built from the pages alone, so
// the tree draws at once, and the reads run in the background for the next
// refresh. A stale cached value is shown while it is read again.
func (c *Client) toStacks(ctx context.Context, rows []*workspaceRow) []model.Stack {
	out := make([]model.Stack, len(rows))
	depsUnknown := make([]string, len(rows)) // why a workspace's dependencies are not known
	defer func() {
		for i, why := range depsUnknown {
			if why != "" {
				out[i].Problems = append(out[i].Problems, "dependencies (run triggers): "+why)
			}
		}
	}()
	var pending []int
	for i, row := range rows {
		out[i] = c.toStack(row)
		if cur := currentKey(row); cur != "" {
			c.cache.sawCurrent(row.ID, cur)
		}
		deps, fresh, depsOK := c.cachedDeps(row.ID)
		out[i].DependsOn, depsUnknown[i] = deps.ids, deps.unknown
		drift, driftOK := c.cachedDrift(row)
		out[i].Drift = drift
		if !depsOK {
			depsUnknown[i] = notReadYet
		}
		if !driftOK {
			out[i].Drift = model.Drift{Unknown: notReadYet}
		}
		if !depsOK || !fresh || !driftOK {
			pending = append(pending, i)
		}
	}
	if len(pending) > detailsInline {
		c.fillDetails(rows, pending, false)
		return out
	}
	budget, cancel := withBudget(ctx, detailBudget)
	defer cancel()
	var g errgroup.Group
	g.SetLimit(detailFetchers)
	for _, i := range pending {
		g.Go(func() error {
			outOfTime := func() bool { return budget.Err() != nil && ctx.Err() == nil }
			deps, err := c.dependencies(budget, rows[i].ID)
			switch {
			case err == nil:
				out[i].DependsOn, depsUnknown[i] = deps, ""
			case !outOfTime():
				depsUnknown[i] = unknownBecause(err)
			}
			drift, err := c.drift(budget, rows[i])
			switch {
			case err == nil:
				out[i].Drift = drift
			case !outOfTime():
				out[i].Drift = model.Drift{Unknown: unknownBecause(err)}
			}
			return nil
		})
	}
	_ = g.Wait() // the reads report through out
	return out
}

// fillDetails reads the pending rows' dependencies and drift into the cache
// in the background, fillFetchers at a time. Only one fill runs at once;
// a refresh during it returns what is cached so far. Failures are left for
// the next refresh to try again; refusals are remembered.
//
// A fill that follows a client's first listing is part of its initial load
// (initial): it may use what the scheduler allows a first load, still at
// the lowest priority.
func (c *Client) fillDetails(rows []*workspaceRow, pending []int, initial bool) {
	if !c.filling.CompareAndSwap(false, true) {
		return
	}
	todo := make([]*workspaceRow, len(pending))
	for j, i := range pending {
		todo[j] = assessmentRef(rows[i])
	}
	go func() {
		defer c.filling.Store(false)
		defer c.cache.save()
		ctx := scheduler.Background(context.Background())
		if initial {
			ctx = scheduler.InitialLoad(ctx)
		}
		ctx, cancel := context.WithTimeout(ctx, backgroundFillTimeout)
		defer cancel()
		var g errgroup.Group
		g.SetLimit(fillFetchers)
		for _, row := range todo {
			g.Go(func() error {
				_, _ = c.dependencies(ctx, row.ID)
				_, _ = c.drift(ctx, row)
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
		// branch "" is the repository's default branch: the repository
		// resolver looks it up.
		s.Repository, s.Branch = repository(w.VCSRepo), w.VCSRepo.Branch
	}
	if p := w.Permissions; p != nil {
		s.Permissions = &model.Permissions{Plan: p.CanQueueRun, Apply: p.CanQueueApply, Lock: p.CanLock}
		s.CanWrite = p.CanQueueRun || p.CanQueueApply || p.CanLock
	}
	if w.Locked {
		s.Lock = &model.Lock{Holder: lockHolder(w.LockedBy), Note: w.LockedReason}
	}
	if w.CurrentRun != nil && w.CurrentRun.Status != "" {
		w.CurrentRun.Workspace = &workspaceRef{ID: w.ID, Name: w.Name}
		r := c.toRun(w.ID, w.CurrentRun)
		s.LatestRun, s.State, s.TrackedCommit = &r, r.State, r.Commit
		if r.Kind.Tracked() { // the current run is the workspace's newest non-speculative run
			s.LatestTrackedRun = &r
		}
	}
	return s
}

// providers names TFC's service providers (go-tfe's ServiceProviderType)
// as model.Repository does.
var providers = map[string]string{
	"github": "github", "github_enterprise": "github-enterprise",
	"gitlab_hosted": "gitlab", "gitlab_community_edition": "gitlab", "gitlab_enterprise_edition": "gitlab",
	"bitbucket_hosted": "bitbucket-cloud", "bitbucket_server": "bitbucket-datacenter",
	"bitbucket_server_legacy": "bitbucket-datacenter", "bitbucket_data_center": "bitbucket-datacenter",
	"ado_services": "azure-devops", "ado_server": "azure-devops",
}

// repository is a workspace's repository as its vcs-repo names it: the
// identifier is "owner/repo" (GitLab "group/subgroup/repo", Azure DevOps
// "org/project/_git/repo"), never a URL; repository-http-url is the web
// page, whose host is the forge's.
func repository(v *tfe.VCSRepo) model.Repository {
	r := model.Repository{Provider: providers[v.ServiceProvider], WebURL: v.RepositoryHTTPURL}
	if u, err := url.Parse(v.RepositoryHTTPURL); err == nil {
		r.Host = u.Host
	}
	ident := strings.Trim(v.Identifier, "/")
	if ns, name, ok := strings.Cut(ident, "/_git/"); ok {
		r.Namespace, r.Name = ns, name
	} else if i := strings.LastIndex(ident, "/"); i >= 0 {
		r.Namespace, r.Name = ident[:i], ident[i+1:]
	} else {
		r.Name = ident
	}
	return r
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

// cachedDeps is what the cache knows of a workspace's dependencies: read
// ones, or why they are unknown (a refused read).
func (c *Client) cachedDeps(wsID string) (d depsInfo, fresh, ok bool) {
	if why, refused := c.cache.refused(refusedTriggers, wsID); refused {
		return depsInfo{unknown: why}, true, true
	}
	ids, fresh, ok := c.cache.deps(wsID)
	return depsInfo{ids: ids}, fresh, ok
}

type depsInfo struct {
	ids     []string
	unknown string
}

// dependencies lists the sources of the workspace's inbound run triggers:
// the workspaces it depends on. A refusal is remembered for the session.
//
// A read of a workspace already under way (the background fill's, a view's)
// is shared, not made twice.
func (c *Client) dependencies(ctx context.Context, wsID string) ([]string, error) {
	v, err, _ := c.reads.Do("deps "+wsID, func() (any, error) { return c.readDependencies(ctx, wsID) })
	ids, _ := v.([]string)
	return ids, err
}

func (c *Client) readDependencies(ctx context.Context, wsID string) ([]string, error) {
	if d, fresh, ok := c.cachedDeps(wsID); ok && fresh {
		if d.unknown != "" {
			return nil, refusal(d.unknown)
		}
		return d.ids, nil
	}
	return c.readDependenciesAgain(ctx, wsID)
}

// readDependenciesAgain lists the workspace's inbound run triggers,
// whatever the cache holds.
func (c *Client) readDependenciesAgain(ctx context.Context, wsID string) ([]string, error) {
	if why, refused := c.cache.refused(refusedTriggers, wsID); refused {
		return nil, refusal(why)
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
		if refused(err) {
			why := "HCP Terraform refused to list its run triggers (" + statusOf(err) + "): the token may lack read access"
			c.cache.refuse(refusedTriggers, wsID, why)
			return nil, refusal(why)
		}
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
