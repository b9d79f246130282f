// Package promote plans and performs promotions: moving a repository's
// target-environment branch (qa) to the commit its source environment (dev)
// runs. A promotion.Plan is the diff a person reviews (commits, files, the stacks they
// affect, module version changes); promotion.Gates judge whether it is safe; Execute
// moves the branch by the chosen strategy. Every call takes a context and
// returns values: a UI runs them as commands and shows the results.
package promote

import (
	"context"
	"path"
	"sort"
	"strings"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/tfmod"
	"github.com/stackview/stackview/internal/vcs"
)

// Compute plans promoting the source branch's head of cl's repository to
// the target branch, against the clone as last fetched. stacks are every
// stack the backend lists; those of this repository tracking the target
// branch are matched to changed files by project root.
func Compute(ctx context.Context, cl *vcs.Clone, stacks []model.Stack, source, target model.Environment) (promotion.Plan, error) {
	p := promotion.Plan{Repo: cl.URL, Source: source, Target: target}
	var err error
	if p.Commit, err = cl.Head(ctx, source.Branch); err != nil {
		return p, err
	}
	if p.TargetHead, err = cl.Head(ctx, target.Branch); err != nil {
		return p, err
	}
	if p.FastForward, err = cl.IsAncestor(ctx, p.TargetHead, p.Commit); err != nil {
		return p, err
	}
	if p.Commits, err = cl.Log(ctx, p.TargetHead, p.Commit); err != nil {
		return p, err
	}
	base, err := cl.MergeBase(ctx, p.TargetHead, p.Commit)
	if err != nil {
		return p, err
	}
	if p.Files, err = cl.ChangedFiles(ctx, base, p.Commit); err != nil {
		return p, err
	}
	p.Affected = affected(RepoStacks(stacks, cl.URL, target.Branch), p.Files)
	p.Modules, p.Problems, err = moduleChanges(ctx, cl, base, p.Commit, p.Files)
	return p, err
}

// RepoStacks are the stacks of repository repo that track branch.
func RepoStacks(stacks []model.Stack, repo, branch string) []model.Stack {
	var out []model.Stack
	for _, s := range stacks {
		if s.Branch == branch && vcs.SameRepo(s.Repo, repo) {
			out = append(out, s)
		}
	}
	return out
}

// underRoot reports whether a repository path is in a project root.
func underRoot(file, root string) bool {
	root = path.Clean(root)
	return root == "." || root == "" || file == root || strings.HasPrefix(file, root+"/")
}

func affected(stacks []model.Stack, files []string) []promotion.Affected {
	var out []promotion.Affected
	for _, s := range stacks {
		a := promotion.Affected{StackID: s.ID, ProjectRoot: s.ProjectRoot}
		for _, f := range files {
			if underRoot(f, s.ProjectRoot) {
				a.Files = append(a.Files, f)
			}
		}
		if len(a.Files) > 0 {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StackID < out[j].StackID })
	return out
}

// moduleChanges compares the module blocks of the directories whose .tf
// files changed, before and after.
func moduleChanges(ctx context.Context, cl *vcs.Clone, from, to string, files []string) ([]promotion.ModuleChange, []tfmod.Problem, error) {
	dirs := map[string]bool{}
	for _, f := range files {
		if tfmod.IsTerraform(f) {
			dirs[path.Dir(f)] = true
		}
	}
	var out []promotion.ModuleChange
	var problems []tfmod.Problem
	for _, dir := range sortedKeys(dirs) {
		before, err := dirCalls(ctx, cl, from, dir, nil)
		if err != nil {
			return nil, nil, err
		}
		after, err := dirCalls(ctx, cl, to, dir, &problems)
		if err != nil {
			return nil, nil, err
		}
		for _, name := range sortedKeys(union(before, after)) {
			b, hadB := before[name]
			a, hasA := after[name]
			switch {
			case !hadB:
				out = append(out, promotion.ModuleChange{Dir: dir, Name: name, Address: a.Source.Address(), To: a.Spec()})
			case !hasA:
				out = append(out, promotion.ModuleChange{Dir: dir, Name: name, Address: b.Source.Address(), From: b.Spec()})
			case a.Spec() != b.Spec() || a.Source.Address() != b.Source.Address():
				out = append(out, promotion.ModuleChange{Dir: dir, Name: name, Address: a.Source.Address(), From: b.Spec(), To: a.Spec()})
			}
		}
	}
	return out, problems, nil
}

// dirCalls maps the module blocks of the .tf files directly in dir at
// commit by name; problems, when not nil, collects unparseable files.
func dirCalls(ctx context.Context, cl *vcs.Clone, commit, dir string, problems *[]tfmod.Problem) (map[string]tfmod.Call, error) {
	files, err := cl.FilesWhere(ctx, commit, dir, func(p string) bool { return path.Dir(p) == dir && tfmod.IsTerraform(p) })
	if err != nil {
		return nil, err
	}
	calls, probs := tfmod.ParseFiles(files)
	if problems != nil {
		*problems = append(*problems, probs...)
	}
	out := map[string]tfmod.Call{}
	for _, c := range calls {
		out[c.Name] = c
	}
	return out, nil
}

func union[V any](a, b map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
