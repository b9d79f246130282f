package main

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/spacelift"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/ui"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// loadTimeout is the UI's own bound on one load (ui.callTimeout).
const loadTimeout = 15 * time.Second

// warmLoads is how many loads after the first are timed for the median.
const warmLoads = 3

// dialect opens a fresh client of one backend on the server.
type dialect struct {
	name string
	open func(ctx context.Context, ep endpoints, hc *http.Client, home string) (backend.Backend, error)
}

var dialects = []dialect{
	{"spacelift", func(ctx context.Context, ep endpoints, hc *http.Client, home string) (backend.Backend, error) {
		env := map[string]string{
			"SPACELIFT_API_KEY_ENDPOINT": ep.SpaceliftURL,
			"SPACELIFT_API_KEY_ID":       ep.SpaceliftKeyID,
			"SPACELIFT_API_KEY_SECRET":   ep.SpaceliftKey,
		}
		return spacelift.New(ctx, spacelift.Config{Env: func(k string) string { return env[k] }, HomeDir: home, HTTPClient: hc, Sandbox: true})
	}},
	{"tfc", func(ctx context.Context, ep endpoints, hc *http.Client, home string) (backend.Backend, error) {
		env := map[string]string{"TFE_TOKEN": ep.TFCToken}
		return tfc.New(ctx, tfc.Config{Address: ep.TFCURL, Organization: ep.TFCOrg, Env: func(k string) string { return env[k] }, HomeDir: home, HTTPClient: hc})
	}},
}

// loadFigures are one backend's full load of the tree.
type loadFigures struct {
	stacks          int
	cold, warm      time.Duration // first load of a new client; median of the next
	requests, bytes int64         // of the first load
	err             error
}

// measureLoad times ListStacks on a new client: once cold, then warm.
func measureLoad(ctx context.Context, d dialect, ep endpoints, home string) (loadFigures, error) {
	c := newCounter()
	b, err := d.open(ctx, ep, &http.Client{Transport: c}, home)
	if err != nil {
		return loadFigures{}, err
	}
	c.reset()
	var f loadFigures
	var warm []time.Duration
	for i := range warmLoads + 1 {
		lctx, cancel := context.WithTimeout(ctx, loadTimeout)
		start := time.Now()
		stacks, err := b.ListStacks(lctx)
		took := time.Since(start)
		cancel()
		if err != nil {
			return f, fmt.Errorf("%s: load %d: %w", d.name, i+1, err)
		}
		if i == 0 {
			f.cold, f.stacks = took, len(stacks)
			f.requests, f.bytes = c.reset()
			continue
		}
		warm = append(warm, took)
	}
	f.warm = percentile(warm, 50)
	return f, nil
}

// uiFigures are what a user of the UI waits for, and what it holds.
type uiFigures struct {
	firstFrame       time.Duration // New → first load → Render
	frameRequests    int64         // HTTP requests before the first frame
	refreshApply     time.Duration // Update with a refresh's result
	heapInUse        uint64        // after the first frame, after a GC
	allocs, allocMB  uint64        // allocated by New → first frame
	filter, scroll   []time.Duration
	rows, filterRows int
	err              error
}

// measureUI starts the UI headless on a new client, draws the first frame,
// then times keystrokes.
func measureUI(ctx context.Context, d dialect, ep endpoints, home string, width, height int) (uiFigures, error) {
	var f uiFigures
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	c := newCounter()
	start := time.Now()
	b, err := d.open(ctx, ep, &http.Client{Transport: c}, home)
	if err != nil {
		return f, err
	}
	h, err := ui.NewHeadless(ui.Options{Backend: b, Theme: "dark"}, width, height)
	if err != nil {
		return f, err
	}
	if err := h.Load(); err != nil {
		return f, fmt.Errorf("%s: first load: %w", d.name, err)
	}
	_ = h.Render()
	f.firstFrame = time.Since(start)
	f.frameRequests, _ = c.reset()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	f.allocs = after.Mallocs - before.Mallocs
	f.allocMB = (after.TotalAlloc - before.TotalAlloc) >> 20
	runtime.GC()
	runtime.ReadMemStats(&after)
	f.heapInUse = after.HeapInuse
	f.rows = h.Rows()

	f.filter = typeFilter(h, &f.filterRows)
	f.scroll = scroll(h)

	msg := h.NextLoad()
	start = time.Now()
	h.Send(msg)
	_ = h.Render()
	f.refreshApply = time.Since(start)
	return f, nil
}

// keystroke times one key's Update and the frame after it.
func keystroke(h *ui.Headless, name string) time.Duration {
	start := time.Now()
	h.Send(uitest.Press(name))
	_ = h.Render()
	return time.Since(start)
}

// typeFilter types filters that narrow and widen the tree (backspace
// widens, the expensive direction) and cancels them.
func typeFilter(h *ui.Headless, narrowest *int) []time.Duration {
	var out []time.Duration
	*narrowest = h.Rows()
	for _, text := range []string{"unit-012", "stack-2", "payments", "unit-1", "state:unconfirmed"} {
		out = append(out, keystroke(h, "/"))
		for _, r := range text {
			out = append(out, keystroke(h, string(r)))
			*narrowest = min(*narrowest, h.Rows())
		}
		for range text {
			out = append(out, keystroke(h, "backspace"))
		}
		out = append(out, keystroke(h, "esc"))
	}
	return out
}

// scroll moves through the whole tree line by line and by pages.
func scroll(h *ui.Headless) []time.Duration {
	var out []time.Duration
	for range 300 {
		out = append(out, keystroke(h, "j"))
	}
	for _, k := range []string{"pgdown", "pgup"} {
		for range 30 {
			out = append(out, keystroke(h, k))
		}
	}
	for _, k := range []string{"G", "g", "tab", "shift+tab"} {
		out = append(out, keystroke(h, k))
	}
	for range 100 {
		out = append(out, keystroke(h, "k"))
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
