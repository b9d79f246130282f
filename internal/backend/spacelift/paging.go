package spacelift

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	graphql "github.com/hasura/go-graphql-client"
	"golang.org/x/sync/errgroup"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/scheduler"
	"github.com/stackview/stackview/internal/model"
)

// How PageStacks lists (docs/BENCHMARKS.md says why: measured against
// paging searchStacks and searches partitioned by space).
//
// A full listing asks for the first page of searchStacks (50 stacks, what
// spacectl asks for), which the tree can draw at once, then for every stack
// in one lean `stacks` query. Spacelift's cursors are sequential, so paging
// 10,000 stacks is 200 round trips one after the other; the lean query is
// one, and without run lists it is small.
//
// Later listings read what changed, with the nearest thing the API has to
// TFC's "sort by the current run": searchStacks predicates on state (stacks
// whose tracked run is not finished) and locked (the Terraform provider's
// spacelift_stacks data source filters on both), in one request; stacks
// that have left either set since are read again by id. Drift, new and
// deleted stacks and other settings move nothing the predicates see: every
// fullPeriod the listing is full again.
const (
	firstPageSize = 50
	fullPeriod    = 5 * time.Minute
	// requestTimeout bounds each request of a listing; the listing itself
	// has none.
	requestTimeout = 60 * time.Second
	// pageAttempts: a page that failed after the scheduler's retries is
	// asked for once more before the listing goes on without it.
	pageAttempts = 2
	// detailBatch stacks are read per request (aliased stack(id:) fields),
	// detailReaders requests at a time.
	detailBatch   = 20
	detailReaders = 4
	// bulkDetails: asked for the runs of more stacks than this, ReadDetails
	// reads every stack's runs in one query instead of batches.
	bulkDetails = 200
)

// AssumedRateLimit is the per-user limit, in requests a second, the client
// assumes: Spacelift publishes none (docs/FIDELITY.md, assumptions). The
// scheduler paces at half of it in steady state, nearly all of it for a
// first listing; an X-RateLimit-Limit header or a 429 from the API wins.
const AssumedRateLimit = 10

// activeStates are the stack states of a stack whose tracked run has not
// finished (or waits for someone): what an incremental listing re-reads.
var activeStates = []string{
	"QUEUED", "READY", "PREPARING", "INITIALIZING", "PLANNING", "PENDING_REVIEW", "UNCONFIRMED", "CONFIRMED",
	"PREPARING_APPLY", "APPLYING", "PERFORMING", "DESTROYING", "PREPARING_REPLAN", "REPLAN_REQUESTED",
}

// listingState is what a client remembers between listings.
type listingState struct {
	mu      sync.Mutex // one listing at a time
	fullAt  time.Time  // when the last complete full listing ended
	watched map[string]bool
	started bool // a first listing began (scheduler.InitialLoad)
}

// watch notes the stacks an incremental listing must read again if they
// leave the active or locked sets: those in them now.
func watchedOf(stacks []model.Stack) map[string]bool {
	out := map[string]bool{}
	for _, st := range stacks {
		if st.Locked() || isActive(st.State) {
			out[st.ID] = true
		}
	}
	return out
}

func isActive(s model.RunState) bool { return s.Active() || s.Waiting() }

// searchEdges is a StacksConnection of lean stacks.
type searchEdges struct {
	Edges []struct {
		Node leanNode `graphql:"node"`
	} `graphql:"edges"`
	PageInfo struct {
		EndCursor   *string `graphql:"endCursor"`
		HasNextPage bool    `graphql:"hasNextPage"`
	} `graphql:"pageInfo"`
}

// The listings select the viewer as ListStacks does (whoNode): a lock it
// holds is the user's own.
type stackSearch struct {
	Viewer       *whoNode    `graphql:"viewer"`
	SearchStacks searchEdges `graphql:"searchStacks(input: $input)"`
}

func (q *stackSearch) sessionLost() bool { return q.Viewer == nil }

type leanStacks struct {
	Viewer *whoNode    `graphql:"viewer"`
	Stacks []*leanNode `graphql:"stacks"`
}

func (q *leanStacks) sessionLost() bool { return q.Viewer == nil }

