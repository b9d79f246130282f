package model

import (
	"cmp"
	"slices"
	"time"
)

// WaitsOnPerson reports a run that waits on a person: for a confirmation
// (UNCONFIRMED, a saved plan too), a review (PENDING_REVIEW) or an approval
// an approval policy holds it for (QUEUED or UNCONFIRMED).
func (r Run) WaitsOnPerson() bool {
	return r.State.Waiting() || (r.NeedsApproval && !r.State.Terminal())
}

// Exclusive reports a run that holds its stack while it works, so runs of
// the same kind queue behind it: tracked runs and tasks, not plans, drift
// checks or saved plans.
func (r Run) Exclusive() bool { return (r.Kind.Tracked() || r.Kind == RunTask) && !r.SavedPlan }

// Waiting lists the stack's runs that wait on a person, oldest first, and
// whether that list is complete. While the backend has not read the
// stack's pending runs it holds what the listing showed (the latest run,
// the latest tracked run, the blocker), and known is false.
func (s *Stack) Waiting() (runs []Run, known bool) {
	if s.PendingKnown {
		for _, r := range s.Pending {
			if r.WaitsOnPerson() {
				runs = append(runs, r)
			}
		}
		return runs, true
	}
	seen := map[string]bool{}
	for _, r := range []*Run{s.Blocker, s.LatestTrackedRun, s.LatestRun} {
		if r != nil && !seen[r.ID] && r.WaitsOnPerson() {
			seen[r.ID] = true
			runs = append(runs, *r)
		}
	}
	slices.SortStableFunc(runs, func(a, b Run) int { return -cmpNewer(a, b) })
	return runs, false
}

// Waits reports that something of the stack waits on a person, as far as
// known: one of its runs, or the stack's own state or approval flag.
func (s *Stack) Waits() bool {
	runs, _ := s.Waiting()
	return len(runs) > 0 || s.NeedsApproval || s.State.Waiting()
}

// QueuedBehind is the run a queued run of the stack waits for: the oldest
// unfinished run that holds the stack and was created before it (the head
// of the stack's queue), or the blocker the backend named. nil when r is
// not queued behind anything the backend told (held for an approval, not
// an exclusive run, or first in line: it waits for a worker).
func (s *Stack) QueuedBehind(r Run) *Run {
	if r.State != StateQueued && r.State != StateReady || r.NeedsApproval || !r.Exclusive() {
		return nil
	}
	if s.PendingKnown {
		for i := range s.Pending {
			p := &s.Pending[i]
			if p.ID != r.ID && p.Exclusive() && Newer(r, *p) {
				return p
			}
		}
		return nil
	}
	if b := s.Blocker; b != nil && b.ID != r.ID && !b.State.Terminal() {
		return b
	}
	return nil
}

// cmpNewer orders a before b when a is newer (see Newer).
func cmpNewer(a, b Run) int {
	switch {
	case a.ID == b.ID && a.CreatedAt.Equal(b.CreatedAt):
		return 0
	case Newer(a, b):
		return -1
	}
	return 1
}

// NeedKind groups what the attention view lists, in its order.
type NeedKind int

const (
	// NeedWaiting: a run waits on a person (confirm, review, approve).
	NeedWaiting NeedKind = iota
	// NeedFailed: the stack's latest run, or latest tracked run, failed.
	NeedFailed
	// NeedQueued: a run is queued, behind Blocker when the backend says.
	NeedQueued
	// NeedDrift: the stack drifted (after the ignore rules).
	NeedDrift
	// NeedLocked: someone else holds the stack's lock.
	NeedLocked
)

// Need is one line of the attention view: a stack, and the run concerned.
type Need struct {
	Kind    NeedKind
	Stack   *Stack
	Run     *Run // the waiting, failed or queued run; nil for drift and locks
	Blocker *Run // NeedQueued: the run it is queued behind, when known
}

// At is when the need began, which orders each group oldest first.
func (n Need) At() time.Time {
	switch {
	case n.Run != nil:
		return n.Run.CreatedAt
	case n.Kind == NeedDrift:
		return n.Stack.Drift.CheckedAt
	case n.Kind == NeedLocked && n.Stack.Lock != nil:
		return n.Stack.Lock.At
	}
	return time.Time{}
}

// Needs lists what needs a person across stacks: every run that waits on
// one, every failed latest run, every queued run with what it waits for,
// drifted stacks (their Drift as the caller left it: after the ignore
// rules) and locks held by someone else. Grouped by kind, oldest first in
// each group. Unknown marks the stacks whose pending runs are not read
// yet: what waits on them may be more than listed.
func Needs(stacks []*Stack) (needs []Need, unknown int) {
	for _, s := range stacks {
		waiting, known := s.Waiting()
		if !known {
			unknown++
		}
		for i := range waiting {
			needs = append(needs, Need{Kind: NeedWaiting, Stack: s, Run: &waiting[i]})
		}
		if f := failedRun(s); f != nil {
			needs = append(needs, Need{Kind: NeedFailed, Stack: s, Run: f})
		}
		for i := range s.Pending {
			r := &s.Pending[i]
			if (r.State == StateQueued || r.State == StateReady) && !r.WaitsOnPerson() {
				needs = append(needs, Need{Kind: NeedQueued, Stack: s, Run: r, Blocker: s.QueuedBehind(*r)})
			}
		}
		if s.Drift.Drifted {
			needs = append(needs, Need{Kind: NeedDrift, Stack: s})
		}
		if s.Lock != nil && !s.Lock.Mine {
			needs = append(needs, Need{Kind: NeedLocked, Stack: s})
		}
	}
	slices.SortStableFunc(needs, func(a, b Need) int {
		if a.Kind != b.Kind {
			return cmp.Compare(a.Kind, b.Kind)
		}
		if c := a.At().Compare(b.At()); c != 0 {
			return c
		}
		return cmp.Compare(a.Stack.Name, b.Stack.Name)
	})
	return needs, unknown
}

// failedRun is the stack's failed latest run: its newest run, else its
// newest tracked run (a plan started since must not hide a failed deploy).
func failedRun(s *Stack) *Run {
	for _, r := range []*Run{s.LatestRun, s.LatestTrackedRun} {
		if r != nil && r.State == StateFailed {
			return r
		}
	}
	return nil
}
