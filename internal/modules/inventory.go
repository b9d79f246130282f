// Package modules finds where registry and git modules are used across the
// project repositories and environment branches, how far each use lags the
// newest version, and bumps them: files edited with hclwrite in the clone
// cache, one commit per repository on its dev branch, pushed or proposed as
// a pull request. Every call takes a context and returns values; progress
// goes through the vcs.Cache's Progress callback.
package modules

import (
	"context"
	"fmt"
	"path"
	"sort"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
	"github.com/stackview/stackview/internal/vcs/tfmod"
)

// Usage is one module block on one branch of one repository.
type Usage struct {
	Repo    string // repository URL
	Branch  string
	Commit  string // the branch's commit that was read
	StackID string // the stack tracking Branch at the block's directory; "" when none
	Call    tfmod.Call
}

// Problem is a Terraform file that could not be read, on a branch of a repository.
type Problem struct {
	Repo, Branch string
	tfmod.Problem
}

// Inventory is every module block found.
type Inventory struct {
	Usages   []Usage
	Problems []Problem
}

// Scan reads the .tf files at each branch of cl's repository (from git's
// objects, without a checkout) and lists their module blocks, each matched
// to the stack that tracks that branch with that project root. A missing
// branch is skipped; unparseable files are reported, never fatal.
func Scan(ctx context.Context, cl *vcs.Clone, branches []string, stacks []model.Stack) (Inventory, error) {
	var inv Inventory
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
			inv.Problems = append(inv.Problems, Problem{Repo: cl.URL, Branch: branch, Problem: p})
		}
		for _, c := range calls {
			inv.Usages = append(inv.Usages, Usage{Repo: cl.URL, Branch: branch, Commit: head, Call: c,
				StackID: stackAt(stacks, cl.URL, branch, c.Dir)})
		}
	}
	return inv, nil
}

// Merge adds another repository's inventory.
func (inv *Inventory) Merge(o Inventory) {
	inv.Usages = append(inv.Usages, o.Usages...)
	inv.Problems = append(inv.Problems, o.Problems...)
}

// Addresses lists the distinct modules used (tfmod.Source.Address), sorted,
// local paths left out.
func (inv Inventory) Addresses() []string {
	seen := map[string]bool{}
	for _, u := range inv.Usages {
		if u.Call.Source.Kind != tfmod.KindLocal && u.Call.Source.Kind != tfmod.KindOther {
			seen[u.Call.Source.Address()] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Of lists the uses of one module (by address).
func (inv Inventory) Of(address string) []Usage {
	var out []Usage
	for _, u := range inv.Usages {
		if u.Call.Source.Address() == address {
			out = append(out, u)
		}
	}
	return out
}

// Repos lists the repositories using a module on branch, sorted.
func (inv Inventory) Repos(address, branch string) []string {
	seen := map[string]bool{}
	for _, u := range inv.Of(address) {
		if u.Branch == branch {
			seen[u.Repo] = true
		}
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func stackAt(stacks []model.Stack, repo, branch, dir string) string {
	for _, s := range stacks {
		if s.Branch == branch && vcs.SameRepo(s.Repo, repo) && path.Clean(s.ProjectRoot) == path.Clean(dir) {
			return s.ID
		}
	}
	return ""
}

// String is a usage for messages: "payments@dev stacks/api/main.tf:1 module service".
func (u Usage) String() string {
	return fmt.Sprintf("%s@%s %s:%d module %s", path.Base(u.Repo), u.Branch, u.Call.File, u.Call.Line, u.Call.Name)
}
