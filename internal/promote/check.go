package promote

import (
	"context"
	"fmt"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/vcs"
)

// maxRunPages bounds the search for a stack's latest deploy among its runs.
const maxRunPages = 5

// Check gathers what the gates judge — the stacks and their latest deploys
// from the backend, the commits expected in the source from git, the target
// branch as the remote has it now (the clone is fetched) — and judges it.
func Check(ctx context.Context, cl *vcs.Clone, b backend.Backend, p promotion.Plan) ([]promotion.Gate, error) {
	in, err := GatherGateInput(ctx, cl, b, p)
	if err != nil {
		return nil, err
	}
	return promotion.Gates(in), nil
}

// GatherGateInput is Check without the judging, for a UI that wants to
// show the data behind the gates.
func GatherGateInput(ctx context.Context, cl *vcs.Clone, b backend.Backend, p promotion.Plan) (promotion.GateInput, error) {
	in := promotion.GateInput{Plan: p, Deploys: map[string]model.Run{}, Expected: map[string]string{}, DeployedRoot: map[string]string{}}
	stacks, err := b.ListStacks(ctx)
	if err != nil {
		return in, fmt.Errorf("list stacks: %w", err)
	}
	in.SourceStacks = RepoStacks(stacks, p.Repo, p.Source.Branch)
	in.TargetStacks = RepoStacks(stacks, p.Repo, p.Target.Branch)
	for _, s := range in.SourceStacks {
		if in.Expected[s.ID], err = cl.LastTouching(ctx, p.Commit, s.ProjectRoot); err != nil {
			return in, err
		}
		r, ok, err := LatestDeploy(ctx, b, s.ID)
		if err != nil {
			return in, err
		}
		if !ok {
			continue
		}
		in.Deploys[s.ID] = r
		// A commit the clone lacks (e.g. on a branch since deleted) is
		// compared as it is.
		if root, err := cl.LastTouching(ctx, r.Commit, s.ProjectRoot); err == nil {
			in.DeployedRoot[s.ID] = root
		}
	}
	if err := cl.Fetch(ctx); err != nil {
		return in, err
	}
	in.TargetHead, err = cl.Head(ctx, p.Target.Branch)
	return in, err
}

// LatestDeploy finds a stack's newest deploy run (tracked run), looking
// through a few pages of its runs.
func LatestDeploy(ctx context.Context, b backend.Backend, stackID string) (model.Run, bool, error) {
	cursor := ""
	for range maxRunPages {
		runs, next, err := b.ListRuns(ctx, stackID, cursor)
		if err != nil {
			return model.Run{}, false, fmt.Errorf("runs of %s: %w", stackID, err)
		}
		for _, r := range runs {
			if r.Kind == model.RunDeploy {
				return r, true, nil
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return model.Run{}, false, nil
}
