// Package connect is a Backend that connects on first use. A client's
// connection (an API key exchanged, the organisation read) can take as
// long as its bound against a slow or silent server; made before the UI
// starts, it leaves the terminal blank and deaf to q. Made on the first
// call instead, the UI is up: it says whom it is connecting to and for
// how long, q quits, and a failure is its first load's error, which r
// tries again.
package connect

import (
	"context"
	"sync"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// Backend forwards to a prepared client once its connect succeeded; Info
// and Capabilities need no network and are the client's at once.
type Backend struct {
	inner   backend.Backend
	connect func(context.Context) error

	mu        sync.Mutex // held while connecting: every call waits for it
	connected bool
}

// New wraps a prepared client (its network untouched) and its connect.
// The result implements backend.CommitPlanner exactly when inner does.
func New(inner backend.Backend, connect func(context.Context) error) backend.Backend {
	b := &Backend{inner: inner, connect: connect}
	if cp, ok := inner.(backend.CommitPlanner); ok {
		return &planner{Backend: b, cp: cp}
	}
	return b
}

// ready connects unless connected; a failed connect is tried again by the
// next call (the UI's r).
func (b *Backend) ready(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.connected {
		return nil
	}
	if err := b.connect(ctx); err != nil {
		return err
	}
	b.connected = true
	return nil
}

// call runs f once connected.
func call[T any](ctx context.Context, b *Backend, f func() (T, error)) (T, error) {
	if err := b.ready(ctx); err != nil {
		var zero T
		return zero, err
	}
	return f()
}

// Info implements backend.Backend.
func (b *Backend) Info() backend.Info { return b.inner.Info() }

// Capabilities implements backend.Backend.
func (b *Backend) Capabilities() backend.Capabilities { return b.inner.Capabilities() }

// ListStacks implements backend.Backend.
func (b *Backend) ListStacks(ctx context.Context) ([]model.Stack, error) {
	return call(ctx, b, func() ([]model.Stack, error) { return b.inner.ListStacks(ctx) })
}

// ListRuns implements backend.Backend.
func (b *Backend) ListRuns(ctx context.Context, stackID, cursor string) ([]model.Run, string, error) {
	if err := b.ready(ctx); err != nil {
		return nil, "", err
	}
	return b.inner.ListRuns(ctx, stackID, cursor)
}

// GetRun implements backend.Backend.
func (b *Backend) GetRun(ctx context.Context, stackID, runID string) (model.Run, error) {
	return call(ctx, b, func() (model.Run, error) { return b.inner.GetRun(ctx, stackID, runID) })
}

// RunLogs implements backend.Backend.
func (b *Backend) RunLogs(ctx context.Context, stackID, runID, token string) (backend.LogChunk, error) {
	return call(ctx, b, func() (backend.LogChunk, error) { return b.inner.RunLogs(ctx, stackID, runID, token) })
}

// RunChanges implements backend.Backend.
func (b *Backend) RunChanges(ctx context.Context, stackID, runID string) ([]model.ResourceChange, error) {
	return call(ctx, b, func() ([]model.ResourceChange, error) { return b.inner.RunChanges(ctx, stackID, runID) })
}

// Trigger implements backend.Backend.
func (b *Backend) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	return call(ctx, b, func() (model.Run, error) { return b.inner.Trigger(ctx, stackID, kind) })
}

// Confirm implements backend.Backend.
func (b *Backend) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	return call(ctx, b, func() (model.Run, error) { return b.inner.Confirm(ctx, stackID, runID) })
}

// Discard implements backend.Backend.
func (b *Backend) Discard(ctx context.Context, stackID, runID string) (model.Run, error) {
	return call(ctx, b, func() (model.Run, error) { return b.inner.Discard(ctx, stackID, runID) })
}

// Retry implements backend.Backend.
func (b *Backend) Retry(ctx context.Context, stackID, runID string) (model.Run, error) {
	return call(ctx, b, func() (model.Run, error) { return b.inner.Retry(ctx, stackID, runID) })
}

// Cancel implements backend.Backend.
func (b *Backend) Cancel(ctx context.Context, stackID, runID string) (model.Run, error) {
	return call(ctx, b, func() (model.Run, error) { return b.inner.Cancel(ctx, stackID, runID) })
}

// Stop implements backend.Backend.
func (b *Backend) Stop(ctx context.Context, stackID, runID string) (model.Run, error) {
	return call(ctx, b, func() (model.Run, error) { return b.inner.Stop(ctx, stackID, runID) })
}

// Review implements backend.Backend.
func (b *Backend) Review(ctx context.Context, stackID, runID string, approve bool, note string) (model.Run, error) {
	return call(ctx, b, func() (model.Run, error) { return b.inner.Review(ctx, stackID, runID, approve, note) })
}

// Promote implements backend.Backend.
func (b *Backend) Promote(ctx context.Context, stackID, runID string) (model.Run, error) {
	return call(ctx, b, func() (model.Run, error) { return b.inner.Promote(ctx, stackID, runID) })
}

// SyncCommit implements backend.Backend.
func (b *Backend) SyncCommit(ctx context.Context, stackID string) (model.Stack, error) {
	return call(ctx, b, func() (model.Stack, error) { return b.inner.SyncCommit(ctx, stackID) })
}

// Lock implements backend.Backend.
func (b *Backend) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	return call(ctx, b, func() (model.Stack, error) { return b.inner.Lock(ctx, stackID, note) })
}

// Unlock implements backend.Backend.
func (b *Backend) Unlock(ctx context.Context, stackID string) (model.Stack, error) {
	return call(ctx, b, func() (model.Stack, error) { return b.inner.Unlock(ctx, stackID) })
}

// ListModules implements backend.Backend.
func (b *Backend) ListModules(ctx context.Context) ([]model.Module, error) {
	return call(ctx, b, func() ([]model.Module, error) { return b.inner.ListModules(ctx) })
}

// ListModuleVersions implements backend.Backend.
func (b *Backend) ListModuleVersions(ctx context.Context, moduleID string) ([]model.ModuleVersion, error) {
	return call(ctx, b, func() ([]model.ModuleVersion, error) { return b.inner.ListModuleVersions(ctx, moduleID) })
}

// PageStacks lists the client page by page (backend.PageStacks) once
// connected: a client without a Pager gives one page.
func (b *Backend) PageStacks(ctx context.Context, req backend.PageRequest, page func(backend.StackPage)) error {
	if err := b.ready(ctx); err != nil {
		return err
	}
	return backend.PageStacks(ctx, b.inner, req, page)
}

// ReadDetails reads the client's unread details (backend.ReadDetails).
func (b *Backend) ReadDetails(ctx context.Context, stacks []model.Stack) ([]model.Stack, error) {
	return call(ctx, b, func() ([]model.Stack, error) { return backend.ReadDetails(ctx, b.inner, stacks) })
}

// planner is a Backend whose client plans given commits.
type planner struct {
	*Backend
	cp backend.CommitPlanner
}

func (p *planner) PlanCommit(ctx context.Context, stackID, commit string) (model.Run, error) {
	return call(ctx, p.Backend, func() (model.Run, error) { return p.cp.PlanCommit(ctx, stackID, commit) })
}

var (
	_ backend.Backend       = (*Backend)(nil)
	_ backend.Pager         = (*Backend)(nil)
	_ backend.Detailer      = (*Backend)(nil)
	_ backend.CommitPlanner = (*planner)(nil)
)
