package spaceliftapi

import (
	"context"
	"path"
	"slices"
	"strings"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/stackview/stackview/internal/model"
)

type moduleResolver struct {
	s *Server
	m model.Module
}

// Modules lists the registry; empty (not an error) without a valid token.
func (r *root) Modules(ctx context.Context) ([]*moduleResolver, error) {
	if !authed(ctx) {
		return []*moduleResolver{}, nil
	}
	mods, err := r.s.engine.ListModules(ctx)
	if err != nil {
		return nil, fromBackend(err)
	}
	out := make([]*moduleResolver, len(mods))
	for i := range mods {
		out[i] = &moduleResolver{s: r.s, m: mods[i]}
	}
	return out, nil
}

// SearchModules pages the registry (spacectl's module list); predicates and
// orderBy are ignored: modules come in the engine's order.
func (r *root) SearchModules(ctx context.Context, args struct{ Input searchInput }) (*connection[*moduleResolver], error) {
	all, err := r.Modules(ctx)
	if err != nil {
		return nil, err
	}
	return page(all, func(m *moduleResolver) string { return m.m.ID }, args.Input)
}

func (r *root) Module(ctx context.Context, args struct{ ID graphql.ID }) (*moduleResolver, error) {
	if err := requireAuth(ctx); err != nil {
		return nil, err
	}
	mods, err := r.s.engine.ListModules(ctx)
	if err != nil {
		return nil, fromBackend(err)
	}
	i := slices.IndexFunc(mods, func(m model.Module) bool { return m.ID == string(args.ID) })
	if i < 0 {
		return nil, nil // like stack(id): null for a module the viewer cannot see
	}
	return &moduleResolver{s: r.s, m: mods[i]}, nil
}

func (r *moduleResolver) ID() graphql.ID            { return graphql.ID(r.m.ID) }
func (r *moduleResolver) Name() string              { return r.m.Name }
func (r *moduleResolver) TerraformProvider() string { return r.m.Provider }
func (r *moduleResolver) ModuleSource() string      { return r.m.Source }

// Provider, Namespace, Repository and RepositoryURL name the module's
// repository like a stack's: a name, and for raw Git (a URL the engine
// gives) the clone URL.
func (r *moduleResolver) Provider() string {
	if r.RepositoryURL() != nil {
		return "GIT"
	}
	return "GITHUB"
}

func (r *moduleResolver) Namespace() string { return r.s.engine.Info().Account }

func (r *moduleResolver) Repository() string {
	return path.Base(strings.TrimSuffix(r.m.Repo, ".git"))
}

func (r *moduleResolver) RepositoryURL() *string {
	if !strings.Contains(r.m.Repo, "://") {
		return nil
	}
	return &r.m.Repo
}

type version struct {
	ID        graphql.ID
	Number    string
	State     string
	Yanked    bool
	CreatedAt int32
	Commit    *commit
}

// Current is the newest version, null for a module never published.
func (r *moduleResolver) Current(ctx context.Context) (*version, error) {
	vs, err := r.versions(ctx)
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return vs[0], nil
}

// Versions lists versions newest first. The sandbox never has failed ones,
// so includeFailed changes nothing.
func (r *moduleResolver) Versions(ctx context.Context, _ struct{ IncludeFailed *bool }) ([]*version, error) {
	return r.versions(ctx)
}

// SearchModuleVersions pages versions newest first; predicates are accepted
// but every sandbox version is ACTIVE, so spacectl's "exclude FAILED" holds.
func (r *moduleResolver) SearchModuleVersions(ctx context.Context, args struct{ Input searchInput }) (*connection[*version], error) {
	vs, err := r.versions(ctx)
	if err != nil {
		return nil, err
	}
	return page(vs, func(v *version) string { return v.Number }, args.Input)
}

func (r *moduleResolver) versions(ctx context.Context) ([]*version, error) {
	mvs, err := r.s.engine.ListModuleVersions(ctx, r.m.ID)
	if err != nil {
		return nil, fromBackend(err)
	}
	model.SortVersions(mvs)
	out := make([]*version, len(mvs))
	for i, v := range mvs {
		out[i] = &version{
			ID:        graphql.ID(r.m.ID + "@" + v.Number),
			Number:    v.Number,
			State:     "ACTIVE",
			Yanked:    v.Yanked,
			CreatedAt: int32(v.CreatedAt.Unix()),
			Commit:    newCommit(v.Commit),
		}
	}
	return out, nil
}
