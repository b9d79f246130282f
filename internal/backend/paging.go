package backend

import (
	"context"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// Pager is a backend that lists stacks progressively and leanly: the first
// page comes back as soon as it is read, so a screen can draw it, and the
// rest follows page by page; later listings ask only for what changed where
// the API can tell (see each client), with every stack read again on a
// longer period. Lean stacks leave out what costs a request or a large
// answer per stack (Stack.Unread); a Detailer reads it for the stacks that
// need it. ListStacks stays for callers that want every stack with every
// detail at once.
//
// Pager is optional: PageStacks below lists any backend, through its
// Pager when it has one.
type Pager interface {
	// PageStacks lists stacks and calls page for each page read, from one
	// goroutine at a time, in the order pages complete; page must return
	// quickly. It returns when the listing is done (the last call has
	// Done set) or ctx ends. Each request has its own timeout: a listing
	// has no deadline of its own, so a slow API delays it but never
	// empties it. A page that fails is tried again, and when it still
	// fails the listing goes on without it (StackPage.Failed).
	PageStacks(ctx context.Context, req PageRequest, page func(StackPage)) error
}

// PageRequest asks for a listing.
type PageRequest struct {
	// Full asks for every stack even when the backend could read only
	// what changed since its previous listing.
	Full bool
}

// StackPage is one step of a listing.
type StackPage struct {
	// Stacks are the stacks this page read, new or changed (a page may
	// repeat stacks an earlier page of the same listing read).
	Stacks []model.Stack
	// Read is how many stacks this listing has read so far, Total how many
	// it expects in all (0 while unknown; Spacelift does not count).
	Read, Total int
	// Full: this listing reads every stack, not only what changed.
	Full bool
	// Done marks the listing's last page.
	Done bool
	// Complete, on the last page of a full listing, says every existing
	// stack was read: a stack known before and not read by the listing no
	// longer exists. When false (a page failed, or the account changed
	// while it was read) such stacks are not loaded rather than gone.
	Complete bool
	// Gone names stacks the backend knows were deleted.
	Gone []string
	// Failed counts pages that could not be read after retries; Err is why
	// the last of them failed.
	Failed int
	Err    error
	// At is when the page was read: the age of the data shown.
	At time.Time
}

// PageStacks lists b's stacks through its Pager, or, for a backend without
// one, as one complete page from ListStacks.
func PageStacks(ctx context.Context, b Backend, req PageRequest, page func(StackPage)) error {
	if p, ok := b.(Pager); ok {
		return p.PageStacks(ctx, req, page)
	}
	stacks, err := b.ListStacks(ctx)
	if err != nil {
		return err
	}
	page(StackPage{Stacks: stacks, Read: len(stacks), Total: len(stacks), Full: true, Done: true, Complete: true, At: time.Now()})
	return nil
}

// Detailer is a backend that reads what its lean listing leaves out
// (Stack.Unread), for the stacks a view shows or a command needs, a
// bounded number of requests at a time.
type Detailer interface {
	// ReadDetails returns the given stacks with their unread details
	// filled in where they could be read. A detail that cannot be read
	// stays unread, with why in Problems or Drift.Unknown; the error is
	// for a failure of the whole read (an expired session, ctx ending).
	ReadDetails(ctx context.Context, stacks []model.Stack) ([]model.Stack, error)
}

// ReadDetails reads the stacks' unread details through b's Detailer; a
// backend without one leaves nothing unread, so the stacks come back as
// they are.
func ReadDetails(ctx context.Context, b Backend, stacks []model.Stack) ([]model.Stack, error) {
	if d, ok := b.(Detailer); ok {
		return d.ReadDetails(ctx, stacks)
	}
	return stacks, nil
}
