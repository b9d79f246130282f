package spacelift

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// listing collects what PageStacks reports.
type listing struct {
	pages []backend.StackPage
	l     backend.Listing
}

func (l *listing) page(p backend.StackPage) {
	l.pages = append(l.pages, p)
	l.l.Apply(p)
}

func pageAll(t *testing.T, c *Client, req backend.PageRequest) *listing {
	t.Helper()
	l := &listing{}
	// A listing has no deadline of its own: thousands of stacks under the
	// race detector on a busy machine take a while.
	lctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := c.PageStacks(lctx, req, l.page); err != nil {
		t.Fatalf("PageStacks: %v", err)
	}
	if n := len(l.pages); n == 0 || !l.pages[n-1].Done {
		t.Fatalf("the listing did not end with a last page: %+v", l.pages)
	}
	return l
}

// TestAFullListingDrawsItsFirstPageFirst: key exchange and one page of 50
// before anything else, then every stack in one lean request; no run list
// or entity is read for the listing.
func TestAFullListingDrawsItsFirstPageFirst(t *testing.T) {
	w := newSandboxWorld(t)
	before := len(w.ops.since(0))
	var atFirst int
	l := &listing{}
	err := w.c.PageStacks(ctx(t), backend.PageRequest{}, func(p backend.StackPage) {
		if len(l.pages) == 0 {
			atFirst = len(w.ops.since(0))
		}
		l.page(p)
	})
	if err != nil {
		t.Fatal(err)
	}
	all := mustList(t, w.c)
	first, last := l.pages[0], l.pages[len(l.pages)-1]
	if first.Done || len(first.Stacks) != min(firstPageSize, len(all)) || first.Read != len(first.Stacks) || !first.Full {
		t.Errorf("first page: %d stacks, read %d, done %v, full %v", len(first.Stacks), first.Read, first.Done, first.Full)
	}
	if !last.Done || !last.Complete || last.Total != len(all) || len(l.l.Stacks()) != len(all) {
		t.Errorf("last page: done %v complete %v total %d; known %d of %d", last.Done, last.Complete, last.Total, len(l.l.Stacks()), len(all))
	}
	// The key was exchanged when the client was made; the first page is the
	// one request before the first frame.
	if atFirst-before != 1 {
		t.Errorf("%d requests before the first page, want 1 (the page)", atFirst-before)
	}
	for _, op := range w.ops.since(before)[:len(l.pages)] {
		if strings.Contains(op.Query, "runs") || strings.Contains(op.Query, "entities") {
			t.Errorf("%s reads per-stack lists: %s", op.Name, op.Query)
		}
	}
	for _, st := range l.l.Stacks() {
		full := stackByIDIn(t, all, st.ID)
		if !st.Unread.Has(model.DetailRuns) || st.LatestRun != nil {
			t.Errorf("%s: lean stack says its runs are read: %+v", st.ID, st.LatestRun)
		}
		if st.State != full.State || st.Drift.Drifted != full.Drift.Drifted || !slices.Equal(st.DependsOn, full.DependsOn) ||
			(st.Lock == nil) != (full.Lock == nil) || st.TrackedCommit != full.TrackedCommit || st.NeedsApproval != full.NeedsApproval {
			t.Errorf("%s: lean and full listings disagree:\n lean %+v\n full %+v", st.ID, st, full)
		}
		if st.Drift.Drifted != st.Unread.Has(model.DetailDrift) {
			t.Errorf("%s: drifted %v but drifted resources unread %v", st.ID, st.Drift.Drifted, st.Unread.Has(model.DetailDrift))
		}
		if full.LatestTrackedRun != nil && !full.LatestTrackedRun.State.Terminal() && (st.Blocker == nil || st.Blocker.ID != full.LatestTrackedRun.ID) {
			t.Errorf("%s: blocker %+v, want the unfinished tracked run %s", st.ID, st.Blocker, full.LatestTrackedRun.ID)
		}
	}
}

