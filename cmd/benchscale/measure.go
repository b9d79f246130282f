package main

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/scheduler"
	"github.com/stackview/stackview/internal/backend/spacelift"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// refreshEvery is the UI's default refresh: steady-state figures are per
// minute of refreshes this often.
const refreshEvery = 5 * time.Second

// visibleRows is how many stacks a screen shows: the details a view reads
// first.
const visibleRows = 60

// dialect opens a fresh client of one backend on the server. cacheDir is
// where a TFC client keeps details between starts ("" none).
type dialect struct {
	name string
	open func(ctx context.Context, ep endpoints, hc *http.Client, home, cacheDir string) (backend.Backend, error)
}

var dialects = []dialect{
	{"spacelift", func(ctx context.Context, ep endpoints, hc *http.Client, home, _ string) (backend.Backend, error) {
		env := map[string]string{
			"SPACELIFT_API_KEY_ENDPOINT": ep.SpaceliftURL,
			"SPACELIFT_API_KEY_ID":       ep.SpaceliftKeyID,
			"SPACELIFT_API_KEY_SECRET":   ep.SpaceliftKey,
		}
		return spacelift.New(ctx, spacelift.Config{Env: func(k string) string { return env[k] }, HomeDir: home, HTTPClient: hc,
			Sandbox: true, RateLimit: spacelift.AssumedRateLimit})
	}},
	{"tfc", func(ctx context.Context, ep endpoints, hc *http.Client, home, cacheDir string) (backend.Backend, error) {
		env := map[string]string{"TFE_TOKEN": ep.TFCToken}
		return tfc.New(ctx, tfc.Config{Address: ep.TFCURL, Organization: ep.TFCOrg, Env: func(k string) string { return env[k] },
			HomeDir: home, HTTPClient: hc, CacheDir: cacheDir})
	}},
}

// usage is what a run cost the machine: the load average when it began,
// the CPU seconds of this process (the client) and of the sandbox server.
type usage struct {
	load           float64
	client, server time.Duration
}

// meter starts measuring usage; stop returns it.
func meter(srv *server) func() usage {
	load, c0, s0 := loadAverage(), selfCPU(), srv.cpu()
	return func() usage { return usage{load: load, client: selfCPU() - c0, server: srv.cpu() - s0} }
}

// listingFigures are one backend's lean, progressive listing on a new
// client: what the first frame and the full tree wait for.
type listingFigures struct {
	stacks         int
	firstPage      time.Duration // new client → first page of stacks
	firstFrame     time.Duration // + the tree built from it (BuildForest), the off-loop work a frame waits for
	firstRows      int           // stacks in the first frame
	frameRequests  int64         // requests from the client's creation to the first page
	fullTree       time.Duration // new client → the last page (TFC: dependencies from the disk cache)
	fullRequests   int64
	fullBytes      int64
	depsKnown      int // stacks whose dependencies the full tree knows
	heapInUse      uint64
	details        time.Duration // the details of one screen of stacks (ReadDetails, as the keypress would)
	detailRequests int64
	cold           time.Duration // TFC: the full tree with every dependency read from the API (0: not measured)
	coldRequests   int64
	coldUse        usage
	use            usage // of the listing, to the full tree
	err            error
}

// steadyFigures are what refreshing costs once the tree is loaded.
type steadyFigures struct {
	refreshRequests, refreshBytes float64 // one incremental refresh, averaged
	fullRequests, fullBytes       int64   // one full listing (every fullPeriod: 5 minutes)
	todayRequests, todayBytes     int64   // one ListStacks: what every refresh cost before
	use                           usage
	err                           error
}

// perMinute is a steady minute: a refresh every refreshEvery, and a fifth
// of a full listing (one every 5 minutes).
func (s steadyFigures) perMinute() (requests, bytes float64) {
	n := float64(time.Minute / refreshEvery)
	return n*s.refreshRequests + float64(s.fullRequests)/5, n*s.refreshBytes + float64(s.fullBytes)/5
}

func (s steadyFigures) todayPerMinute() (requests, bytes float64) {
	n := float64(time.Minute / refreshEvery)
	return n * float64(s.todayRequests), n * float64(s.todayBytes)
}

