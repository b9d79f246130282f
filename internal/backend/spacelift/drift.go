package spacelift

import (
	"context"

	graphql "github.com/hasura/go-graphql-client"
	"golang.org/x/sync/errgroup"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// driftRunID is the newest finished drift-detection run among a stack's
// runs (newest first), the one whose findings isDrifted reflects.
func driftRunID(runs []runNode) string {
	for _, r := range runs {
		if r.DriftDetection && toState(r.State).Terminal() {
			return r.ID
		}
	}
	return ""
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

// addDriftedAttributes fills Drift.Changes of drifted stacks from the
// sandbox's Entity.driftedAttributes extension. Real Spacelift does not say
// which attributes drifted, so there it is never asked.
func (c *Client) addDriftedAttributes(ctx context.Context, stacks []model.Stack) error {
	if !c.sandbox {
		return nil
	}
	// One small query per drifted stack, a few at a time, so a large
	// organisation with many drifted stacks does not load serially.
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(driftReaders)
	for i := range stacks {
		st := &stacks[i]
		if !st.Drift.Drifted {
			continue
		}
		g.Go(func() error { return c.readDriftedAttributes(ctx, st) })
	}
	return g.Wait()
}

// driftReaders bounds the concurrent drifted-attribute reads.
const driftReaders = 4

func (c *Client) readDriftedAttributes(ctx context.Context, st *model.Stack) error {
	var q struct {
		Stack *struct {
			Entities []struct {
				Address           string   `graphql:"address"`
				Drifted           *int64   `graphql:"drifted"`
				DriftedAttributes []string `graphql:"driftedAttributes"`
			} `graphql:"entities"`
		} `graphql:"stack(id: $stack)"`
	}
	if err := c.query(ctx, "StackDriftedAttributes", &q, map[string]any{"stack": graphql.ID(st.ID)}); err != nil {
		return err
	}
	if q.Stack == nil {
		return backend.NotFoundf("stack %q", st.ID)
	}
	for _, e := range q.Stack.Entities {
		if e.Drifted != nil {
			st.Drift.Changes = append(st.Drift.Changes, model.ResourceChange{Address: e.Address, Action: model.ActionChange, Attributes: e.DriftedAttributes})
		}
	}
	return nil
}
