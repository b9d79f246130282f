package spacelift

import (
	"context"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// pageSize is how many modules one searchModules page asks for, like spacectl.
const pageSize = 50

type modulesQuery struct {
	Viewer  *viewerNode `graphql:"viewer"`
	Modules []struct {
		ID                string  `graphql:"id"`
		Name              string  `graphql:"name"`
		TerraformProvider string  `graphql:"terraformProvider"`
		Provider          string  `graphql:"provider"`
		RepositoryURL     *string `graphql:"repositoryURL"`
		ModuleSource      string  `graphql:"moduleSource"`
		Current           *struct {
			Number string `graphql:"number"`
		} `graphql:"current"`
	} `graphql:"modules"`
}

func (q *modulesQuery) sessionLost() bool { return q.Viewer == nil }

// ListModules lists the registry; like stacks, an empty list with a null
// viewer is an expired session.
func (c *Client) ListModules(ctx context.Context) ([]model.Module, error) {
	var q modulesQuery
	if err := c.query(ctx, "Modules", &q, nil); err != nil {
		return nil, err
	}
	out := make([]model.Module, len(q.Modules))
	for i, m := range q.Modules {
		out[i] = model.Module{ID: m.ID, Name: m.Name, Provider: m.TerraformProvider, Source: m.ModuleSource}
		// repository is a name, not a URL: only raw Git gives one to clone.
		if m.Provider == "GIT" {
			out[i].Repo = deref(m.RepositoryURL)
		}
		if m.Current != nil {
			out[i].Latest = m.Current.Number
		}
	}
	return out, nil
}

// ListModuleVersions pages searchModuleVersions 50 at a time, newest first,
// leaving out failed versions as spacectl does.
func (c *Client) ListModuleVersions(ctx context.Context, moduleID string) ([]model.ModuleVersion, error) {
	var out []model.ModuleVersion
	var after *string
	for {
		var q struct {
			Module *struct {
				SearchModuleVersions struct {
					PageInfo struct {
						EndCursor   *string `graphql:"endCursor"`
						HasNextPage bool    `graphql:"hasNextPage"`
					} `graphql:"pageInfo"`
					Edges []struct {
						Node struct {
							Number    string      `graphql:"number"`
							Yanked    bool        `graphql:"yanked"`
							CreatedAt int64       `graphql:"createdAt"`
							Commit    *commitNode `graphql:"commit"`
						} `graphql:"node"`
					} `graphql:"edges"`
				} `graphql:"searchModuleVersions(input: $input)"`
			} `graphql:"module(id: $id)"`
		}
		first := pageSize
		input := SearchInput{
			First:      &first,
			After:      after,
			Predicates: []searchPredicate{{Field: "state", Exclude: true, Constraint: fieldConstraint{EnumEquals: []string{"FAILED"}}}},
			OrderBy:    &searchOrder{Field: "createdAt", Direction: "DESC"},
		}
		if err := c.query(ctx, "ModuleVersions", &q, map[string]any{"id": graphql.ID(moduleID), "input": input}); err != nil {
			return nil, err
		}
		if q.Module == nil {
			return nil, backend.NotFoundf("module %q", moduleID)
		}
		page := q.Module.SearchModuleVersions
		for _, e := range page.Edges {
			v := model.ModuleVersion{Number: e.Node.Number, Yanked: e.Node.Yanked, CreatedAt: fromUnix(&e.Node.CreatedAt)}
			if e.Node.Commit != nil {
				v.Commit = e.Node.Commit.Hash
			}
			out = append(out, v)
		}
		if !page.PageInfo.HasNextPage || page.PageInfo.EndCursor == nil {
			model.SortVersions(out)
			return out, nil
		}
		after = page.PageInfo.EndCursor
	}
}
