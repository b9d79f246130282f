package tfc

import (
	"context"
	"strconv"
	"strings"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/model"
)

// ListModules lists the organisation's registry modules. Private modules
// are addressed <registry host>/<org>/<name>/<provider>, public ones
// <namespace>/<name>/<provider>.
func (c *Client) ListModules(ctx context.Context) ([]model.Module, error) {
	var out []model.Module
	for pageNo := 1; pageNo > 0; {
		var list *tfe.RegistryModuleList
		err := c.call(ctx, "tfc: list registry modules (page "+strconv.Itoa(pageNo)+")", func(ctx context.Context) (err error) {
			list, err = c.api.RegistryModules.List(ctx, c.org, &tfe.RegistryModuleListOptions{
				ListOptions: tfe.ListOptions{PageNumber: pageNo, PageSize: 100},
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, m := range list.Items {
			out = append(out, c.toModule(m))
			c.modulePaths.Store(m.ID, tfe.RegistryModuleID{Organization: c.org, Namespace: m.Namespace, Name: m.Name,
				Provider: m.Provider, RegistryName: m.RegistryName})
		}
		pageNo = 0
		if list.Pagination != nil {
			pageNo = list.NextPage
		}
	}
	return out, nil
}

func (c *Client) toModule(m *tfe.RegistryModule) model.Module {
	source := strings.Join([]string{m.Namespace, m.Name, m.Provider}, "/")
	if m.RegistryName != tfe.PublicRegistry {
		source = c.registryHost + "/" + source
	}
	out := model.Module{ID: m.ID, Name: m.Name, Provider: m.Provider, Source: source}
	if m.VCSRepo != nil && m.VCSRepo.RepositoryHTTPURL != "" {
		// The identifier ("org/repo") is no URL git can use; the web page
		// with .git is the clone URL on GitHub-like forges.
		out.Repo = strings.TrimSuffix(m.VCSRepo.RepositoryHTTPURL, "/") + ".git"
	}
	if vs := versions(m); len(vs) > 0 {
		out.Latest = vs[0].Number
	}
	return out
}

// versions keeps the published (status ok) versions, newest first.
func versions(m *tfe.RegistryModule) []model.ModuleVersion {
	var out []model.ModuleVersion
	for _, v := range m.VersionStatuses {
		if v.Status == tfe.RegistryModuleVersionStatusOk {
			out = append(out, model.ModuleVersion{Number: v.Version})
		}
	}
	model.SortVersions(out)
	return out
}

// ListModuleVersions reads one module; its version-statuses list every
// published version. Reading a module by id is recent; an older Terraform
// Enterprise answers 404 to it, and the module is read by its documented
// path (organization, registry, namespace, name, provider) instead, from
// this session's module list.
func (c *Client) ListModuleVersions(ctx context.Context, moduleID string) ([]model.ModuleVersion, error) {
	m, err := c.readModule(ctx, tfe.RegistryModuleID{ID: moduleID})
	if refused(err) {
		if _, known := c.modulePaths.Load(moduleID); !known {
			if _, lerr := c.ListModules(ctx); lerr != nil {
				return nil, err
			}
		}
		if path, ok := c.modulePaths.Load(moduleID); ok {
			m, err = c.readModule(ctx, path.(tfe.RegistryModuleID))
		}
	}
	if err != nil {
		return nil, err
	}
	return versions(m), nil
}

func (c *Client) readModule(ctx context.Context, id tfe.RegistryModuleID) (*tfe.RegistryModule, error) {
	var m *tfe.RegistryModule
	what := id.ID
	if what == "" {
		what = strings.Join([]string{id.Namespace, id.Name, id.Provider}, "/")
	}
	err := c.call(ctx, "tfc: read registry module "+what, func(ctx context.Context) (err error) {
		m, err = c.api.RegistryModules.Read(ctx, id)
		return err
	})
	return m, err
}