// changedStacks asks for the active and the locked stacks in one request.
type changedStacks struct {
	Viewer *whoNode    `graphql:"viewer"`
	Active searchEdges `graphql:"active: searchStacks(input: $active)"`
	Locked searchEdges `graphql:"locked: searchStacks(input: $locked)"`
}

func (q *changedStacks) sessionLost() bool { return q.Viewer == nil }

// PageStacks lists stacks leanly (see the constants above for how).
func (c *Client) PageStacks(ctx context.Context, req backend.PageRequest, page func(backend.StackPage)) error {
	c.listing.mu.Lock()
	defer c.listing.mu.Unlock()
	if !c.listing.started {
		c.listing.started = true
		ctx = scheduler.InitialLoad(ctx)
	}
	if req.Full || c.listing.fullAt.IsZero() || c.sess.now().Sub(c.listing.fullAt) >= fullPeriod {
		return c.fullListing(ctx, page)
	}
	return c.changes(ctx, page)
}

// withRequestTimeout gives one request of a listing its own deadline.
func withRequestTimeout(ctx context.Context, read func(ctx context.Context) error) error {
	var err error
	for attempt := 1; attempt <= pageAttempts; attempt++ {
		rctx, cancel := context.WithTimeout(ctx, requestTimeout)
		err = read(rctx)
		cancel()
		if err == nil || ctx.Err() != nil || !worthAgain(err) {
			return err
		}
	}
	return err
}

// worthAgain reports a failed read that may succeed when asked again: not
// a refused session or permission, not a query the server rejected.
func worthAgain(err error) bool {
	return !errors.Is(err, backend.ErrUnauthorized) && !errors.Is(err, backend.ErrForbidden) && !errors.Is(err, backend.ErrNotFound)
}

// fullListing reads the first page for the first frame, then every stack
// in one lean query. The first page matters only until the second answer:
// whether it failed does not make the listing incomplete.
func (c *Client) fullListing(ctx context.Context, page func(backend.StackPage)) error {
	first, err := c.firstPage(ctx)
	switch {
	case err != nil && !worthAgain(err):
		page(backend.StackPage{Full: true, Done: true, Failed: 1, Err: err, At: c.sess.now()})
		return err
	case err == nil:
		page(backend.StackPage{Stacks: first, Read: len(first), Full: true, At: c.sess.now()})
	}
	all, lost, err := c.leanAll(ctx)
	at := c.sess.now()
	if err != nil {
		page(backend.StackPage{Read: len(first), Full: true, Done: true, Failed: 1, Err: err, At: at})
		if len(first) == 0 || ctx.Err() != nil { // nothing read, or the caller gave up
			return err
		}
		return nil
	}
	p := backend.StackPage{Stacks: all, Read: len(all), Total: len(all), Full: true, Done: true, Complete: lost == nil, At: at}
	if lost != nil {
		p.Failed, p.Err = 1, lost
	}
	page(p)
	if lost == nil {
		c.listing.fullAt, c.listing.watched = at, watchedOf(all)
	}
	return nil
}

// firstPage is searchStacks' first page of lean stacks.
func (c *Client) firstPage(ctx context.Context) ([]model.Stack, error) {
	var out []model.Stack
	err := withRequestTimeout(ctx, func(ctx context.Context) error {
		var q stackSearch
		size := firstPageSize
		fieldErrs, err := c.queryList(ctx, "StackPage", &q, map[string]any{"input": SearchInput{First: &size}})
		if err == nil {
			c.viewer.Store(q.Viewer)
			out = c.searchNodes(q.SearchStacks, fieldErrs, "searchStacks")
		}
		return err
	})
	return out, err
}

// searchNodes maps a page of search results; a node an error nulled is
// left out, a field it nulled named in the stack's Problems.
func (c *Client) searchNodes(conn searchEdges, fieldErrs fieldErrors, field string) []model.Stack {
	out := make([]model.Stack, 0, len(conn.Edges))
	for i, e := range conn.Edges {
		if e.Node.ID == "" {
			continue
		}
		st := c.toLean(e.Node)
		st.Problems = fieldErrs.at(field, "edges", i, "node")
		out = append(out, st)
	}
	return out
}

