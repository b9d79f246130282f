// Package modules finds where registry and git modules are used across the
// project repositories and environment branches, how far each use lags the
// newest version, and bumps them: files edited with hclwrite in the clone
// cache, one commit per repository on its dev branch, pushed or proposed as
// a pull request. Every call takes a context and returns values; progress
// goes through the vcs.Cache's Progress callback.
package modules

import (
	"context"
	"path"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/tfmod"
	"github.com/stackview/stackview/internal/vcs"
)

// Scan reads the .tf files at each branch of cl's repository (from git's
// objects, without a checkout) and lists their module blocks, each matched
// to the stack that tracks that branch with that project root. A missing
// branch is skipped; unparseable files are reported, never fatal.
func Scan(ctx context.Context, cl *vcs.Clone, branches []string, stacks []model.Stack) (tfmod.Inventory, error) {
	var inv tfmod.Inventory
	heads, err := cl.Heads(ctx)
	if err != nil {
		return inv, err
	}
	for _, branch := range branches {
		head, ok := heads[branch]
		if !ok {
			continue
		}
		files, err := cl.FilesWhere(ctx, head, "", tfmod.IsTerraform)
		if err != nil {
			return inv, err
		}
		calls, problems := tfmod.ParseFiles(files)
		for _, p := range problems {
			inv.Problems = append(inv.Problems, tfmod.RepoProblem{Repo: cl.URL, Branch: branch, Problem: p})
		}
		for _, c := range calls {
			inv.Usages = append(inv.Usages, tfmod.Usage{Repo: cl.URL, Branch: branch, Commit: head, Call: c,
				StackID: stackAt(stacks, cl.URL, branch, c.Dir)})
		}
	}
	return inv, nil
}

func stackAt(stacks []model.Stack, repo, branch, dir string) string {
	for _, s := range stacks {
		if s.Branch == branch && vcs.SameRepo(s.Repo, repo) && path.Clean(s.ProjectRoot) == path.Clean(dir) {
			return s.ID
		}
	}
	return ""
}