func stackByIDIn(t *testing.T, stacks []model.Stack, id string) model.Stack {
	t.Helper()
	for _, s := range stacks {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no stack %s", id)
	return model.Stack{}
}

// TestReadDetailsGivesWhatTheFullListingGives: the latest run, the latest
// tracked run (issue 14's correctness: a plan never hides the deploy) and
// the drifted resources, read lazily, are the full listing's.
func TestReadDetailsGivesWhatTheFullListingGives(t *testing.T) {
	w := newSandboxWorld(t)
	plan, err := w.c.Trigger(ctx(t), "dev-identity", model.RunPlan)
	if err != nil {
		t.Fatal(err)
	}
	l := pageAll(t, w.c, backend.PageRequest{})
	before := len(w.ops.since(0))
	got, err := w.c.ReadDetails(ctx(t), l.l.Stacks())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(w.ops.since(before)); n > (len(got)+detailBatch-1)/detailBatch {
		t.Errorf("%d requests for the details of %d stacks, want batches of %d", n, len(got), detailBatch)
	}
	all := mustList(t, w.c)
	runID := func(r *model.Run) string {
		if r == nil {
			return ""
		}
		return r.ID
	}
	for _, st := range got {
		full := stackByIDIn(t, all, st.ID)
		if st.Unread != 0 || runID(st.LatestRun) != runID(full.LatestRun) || runID(st.LatestTrackedRun) != runID(full.LatestTrackedRun) ||
			!slices.Equal(st.Drift.Resources, full.Drift.Resources) || len(st.Drift.Changes) != len(full.Drift.Changes) {
			t.Errorf("%s: details %+v %+v %v, full listing %+v %+v %v", st.ID, st.LatestRun, st.LatestTrackedRun, st.Drift,
				full.LatestRun, full.LatestTrackedRun, full.Drift)
		}
	}
	id := stackByIDIn(t, got, "dev-identity")
	if id.LatestRun == nil || id.LatestRun.ID != plan.ID || id.LatestTrackedRun == nil || id.LatestTrackedRun.ID == plan.ID {
		t.Errorf("dev-identity after a plan: latest %+v, latest tracked %+v", id.LatestRun, id.LatestTrackedRun)
	}
}

// TestReadDetailsOfManyStacksIsOneQuery: the runs of more stacks than a
// few batches come from one query of every stack's run lists.
func TestReadDetailsOfManyStacksIsOneQuery(t *testing.T) {
	f := newFixture(t, bulkDetails+50)
	var requests atomic.Int32
	c := f.client(t, f.env(nil))
	pages := pageAll(t, c, backend.PageRequest{})
	base := c.http.Transport
	c.http.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		requests.Add(1)
		return base.RoundTrip(r)
	})
	got, err := c.ReadDetails(ctx(t), pages.l.Stacks())
	if err != nil {
		t.Fatal(err)
	}
	// One query for the runs, one batch for the one drifted stack's entities.
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	s0 := stackByIDIn(t, got, "stack-000")
	if s0.LatestRun == nil || s0.LatestRun.State != model.StateUnconfirmed || len(s0.Drift.Resources) != 1 || s0.Unread != 0 {
		t.Errorf("stack-000: %+v, drift %+v, unread %b", s0.LatestRun, s0.Drift, s0.Unread)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestAFailedListingLeavesItsStacksNotLoaded: when the lean listing fails
// after its retries, the listing ends without it: the stacks known before
// are not loaded (unknown), not gone, and the error says why.
func TestAFailedListingLeavesItsStacksNotLoaded(t *testing.T) {
	f := newFixture(t, 80)
	var failing atomic.Bool
	c := f.client(t, f.env(nil))
	base := c.http.Transport
	c.http.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if failing.Load() && r.ContentLength > 0 {
			if body, _ := r.GetBody(); body != nil {
				buf := make([]byte, r.ContentLength)
				_, _ = body.Read(buf)
				if strings.Contains(string(buf), `"operationName":"StacksLean"`) {
					return &http.Response{StatusCode: 503, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
				}
			}
		}
		return base.RoundTrip(r)
	})
	l := pageAll(t, c, backend.PageRequest{})
	failing.Store(true)
	if err := c.PageStacks(ctx(t), backend.PageRequest{Full: true}, l.page); err != nil {
		t.Fatalf("a listing whose first page was read fails: %v", err)
	}
	last := l.pages[len(l.pages)-1]
	if !last.Done || last.Complete || last.Failed != 1 || last.Err == nil || !strings.Contains(last.Err.Error(), "503") {
		t.Fatalf("last page: done %v complete %v failed %d err %v", last.Done, last.Complete, last.Failed, last.Err)
	}
	notLoaded := 0
	for _, st := range l.l.Stacks() {
		if !st.Loaded() {
			notLoaded++
		}
	}
	if len(l.l.Stacks()) != 80 || notLoaded != 80-firstPageSize {
		t.Errorf("%d stacks known, %d not loaded; want 80 known and the %d past the first page not loaded", len(l.l.Stacks()), notLoaded, 80-firstPageSize)
	}
}

