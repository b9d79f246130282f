package spacelift

import (
	"context"

	graphql "github.com/hasura/go-graphql-client"

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

// driftEntity is the Entity selection drift needs (spacectl's
// `stack resources` selects these).
type driftEntity struct {
	Address string `graphql:"address"`
	Drifted *int64 `graphql:"drifted"`
}

// sandboxEntity adds the sandbox's driftedAttributes extension.
type sandboxEntity struct {
	driftEntity
	DriftedAttributes []string `graphql:"driftedAttributes"`
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
