// Package promotion is what a promotion is, without git: the plan a
// person reviews (commits, files, affected stacks, module changes), the
// named gates that judge it, the waves of runs it starts, where every
// environment of a repository stands on the board, and how a branch moves.
// internal/promote reads and moves branches with git to fill these in; the
// UI renders them.
package promotion

import (
	"fmt"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/tfmod"
)

// Plan is a promotion as computed: what moving Target.Branch to Commit
// brings in.
type Plan struct {
	Repo           string // repository URL
	Source, Target model.Environment
	Commit         string // the promoted commit: the source branch's head
	TargetHead     string // the target branch when the plan was made
	// FastForward reports that the target can simply move to Commit.
	FastForward bool
	Commits     []model.Commit // git log target..commit, newest first
	Files       []string       // changed since the branches' merge base
	Affected    []Affected     // target stacks whose project root changed
	Modules     []ModuleChange
	// Problems are Terraform files of the diff that do not parse: their
	// module changes are unknown.
	Problems []tfmod.Problem
}

// Affected is a target stack whose project root the promotion changes.
type Affected struct {
	StackID     string
	ProjectRoot string
	Files       []string
}

// ModuleChange is a module block whose source or version the promotion
// changes. From is empty for an added block, To for a removed one.
type ModuleChange struct {
	Dir, Name string
	Address   string // tfmod.Source.Address() of the new (or removed) block
	From, To  string // the version spec (or git ref version) before and after
}

func (m ModuleChange) String() string {
	switch {
	case m.From == "":
		return fmt.Sprintf("%s: module %s added (%s %s)", m.Dir, m.Name, m.Address, m.To)
	case m.To == "":
		return fmt.Sprintf("%s: module %s removed (was %s)", m.Dir, m.Name, m.From)
	}
	return fmt.Sprintf("%s: module %s %s → %s", m.Dir, m.Name, m.From, m.To)
}

// Row is one repository on the promotion board: a cell per environment,
// in promotion order.
type Row struct {
	Repo  string
	Cells []Cell
}

// Cell is where one environment of a repository stands.
type Cell struct {
	Env  model.Environment
	Head model.Commit // the environment branch's commit ("" SHA: no such branch)
	// Behind counts the commits of the previous environment's branch that
	// this one lacks: what a promotion into it would bring.
	Behind int
	// Stacks track this branch of the repository: their states, drift and
	// locks are the cell's markers.
	Stacks []model.Stack
}

// Strategy is how a promotion moves the target branch.
type Strategy string

const (
	// FastForward pushes the promoted commit to the target branch; refused
	// (with the choices explained) when the branches have diverged.
	FastForward Strategy = "fast-forward"
	// MergeCommit pushes a merge commit of the promoted commit into the target.
	MergeCommit Strategy = "merge"
	// PullRequest opens a pull request of the source branch into the
	// target (gh), or returns the page to open one.
	PullRequest Strategy = "pull-request"
)

// Next is the environment after env in order (ok false for the last).
func Next(envs []model.Environment, env string) (model.Environment, bool) {
	for i, e := range envs {
		if e.Name == env && i+1 < len(envs) {
			return envs[i+1], true
		}
	}
	return model.Environment{}, false
}
