package tfc_test

import (
	"context"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// barrier lets want requests through only once all of them have arrived, so
// a test proves they were in flight together without timing anything. A
// request that waits past the deadline goes on and marks the barrier broken.
type barrier struct {
	mu     sync.Mutex
	n      int
	want   int
	all    chan struct{}
	broken atomic.Bool
}

func newBarrier(want int) *barrier { return &barrier{want: want, all: make(chan struct{})} }

func (b *barrier) arrive() {
	b.mu.Lock()
	b.n++
	if b.n == b.want {
		close(b.all)
	}
	b.mu.Unlock()
	select {
	case <-b.all:
	case <-time.After(10 * time.Second):
		b.broken.Store(true)
	}
}

func TestListStacksFetchesLaterPagesConcurrently(t *testing.T) {
	const stacks = 350 // 4 pages of 100
	var lists atomic.Int32
	later := newBarrier(3)
	h := newHarness(t, harnessOpts{stacks: stacks, wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v2/organizations/fake-org/workspaces" {
				lists.Add(1)
				if r.URL.Query().Get("page[number]") != "1" {
					later.arrive()
				}
			}
			next.ServeHTTP(w, r)
		})
	}})
	got, err := h.client.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != stacks {
		t.Errorf("got %d stacks, want %d", len(got), stacks)
	}
	seen := map[string]bool{}
	for _, s := range got {
		seen[s.ID] = true
	}
	if len(seen) != stacks {
		t.Errorf("got %d distinct stacks, want %d", len(seen), stacks)
	}
	if n := lists.Load(); n != 4 {
		t.Errorf("made %d workspace list requests, want ⌈350/100⌉ = 4", n)
	}
	if later.broken.Load() {
		t.Error("pages 2-4 were not in flight together")
	}
}

func TestRefreshReusesDependenciesAndDrift(t *testing.T) {
	var triggers, assessments atomic.Int32
	h := newHarness(t, harnessOpts{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasSuffix(r.URL.Path, "/run-triggers"):
				triggers.Add(1)
			case strings.Contains(r.URL.Path, "assessment"):
				assessments.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}})
	first, err := h.client.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if triggers.Load() != 9 || assessments.Load() != 2 {
		t.Fatalf("first load: %d run-trigger and %d assessment requests, want 9 and 2 (one drifted workspace)",
			triggers.Load(), assessments.Load())
	}
	again, err := h.client.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if triggers.Load() != 9 || assessments.Load() != 2 {
		t.Errorf("refresh made %d run-trigger and %d assessment requests more", triggers.Load()-9, assessments.Load()-2)
	}
	for i := range first {
		if !slices.Equal(first[i].DependsOn, again[i].DependsOn) || first[i].Drift.Drifted != again[i].Drift.Drifted ||
			!slices.Equal(first[i].Drift.Resources, again[i].Drift.Resources) {
			t.Errorf("%s changed on refresh: %+v then %+v", first[i].ID, first[i], again[i])
		}
	}
}

func TestSlowRunTriggersDoNotSinkTheListing(t *testing.T) {
	var slow atomic.Bool
	slow.Store(true)
	h := newHarness(t, harnessOpts{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if slow.Load() && r.URL.Path == "/api/v2/workspaces/ws-bu002-qa/run-triggers" {
				<-r.Context().Done() // never answers; the client gives up
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	ctx, cancel := context.WithTimeout(ctxFor(t), 2*time.Second)
	defer cancel()
	stacks, err := h.client.ListStacks(ctx)
	if err != nil {
		t.Fatalf("ListStacks: %v", err)
	}
	if got := stackByName(t, stacks, "bu002-qa").DependsOn; len(got) != 0 {
		t.Errorf("bu002-qa depends on %v before its run triggers arrived", got)
	}
	if got := stackByName(t, stacks, "bu001-qa").DependsOn; len(got) != 1 {
		t.Errorf("bu001-qa depends on %v", got)
	}
	slow.Store(false)
	stacks, err = h.client.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := stackByName(t, stacks, "bu002-qa").DependsOn; !slices.Equal(got, []string{"ws-network-qa"}) {
		t.Errorf("the next refresh did not fill in bu002-qa's dependencies: %v", got)
	}
}

func TestLargeOrganisationListsWithoutWaitingForRunTriggers(t *testing.T) {
	const stacks = 250 // more workspaces than ListStacks reads run triggers for inline
	release := make(chan struct{})
	var triggers atomic.Int32
	h := newHarness(t, harnessOpts{stacks: stacks, wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/run-triggers") {
				triggers.Add(1)
				select { // held until the first answer is in
				case <-release:
				case <-r.Context().Done():
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}})
	first, err := h.client.ListStacks(ctxFor(t))
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != stacks {
		t.Fatalf("got %d stacks, want %d", len(first), stacks)
	}
	if withDeps(first) != 0 {
		t.Errorf("the first answer has dependencies although no run trigger had been answered")
	}
	deadline := time.Now().Add(15 * time.Second)
	for int(triggers.Load()) < stacks { // the background fill reaches every workspace
		if time.Now().After(deadline) {
			t.Fatalf("after 15s: %d run-trigger reads of %d", triggers.Load(), stacks)
		}
		runtime.Gosched()
	}
	for { // and a refresh shows what it read
		got, err := h.client.ListStacks(ctxFor(t))
		if err != nil {
			t.Fatal(err)
		}
		if withDeps(got) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("after 15s no refresh shows the dependencies the background fill read")
		}
		runtime.Gosched()
	}
}

func withDeps(stacks []model.Stack) int {
	n := 0
	for _, s := range stacks {
		if len(s.DependsOn) > 0 {
			n++
		}
	}
	return n
}