// TestChangesOnThe80thPage is the correctness test of incremental
// listings: on an account of 80 pages and more, a state change, a new lock
// and a deletion on the 80th page each appear within one refresh period
// (a state change and a lock at the next refresh; a deletion, which no
// search can show, at the next full listing, fullPeriod later), and the
// refreshes between cost one request each.
func TestChangesOnThe80thPage(t *testing.T) {
	const n = 80*firstPageSize + 10
	f := newFixture(t, n)
	c := f.client(t, f.env(nil))
	var requests atomic.Int32
	base := c.http.Transport
	c.http.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		requests.Add(1)
		return base.RoundTrip(r)
	})
	l := pageAll(t, c, backend.PageRequest{})
	if got := len(l.l.Stacks()); got != n {
		t.Fatalf("%d stacks, want %d", got, n)
	}
	// Stacks 3,950-3,999 are the 80th page of 50.
	changed, locked, deleted := "stack-3951", "stack-3960", "stack-3970"
	run, err := f.eng.Trigger(context.Background(), changed, model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	f.eng.Advance(time.Second) // PLANNING
	f.eng.Advance(time.Second) // UNCONFIRMED: active
	if _, err := f.eng.Lock(context.Background(), locked, "maintenance"); err != nil {
		t.Fatal(err)
	}
	if err := f.eng.Delete(deleted); err != nil {
		t.Fatal(err)
	}
	const refresh = 5 * time.Second
	f.clock.Advance(refresh)
	requests.Store(0)
	pages := len(l.pages)
	if err := c.PageStacks(longCtx(t), backend.PageRequest{}, l.page); err != nil {
		t.Fatal(err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("an incremental listing made %d requests, want 1", n)
	}
	if p := l.pages[pages]; p.Full || len(l.pages) != pages+1 {
		t.Errorf("the refresh after %s was a full listing", refresh)
	}
	if st, _ := l.l.Stack(changed); st.State != model.StateUnconfirmed || st.Blocker == nil || st.Blocker.ID != run.ID {
		t.Errorf("%s after one refresh: state %s, blocker %+v", changed, st.State, st.Blocker)
	}
	if st, _ := l.l.Stack(locked); !st.Locked() {
		t.Errorf("%s is not locked after one refresh", locked)
	}
	// The deploy finishes and the lock goes: the stacks leave both sets and
	// are read again by id.
	if _, err := f.eng.Confirm(context.Background(), changed, run.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Unlock(context.Background(), locked); err != nil {
		t.Fatal(err)
	}
	f.eng.Advance(time.Second) // APPLYING
	f.eng.Advance(time.Second) // FINISHED
	f.clock.Advance(refresh)
	if err := c.PageStacks(longCtx(t), backend.PageRequest{}, l.page); err != nil {
		t.Fatal(err)
	}
	if st, _ := l.l.Stack(changed); st.State != model.StateFinished {
		t.Errorf("%s after its deploy finished: %s", changed, st.State)
	}
	if st, _ := l.l.Stack(locked); st.Locked() {
		t.Errorf("%s is still locked after it was unlocked", locked)
	}
	for elapsed := 2 * refresh; elapsed < fullPeriod; elapsed += refresh {
		if _, ok := l.l.Stack(deleted); !ok {
			break
		}
		f.clock.Advance(refresh)
		if err := c.PageStacks(ctx(t), backend.PageRequest{}, l.page); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(refresh)
	if err := c.PageStacks(longCtx(t), backend.PageRequest{}, l.page); err != nil {
		t.Fatal(err)
	}
	if _, ok := l.l.Stack(deleted); ok {
		t.Errorf("%s is still listed a full period after it was deleted", deleted)
	}
	if got := len(l.l.Stacks()); got != n-1 {
		t.Errorf("%d stacks after the deletion, want %d", got, n-1)
	}
}

// longCtx is for listings of thousands of stacks under the race detector.
func longCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return c
}
