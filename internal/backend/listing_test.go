package backend_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func ids(stacks []model.Stack) []string {
	var out []string
	for _, s := range stacks {
		out = append(out, s.ID)
	}
	return out
}

func lean(id string, state model.RunState) model.Stack {
	return model.Stack{ID: id, Name: id, State: state, Unread: model.DetailRuns}
}

func TestListingGrowsPageByPageAndReportsProgress(t *testing.T) {
	var l backend.Listing
	l.Apply(backend.StackPage{Stacks: []model.Stack{lean("a", model.StateFinished), lean("b", model.StateFinished)}, Read: 2, Total: 4, Full: true, At: t0})
	if p := l.Progress(); !p.Loading || p.Read != 2 || p.Total != 4 || p.Known != 2 {
		t.Fatalf("after the first page: %+v", p)
	}
	l.Apply(backend.StackPage{Stacks: []model.Stack{lean("c", model.StateFinished), lean("d", model.StateFinished)}, Read: 4, Total: 4, Full: true, Done: true, Complete: true, At: t0})
	if p := l.Progress(); p.Loading || p.Known != 4 || !p.FullAt.Equal(t0) {
		t.Fatalf("after the last page: %+v", p)
	}
	if got := ids(l.Stacks()); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Fatalf("stacks %v", got)
	}
}

func TestListingDropsWhatACompleteListingLacksAndMarksWhatAFailedOneCouldNotRead(t *testing.T) {
	var l backend.Listing
	l.Apply(backend.StackPage{Stacks: []model.Stack{lean("a", model.StateFinished), lean("b", model.StateFinished), lean("c", model.StateFinished)}, Full: true, Done: true, Complete: true})
	// A full listing whose page with b failed: b is not loaded, not gone.
	failure := errors.New("page 2: HTTP 503")
	l.Apply(backend.StackPage{Stacks: []model.Stack{lean("a", model.StateFinished), lean("c", model.StateFinished)}, Full: true, Done: true, Failed: 1, Err: failure})
	b, ok := l.Stack("b")
	if !ok || b.Loaded() {
		t.Fatalf("b after a failed page: %+v (known %v)", b, ok)
	}
	if a, _ := l.Stack("a"); !a.Loaded() {
		t.Fatal("a was read but is marked not loaded")
	}
	if p := l.Progress(); p.Failed != 1 || !errors.Is(p.Err, failure) {
		t.Fatalf("progress %+v", p)
	}
	// An incremental listing does not judge what it did not read.
	l.Apply(backend.StackPage{Stacks: []model.Stack{lean("a", model.StateApplying)}, Done: true})
	if b, _ := l.Stack("b"); b.Loaded() {
		t.Fatal("an incremental listing cleared b's mark without reading it")
	}
	// A complete listing without b: b was deleted. One that reads it clears the mark.
	l.Apply(backend.StackPage{Stacks: []model.Stack{lean("a", model.StateFinished), lean("c", model.StateFinished)}, Full: true, Done: true, Complete: true})
	if _, ok := l.Stack("b"); ok {
		t.Fatal("b survived a complete listing without it")
	}
	l.Apply(backend.StackPage{Stacks: []model.Stack{lean("c", model.StateFinished)}, Gone: []string{"a"}, Done: true})
	if got := ids(l.Stacks()); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("after a is gone: %v", got)
	}
}

func TestAnAbandonedListingDoesNotMergeIntoTheNext(t *testing.T) {
	var l backend.Listing
	l.Apply(backend.StackPage{Stacks: []model.Stack{lean("a", model.StateFinished), lean("b", model.StateFinished)}, Full: true, Done: true, Complete: true, At: t0})
	// An incremental listing whose context ended after a page that read a.
	l.Apply(backend.StackPage{Stacks: []model.Stack{lean("a", model.StateApplying)}, Read: 1})
	l.Abandon()
	if p := l.Progress(); p.Loading {
		t.Fatalf("an abandoned listing still loads: %+v", p)
	}
	// The next, full listing reads b only and fails no page, but is not
	// complete: a, read by the abandoned listing and not by this one, must
	// count as not loaded, and the count is of the full listing.
	l.Apply(backend.StackPage{Stacks: []model.Stack{lean("b", model.StateFinished)}, Read: 1, Total: 2, Full: true})
	if p := l.Progress(); !p.Full || !p.Loading {
		t.Fatalf("the full listing after an abandoned one: %+v", p)
	}
	l.Apply(backend.StackPage{Read: 1, Total: 2, Full: true, Done: true, Failed: 1})
	if a, _ := l.Stack("a"); a.Loaded() {
		t.Fatal("a stack only the abandoned listing read counts as read by the next")
	}
}

