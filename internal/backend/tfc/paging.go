package tfc

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/scheduler"
	"github.com/stackview/stackview/internal/model"
)

// How PageStacks lists (docs/BENCHMARKS.md has the figures).
//
// A full listing reads the first page of 100 workspaces, which gives the
// total and draws the first frame, then the other pages listFetchers at a
// time, each reported as it arrives. Dependencies (run triggers) and drift
// (assessments) cost a request per workspace: the listing reads none of
// them. It shows what the cache knows (on disk since an earlier start) and
// marks the rest unread; ReadDetails reads them for the stacks on screen
// first, and a background fill reads the others at the scheduler's lowest
// priority.
//
// Later listings read what changed: the count of every workspace (a page
// of one), the workspaces that have a current run sorted by its time,
// newest first, a small page and then pages of 100 until one whose
// workspaces' current runs are all as the last listing saw them; and the
// workspaces whose current run has not finished. Locks, drift, renames,
// settings and deletions move no run times: a count that differs from the
// last full listing's starts a full listing at once, and every fullPeriod
// the listing is full again anyway.
const (
	listFetchers = 8
	headPageSize = 20
	fullPeriod   = 5 * time.Minute
	// pageAttempts: a page that failed after the scheduler's retries is
	// asked for once more before the listing goes on without it.
	pageAttempts = 2
)

// unfinishedStatuses are the run statuses of a current run that has not
// finished (or waits for someone): filter[current-run][status] of an
// incremental listing.
var unfinishedStatuses = strings.Join([]string{
	"pending", "fetching", "fetching_completed", "pre_plan_running", "pre_plan_completed", "queuing", "plan_queued",
	"planning", "planned", "cost_estimating", "cost_estimated", "policy_checking", "policy_override", "policy_checked",
	"confirmed", "post_plan_running", "post_plan_completed", "post_plan_awaiting_decision", "planned_and_saved",
	"apply_queued", "queuing_apply", "pre_apply_running", "pre_apply_completed", "applying", "post_apply_running",
	"post_apply_completed",
}, ",")

// everyStatus is every run status: filtered by it, a listing leaves out the
// workspaces without a current run, which may sort before all others when
// sorted by their current run's time (where TFC puts them is not
// documented; docs/FIDELITY.md).
var everyStatus = unfinishedStatuses + ",applied,planned_and_finished,errored,discarded,canceled,force_canceled,policy_soft_failed"

// listingState is what a client remembers between listings.
type listingState struct {
	mu     sync.Mutex // one listing at a time
	fullAt time.Time
	total  int
	first  bool // the listing in progress is the client's first

	rowsMu sync.Mutex
	// assessed is each workspace's current assessment as the latest listing
	// named it, for ReadDetails: the row's few fields drift needs, not the
	// row (which holds its current run, plan and tags).
	assessed map[string]*workspaceRow
}

// PageStacks lists workspaces leanly (see the constants above for how).
func (c *Client) PageStacks(ctx context.Context, req backend.PageRequest, page func(backend.StackPage)) error {
	c.listing.mu.Lock()
	defer c.listing.mu.Unlock()
	c.listing.first = c.loaded.CompareAndSwap(false, true)
	if c.listing.first {
		ctx = scheduler.InitialLoad(ctx)
	}
	if req.Full || c.listing.fullAt.IsZero() || c.cache.now().Sub(c.listing.fullAt) >= fullPeriod {
		return c.fullListing(ctx, page)
	}
	return c.changes(ctx, page)
}

// listPage reads one page of workspaces, asking once more when it failed
// in a way that may pass; each request has the client's own timeout.
func (c *Client) listPage(ctx context.Context, q workspaceQuery) (*workspaceRowList, error) {
	var err error
	for attempt := 1; attempt <= pageAttempts; attempt++ {
		list := &workspaceRowList{}
		what := "tfc: list workspaces (page " + strconv.Itoa(q.PageNumber) + ")"
		err = c.getWorkspaces(ctx, what, "organizations/"+c.org+"/workspaces", q, list)
		if err == nil {
			return list, nil
		}
		if ctx.Err() != nil || errors.Is(err, backend.ErrUnauthorized) || refused(err) {
			break
		}
	}
	return nil, err
}

