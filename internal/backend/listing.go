package backend

import (
	"slices"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// Listing is what a consumer of PageStacks knows of the stacks: the pages
// applied so far merged by id, with the details read since. It marks the
// stacks a listing could not read as not loaded, drops those a complete
// listing no longer has, and keeps details read earlier while they still
// hold. It is plain data: one goroutine owns it (the UI builds it off its
// loop and hands over copies).
type Listing struct {
	byID    map[string]*listed
	order   []string // first seen first; may hold ids since dropped
	dropped int      // ids in order no longer in byID

	gen     int // the listing in progress (or last done)
	loading bool
	full    bool
	read    int
	total   int
	failed  int
	err     error
	at      time.Time // when the last page was read
	fullAt  time.Time // when the last complete full listing ended
}

type listed struct {
	st        model.Stack
	seen      int           // the listing that last read it
	detailsAt time.Time     // when its details were last read, or tried (zero: not since it was listed changed)
	lean      model.Details // what the listing leaves unread of it (Expire)
}

// Progress is a listing's state for a header: "loading 2,300 / 10,000".
type Progress struct {
	Loading bool // a listing is in progress
	Full    bool // it reads every stack
	Read    int  // stacks it has read
	Total   int  // stacks it expects (0: not known)
	Known   int  // stacks known in all
	Failed  int  // pages that could not be read
	Err     error
	At      time.Time // when the newest page was read
	FullAt  time.Time // when every stack was last read
}

// Progress reports where the listing stands.
func (l *Listing) Progress() Progress {
	return Progress{Loading: l.loading, Full: l.full, Read: l.read, Total: l.total, Known: len(l.byID),
		Failed: l.failed, Err: l.err, At: l.at, FullAt: l.fullAt}
}

// Apply merges one page. The first page of a listing (any page while none
// is in progress) starts it.
func (l *Listing) Apply(p StackPage) {
	if l.byID == nil {
		l.byID = map[string]*listed{}
	}
	if !l.loading {
		l.gen++
		l.loading, l.full, l.failed, l.err = true, p.Full, 0, nil
	}
	l.read, l.total, l.failed, l.err = p.Read, p.Total, p.Failed, p.Err
	if !p.At.IsZero() {
		l.at = p.At
	}
	for _, st := range p.Stacks {
		l.put(st)
	}
	for _, id := range p.Gone {
		l.drop(id)
	}
	if !p.Done {
		return
	}
	l.loading = false
	if !p.Full {
		return
	}
	why := "the last listing could not read it"
	if p.Err != nil {
		why += ": " + p.Err.Error()
	}
	for id, e := range l.byID {
		switch {
		case e.seen == l.gen:
		case p.Complete:
			l.drop(id)
		default:
			e.st.NotLoaded = why
		}
	}
	if p.Complete {
		l.fullAt = l.at
	}
	l.compact()
}

// Abandon ends a listing that stopped before its last page (its context
// ended): what it read stays, and the next page starts a new listing.
func (l *Listing) Abandon() { l.loading = false }

// put adds or replaces a stack read by the current listing, keeping the
// details an earlier read found while they still hold (see carry).
func (l *Listing) put(st model.Stack) {
	e, ok := l.byID[st.ID]
	if !ok {
		l.byID[st.ID] = &listed{st: st, seen: l.gen, lean: st.Unread}
		l.order = append(l.order, st.ID)
		return
	}
	e.lean = st.Unread
	carry(&st, &e.st)
	if st.Unread != 0 {
		e.detailsAt = time.Time{}
	}
	e.st, e.seen = st, l.gen
}

// carry copies into n, a stack just listed, the details o (the same stack
// as read before) has and n lacks: dependencies always (they change
// rarely, and the backend revalidates them), runs and drifted resources
// while nothing the listing shows says they moved.
func carry(n, o *model.Stack) {
	if n.Unread.Has(model.DetailDependencies) && !o.Unread.Has(model.DetailDependencies) {
		n.DependsOn, n.Unread = o.DependsOn, n.Unread&^model.DetailDependencies
	}
	if n.Unread.Has(model.DetailRuns) && !o.Unread.Has(model.DetailRuns) && sameRunsFingerprint(n, o) {
		n.LatestRun, n.LatestTrackedRun, n.Unread = o.LatestRun, o.LatestTrackedRun, n.Unread&^model.DetailRuns
		n.Pending, n.PendingKnown = o.Pending, o.PendingKnown
	}
	if n.Unread.Has(model.DetailDrift) && !o.Unread.Has(model.DetailDrift) && n.Drift.Drifted == o.Drift.Drifted &&
		(n.Drift.RunID == "" || n.Drift.RunID == o.Drift.RunID) {
		n.Drift, n.Unread = o.Drift, n.Unread&^model.DetailDrift
	}
}

// sameRunsFingerprint reports two reads of a stack whose listed run
// fields agree, so runs read with the older one still stand.
func sameRunsFingerprint(a, b *model.Stack) bool {
	runKey := func(r *model.Run) string {
		if r == nil {
			return ""
		}
		return r.ID + " " + string(r.State)
	}
	return a.State == b.State && a.StateSetAt.Equal(b.StateSetAt) && a.NeedsApproval == b.NeedsApproval &&
		runKey(a.Blocker) == runKey(b.Blocker) && a.TrackedCommit == b.TrackedCommit
}

func (l *Listing) drop(id string) {
	if _, ok := l.byID[id]; ok {
		delete(l.byID, id)
		l.dropped++
	}
}

// compact forgets dropped ids once they are a good part of order.
func (l *Listing) compact() {
	if l.dropped*4 < len(l.order) {
		return
	}
	l.order = slices.DeleteFunc(l.order, func(id string) bool { _, ok := l.byID[id]; return !ok })
	l.dropped = 0
}

// Stacks returns a copy of every known stack, in the order first read.
func (l *Listing) Stacks() []model.Stack {
	out := make([]model.Stack, 0, len(l.byID))
	seen := make(map[string]bool, len(l.byID))
	for _, id := range l.order {
		if e, ok := l.byID[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, e.st)
		}
	}
	return out
}

