package promote

import (
	"context"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

// Row is one repository on the promotion board: a cell per environment,
// in promotion order.
type Row struct {
	Repo  string
	Cells []Cell
}

// Cell is where one environment of a repository stands.
type Cell struct {
	Env  model.Environment
	Head vcs.Commit // the environment branch's commit ("" SHA: no such branch)
	// Behind counts the commits of the previous environment's branch that
	// this one lacks: what a promotion into it would bring.
	Behind int
	// Stacks track this branch of the repository: their states, drift and
	// locks are the cell's markers.
	Stacks []model.Stack
}

// BoardRow reads a repository's environment branches from the clone (as
// last fetched) and places its stacks under them.
func BoardRow(ctx context.Context, cl *vcs.Clone, envs []model.Environment, stacks []model.Stack) (Row, error) {
	row := Row{Repo: cl.URL}
	heads, err := cl.Heads(ctx)
	if err != nil {
		return row, err
	}
	for i, env := range envs {
		c := Cell{Env: env, Stacks: RepoStacks(stacks, cl.URL, env.Branch)}
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

// Next is the environment after env in order (ok false for the last).
func Next(envs []model.Environment, env string) (model.Environment, bool) {
	for i, e := range envs {
		if e.Name == env && i+1 < len(envs) {
			return envs[i+1], true
		}
	}
	return model.Environment{}, false
}