func totalOf(l *workspaceRowList) (count, pages int) {
	if l.Pagination == nil {
		return len(l.Items), 1
	}
	return l.TotalCount, max(1, l.TotalPages)
}

func (c *Client) fullListing(ctx context.Context, page func(backend.StackPage)) error {
	first, err := c.listPage(ctx, workspaceQuery{PageNumber: 1, PageSize: workspacesPerPage})
	if err != nil {
		page(backend.StackPage{Full: true, Done: true, Failed: 1, Err: err, At: c.cache.now()})
		return err
	}
	total, pages := totalOf(first)
	var mu sync.Mutex // page is called from one goroutine at a time
	read, failed, consistent := len(first.Items), 0, true
	var lastErr error
	rows := make([]*workspaceRow, 0, total)
	rows = append(rows, first.Items...)
	firstStacks := c.leanStacks(first.Items)
	page(backend.StackPage{Stacks: firstStacks, Read: read, Total: total, Full: true, At: c.cache.now()})
	// The organisation's unfinished runs (every workspace's Pending and
	// Blocker) are read after the first frame: the first page's stacks
	// come again with them, the later pages with them at once.
	pendingRead := c.addPending(ctx, firstStacks)
	if pendingRead {
		page(backend.StackPage{Stacks: firstStacks, Read: read, Total: total, Full: true, At: c.cache.now()})
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(listFetchers)
	for n := 2; n <= pages; n++ {
		g.Go(func() error {
			l, err := c.listPage(gctx, workspaceQuery{PageNumber: n, PageSize: workspacesPerPage})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed, lastErr = failed+1, err
				if errors.Is(err, backend.ErrUnauthorized) {
					return err // the session is gone: no other page will do better
				}
				return nil
			}
			if count, _ := totalOf(l); count != total {
				consistent = false // the account changed while it was read
			}
			rows = append(rows, l.Items...)
			read += len(l.Items)
			stacks := c.leanStacks(l.Items)
			if pendingRead { // read once for the listing (reused for 15 s); a failed read is not tried per page
				c.addPending(gctx, stacks)
			}
			page(backend.StackPage{Stacks: stacks, Read: read, Total: total, Full: true, At: c.cache.now()})
			return nil
		})
	}
	werr := g.Wait()
	at := c.cache.now()
	if ctx.Err() != nil {
		werr = ctx.Err() // the caller gave up: what was not read is not a failed page
	}
	complete := failed == 0 && consistent && werr == nil
	last := backend.StackPage{Read: read, Total: total, Full: true, Done: true, Complete: complete, Failed: failed, Err: lastErr, At: at}
	if !consistent && lastErr == nil {
		last.Err = errors.New("the organisation's workspaces changed while they were listed; the next listing reads them again")
	}
	page(last)
	if complete {
		c.listing.fullAt, c.listing.total = at, total
	}
	c.fillLater(rows)
	if werr != nil {
		return werr
	}
	return nil
}