// A TFC listing says nothing of drift: the read that finds a workspace
// drifted is taken, though the listing's stack is not drifted.
func TestListingTakesDriftReadForAStackListedWithoutIt(t *testing.T) {
	var l backend.Listing
	st := model.Stack{ID: "ws-a", State: model.StateFinished, Unread: model.DetailDrift | model.DetailDependencies,
		Drift: model.Drift{Unknown: "not read yet"}}
	l.Apply(backend.StackPage{Stacks: []model.Stack{st}, Full: true, Done: true, Complete: true})
	read := st
	read.Unread, read.DependsOn = 0, []string{"ws-env"}
	read.Drift = model.Drift{Drifted: true, Resources: []string{"aws_s3_bucket.logs"}}
	l.SetDetails([]model.Stack{read}, t0)
	got, _ := l.Stack("ws-a")
	if !got.Drift.Drifted || got.Unread != 0 || !slices.Equal(got.DependsOn, []string{"ws-env"}) {
		t.Fatalf("after the read: %+v", got)
	}
}

func TestListingKeepsDetailsWhileTheyHold(t *testing.T) {
	var l backend.Listing
	st := lean("a", model.StateFinished)
	st.Unread |= model.DetailDependencies
	l.Apply(backend.StackPage{Stacks: []model.Stack{st}, Full: true, Done: true, Complete: true})
	if want := l.WantDetails([]string{"a"}, time.Minute, t0); len(want) != 1 {
		t.Fatalf("details wanted for %v, want a", ids(want))
	}
	read := st
	read.Unread = 0
	read.LatestRun = &model.Run{ID: "run-1", State: model.StateFinished}
	read.DependsOn = []string{"env"}
	l.SetDetails([]model.Stack{read}, t0)
	if want := l.WantDetails([]string{"a"}, time.Minute, t0.Add(time.Second)); len(want) != 0 {
		t.Fatalf("details wanted again at once for %v", ids(want))
	}
	if want := l.WantDetails([]string{"a"}, time.Minute, t0.Add(2*time.Minute)); len(want) != 1 {
		t.Fatal("details older than maxAge are not wanted again")
	}
	// A read that could not get a detail (say, drift without admin access)
	// is not asked for again before maxAge: a UI asking after every read
	// would otherwise read in a loop.
	b := lean("b", model.StateFinished)
	b.Unread |= model.DetailDrift
	l.Apply(backend.StackPage{Stacks: []model.Stack{b}, Done: true})
	unreadable := b
	unreadable.Unread = model.DetailDrift
	l.SetDetails([]model.Stack{unreadable}, t0)
	if want := l.WantDetails([]string{"b"}, time.Minute, t0.Add(time.Second)); len(want) != 0 {
		t.Fatal("a detail that could not be read is wanted again at once")
	}
	if want := l.WantDetails([]string{"b"}, time.Minute, t0.Add(2*time.Minute)); len(want) != 1 {
		t.Fatal("a detail that could not be read is never tried again")
	}
	// Expired (a run was started on it): wanted again at once, and what
	// was read stays shown until then.
	l.Expire([]string{"a"})
	if want := l.WantDetails([]string{"a"}, time.Minute, t0.Add(time.Second)); len(want) != 1 || want[0].LatestRun == nil {
		t.Fatalf("an expired stack's details: wanted %v", ids(want))
	}
	l.SetDetails([]model.Stack{read}, t0)
	// Listed again unchanged: the runs and dependencies read stand.
	l.Apply(backend.StackPage{Stacks: []model.Stack{st}, Done: true})
	got, _ := l.Stack("a")
	if got.LatestRun == nil || got.LatestRun.ID != "run-1" || !slices.Equal(got.DependsOn, []string{"env"}) || got.Unread != 0 {
		t.Fatalf("unchanged stack lost its details: %+v", got)
	}
	// Its state moved: the runs read before no longer hold; dependencies do.
	moved := lean("a", model.StateApplying)
	moved.Unread |= model.DetailDependencies
	l.Apply(backend.StackPage{Stacks: []model.Stack{moved}, Done: true})
	got, _ = l.Stack("a")
	if got.LatestRun != nil || !got.Unread.Has(model.DetailRuns) || !slices.Equal(got.DependsOn, []string{"env"}) {
		t.Fatalf("moved stack: %+v", got)
	}
}
