package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// pagedBackend lists a backend's stacks as a Pager does, pageSize a page
// and the count known from the first, so a test can hold the listing
// between pages or fail the pages holding chosen stacks.
type pagedBackend struct {
	backend.Backend
	pageSize int
	// gate, when set, holds every page after the first until it receives.
	gate chan struct{}

	mu      sync.Mutex
	failing map[string]bool // stacks whose page fails
}

var errPage = errors.New("HTTP 503 from the test")

func (p *pagedBackend) fail(ids ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failing = map[string]bool{}
	for _, id := range ids {
		p.failing[id] = true
	}
}

func (p *pagedBackend) fails(page []model.Stack) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range page {
		if p.failing[s.ID] {
			return true
		}
	}
	return false
}

func (p *pagedBackend) PageStacks(ctx context.Context, _ backend.PageRequest, page func(backend.StackPage)) error {
	all, err := p.Backend.ListStacks(ctx)
	if err != nil {
		return err
	}
	read, failed := 0, 0
	var failure error
	for i := 0; i < len(all); i += p.pageSize {
		if i > 0 && p.gate != nil {
			select {
			case <-p.gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		chunk := all[i:min(i+p.pageSize, len(all))]
		if p.fails(chunk) {
			failed, failure = failed+1, errPage
			continue
		}
		read += len(chunk)
		page(backend.StackPage{Stacks: chunk, Read: read, Total: len(all), Full: true, At: uitest.Epoch})
	}
	page(backend.StackPage{Read: read, Total: len(all), Full: true, Done: true, Complete: failed == 0,
		Failed: failed, Err: failure, At: uitest.Epoch})
	return nil
}

// within is a test's bound on waiting for the UI: a deadline, not a sleep.
func within(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestRowsAppearFromTheFirstPageAndTheCursorStaysAsPagesArrive(t *testing.T) {
	fake := uitest.NewFake()
	fake.AddStacks("dev", 30)
	all, _ := fake.ListStacks(context.Background())
	pb := &pagedBackend{Backend: fake, pageSize: 10, gate: make(chan struct{})}
	h, err := NewHeadless(Options{Backend: pb, Theme: "dark", Now: func() time.Time { return uitest.Epoch }}, 160, 40)
	if err != nil {
		t.Fatal(err)
	}
	ctx := within(t)
	h.Start()
	if err := h.FirstFrame(ctx); err != nil {
		t.Fatalf("no first frame: %v", err)
	}
	screen := ansi.Strip(h.Render())
	want := "⟳ loading 10 / " + kit.Thousands(len(all))
	if !strings.Contains(screen, want) || !strings.Contains(screen, "dev-network") {
		t.Fatalf("the first page's frame lacks its rows or %q:\n%s", want, screen)
	}
	if !h.Loading() {
		t.Fatal("the load ended with pages held back")
	}
	if tabs := strings.Split(screen, "\n")[1]; strings.Contains(tabs, "✓") {
		t.Errorf("a tab says ✓ while stacks are still being listed: %q", tabs)
	}
	// Keys work meanwhile: move to the third stack and filter.
	h.Send(uitest.Press("j"))
	h.Send(uitest.Press("j"))
	h.Rest()
	picked := h.m.tree().Selected()
	if picked == "" {
		t.Fatal("nothing selected after the first page")
	}
	for range (len(all) - 1) / pb.pageSize {
		pb.gate <- struct{}{}
	}
	if err := h.Await(ctx, func() bool { return !h.Loading() }); err != nil {
		t.Fatalf("the load did not end: %v", err)
	}
	if got := h.m.tree().Selected(); got != picked {
		t.Errorf("the cursor moved from %s to %s as pages arrived", picked, got)
	}
	if screen = ansi.Strip(h.Render()); strings.Contains(screen, "loading") {
		t.Errorf("the header still counts a finished load:\n%s", screen)
	}
	if h.m.data.Forest.Stack("dev-extra-0029") == nil {
		t.Error("the last page's stacks are not in the tree")
	}
	if h.m.data.Incomplete != "" {
		t.Errorf("a complete listing left the tree incomplete: %s", h.m.data.Incomplete)
	}
}

func TestAFailedPageShowsItsStacksAsNotLoadedAndNeverFine(t *testing.T) {
	fake := uitest.NewFake()
	pb := &pagedBackend{Backend: fake, pageSize: 4}
	d := newDriverOn(t, pb, func() time.Time { return uitest.Epoch }, 160, 40)
	d.requireScreen("dev-network")
	if strings.Contains(d.screen(), "NOT LOADED") {
		t.Fatal("a complete listing shows stacks as not loaded")
	}
	// The refresh's page holding dev-network fails: it is not loaded, its
	// tab counts it as unknown, and the header says the refresh failed.
	pb.fail("dev-network")
	d.press("r")
	d.requireScreen("◌ NOT LOADED", "◌", "refresh failed")
	tab := strings.Split(d.screen(), "\n")[1]
	if !strings.Contains(tab, "dev") || strings.Contains(tab, "dev ✓") {
		t.Errorf("the dev tab with a stack not loaded: %q", tab)
	}
	if !strings.Contains(d.m().data.LoadErr.Error(), "1 page of stacks could not be read") {
		t.Errorf("load error %v", d.m().data.LoadErr)
	}
	// The next good refresh clears it.
	pb.fail()
	d.press("r")
	d.requireNotOnScreen("NOT LOADED", "refresh failed")
}

func TestAFirstListingWithAFailedPageLeavesTheTreeIncomplete(t *testing.T) {
	fake := uitest.NewFake()
	pb := &pagedBackend{Backend: fake, pageSize: 4}
	pb.fail("qa-network")
	d := newDriverOn(t, pb, func() time.Time { return uitest.Epoch }, 160, 40)
	d.requireScreen("dev-network")
	if d.m().data.Incomplete == "" {
		t.Fatal("a first listing with a failed page says the tree is complete")
	}
	if tab := strings.Split(d.screen(), "\n")[1]; strings.Contains(tab, "✓") {
		t.Errorf("a tab says ✓ though stacks were never listed: %q", tab)
	}
	pb.fail()
	d.press("r")
	if d.m().data.Incomplete != "" {
		t.Fatalf("a complete listing left the tree incomplete: %s", d.m().data.Incomplete)
	}
}

// TestAHeldKeyReadsTheRunsOfTheStackItStopsOn: j held down through the tree
// reads no stack's runs on the way (TFC allows 30 run lists a minute, and
// each read of a stack passed would queue ahead of the one stopped on);
// once the keys rest the pane reads the selection's, once.
func TestAHeldKeyReadsTheRunsOfTheStackItStopsOn(t *testing.T) {
	fake := uitest.NewFake()
	fake.AddStacks("dev", 30)
	d := newDriverWith(t, fake, 160, 40)
	before := fake.Calls("ListRuns")
	for range 12 {
		d.Send(uitest.Press("j"))
	}
	if got := fake.Calls("ListRuns") - before; got != 0 {
		t.Fatalf("%d run lists read while j was held, want none", got)
	}
	stopped := d.tree().Selected()
	d.requireScreen(stopped, "loading…")
	d.Rest()
	if got := fake.Calls("ListRuns") - before; got != 1 {
		t.Fatalf("%d run lists read once the keys rested, want 1 (of %s)", got, stopped)
	}
	d.requireNotOnScreen("loading…")
	// One key at a time is a rest after each: each stack stopped on is read.
	d.press("j")
	d.press("k")
	if got := fake.Calls("ListRuns") - before; got != 3 {
		t.Fatalf("%d run lists read after j and k, each followed by a rest, want 3", got)
	}
}