// leanAll reads every stack in one lean query. lost says how many stacks
// an error nulled (the listing is then not complete); err that the query
// failed.
func (c *Client) leanAll(ctx context.Context) (stacks []model.Stack, lost, err error) {
	err = withRequestTimeout(ctx, func(ctx context.Context) error {
		var q leanStacks
		fieldErrs, err := c.queryList(ctx, "StacksLean", &q, nil)
		if err != nil {
			return err
		}
		if q.Stacks == nil && len(fieldErrs) > 0 { // the list itself failed
			return fmt.Errorf("spacelift StacksLean: %s", fieldErrs.summary())
		}
		c.viewer.Store(q.Viewer)
		stacks, lost = make([]model.Stack, 0, len(q.Stacks)), nil
		for i, n := range q.Stacks {
			if n == nil {
				continue
			}
			st := c.toLean(*n)
			st.Problems = fieldErrs.at("stacks", i)
			stacks = append(stacks, st)
		}
		if n := len(q.Stacks) - len(stacks); n > 0 {
			lost = fmt.Errorf("spacelift StacksLean: %d %s could not be read: %s", n, plural(n, "stack"), fieldErrs.summary())
		}
		return nil
	})
	return stacks, lost, err
}

// changes reads the stacks whose tracked run is unfinished or that are
// locked, and those that were either at the previous listing and are no
// longer: what can have changed that the API lets a query find.
func (c *Client) changes(ctx context.Context, page func(backend.StackPage)) error {
	var read []model.Stack
	seen := map[string]bool{}
	add := func(stacks []model.Stack) {
		for _, st := range stacks {
			if !seen[st.ID] {
				seen[st.ID] = true
				read = append(read, st)
			}
		}
	}
	fail := func(err error) error {
		page(backend.StackPage{Stacks: read, Read: len(read), Done: true, Failed: 1, Err: err, At: c.sess.now()})
		return err
	}
	size := firstPageSize
	active := SearchInput{First: &size, Predicates: []searchPredicate{{Field: "state", Constraint: fieldConstraint{EnumEquals: activeStates}}}}
	locked := SearchInput{First: &size, Predicates: []searchPredicate{{Field: "locked", Constraint: fieldConstraint{BooleanEquals: []bool{true}}}}}
	var q changedStacks
	err := withRequestTimeout(ctx, func(ctx context.Context) error {
		q = changedStacks{}
		fieldErrs, err := c.queryList(ctx, "StackChanges", &q, map[string]any{"active": active, "locked": locked})
		if err == nil {
			c.viewer.Store(q.Viewer)
			add(c.searchNodes(q.Active, fieldErrs, "active"))
			add(c.searchNodes(q.Locked, fieldErrs, "locked"))
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	for _, more := range []struct {
		in   SearchInput
		conn searchEdges
	}{{active, q.Active}, {locked, q.Locked}} {
		for conn := more.conn; conn.PageInfo.HasNextPage && conn.PageInfo.EndCursor != nil; {
			in := more.in
			in.After = conn.PageInfo.EndCursor
			err := withRequestTimeout(ctx, func(ctx context.Context) error {
				var next stackSearch
				fieldErrs, err := c.queryList(ctx, "StackPage", &next, map[string]any{"input": in})
				if err == nil {
					add(c.searchNodes(next.SearchStacks, fieldErrs, "searchStacks"))
					conn = next.SearchStacks
				}
				return err
			})
			if err != nil {
				return fail(err)
			}
		}
	}
	var left []string
	for id := range c.listing.watched {
		if !seen[id] {
			left = append(left, id)
		}
	}
	again, gone, err := c.readLean(ctx, left)
	if err != nil {
		return fail(err)
	}
	add(again)
	c.listing.watched = watchedOf(read)
	page(backend.StackPage{Stacks: read, Read: len(read), Gone: gone, Done: true, At: c.sess.now()})
	return nil
}

// readLean reads stacks by id, leanly, detailBatch per request: those
// found, and the ids of those that no longer exist.
func (c *Client) readLean(ctx context.Context, ids []string) (found []model.Stack, gone []string, err error) {
	var mu sync.Mutex
	err = c.batches(ctx, ids, func(ctx context.Context, batch []string) error {
		var sel strings.Builder
		vars := map[string]any{}
		for i, id := range batch {
			fmt.Fprintf(&sel, " s%d: stack(id: $s%d)%s", i, i, leanSelection())
			vars["s"+strconv.Itoa(i)] = graphql.ID(id)
		}
		ans, fieldErrs, err := c.aliased(ctx, "StacksByID", sel.String(), vars)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for i, id := range batch {
			raw, ok := ans.fields["s"+strconv.Itoa(i)]
			var n *leanNode
			if !ok || json.Unmarshal(raw, &n) != nil || n == nil {
				if len(fieldErrs.at("s"+strconv.Itoa(i))) == 0 {
					gone = append(gone, id)
				}
				continue
			}
			st := c.toLean(*n)
			st.Problems = fieldErrs.at("s" + strconv.Itoa(i))
			found = append(found, st)
		}
		return nil
	})
	return found, gone, err
}

// batches runs read on ids, detailBatch at a time, detailReaders batches
// at once, each with its own deadline.
func (c *Client) batches(ctx context.Context, ids []string, read func(ctx context.Context, batch []string) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(detailReaders)
	for start := 0; start < len(ids); start += detailBatch {
		batch := ids[start:min(start+detailBatch, len(ids))]
		g.Go(func() error {
			return withRequestTimeout(gctx, func(ctx context.Context) error { return read(ctx, batch) })
		})
	}
	return g.Wait()
}

// aliasAnswer is the data of a query made of aliased fields, by alias.
type aliasAnswer struct {
	viewer *viewerNode
	fields map[string]json.RawMessage
}

func (a *aliasAnswer) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &a.fields); err != nil {
		return err
	}
	if v, ok := a.fields["viewer"]; ok {
		return json.Unmarshal(v, &a.viewer)
	}
	return nil
}

func (a *aliasAnswer) sessionLost() bool { return a.viewer == nil }

// aliased sends a query of aliased fields (written out in fields) with
// ID! variables, and viewer to tell an expired session.
func (c *Client) aliased(ctx context.Context, name, fields string, vars map[string]any) (*aliasAnswer, fieldErrors, error) {
	var decl []string
	for k := range vars {
		decl = append(decl, "$"+k+": ID!")
	}
	slices.Sort(decl)
	query := "query " + name + "(" + strings.Join(decl, ", ") + ") { viewer { id }" + fields + " }"
	ans := &aliasAnswer{}
	fieldErrs, err := c.queryText(ctx, name, query, ans, vars)
	return ans, fieldErrs, err
}

// selectionOf is the GraphQL selection set of T's fields, as the GraphQL
// client writes it for a struct: "{id,name,…}".
func selectionOf[T any]() string {
	var q struct {
		X T `graphql:"x"`
	}
	s, err := graphql.ConstructQuery(&q, nil)
	if err != nil {
		panic(err) // a fixed type: covered by the tests
	}
	s = strings.TrimPrefix(s, "{x")
	return strings.TrimSuffix(s, "}")
}

// fieldsOf is selectionOf without its braces, to join with other fields.
func fieldsOf[T any]() string {
	return strings.TrimSuffix(strings.TrimPrefix(selectionOf[T](), "{"), "}")
}

// runPages is the first page of each of a stack's run lists.
type runPages struct {
	Runs         []runNode `graphql:"runs"`
	ProposedRuns []runNode `graphql:"proposedRuns"`
	Tasks        []runNode `graphql:"tasks"`
}

var (
	leanSelection = sync.OnceValue(selectionOf[leanNode])
	runsFields    = sync.OnceValue(fieldsOf[runPages])
	// entitiesField selects a stack's managed entities; on the sandbox
	// with the driftedAttributes extension.
	entitiesField = sync.OnceValue(func() string {
		return "entities" + selectionOf[driftEntity]()
	})
	sandboxEntitiesField = sync.OnceValue(func() string {
		return "entities" + selectionOf[sandboxEntity]()
	})
)

// detailNode is one stack's details as StackDetails reads them.
type detailNode struct {
	ID string `json:"id"`
	runPages
	Entities []sandboxEntity `json:"entities"`
}

// stacksRuns is every stack's run lists, for a read of many stacks' runs.
type stacksRuns struct {
	Viewer *viewerNode `graphql:"viewer"`
	Stacks []*struct {
		ID string `graphql:"id"`
		runPages
	} `graphql:"stacks"`
}

func (q *stacksRuns) sessionLost() bool { return q.Viewer == nil }

// ReadDetails reads what the lean listing leaves out: each stack's latest
// runs (the first page of its three run lists) and a drifted stack's
// drifted resources (its entities), detailBatch stacks per request as
// aliased stack(id:) fields, detailReaders requests at a time; asked for
// the runs of more than bulkDetails stacks, it reads every stack's runs in
// one query instead. A stack that could not be read keeps its details
// unread, with why in Problems.
func (c *Client) ReadDetails(ctx context.Context, stacks []model.Stack) ([]model.Stack, error) {
	out := slices.Clone(stacks)
	at := map[string]int{}
	var runs, drift int
	for i := range out {
		st := &out[i]
		if st.Unread.Has(model.DetailDrift) && !st.Drift.Drifted {
			st.Unread &^= model.DetailDrift // nothing drifted: no resources to read
		}
		if st.Unread&(model.DetailRuns|model.DetailDrift) != 0 {
			at[st.ID] = i
		}
		if st.Unread.Has(model.DetailRuns) {
			runs++
		}
		if st.Unread.Has(model.DetailDrift) {
			drift++
		}
	}
	if runs > bulkDetails {
		if err := c.readAllRuns(ctx, out, at); err != nil {
			return out, err
		}
	}
	var ids []string
	for i := range out {
		if _, ok := at[out[i].ID]; ok && out[i].Unread&(model.DetailRuns|model.DetailDrift) != 0 {
			ids = append(ids, out[i].ID)
		}
	}
	var mu sync.Mutex
	err := c.batches(ctx, ids, func(ctx context.Context, batch []string) error {
		var sel strings.Builder
		vars := map[string]any{}
		mu.Lock()
		for j, id := range batch {
			st := &out[at[id]]
			fmt.Fprintf(&sel, " s%d: stack(id: $s%d){id", j, j)
			if st.Unread.Has(model.DetailRuns) {
				sel.WriteString("," + runsFields())
			}
			if st.Unread.Has(model.DetailDrift) {
				if c.sandbox {
					sel.WriteString("," + sandboxEntitiesField())
				} else {
					sel.WriteString("," + entitiesField())
				}
			}
			sel.WriteString("}")
			vars["s"+strconv.Itoa(j)] = graphql.ID(id)
		}
		mu.Unlock()
		ans, fieldErrs, err := c.aliased(ctx, "StackDetails", sel.String(), vars)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for j, id := range batch {
			st, alias := &out[at[id]], "s"+strconv.Itoa(j)
			var n *detailNode
			if raw, ok := ans.fields[alias]; ok {
				if err := json.Unmarshal(raw, &n); err != nil {
					return fmt.Errorf("%w: %s", errMalformed, backend.Fold(err.Error()))
				}
			}
			if problems := fieldErrs.at(alias); len(problems) > 0 {
				st.Problems = append(st.Problems, problems...)
				continue
			}
			if n == nil {
				st.Problems = append(st.Problems, "its details could not be read: the stack no longer exists")
				continue
			}
			if st.Unread.Has(model.DetailRuns) {
				c.setRuns(st, c.mergeRuns(id, n.Runs, n.ProposedRuns, n.Tasks))
			}
			if st.Unread.Has(model.DetailDrift) {
				c.setDrifted(st, n.Entities)
			}
		}
		return nil
	})
	return out, err
}

// readAllRuns fills the runs of the stacks at (by id) from one query of
// every stack's run lists.
func (c *Client) readAllRuns(ctx context.Context, out []model.Stack, at map[string]int) error {
	return withRequestTimeout(ctx, func(ctx context.Context) error {
		var q stacksRuns
		fieldErrs, err := c.queryList(ctx, "StacksRuns", &q, nil)
		if err != nil {
			return err
		}
		for k, n := range q.Stacks {
			i, ok := 0, false
			if n != nil {
				i, ok = at[n.ID]
			}
			if !ok || !out[i].Unread.Has(model.DetailRuns) {
				continue
			}
			if problems := fieldErrs.at("stacks", k); len(problems) > 0 {
				out[i].Problems = append(out[i].Problems, problems...)
				continue
			}
			c.setRuns(&out[i], c.mergeRuns(n.ID, n.Runs, n.ProposedRuns, n.Tasks))
		}
		return nil
	})
}