// changes reads the workspaces whose current run is new or moved since the
// last listing, and those whose current run has not finished.
func (c *Client) changes(ctx context.Context, page func(backend.StackPage)) error {
	var rows []*workspaceRow
	seen := map[string]bool{}
	add := func(items []*workspaceRow) {
		for _, r := range items {
			if !seen[r.ID] {
				seen[r.ID] = true
				rows = append(rows, r)
			}
		}
	}
	fail := func(err error) error {
		page(backend.StackPage{Stacks: c.leanStacks(rows), Read: len(rows), Done: true, Failed: 1, Err: err, At: c.cache.now()})
		return err
	}
	// The count of every workspace, on a page of one: a workspace made or
	// deleted shows in nothing else, and only a full listing says which.
	probe, err := c.listPage(ctx, workspaceQuery{PageNumber: 1, PageSize: 1})
	if err != nil {
		return fail(err)
	}
	if count, _ := totalOf(probe); count != c.listing.total {
		return c.fullListing(ctx, page)
	}
	const newestFirst = "-current-run.created-at"
	head, err := c.listPage(ctx, workspaceQuery{PageNumber: 1, PageSize: headPageSize, Sort: newestFirst, Status: everyStatus})
	if err != nil {
		return fail(err)
	}
	stop := c.unchanged(head.Items)
	add(head.Items)
	for n, more := 1, !stop; more; n++ {
		l, err := c.listPage(ctx, workspaceQuery{PageNumber: n, PageSize: workspacesPerPage, Sort: newestFirst, Status: everyStatus})
		if err != nil {
			return fail(err)
		}
		_, pages := totalOf(l)
		more = !c.unchanged(l.Items) && n < pages
		add(l.Items)
	}
	for n, pages := 1, 1; n <= pages; n++ {
		l, err := c.listPage(ctx, workspaceQuery{PageNumber: n, PageSize: workspacesPerPage, Status: unfinishedStatuses})
		if err != nil {
			return fail(err)
		}
		_, pages = totalOf(l)
		add(l.Items)
	}
	stacks := c.leanStacks(rows)
	c.addPending(ctx, stacks)
	page(backend.StackPage{Stacks: stacks, Read: len(rows), Done: true, At: c.cache.now()})
	c.fillLater(rows)
	return nil
}

// unchanged reports a page of workspaces sorted by their current run's
// time that says nothing new: each has the current run (id and status) the
// last listing saw.
func (c *Client) unchanged(rows []*workspaceRow) bool {
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	for _, r := range rows {
		if c.cache.current[r.ID] != currentKey(r) {
			return false
		}
	}
	return true
}

// currentKey names a workspace's current run as the cache remembers it.
func currentKey(r *workspaceRow) string {
	if r.CurrentRun == nil || r.CurrentRun.Status == "" {
		return ""
	}
	return r.CurrentRun.ID + " " + string(r.CurrentRun.Status)
}

// leanStacks converts rows with what the cache knows of their dependencies
// and drift, reading nothing: what it does not know is unread.
func (c *Client) leanStacks(rows []*workspaceRow) []model.Stack {
	out := make([]model.Stack, len(rows))
	c.listing.rowsMu.Lock()
	if c.listing.assessed == nil {
		c.listing.assessed = map[string]*workspaceRow{}
	}
	for _, r := range rows {
		c.listing.assessed[r.ID] = assessmentRef(r)
	}
	c.listing.rowsMu.Unlock()
	for i, row := range rows {
		out[i] = c.toStack(row)
		c.cache.sawCurrent(row.ID, currentKey(row))
		if deps, _, ok := c.cachedDeps(row.ID); ok {
			out[i].DependsOn = deps.ids
			if deps.unknown != "" {
				out[i].Problems = append(out[i].Problems, "dependencies (run triggers): "+deps.unknown)
			}
		} else {
			out[i].Unread |= model.DetailDependencies
		}
		if drift, ok := c.cachedDrift(row); ok {
			out[i].Drift = drift
		} else {
			out[i].Drift, out[i].Unread = model.Drift{Unknown: notReadYet}, out[i].Unread|model.DetailDrift
		}
	}
	return out
}

// assessmentRef is the part of a row that reading its details needs: its
// id and current assessment. Kept instead of the row, it lets the row's
// current run, plan and tags go.
func assessmentRef(r *workspaceRow) *workspaceRow {
	a := &workspaceRow{ID: r.ID, LastAssessmentAt: r.LastAssessmentAt}
	if r.Assessment != nil {
		a.Assessment = &assessmentResult{ID: r.Assessment.ID}
	}
	return a
}

