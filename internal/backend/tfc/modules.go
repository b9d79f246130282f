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
	if m.VCSRepo != nil {
		out.Repo = m.VCSRepo.Identifier
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
// published version.
func (c *Client) ListModuleVersions(ctx context.Context, moduleID string) ([]model.ModuleVersion, error) {
	var m *tfe.RegistryModule
	err := c.call(ctx, "tfc: read registry module "+moduleID, func(ctx context.Context) (err error) {
		m, err = c.api.RegistryModules.Read(ctx, tfe.RegistryModuleID{ID: moduleID})
		return err
	})
	if err != nil {
		return nil, err
	}
	return versions(m), nil
}
