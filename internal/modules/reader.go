package modules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/tfmod"
	"github.com/stackview/stackview/internal/vcs"
)

// Reader reads the modules view's matrix from git and the registry.
type Reader struct {
	Cache   *vcs.Cache
	Backend backend.Backend
}

// Matrix scans every repository the stacks use on the given branches, then
// asks where each use stands. A repository or module that cannot be read is
// reported in the joined error; the rest still counts.
func (r Reader) Matrix(ctx context.Context, stacks []model.Stack, branches []string) (tfmod.Matrix, error) {
	mx := tfmod.Matrix{Available: map[string][]string{}}
	var errs []error
	for _, repo := range reposOf(stacks) {
		err := r.Cache.With(ctx, repo, func(cl *vcs.Clone) error {
			part, err := Scan(ctx, cl, branches, stacks)
			mx.Merge(part)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", repo, err))
		}
	}
	versions := &Versions{Backend: r.Backend, Cache: r.Cache}
	mx.Status = make([]tfmod.Status, len(mx.Usages))
	failed := map[string]bool{}
	for i, u := range mx.Usages {
		addr := u.Call.Source.Address()
		if failed[addr] || !u.Call.Source.Versioned() {
			continue
		}
		st, err := versions.Status(ctx, u.Call)
		if err != nil {
			failed[addr] = true
			errs = append(errs, fmt.Errorf("versions of %s: %w", addr, err))
			continue
		}
		mx.Status[i] = st
		if _, ok := mx.Available[addr]; !ok {
			mx.Available[addr], _ = versions.Available(ctx, u.Call.Source) // remembered: no second call
		}
	}
	return mx, errors.Join(errs...)
}

// reposOf lists the distinct repositories of stacks, sorted.
func reposOf(stacks []model.Stack) []string {
	var out []string
	for _, s := range stacks {
		if s.Repo == "" || slices.ContainsFunc(out, func(r string) bool { return vcs.SameRepo(r, s.Repo) }) {
			continue
		}
		out = append(out, s.Repo)
	}
	sort.Strings(out)
	return out
}
