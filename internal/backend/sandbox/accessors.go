package sandbox

import (
	"context"
	"slices"
	"time"

	"github.com/stackview/stackview/internal/backend"
)

// Read-only accessors beyond backend.Backend, for the dialect servers.

// RunLogsByState returns a run's log split by the state that wrote it, in
// order, as Spacelift serves logs (one stream per state of the history).
func (e *Engine) RunLogsByState(ctx context.Context, stackID, runID string) ([]StateLog, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return nil, err
	}
	r, err := e.run(stackID, runID)
	if err != nil {
		return nil, err
	}
	out := make([]StateLog, len(r.logs))
	for i, l := range r.logs {
		out[i] = StateLog{State: l.State, Lines: slices.Clone(l.Lines)}
	}
	return out, nil
}

// CommitInfo describes one commit, as Spacelift's Commit type does.
type CommitInfo struct {
	Hash        string
	Message     string // subject line
	AuthorName  string
	AuthorLogin string
	Time        time.Time
}

// Commit describes a commit of the stack's repository (e.g. its tracked
// commit or branch head).
func (e *Engine) Commit(ctx context.Context, stackID, sha string) (CommitInfo, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stack(stackID)
	if err != nil {
		return CommitInfo{}, err
	}
	return s.repo.commit(ctx, sha)
}

// RunStack finds the stack a run belongs to (Spacelift's runStack query).
func (e *Engine) RunStack(ctx context.Context, runID string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return "", err
	}
	for _, s := range e.stacks {
		for _, r := range s.runs {
			if r.ID == runID {
				return s.ID, nil
			}
		}
	}
	return "", backend.NotFoundf("run %q", runID)
}

// StackOutputs lists the outputs of what the stack last applied
// (outputsAt). A stack that never applied has none.
func (e *Engine) StackOutputs(ctx context.Context, stackID string) ([]Output, error) {
	return inspect(ctx, e, stackID, func(s *stack) ([]Output, error) {
		outs, err := e.outputsAt(ctx, s, s.applied)
		return sortedOutputs(outs), err
	})
}

// inspect reads one stack for a dialect server: under the engine's lock,
// with its time advanced first.
func inspect[T any](ctx context.Context, e *Engine, stackID string, read func(s *stack) (T, error)) (T, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var zero T
	if _, err := e.now(ctx); err != nil {
		return zero, err
	}
	s, err := e.stack(stackID)
	if err != nil {
		return zero, err
	}
	return read(s)
}

// ModuleUse is one registry module a stack calls, at its tracked commit.
type ModuleUse struct {
	Name     string // the module block's name
	ModuleID string
	Version  string
}

// StackModules lists the registry modules the stack's tracked commit calls
// (Spacelift's moduleVersionsUsed), by module block name.
func (e *Engine) StackModules(ctx context.Context, stackID string) ([]ModuleUse, error) {
	return inspect(ctx, e, stackID, func(s *stack) ([]ModuleUse, error) {
		files, err := s.repo.files(ctx, s.TrackedCommit, s.ProjectRoot)
		if err != nil {
			return nil, err
		}
		parsed, _ := e.parsed.parseDir(files, s.ProjectRoot)
		var out []ModuleUse
		for _, name := range sortedKeys(parsed.Modules) {
			call := parsed.Modules[name]
			if m := e.moduleBySource(call.Source); m != nil {
				out = append(out, ModuleUse{Name: name, ModuleID: m.ID, Version: call.Version})
			}
		}
		return out, nil
	})
}
