package sandbox

import (
	"context"
	"slices"
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