// fillLater reads, in the background and at the scheduler's lowest
// priority, the dependencies and drift of the rows the cache does not know
// (a first start's fill may use the initial load's share); those it holds
// stale are read again at revalidationsPerMinute, whatever the size of the
// organisation. The cache is saved after each.
func (c *Client) fillLater(rows []*workspaceRow) {
	var unknown, stale []int
	for i, r := range rows {
		_, fresh, depsOK := c.cachedDeps(r.ID)
		_, driftOK := c.cachedDrift(r)
		switch {
		case !depsOK || !driftOK:
			unknown = append(unknown, i)
		case !fresh:
			stale = append(stale, i)
		}
	}
	if len(unknown) > 0 {
		c.fillDetails(rows, unknown, c.listing.first)
	}
	if len(stale) > 0 {
		c.revalidate(rows, stale)
	}
	if len(unknown) == 0 && len(stale) == 0 {
		c.cache.save()
	}
}

// revalidationsPerMinute bounds the background reads that check
// dependencies the cache holds from an earlier read (run triggers change
// rarely): a steady minute costs at most this many, at 100 workspaces or
// 10,000 (a pass over 10,000 takes about three hours).
const revalidationsPerMinute = 60

type revalidationKey struct{}

// isRevalidation reports the requests of a revalidation, which the
// scheduler paces as a class of their own.
func isRevalidation(r *http.Request) bool { return r.Context().Value(revalidationKey{}) != nil }

// revalidate reads the dependencies of the pending rows again, one at a
// time; only one revalidation runs at once.
func (c *Client) revalidate(rows []*workspaceRow, pending []int) {
	if !c.revalidating.CompareAndSwap(false, true) {
		return
	}
	todo := make([]string, len(pending))
	for j, i := range pending {
		todo[j] = rows[i].ID
	}
	go func() {
		defer c.revalidating.Store(false)
		defer c.cache.save()
		ctx := context.WithValue(scheduler.Background(context.Background()), revalidationKey{}, true)
		ctx, cancel := context.WithTimeout(ctx, time.Duration(len(todo)+1)*time.Minute/revalidationsPerMinute+time.Minute)
		defer cancel()
		for _, id := range todo {
			if _, fresh, _ := c.cachedDeps(id); fresh {
				continue // read meanwhile (a view asked)
			}
			if _, err := c.readDependenciesAgain(ctx, id); err != nil && ctx.Err() != nil {
				return
			}
		}
	}()
}

// ReadDetails reads the dependencies and drift of the given workspaces
// that are unread, detailFetchers at a time, at the priority of ctx (the
// program marks reads for the rows on screen scheduler.Interactive). A
// read TFC refuses leaves the detail unknown with why; one that fails
// leaves it unread.
func (c *Client) ReadDetails(ctx context.Context, stacks []model.Stack) ([]model.Stack, error) {
	out := make([]model.Stack, len(stacks))
	copy(out, stacks)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(detailFetchers)
	for i := range out {
		st := &out[i]
		if st.Unread&(model.DetailDependencies|model.DetailDrift) == 0 {
			continue
		}
		c.listing.rowsMu.Lock()
		row := c.listing.assessed[st.ID]
		c.listing.rowsMu.Unlock()
		g.Go(func() error {
			if st.Unread.Has(model.DetailDependencies) {
				deps, err := c.dependencies(gctx, st.ID)
				switch {
				case err == nil:
					st.DependsOn, st.Unread = deps, st.Unread&^model.DetailDependencies
				case refusedBefore(err):
					st.Problems, st.Unread = append(st.Problems, "dependencies (run triggers): "+unknownBecause(err)), st.Unread&^model.DetailDependencies
				case errors.Is(err, backend.ErrUnauthorized):
					return err
				default:
					st.Problems = append(st.Problems, "dependencies (run triggers): "+unknownBecause(err))
				}
			}
			if st.Unread.Has(model.DetailDrift) && row != nil {
				drift, err := c.drift(gctx, row)
				switch {
				case err == nil:
					st.Drift, st.Unread = drift, st.Unread&^model.DetailDrift
				case errors.Is(err, backend.ErrUnauthorized):
					return err
				default:
					st.Drift.Unknown = unknownBecause(err)
				}
			}
			return nil
		})
	}
	err := g.Wait()
	c.cache.save()
	return out, err
}

// refusedBefore reports a detail TFC refused (now or earlier this session):
// it will not be read, so it is not unread but unknown.
func refusedBefore(err error) bool {
	var r refusal
	return errors.As(err, &r)
}
