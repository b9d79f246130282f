package spacelift

import (
	"context"

	graphql "github.com/hasura/go-graphql-client"
	"golang.org/x/sync/errgroup"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// latestDriftRun is the newest finished drift-detection run among a
// stack's runs (newest first), the one whose findings isDrifted reflects.
func latestDriftRun(runs []model.Run) *model.Run {
	for i := range runs {
		if runs[i].Kind == model.RunDriftCheck && runs[i].State.Terminal() {
			return &runs[i]
		}
	}
	return nil
}

// triggerDriftCheck starts a proposed run flagged as drift detection. Only
// stackview's sandbox accepts the flag (a dialect extension): Spacelift
// itself runs drift detection on its schedule.
func (c *Client) triggerDriftCheck(ctx context.Context, stackID string) (model.Run, error) {
	var m struct {
		RunTrigger runNode `graphql:"runTrigger(stack: $stack, runType: $runType, driftDetection: $drift)"`
	}
	vars := map[string]any{"stack": graphql.ID(stackID), "runType": RunType("PROPOSED"), "drift": true}
	if err := c.mutate(ctx, "RunTriggerDriftCheck", &m, vars); err != nil {
		return model.Run{}, err
	}
	return c.toRun(stackID, m.RunTrigger, nil), nil
}

// addDrift fills Drift.Resources (and CheckedAt) of drifted stacks from
// their managed entities. Stack.entities lists every resource a stack
// manages, often hundreds, so it is read only for the stacks isDrifted
// flags: one query per drifted stack, a few at a time. On the sandbox it
// also selects the Entity.driftedAttributes extension for Drift.Changes;
// real Spacelift does not say which attributes drifted.
func (c *Client) addDrift(ctx context.Context, stacks []model.Stack) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(driftReaders)
	for i := range stacks {
		st := &stacks[i]
		if !st.Drift.Drifted {
			continue
		}
		g.Go(func() error { return c.readDrift(ctx, st) })
	}
	return g.Wait()
}

// driftReaders bounds the concurrent drift reads.
const driftReaders = 4

type driftEntity struct {
	Address string `graphql:"address"`
	Drifted *int64 `graphql:"drifted"`
}

// sandboxEntity adds the sandbox's driftedAttributes extension.
type sandboxEntity struct {
	driftEntity
	DriftedAttributes []string `graphql:"driftedAttributes"`
}

func (c *Client) readDrift(ctx context.Context, st *model.Stack) error {
	var entities []sandboxEntity
	if c.sandbox {
		es, err := stackEntities[sandboxEntity](ctx, c, "StackDriftedAttributes", st.ID)
		if err != nil {
			return err
		}
		entities = es
	} else {
		es, err := stackEntities[driftEntity](ctx, c, "StackDriftedEntities", st.ID)
		if err != nil {
			return err
		}
		for _, e := range es {
			entities = append(entities, sandboxEntity{driftEntity: e})
		}
	}
	c.setDrifted(st, entities)
	return nil
}

// setDrifted fills the drifted resources (and on the sandbox the drifted
// attributes) from a stack's entities.
func (c *Client) setDrifted(st *model.Stack, entities []sandboxEntity) {
	st.Drift.Resources, st.Drift.Changes = nil, nil
	for _, e := range entities {
		if e.Drifted == nil {
			continue
		}
		st.Drift.Resources = append(st.Drift.Resources, e.Address)
		if at := fromUnix(e.Drifted); at.After(st.Drift.CheckedAt) {
			st.Drift.CheckedAt = at
		}
		if c.sandbox {
			st.Drift.Changes = append(st.Drift.Changes, model.ResourceChange{Address: e.Address, Action: model.ActionChange, Attributes: e.DriftedAttributes})
		}
	}
	st.Unread &^= model.DetailDrift
}

// stackEntities reads a stack's managed entities with the selection E.
func stackEntities[E any](ctx context.Context, c *Client, name, stackID string) ([]E, error) {
	var q struct {
		Stack *struct {
			Entities []E `graphql:"entities"`
		} `graphql:"stack(id: $stack)"`
	}
	if err := c.query(ctx, name, &q, map[string]any{"stack": graphql.ID(stackID)}); err != nil {
		return nil, err
	}
	if q.Stack == nil {
		return nil, backend.NotFoundf("stack %q", stackID)
	}
	return q.Stack.Entities, nil
}
