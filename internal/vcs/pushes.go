package vcs

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Push results, as a PushJournal records them.
const (
	PushPending = "pending" // written before the push starts
	PushOK      = "ok"
	PushFailed  = "error"   // refused, or the remote was never reached: the ref did not move
	PushUnknown = "unknown" // stopped, or the answer lost: check Ref on the remote
)

// PushEvent is one push as a journal records it.
type PushEvent struct {
	Result  string
	Repo    string // the remote's URL, credentials removed
	Ref     string // "refs/heads/<branch>": what to check on the remote
	Old     string // the branch's commit before ("" = unknown or a new branch)
	New     string // the commit pushed
	Purpose PushPurpose
	Err     error // why it failed, or why its outcome is unknown
}

// PushPurpose says in the journal what a push is for. Callers set it on the
// context (WithPushPurpose): a promotion, a module bump.
type PushPurpose struct {
	Action      string // e.g. "promotion"; "" = "git push"
	Environment string
	Detail      string // e.g. the gates a typed override went past
}

type purposeKey struct{}

// WithPushPurpose labels the pushes made with ctx.
func WithPushPurpose(ctx context.Context, p PushPurpose) context.Context {
	return context.WithValue(ctx, purposeKey{}, p)
}

func pushPurpose(ctx context.Context) PushPurpose {
	p, _ := ctx.Value(purposeKey{}).(PushPurpose)
	return p
}

// PushJournal records pushes: once with PushPending before a push starts
// (an error refuses the push, which could not be accounted for), and once
// with its outcome.
type PushJournal interface {
	Record(PushEvent) error
}

// ErrPushesStopped refuses a push after the program began to quit.
var ErrPushesStopped = errors.New("not pushed: stackview is quitting")

// ErrPushUnknown marks a push whose outcome is not known.
var ErrPushUnknown = errors.New("push outcome unknown")

// PushUnknownError is a push that was stopped, or whose answer was lost,
// and whose ref could not be read back: the branch may or may not have moved.
type PushUnknownError struct {
	Repo, Ref, Commit string
	Cause             error
}

func (e *PushUnknownError) Error() string {
	return fmt.Sprintf("push of %s to %s %s: outcome unknown (%v): check %s on the remote before trying again",
		ShortSHA(e.Commit), e.Repo, e.Ref, e.Cause, e.Ref)
}

func (e *PushUnknownError) Unwrap() []error { return []error{ErrPushUnknown, e.Cause} }

// PushInfo is a push in flight.
type PushInfo struct {
	Repo   string // short name, e.g. "payments.git"
	Branch string
	Since  time.Time
}

// Pushes follows the git pushes of one program. Each push runs in its own
// process group and is not stopped when its context ends, since a push
// half-seen is worse than one finished: a quitting program calls Finish to
// wait for them, and Stop only when the user insists (their outcome is then
// recorded as unknown). The journal gets a line before and after each. A
// nil *Pushes journals and tracks nothing.
type Pushes struct {
	journal PushJournal

	mu       sync.Mutex
	inflight map[int]PushInfo
	next     int
	changed  chan struct{} // closed and replaced when a push ends
	closed   bool          // Finish or Stop was called: no new pushes
	stop     chan struct{} // closed by Stop
}

// NewPushes tracks pushes, recording them in journal (nil: nowhere).
func NewPushes(journal PushJournal) *Pushes {
	return &Pushes{journal: journal, inflight: map[int]PushInfo{}, changed: make(chan struct{}), stop: make(chan struct{})}
}

// InFlight lists the pushes running now, oldest first: what a quitting UI
// shows while it waits ("waiting for git push to finish").
func (p *Pushes) InFlight() []PushInfo {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]PushInfo, 0, len(p.inflight))
	for _, in := range p.inflight {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out
}

// Finish refuses new pushes and waits until those in flight have ended
// and their outcome is recorded, or ctx ends.
func (p *Pushes) Finish(ctx context.Context) error {
	if p == nil {
		return nil
	}
	for {
		p.mu.Lock()
		p.closed = true
		n, changed := len(p.inflight), p.changed
		p.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Stop kills every push in flight (git's whole process group) and refuses
// new ones; their outcome is recorded as unknown.
func (p *Pushes) Stop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
}

func (p *Pushes) stopped() <-chan struct{} {
	if p == nil {
		return nil
	}
	return p.stop
}

func (p *Pushes) isStopped() bool {
	select {
	case <-p.stopped():
		return true
	default:
		return false
	}
}

// begin registers a push in flight and records it as pending; end records
// its outcome and lets a waiting Finish go on.
func (p *Pushes) begin(ev PushEvent, info PushInfo) (int, error) {
	if p == nil {
		return 0, nil
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return 0, ErrPushesStopped
	}
	p.next++
	id := p.next
	p.inflight[id] = info
	p.mu.Unlock()
	if p.journal != nil {
		ev.Result = PushPending
		if err := p.journal.Record(ev); err != nil {
			p.remove(id)
			return 0, fmt.Errorf("not pushed: the push cannot be recorded first: %w", err)
		}
	}
	return id, nil
}

func (p *Pushes) end(id int, ev PushEvent) {
	if p == nil {
		return
	}
	if p.journal != nil {
		// The push is over either way; a journal that fails now still
		// has the pending line to show for it.
		_ = p.journal.Record(ev)
	}
	p.remove(id)
}

func (p *Pushes) remove(id int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.inflight, id)
	close(p.changed)
	p.changed = make(chan struct{})
}
