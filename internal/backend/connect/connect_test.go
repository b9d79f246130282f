package connect

import (
	"context"
	"errors"
	"testing"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// TestConnectsOnFirstUseUntilItSucceeds: nothing reaches the client before
// its connect succeeded; a failed connect is the call's error and is tried
// again by the next call; once connected, it is not repeated.
func TestConnectsOnFirstUseUntilItSucceeds(t *testing.T) {
	fake := uitest.NewFake()
	down := errors.New("no answer within 20s")
	var tries int
	fail := true
	be := New(fake, func(context.Context) error {
		tries++
		if fail {
			return down
		}
		return nil
	})
	if be.Info() != fake.Info() || be.Capabilities() != fake.Capabilities() || tries != 0 {
		t.Fatalf("Info and Capabilities connected or differ (%d tries)", tries)
	}
	if _, err := be.ListStacks(context.Background()); !errors.Is(err, down) || fake.Calls("ListStacks") != 0 {
		t.Fatalf("before connecting: %v, %d calls", err, fake.Calls("ListStacks"))
	}
	if _, _, err := be.ListRuns(context.Background(), "dev-network", ""); !errors.Is(err, down) || tries != 2 {
		t.Fatalf("a second call does not try again: %v, %d tries", err, tries)
	}
	fail = false
	for range 3 {
		if _, err := be.ListStacks(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if tries != 3 || fake.Calls("ListStacks") != 3 {
		t.Fatalf("%d connects, %d calls", tries, fake.Calls("ListStacks"))
	}
	if _, ok := be.(backend.CommitPlanner); ok {
		t.Error("a client that plans no commits became a CommitPlanner")
	}
}

// TestKeepsCommitPlanning: a client that plans given commits still does,
// once connected.
func TestKeepsCommitPlanning(t *testing.T) {
	e, err := sandbox.New(context.Background(), sandbox.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var tries int
	cp, ok := New(e, func(context.Context) error { tries++; return nil }).(backend.CommitPlanner)
	if !ok {
		t.Fatal("the sandbox's PlanCommit is hidden")
	}
	if _, err := cp.PlanCommit(context.Background(), "nope", "abc"); !errors.Is(err, backend.ErrNotFound) || tries != 1 {
		t.Fatalf("PlanCommit: %v after %d connects", err, tries)
	}
}

// pager is a client that lists page by page and reads details lazily.
type pager struct {
	*uitest.Fake
	pages, details int
}

func (p *pager) PageStacks(_ context.Context, _ backend.PageRequest, page func(backend.StackPage)) error {
	p.pages++
	page(backend.StackPage{Full: true, Done: true, Complete: true})
	return nil
}

func (p *pager) ReadDetails(_ context.Context, stacks []model.Stack) ([]model.Stack, error) {
	p.details++
	return stacks, nil
}

// TestKeepsPagingAndLazyDetails: a client's Pager and Detailer are
// reached through the wrapper once connected, not ListStacks in their
// place (issue 16: the UI fills the tree page by page).
func TestKeepsPagingAndLazyDetails(t *testing.T) {
	inner := &pager{Fake: uitest.NewFake()}
	var tries int
	be := New(inner, func(context.Context) error { tries++; return nil })
	if err := backend.PageStacks(context.Background(), be, backend.PageRequest{}, func(backend.StackPage) {}); err != nil {
		t.Fatal(err)
	}
	if _, err := backend.ReadDetails(context.Background(), be, nil); err != nil {
		t.Fatal(err)
	}
	if inner.pages != 1 || inner.details != 1 || inner.Calls("ListStacks") != 0 || tries != 1 {
		t.Fatalf("pages %d, details %d, ListStacks %d, connects %d", inner.pages, inner.details, inner.Calls("ListStacks"), tries)
	}
}
