package tfc_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi/tfcapitest"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/model"
)

// pagingWorld is a TFC client over the dialect on a fake of n workspaces,
// with a clock of its own for the listing's periods and every request
// counted by path.
type pagingWorld struct {
	fake     *tfcapitest.Fake
	srv      *tfcapi.Server
	url      string
	clock    *sandbox.ManualClock
	mu       sync.Mutex
	requests []string // method and path of every request, in order
	hold     atomic.Bool
	held     chan struct{}
	arrived  chan struct{} // a request arrived (buffered: one signal stands for any number)
}

func newPagingWorld(t *testing.T, n int) *pagingWorld {
	t.Helper()
	w := &pagingWorld{fake: tfcapitest.New(n), clock: sandbox.NewManualClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)),
		held: make(chan struct{}), arrived: make(chan struct{}, 1)}
	w.srv = tfcapi.New(w.fake, tfcapi.Options{})
	h := w.srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.requests = append(w.requests, r.URL.Path+"?"+r.URL.RawQuery)
		w.mu.Unlock()
		select {
		case w.arrived <- struct{}{}:
		default:
		}
		if w.hold.Load() && isDetailRead(r.URL.Path) {
			select { // per-workspace reads wait until the test lets them go
			case <-w.held:
			case <-r.Context().Done():
				return
			}
		}
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(ts.Close)
	w.url = ts.URL
	return w
}

func isDetailRead(path string) bool {
	return strings.HasSuffix(path, "/run-triggers") || strings.HasSuffix(path, "/current-assessment-result")
}

func (w *pagingWorld) client(t *testing.T, cacheDir string) *tfc.Client {
	t.Helper()
	c, err := tfc.New(ctxFor(t), tfc.Config{
		Address: w.url, Organization: w.srv.Organization(), HomeDir: t.TempDir(),
		Env: envOf(map[string]string{"TFE_TOKEN": w.srv.Token()}), Clock: virtualTime(), Now: w.clock.Now, CacheDir: cacheDir,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *pagingWorld) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.requests)
}

func (w *pagingWorld) since(n int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.requests[n:])
}

type tfcListing struct {
	pages []backend.StackPage
	l     backend.Listing
}

func (l *tfcListing) page(p backend.StackPage) {
	l.pages = append(l.pages, p)
	l.l.Apply(p)
}

func (l *tfcListing) list(t *testing.T, c *tfc.Client, req backend.PageRequest) {
	t.Helper()
	// A listing has no deadline of its own: 80 pages of 100 under the race
	// detector on a busy machine take a while.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := c.PageStacks(ctx, req, l.page); err != nil {
		t.Fatalf("PageStacks: %v", err)
	}
	if n := len(l.pages); n == 0 || !l.pages[n-1].Done {
		t.Fatalf("the listing did not end with a last page")
	}
}

