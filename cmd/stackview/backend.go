package main

import (
	"context"
	"fmt"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/config"
)

// openBackend builds the configured backend. The returned func releases it
// (for the sandbox: stops servers and removes a temporary directory).
func openBackend(ctx context.Context, cfg *config.Config) (backend.Backend, func(), error) {
	switch cfg.Backend {
	case config.BackendSandboxDirect, config.BackendSandbox:
		eng, err := sandbox.New(ctx, sandbox.Options{Dir: cfg.Sandbox.Dir, Seed: cfg.Sandbox.Seed, Stacks: cfg.Sandbox.Stacks})
		if err != nil {
			return nil, nil, fmt.Errorf("starting the sandbox: %w", err)
		}
		return eng, func() { _ = eng.Close() }, nil
	}
	return nil, nil, fmt.Errorf("the %s backend is not available in this build yet; use --backend sandbox", cfg.Backend)
}