// measureListing lists through a new client as the UI will: lean pages,
// the first frame from the first, the full tree at the last; then one
// screen's details. For TFC it lists once more through a second client
// reading the first one's disk cache (the next start), which is the full
// tree figure; with cold, it first reads every workspace's dependencies
// from the API and times that.
func measureListing(ctx context.Context, d dialect, srv *server, home, cacheDir string, cold bool, envs []model.Environment) (f listingFigures, err error) {
	ep := srv.ep
	if d.name == "tfc" {
		stop := meter(srv)
		c := newCounter()
		start := time.Now()
		b, err := d.open(ctx, ep, &http.Client{Transport: c}, home, cacheDir)
		if err != nil {
			return f, err
		}
		// The first start: the listing, then every workspace's details (the
		// reads the background fill shares), which the disk cache keeps.
		var l backend.Listing
		if err := backend.PageStacks(ctx, b, backend.PageRequest{}, l.Apply); err != nil {
			return f, fmt.Errorf("tfc: first start's listing: %w", err)
		}
		if _, err := backend.ReadDetails(scheduler.InitialLoad(ctx), b, l.Stacks()); err != nil {
			return f, fmt.Errorf("tfc: reading every dependency: %w", err)
		}
		if cold {
			f.cold, f.coldRequests, f.coldUse = time.Since(start), c.requests.Load(), stop()
		}
	}
	c := newCounter()
	runtime.GC()
	stop := meter(srv)
	start := time.Now()
	b, err := d.open(ctx, ep, &http.Client{Transport: c}, home, cacheDir)
	if err != nil {
		return f, err
	}
	var l backend.Listing
	err = backend.PageStacks(ctx, b, backend.PageRequest{}, func(p backend.StackPage) {
		l.Apply(p)
		if f.firstPage == 0 {
			f.firstPage = time.Since(start)
			f.frameRequests = c.requests.Load()
			stacks := l.Stacks()
			model.BuildForest(stacks, envs, model.DefaultMapping())
			f.firstFrame, f.firstRows = time.Since(start), len(stacks)
		}
	})
	if err != nil {
		return f, fmt.Errorf("%s: listing: %w", d.name, err)
	}
	f.fullTree = time.Since(start)
	f.use = stop()
	f.fullRequests, f.fullBytes = c.requests.Load(), c.bytes.Load()
	stacks := l.Stacks()
	f.stacks = len(stacks)
	for _, st := range stacks {
		if !st.Unread.Has(model.DetailDependencies) {
			f.depsKnown++
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f.heapInUse = ms.HeapInuse
	runtime.KeepAlive(&l)

	screen := stacks[:min(visibleRows, len(stacks))]
	c.reset()
	start = time.Now()
	if _, err := backend.ReadDetails(scheduler.Interactive(ctx), b, screen); err != nil {
		return f, fmt.Errorf("%s: details of one screen: %w", d.name, err)
	}
	f.details, f.detailRequests = time.Since(start), c.requests.Load()
	return f, nil
}

// measureSteady loads the tree, then refreshes as the UI will (an
// incremental listing each time) and counts what each costs, beside one
// full listing and one ListStacks, which is what each refresh cost before.
//
// The TFC client reads the disk cache the listing measurement wrote: its
// dependencies are known, and those older than the cache's freshness are
// revalidated in the background, which a steady minute includes.
func measureSteady(ctx context.Context, d dialect, srv *server, home, cacheDir string) (f steadyFigures, err error) {
	stop := meter(srv)
	defer func() { f.use = stop() }()
	c := newCounter()
	b, err := d.open(ctx, srv.ep, &http.Client{Transport: c}, home, cacheDir)
	if err != nil {
		return f, err
	}
	var l backend.Listing
	c.reset()
	if err := backend.PageStacks(ctx, b, backend.PageRequest{}, l.Apply); err != nil {
		return f, fmt.Errorf("%s: listing: %w", d.name, err)
	}
	f.fullRequests, f.fullBytes = c.reset()
	const refreshes = 3
	for range refreshes {
		time.Sleep(refreshEvery) // what a refresh finds, and what runs meanwhile, depends on the time between
		c.reset()
		if err := backend.PageStacks(ctx, b, backend.PageRequest{}, l.Apply); err != nil {
			return f, fmt.Errorf("%s: refresh: %w", d.name, err)
		}
		r, by := c.reset()
		f.refreshRequests += float64(r) / refreshes
		f.refreshBytes += float64(by) / refreshes
	}
	if _, err := b.ListStacks(ctx); err != nil {
		return f, fmt.Errorf("%s: ListStacks: %w", d.name, err)
	}
	f.todayRequests, f.todayBytes = c.reset()
	return f, nil
}

// uiFigures are the UI's own start on a new client, drawn page by page,
// and its keystrokes while the load and then a refresh run.
type uiFigures struct {
	firstFrame time.Duration // new client → the first frame with rows
	frameRows  int           // tree rows in it
	fullTree   time.Duration // new client → the load's last page laid out
	rows       int           // tree rows then
	heapInUse  uint64        // after the load and a GC: client, listing and UI
	keys       []time.Duration
	applies    []time.Duration // Update + Render of each load message: what the loop spends on a page
	refresh    time.Duration   // one refresh, keys pressed meanwhile
	use        usage
	err        error
}

// measureUI starts the UI headless on a new client (no disk cache: TFC
// reads the dependencies of the rows on screen and fills the rest in the
// background) and, from the first frame on, presses keys (filter typing
// and scrolling, over and over, resting after each filter and each tour of
// the tree, when the screen stopped on has its details read) while
// delivering the load's messages as a program does, until the load is
// over; then once more through a refresh.
// A keystroke is timed apart from the messages between keystrokes.
func measureUI(ctx context.Context, d dialect, srv *server, home string, width, height int) (f uiFigures, err error) {
	stop := meter(srv)
	defer func() { f.use = stop() }()
	runtime.GC()
	start := time.Now()
	b, err := d.open(ctx, srv.ep, &http.Client{Transport: newCounter()}, home, "")
	if err != nil {
		return f, err
	}
	h, err := ui.NewHeadless(ui.Options{Backend: b, Theme: "dark"}, width, height)
	if err != nil {
		return f, err
	}
	h.Start()
	if err := h.FirstFrame(ctx); err != nil {
		return f, fmt.Errorf("%s: first frame: %w", d.name, err)
	}
	_ = h.Render()
	f.firstFrame, f.frameRows = time.Since(start), h.Rows()
	seq, i := keySequence(), 0
	drive := func() {
		for h.Loading() && ctx.Err() == nil {
			for {
				t := time.Now()
				if !h.Step() {
					break
				}
				_ = h.Render()
				f.applies = append(f.applies, time.Since(t))
			}
			k := seq[i%len(seq)]
			// A program's loop waits for the next key and lets the
			// goroutines it started run meanwhile; a loop that never waits
			// is preempted mid-key by them (Go's 10 ms slices), which
			// measured the scheduler rather than the keystroke.
			runtime.Gosched()
			f.keys = append(f.keys, keystroke(h, k))
			i++
			if k == "esc" || i%len(seq) == 0 {
				h.Rest() // a person pauses after a filter and after a tour of the tree
			}
		}
	}
	drive()
	f.fullTree, f.rows = time.Since(start), h.Rows()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f.heapInUse = ms.HeapInuse
	start = time.Now()
	h.StartRefresh()
	drive()
	f.refresh = time.Since(start)
	return f, ctx.Err()
}

// keystroke times one key's Update and the frame after it.
func keystroke(h *ui.Headless, name string) time.Duration {
	start := time.Now()
	h.Send(uitest.Press(name))
	_ = h.Render()
	return time.Since(start)
}

// keySequence types filters that narrow and widen the tree (backspace
// widens, the expensive direction) and cancels them, then moves through the
// whole tree line by line and by pages.
func keySequence() []string {
	var out []string
	for _, text := range []string{"unit-012", "stack-2", "payments", "unit-1", "state:unconfirmed"} {
		out = append(out, "/")
		for _, r := range text {
			out = append(out, string(r))
		}
		for range text {
			out = append(out, "backspace")
		}
		out = append(out, "esc")
	}
	for range 300 {
		out = append(out, "j")
	}
	for _, k := range []string{"pgdown", "pgup"} {
		for range 30 {
			out = append(out, k)
		}
	}
	out = append(out, "G", "g", "tab", "shift+tab")
	for range 100 {
		out = append(out, "k")
	}
	return out
}

// percentile is the p-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[min(max(i, 0), len(s)-1)]
}
