package tfmod

import (
	"fmt"
	"path"
	"sort"
)

// Usage is one module block on one branch of one repository.
type Usage struct {
	Repo    string // repository URL
	Branch  string
	Commit  string // the branch's commit that was read
	StackID string // the stack tracking Branch at the block's directory; "" when none
	Call    Call
}

// RepoProblem is a Terraform file that could not be read, on a branch of a repository.
type RepoProblem struct {
	Repo, Branch string
	Problem
}

// Inventory is every module block found.
type Inventory struct {
	Usages   []Usage
	Problems []RepoProblem
}

// Merge adds another repository's inventory.
func (inv *Inventory) Merge(o Inventory) {
	inv.Usages = append(inv.Usages, o.Usages...)
	inv.Problems = append(inv.Problems, o.Problems...)
}

// Addresses lists the distinct modules used (Source.Address), sorted,
// local paths left out.
func (inv Inventory) Addresses() []string {
	seen := map[string]bool{}
	for _, u := range inv.Usages {
		if u.Call.Source.Kind != KindLocal && u.Call.Source.Kind != KindOther {
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

// String is a usage for messages: "payments@dev stacks/api/main.tf:1 module service".
func (u Usage) String() string {
	return fmt.Sprintf("%s@%s %s:%d module %s", path.Base(u.Repo), u.Branch, u.Call.File, u.Call.Line, u.Call.Name)
}

// Matrix is an inventory with where each use stands against its module's
// published versions: what the modules view shows.
type Matrix struct {
	Inventory
	Status    []Status            // parallel to Usages; Current "" when unknown
	Available map[string][]string // module address -> published versions
}
