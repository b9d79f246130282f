package model

import (
	"sort"
	"time"

	"github.com/hashicorp/go-version"
)

// Module is one module in a registry.
type Module struct {
	ID       string
	Name     string
	Provider string // the Terraform provider, e.g. "aws"
	Source   string // the registry address users write, e.g. spacelift.io/org/vpc/aws
	Repo     string
	Latest   string
}

// ModuleVersion is one published version of a module.
type ModuleVersion struct {
	Number    string
	Commit    string
	CreatedAt time.Time
	Yanked    bool
}

// CompareVersions orders two semantic versions ("v" prefix allowed). A
// version that does not parse sorts before every valid one, and two invalid
// ones compare as strings, so sorting never fails on registry junk.
func CompareVersions(a, b string) int {
	va, ea := version.NewVersion(a)
	vb, eb := version.NewVersion(b)
	switch {
	case ea != nil && eb != nil:
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	case ea != nil:
		return -1
	case eb != nil:
		return 1
	}
	return va.Compare(vb)
}

// SortVersions sorts newest first.
func SortVersions(vs []ModuleVersion) {
	sort.SliceStable(vs, func(i, j int) bool { return CompareVersions(vs[i].Number, vs[j].Number) > 0 })
}

// IsMajorBump reports whether going from a to b crosses a major version.
func IsMajorBump(a, b string) bool {
	va, ea := version.NewVersion(a)
	vb, eb := version.NewVersion(b)
	if ea != nil || eb != nil {
		return false
	}
	return vb.Segments()[0] > va.Segments()[0]
}
