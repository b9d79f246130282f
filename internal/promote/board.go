package promote

import (
	"context"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/vcs"
)

// BoardRow reads a repository's environment branches from the clone (as
// last fetched) and places its stacks under them.
func BoardRow(ctx context.Context, cl *vcs.Clone, envs []model.Environment, stacks []model.Stack) (promotion.Row, error) {
	row := promotion.Row{Repo: cl.URL}
	heads, err := cl.Heads(ctx)
	if err != nil {
		return row, err
	}
	for i, env := range envs {
		c := promotion.Cell{Env: env, Stacks: RepoStacks(stacks, cl.URL, env.Branch)}
		if sha, ok := heads[env.Branch]; ok {
			if c.Head, err = cl.Commit(ctx, sha); err != nil {
				return row, err
			}
			if prev, ok := previousHead(heads, envs[:i]); ok {
				if c.Behind, err = cl.CountCommits(ctx, sha, prev); err != nil {
					return row, err
				}
			}
		}
		row.Cells = append(row.Cells, c)
	}
	return row, nil
}

// previousHead is the branch head of the environment before, if it exists.
func previousHead(heads map[string]string, before []model.Environment) (string, bool) {
	if len(before) == 0 {
		return "", false
	}
	sha, ok := heads[before[len(before)-1].Branch]
	return sha, ok
}
