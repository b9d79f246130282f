package tfcapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// moduleResource renders an engine module as a private registry module of
// the organisation. version-statuses lists every published version, so one
// list call gives the client all of them.
func (s *Server) moduleResource(ctx context.Context, m model.Module) (resource, error) {
	versions, err := s.b.ListModuleVersions(ctx, m.ID)
	if err != nil {
		return resource{}, err
	}
	statuses := make([]map[string]string, 0, len(versions))
	for _, v := range versions {
		if !v.Yanked {
			statuses = append(statuses, map[string]string{"version": strings.TrimPrefix(v.Number, "v"), "status": "ok"})
		}
	}
	status := "setup_complete"
	if len(statuses) == 0 {
		status = "no_version_tags"
	}
	attrs := map[string]any{
		"name":                 m.Name,
		"provider":             m.Provider,
		"namespace":            s.org,
		"registry-name":        "private",
		"status":               status,
		"version-statuses":     statuses,
		"publishing-mechanism": "git_tag",
		"no-code":              false,
		"created-at":           sandboxEpoch.Format("2006-01-02T15:04:05.000Z"),
		"updated-at":           sandboxEpoch.Format("2006-01-02T15:04:05.000Z"),
		"permissions":          map[string]bool{"can-delete": false, "can-resync": false, "can-retry": false},
	}
	if ident, web := moduleRepo(m.Repo); ident != "" {
		attrs["vcs-repo"] = map[string]any{"identifier": ident, "display-identifier": ident,
			"repository-http-url": web, "branch": "", "tags": true, "service-provider": "github_enterprise"}
	}
	return resource{Type: "registry-modules", ID: moduleID(m.ID), Attributes: attrs,
		Relationships: map[string]relationship{"organization": one("organizations", s.org)}}, nil
}

func (s *Server) listModules(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrg(w, r) {
		return
	}
	mods, err := s.b.ListModules(r.Context())
	if err != nil {
		writeBackendError(w, err)
		return
	}
	q := r.URL.Query()
	var kept []model.Module
	for _, m := range mods {
		if v := q.Get("q"); v != "" && !strings.Contains(m.Name, v) {
			continue
		}
		if v := q.Get("filter[provider]"); v != "" && m.Provider != v {
			continue
		}
		if v := q.Get("filter[registry_name]"); v != "" && v != "private" {
			continue
		}
		kept = append(kept, m)
	}
	start, end, meta, links := parsePage(q).window(r, len(kept))
	data := make([]resource, 0, end-start)
	for _, m := range kept[start:end] {
		res, err := s.moduleResource(r.Context(), m)
		if err != nil {
			writeBackendError(w, err)
			return
		}
		data = append(data, res)
	}
	writeJSON(w, http.StatusOK, document{Data: data, Meta: meta, Links: links})
}

func (s *Server) writeModule(w http.ResponseWriter, r *http.Request, what string, pred func(model.Module) bool) {
	mods, err := s.b.ListModules(r.Context())
	if err != nil {
		writeBackendError(w, err)
		return
	}
	for _, m := range mods {
		if pred(m) {
			res, err := s.moduleResource(r.Context(), m)
			if err != nil {
				writeBackendError(w, err)
				return
			}
			writeJSON(w, http.StatusOK, document{Data: res})
			return
		}
	}
	writeBackendError(w, backend.NotFoundf("registry module %s", what))
}

func (s *Server) readModule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.writeModule(w, r, id, func(m model.Module) bool { return moduleID(m.ID) == id })
}

func (s *Server) readModuleByName(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrg(w, r) {
		return
	}
	ns, name, provider := r.PathValue("ns"), r.PathValue("name"), r.PathValue("provider")
	if r.PathValue("registry") != "private" || ns != s.org {
		writeBackendError(w, backend.NotFoundf("registry module %s/%s/%s", ns, name, provider))
		return
	}
	s.writeModule(w, r, ns+"/"+name+"/"+provider, func(m model.Module) bool {
		return m.Name == name && m.Provider == provider
	})
}

// moduleRepo names a module's repository as TFC's vcs-repo does, from its
// clone URL: "org/repo" and the web page (the URL without ".git"). A local
// path has no web page.
func moduleRepo(cloneURL string) (ident, web string) {
	u, err := url.Parse(cloneURL)
	if err != nil || u.Path == "" {
		return "", ""
	}
	parts := strings.Split(strings.Trim(strings.TrimSuffix(u.Path, ".git"), "/"), "/")
	if len(parts) < 2 {
		return "", ""
	}
	ident = parts[len(parts)-2] + "/" + parts[len(parts)-1]
	if u.Scheme == "http" || u.Scheme == "https" {
		web = strings.TrimSuffix(cloneURL, ".git")
	}
	return ident, web
}
