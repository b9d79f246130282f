package promote

import (
	"context"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/vcs"
)

// Reader reads what the promotion screens show from git and the backend:
// the board's rows and a promotion's plan with its gates.
type Reader struct {
	Cache   *vcs.Cache
	Backend backend.Backend
}

// Board is where every environment of a repository stands (fetched now).
func (r Reader) Board(ctx context.Context, repo string, envs []model.Environment, stacks []model.Stack) (promotion.Row, error) {
	var row promotion.Row
	err := r.Cache.With(ctx, repo, func(cl *vcs.Clone) error {
		var err error
		row, err = BoardRow(ctx, cl, envs, stacks)
		return err
	})
	return row, err
}

// Plan computes promoting a repository's source branch to its target and
// checks the gates, counting drift as counted says.
func (r Reader) Plan(ctx context.Context, repo string, stacks []model.Stack, source, target model.Environment, counted func(model.Stack) model.Drift) (promotion.Plan, []promotion.Gate, error) {
	var plan promotion.Plan
	var gates []promotion.Gate
	err := r.Cache.With(ctx, repo, func(cl *vcs.Clone) error {
		var err error
		if plan, err = Compute(ctx, cl, stacks, source, target); err != nil {
			return err
		}
		gates, err = Check(ctx, cl, r.Backend, plan, counted)
		return err
	})
	return plan, gates, err
}