// Stack returns one known stack.
func (l *Listing) Stack(id string) (model.Stack, bool) {
	e, ok := l.byID[id]
	if !ok {
		return model.Stack{}, false
	}
	return e.st, true
}

// WantDetails picks, from ids (say, the rows on screen and the selection,
// most wanted first), the stacks whose details should be read: some were
// never read since the stack was listed, or the last read is older than
// maxAge before now. A detail the last read could not get waits maxAge
// too, so a caller asking again after every read does not ask in a loop.
// It returns the stacks as known, for ReadDetails.
func (l *Listing) WantDetails(ids []string, maxAge time.Duration, now time.Time) []model.Stack {
	var out []model.Stack
	for _, id := range ids {
		e, ok := l.byID[id]
		if !ok || !e.st.Loaded() {
			continue
		}
		if e.detailsAt.IsZero() && e.st.Unread != 0 || !e.detailsAt.IsZero() && now.Sub(e.detailsAt) > maxAge {
			out = append(out, e.st)
		}
	}
	return out
}

// Expire makes the details the listing leaves out of the given stacks
// unread again (say, after a run was started on them, which a lean
// listing may not show), keeping what is known on show until the read.
func (l *Listing) Expire(ids []string) {
	for _, id := range ids {
		if e, ok := l.byID[id]; ok && e.lean != 0 {
			e.st.Unread |= e.lean
			e.detailsAt = time.Time{}
		}
	}
}

// SetDetails records stacks ReadDetails returned at time at. A stack that
// a listing replaced since the read began keeps the newer listing's
// fields; its details are taken when the listing left them unread.
func (l *Listing) SetDetails(stacks []model.Stack, at time.Time) {
	for _, st := range stacks {
		e, ok := l.byID[st.ID]
		if !ok {
			continue
		}
		// A listing that left drift unread and did not say the stack
		// drifted (TFC lists no drift) has nothing the read could disagree with.
		listedNoDrift := e.st.Unread.Has(model.DetailDrift) && !e.st.Drift.Drifted
		switch {
		case sameRunsFingerprint(&e.st, &st) && (e.st.Drift.Drifted == st.Drift.Drifted || listedNoDrift):
			st.NotLoaded = e.st.NotLoaded
			e.st = st
		default:
			n := e.st
			carry(&n, &st)
			e.st = n
		}
		e.detailsAt = at
	}
}
