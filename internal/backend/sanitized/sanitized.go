// Package sanitized wraps a Backend so that no text it returns can drive
// the terminal: every string in every value it returns (names, labels,
// commit titles, lock notes, error messages; fields added later too) is
// stripped of escape sequences and control characters, and run logs keep
// only their colours. Paging tokens are passed through untouched.
package sanitized

import (
	"context"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/sanitize"
)

// Wrap returns b sanitised. It keeps the optional interfaces b implements
// (backend.CommitPlanner).
func Wrap(b backend.Backend) backend.Backend {
	s := &Backend{inner: b}
	if cp, ok := b.(backend.CommitPlanner); ok {
		return &planner{Backend: s, cp: cp}
	}
	return s
}

// Backend is a sanitised backend.
type Backend struct{ inner backend.Backend }

func clean[T any](v T) T { return sanitize.Strings(v, sanitize.Line) }

// cleanErr keeps err's identity (errors.Is and As see through it) and
// sanitises its text.
func cleanErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if c := sanitize.Line(msg); c != msg {
		return &cleanError{msg: c, err: err}
	}
	return err
}

type cleanError struct {
	msg string
	err error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.err }

func one[T any](v T, err error) (T, error) { return clean(v), cleanErr(err) }

func (s *Backend) Info() backend.Info                 { return clean(s.inner.Info()) }
func (s *Backend) Capabilities() backend.Capabilities { return s.inner.Capabilities() }

func (s *Backend) ListStacks(ctx context.Context) ([]model.Stack, error) {
	return one(s.inner.ListStacks(ctx))
}

func (s *Backend) ListRuns(ctx context.Context, stackID, cursor string) ([]model.Run, string, error) {
	runs, next, err := s.inner.ListRuns(ctx, stackID, cursor)
	return clean(runs), next, cleanErr(err)
}

func (s *Backend) GetRun(ctx context.Context, stackID, runID string) (model.Run, error) {
	return one(s.inner.GetRun(ctx, stackID, runID))
}

// RunLogs keeps the log's colours (SGR) and its paging token as they are.
func (s *Backend) RunLogs(ctx context.Context, stackID, runID, token string) (backend.LogChunk, error) {
	c, err := s.inner.RunLogs(ctx, stackID, runID, token)
	c.Text = sanitize.TextSGR(c.Text)
	return c, cleanErr(err)
}

func (s *Backend) RunChanges(ctx context.Context, stackID, runID string) ([]model.ResourceChange, error) {
	return one(s.inner.RunChanges(ctx, stackID, runID))
}

func (s *Backend) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	return one(s.inner.Trigger(ctx, stackID, kind))
}

func (s *Backend) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	return one(s.inner.Confirm(ctx, stackID, runID))
}

func (s *Backend) Discard(ctx context.Context, stackID, runID string) (model.Run, error) {
	return one(s.inner.Discard(ctx, stackID, runID))
}

func (s *Backend) Retry(ctx context.Context, stackID, runID string) (model.Run, error) {
	return one(s.inner.Retry(ctx, stackID, runID))
}

func (s *Backend) Cancel(ctx context.Context, stackID, runID string) (model.Run, error) {
	return one(s.inner.Cancel(ctx, stackID, runID))
}

func (s *Backend) Stop(ctx context.Context, stackID, runID string) (model.Run, error) {
	return one(s.inner.Stop(ctx, stackID, runID))
}

func (s *Backend) Review(ctx context.Context, stackID, runID string, approve bool, note string) (model.Run, error) {
	return one(s.inner.Review(ctx, stackID, runID, approve, note))
}

func (s *Backend) Promote(ctx context.Context, stackID, runID string) (model.Run, error) {
	return one(s.inner.Promote(ctx, stackID, runID))
}

func (s *Backend) SyncCommit(ctx context.Context, stackID string) (model.Stack, error) {
	return one(s.inner.SyncCommit(ctx, stackID))
}

func (s *Backend) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	return one(s.inner.Lock(ctx, stackID, note))
}

func (s *Backend) Unlock(ctx context.Context, stackID string) (model.Stack, error) {
	return one(s.inner.Unlock(ctx, stackID))
}

func (s *Backend) ListModules(ctx context.Context) ([]model.Module, error) {
	return one(s.inner.ListModules(ctx))
}

func (s *Backend) ListModuleVersions(ctx context.Context, moduleID string) ([]model.ModuleVersion, error) {
	return one(s.inner.ListModuleVersions(ctx, moduleID))
}

// PageStacks lists the inner backend page by page (backend.PageStacks),
// each page sanitised; a backend without a Pager gives one page.
func (s *Backend) PageStacks(ctx context.Context, req backend.PageRequest, page func(backend.StackPage)) error {
	return cleanErr(backend.PageStacks(ctx, s.inner, req, func(p backend.StackPage) {
		p.Stacks, p.Gone, p.Err = clean(p.Stacks), clean(p.Gone), cleanErr(p.Err)
		page(p)
	}))
}

// ReadDetails reads the inner backend's unread details (backend.ReadDetails).
func (s *Backend) ReadDetails(ctx context.Context, stacks []model.Stack) ([]model.Stack, error) {
	return one(backend.ReadDetails(ctx, s.inner, stacks))
}

// planner is a sanitised backend that can also plan a given commit.
type planner struct {
	*Backend
	cp backend.CommitPlanner
}

func (p *planner) PlanCommit(ctx context.Context, stackID, commit string) (model.Run, error) {
	return one(p.cp.PlanCommit(ctx, stackID, commit))
}

var (
	_ backend.Backend       = (*Backend)(nil)
	_ backend.Pager         = (*Backend)(nil)
	_ backend.Detailer      = (*Backend)(nil)
	_ backend.CommitPlanner = (*planner)(nil)
)
