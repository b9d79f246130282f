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

// Drift is the drift the gates count for a stack: what the backend
// reported, after the ignore rules the UI applies (its inbox's). nil
// counts the drift as reported.
type Drift func(model.Stack) model.Drift

// Check gathers what the gates judge — the stacks and their latest deploys
// from the backend, the commits expected in the source from git, every
// stack the promotion's runs may reach (its waves) with its drift as
// counted, the target branch as the remote has it now (the clone is
// fetched) — and judges it.
func Check(ctx context.Context, cl *vcs.Clone, b backend.Backend, p promotion.Plan, counted Drift) ([]promotion.Gate, error) {
	in, err := GatherGateInput(ctx, cl, b, p, counted)
	if err != nil {
		return nil, err
	}
	return promotion.Gates(in), nil
}

// GatherGateInput is Check without the judging, for a UI that wants to
// show the data behind the gates.
func GatherGateInput(ctx context.Context, cl *vcs.Clone, b backend.Backend, p promotion.Plan, counted Drift) (promotion.GateInput, error) {
	in := promotion.GateInput{Plan: p, Deploys: map[string]model.Run{}, Expected: map[string]string{}, DeployedRoot: map[string]string{}}
	stacks, err := b.ListStacks(ctx)
	if err != nil {
		return in, fmt.Errorf("list stacks: %w", err)
	}
	if counted != nil {
		for i := range stacks {
			stacks[i].Drift = counted(stacks[i])
		}
	}
	in.SourceStacks = RepoStacks(stacks, p.Repo, p.Source.Branch)
	in.TargetStacks = RepoStacks(stacks, p.Repo, p.Target.Branch)
	waves, err := promotion.Waves(p, stacks)
	if err != nil {
		return in, fmt.Errorf("the promotion's waves: %w", err)
	}
	byID := make(map[string]model.Stack, len(stacks))
	for _, s := range stacks {
		byID[s.ID] = s
	}
	for _, wave := range waves {
		for _, id := range wave {
			in.WaveStacks = append(in.WaveStacks, byID[id])
		}
	}
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