// TestAFullListingReadsNoWorkspaceBeforeItEnds: ping, organisation, first
// page before the first frame; every page reported with the count so far;
// no run-trigger or assessment read until the listing is over (they are
// held: a listing that waited for one would never end).
func TestAFullListingReadsNoWorkspaceBeforeItEnds(t *testing.T) {
	const n = 350
	w := newPagingWorld(t, n)
	w.hold.Store(true)
	defer close(w.held)
	c := w.client(t, "")
	var atFirst []string
	l := &tfcListing{}
	err := c.PageStacks(ctxFor(t), backend.PageRequest{}, func(p backend.StackPage) {
		if len(l.pages) == 0 {
			atFirst = w.since(0)
		}
		l.page(p)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(atFirst) != 3 || !strings.HasSuffix(strings.Split(atFirst[0], "?")[0], "/ping") ||
		!strings.Contains(atFirst[2], "/workspaces?") {
		t.Errorf("requests before the first page: %v, want the ping, the organisation and the first page", atFirst)
	}
	first, last := l.pages[0], l.pages[len(l.pages)-1]
	if len(first.Stacks) != 100 || first.Read != 100 || first.Total != n || first.Done {
		t.Errorf("first page: %d stacks, read %d of %d", len(first.Stacks), first.Read, first.Total)
	}
	// The first page comes again once the organisation's unfinished runs
	// are read, with every workspace's pending runs; then four pages and
	// the last report.
	if again := l.pages[1]; len(again.Stacks) != 100 || again.Read != 100 || !again.Stacks[0].PendingKnown {
		t.Errorf("second report: %d stacks, read %d, pending known %v; want the first page again with its pending runs",
			len(again.Stacks), again.Read, len(again.Stacks) > 0 && again.Stacks[0].PendingKnown)
	}
	if len(l.pages) != 6 || !last.Done || !last.Complete || last.Read != n || len(l.l.Stacks()) != n {
		t.Errorf("%d pages; last: done %v complete %v read %d; %d stacks known", len(l.pages), last.Done, last.Complete, last.Read, len(l.l.Stacks()))
	}
	for _, st := range l.l.Stacks() {
		if !st.PendingKnown {
			t.Errorf("%s: pending runs unknown after the listing", st.ID)
			break
		}
		if !st.Unread.Has(model.DetailDependencies) || len(st.DependsOn) != 0 {
			t.Errorf("%s: dependencies before any run trigger was read: %v", st.ID, st.DependsOn)
			break
		}
		if st.LatestRun == nil || st.LatestTrackedRun == nil {
			t.Errorf("%s: the current run is in the page, but the stack has none", st.ID)
			break
		}
	}
}

// TestDependenciesComeFromTheDiskCacheOnTheNextStart: what one start read
// shows at once on the next (a full tree without one run-trigger read
// before the listing ends), and is read again in the background.
func TestDependenciesComeFromTheDiskCacheOnTheNextStart(t *testing.T) {
	const n = 120
	w := newPagingWorld(t, n)
	dir := t.TempDir()
	c := w.client(t, dir)
	l := &tfcListing{}
	l.list(t, c, backend.PageRequest{})
	got, err := c.ReadDetails(ctxFor(t), l.l.Stacks())
	if err != nil {
		t.Fatal(err)
	}
	withDeps := 0
	for _, st := range got {
		if st.Unread != 0 {
			t.Fatalf("%s: unread %b after ReadDetails", st.ID, st.Unread)
		}
		if len(st.DependsOn) > 0 {
			withDeps++
		}
	}
	if withDeps != n-3 {
		t.Fatalf("%d stacks with dependencies, want every business-unit stack (%d)", withDeps, n-3)
	}
	w.clock.Advance(time.Hour) // the next start, later: what is on disk is stale
	w.hold.Store(true)
	defer close(w.held)
	next := w.client(t, dir)
	before := w.count()
	l2 := &tfcListing{}
	var detailsBeforeDone int
	err = next.PageStacks(ctxFor(t), backend.PageRequest{}, func(p backend.StackPage) {
		l2.page(p)
		if p.Done {
			for _, r := range w.since(before) {
				if isDetailRead(strings.Split(r, "?")[0]) {
					detailsBeforeDone++
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if detailsBeforeDone != 0 {
		t.Errorf("%d per-workspace reads before the listing ended", detailsBeforeDone)
	}
	cached := 0
	for _, st := range l2.l.Stacks() {
		if !st.Unread.Has(model.DetailDependencies) && len(st.DependsOn) > 0 {
			cached++
		}
	}
	if cached != n-3 {
		t.Errorf("the next start shows %d stacks' dependencies from the disk cache, want %d", cached, n-3)
	}
	// Stale, they are read again in the background: the first of those
	// reads is waiting at the server.
	deadline := time.After(10 * time.Second)
	for !slices.ContainsFunc(w.since(before), func(r string) bool { return isDetailRead(strings.Split(r, "?")[0]) }) {
		select {
		case <-w.arrived:
		case <-deadline:
			t.Fatal("stale dependencies were not read again in the background")
		}
	}
}

// TestChangesOnThe80thPage is the correctness test of incremental
// listings: on an organisation of more than 80 pages of 100, a state change
// on the 80th page appears at the next refresh, which reads a few pages
// and not 80; a new lock there within one full period; a deletion there at
// the next refresh (the total count moved, so that refresh lists every
// workspace).
func TestChangesOnThe80thPage(t *testing.T) {
	const n = 79*100 + 50 // the 80th page holds the last 50
	w := newPagingWorld(t, n)
	w.hold.Store(true) // the background fill of run triggers waits: only listings are measured
	defer close(w.held)
	c := w.client(t, "")
	l := &tfcListing{}
	l.list(t, c, backend.PageRequest{})
	if got := len(l.l.Stacks()); got != n {
		t.Fatalf("%d stacks, want %d", got, n)
	}
	names := map[string]string{} // workspace name → stack id
	var sorted []string
	for _, st := range l.l.Stacks() {
		names[st.Name] = st.ID
		sorted = append(sorted, st.Name)
	}
	sort.Strings(sorted)
	page80 := sorted[79*100:]
	changed, locked, deleted := names[page80[10]], names[page80[20]], names[page80[30]]
	stackOf := func(wsID string) string { return strings.TrimPrefix(wsID, "ws-") }

	w.fake.Advance(time.Second) // a new run is newer than every run before it
	run, err := w.fake.Trigger(context.Background(), stackOf(changed), model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.fake.Lock(context.Background(), stackOf(locked), "maintenance"); err != nil {
		t.Fatal(err)
	}
	const refresh = 5 * time.Second
	w.clock.Advance(refresh)
	before := w.count()
	l.list(t, c, backend.PageRequest{})
	if p := l.pages[len(l.pages)-1]; p.Full {
		t.Fatal("the refresh after 5s listed every workspace")
	}
	if lists := workspaceLists(w.since(before)); lists > 6 {
		t.Errorf("the refresh read %d pages of workspaces: %v", lists, w.since(before))
	}
	if st, _ := l.l.Stack(changed); st.LatestRun == nil || st.LatestRun.ID == "" || st.State == model.StateFinished {
		t.Errorf("%s after one refresh: state %s, current run %+v (the new run is %s)", changed, st.State, st.LatestRun, run.ID)
	}
	// The next refresh finds nothing new on its first page of 20: three
	// small requests.
	w.clock.Advance(refresh)
	before = w.count()
	l.list(t, c, backend.PageRequest{})
	if got := workspaceLists(w.since(before)); got != 3 {
		t.Errorf("a refresh with nothing new read %d pages of workspaces, want 3 (the count, the newest 20, the unfinished runs): %v", got, w.since(before))
	}
	// The lock moves no run time: the refreshes so far did not show it.
	if st, _ := l.l.Stack(locked); st.Locked() {
		t.Fatalf("%s shows a lock no incremental listing can see: the test measures nothing", locked)
	}
	// A deletion changes the count: the next refresh lists every workspace,
	// which shows the lock too (TestAFullListingEveryPeriod shows that a
	// full period brings one without a deletion).
	if err := w.fake.Delete(stackOf(deleted)); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(refresh)
	l.list(t, c, backend.PageRequest{})
	if p := l.pages[len(l.pages)-1]; !p.Full || !p.Complete {
		t.Errorf("the refresh after a deletion: full %v, complete %v (%v)", p.Full, p.Complete, p.Err)
	}
	if st, _ := l.l.Stack(locked); !st.Locked() {
		t.Errorf("%s is not locked after a full listing", locked)
	}
	if _, ok := l.l.Stack(deleted); ok {
		t.Errorf("%s is still listed a refresh after it was deleted", deleted)
	}
	if got := len(l.l.Stacks()); got != n-1 {
		t.Errorf("%d stacks after the deletion, want %d", got, n-1)
	}
}

// TestAFullListingEveryPeriod: incremental listings until a full period
// has passed since the last full one, then a full one, which shows what
// no incremental listing can (a lock).
func TestAFullListingEveryPeriod(t *testing.T) {
	w := newPagingWorld(t, 60)
	w.hold.Store(true)
	defer close(w.held)
	c := w.client(t, "")
	l := &tfcListing{}
	l.list(t, c, backend.PageRequest{})
	// network-qa sorts last by name: not on the newest-first page of 20 when
	// every current run is as old as every other.
	if _, err := w.fake.Lock(context.Background(), "network-qa", "maintenance"); err != nil {
		t.Fatal(err)
	}
	const refresh = 5 * time.Second
	for _, step := range []time.Duration{refresh, fullPeriodOfTFC - 2*refresh} {
		w.clock.Advance(step)
		l.list(t, c, backend.PageRequest{})
		if p := l.pages[len(l.pages)-1]; p.Full {
			t.Fatal("a full listing before the period was over")
		}
	}
	if st, _ := l.l.Stack("ws-network-qa"); st.Locked() {
		t.Fatal("an incremental listing showed the lock: the test measures nothing")
	}
	w.clock.Advance(refresh)
	l.list(t, c, backend.PageRequest{})
	if p := l.pages[len(l.pages)-1]; !p.Full || !p.Complete {
		t.Errorf("the listing a full period later: full %v, complete %v", p.Full, p.Complete)
	}
	if st, _ := l.l.Stack("ws-network-qa"); !st.Locked() {
		t.Error("the lock is not shown a full period after it was taken")
	}
}

// fullPeriodOfTFC is the TFC client's full-listing period (not exported).
const fullPeriodOfTFC = 5 * time.Minute

func workspaceLists(requests []string) int {
	n := 0
	for _, r := range requests {
		if strings.HasSuffix(strings.Split(r, "?")[0], "/workspaces") {
			n++
		}
	}
	return n
}

// TestTheDiskCacheIsPerToken: what an admin's token read (an assessment's
// drifted resources) is not shown to the next start with a reader's token
// from the same cache directory.
func TestTheDiskCacheIsPerToken(t *testing.T) {
	w := newPagingWorld(t, 9)
	dir := t.TempDir()
	admin := w.client(t, dir)
	l := &tfcListing{}
	l.list(t, admin, backend.PageRequest{})
	got, err := admin.ReadDetails(ctxFor(t), l.l.Stacks())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range got {
		if st.ID == "ws-bu001-dev" && (len(st.Drift.Resources) != 1 || st.Drift.Unknown != "") {
			t.Fatalf("the admin reads the drifted resources: %+v", st.Drift)
		}
	}
	reader, err := tfc.New(ctxFor(t), tfc.Config{
		Address: w.url, Organization: w.srv.Organization(), HomeDir: t.TempDir(),
		Env: envOf(map[string]string{"TFE_TOKEN": w.srv.ReaderToken()}), Clock: virtualTime(), Now: w.clock.Now, CacheDir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	rl := &tfcListing{}
	rl.list(t, reader, backend.PageRequest{})
	got, err = reader.ReadDetails(ctxFor(t), rl.l.Stacks())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range got {
		if st.ID == "ws-bu001-dev" && (len(st.Drift.Resources) != 0 || !strings.Contains(st.Drift.Unknown, "admin access")) {
			t.Errorf("the reader sees what the admin's token read: %+v", st.Drift)
		}
	}
}
