package tfc

import (
	"context"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/model"
)

// Lock takes the workspace lock with the note as its reason.
func (c *Client) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	err := c.changing(ctx, "tfc: lock workspace "+stackID, stackID, false, func(ctx context.Context) error {
		_, err := c.api.Workspaces.Lock(ctx, stackID, tfe.WorkspaceLockOptions{Reason: tfe.String(note)})
		return err
	})
	if err != nil {
		return model.Stack{}, err
	}
	return c.readStack(ctx, stackID)
}

// Unlock releases the workspace lock.
func (c *Client) Unlock(ctx context.Context, stackID string) (model.Stack, error) {
	err := c.changing(ctx, "tfc: unlock workspace "+stackID, stackID, false, func(ctx context.Context) error {
		_, err := c.api.Workspaces.Unlock(ctx, stackID)
		return err
	})
	if err != nil {
		return model.Stack{}, err
	}
	return c.readStack(ctx, stackID)
}
