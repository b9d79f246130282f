package tfcapi

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/stackview/stackview/internal/model"
)

// Projects group workspaces by business unit; environment and unplaced
// stacks live in TFC's "Default Project".
const (
	defaultProject   = "Default Project"
	defaultProjectID = "prj-default"
)

// project is the business unit's project, or the default one.
func project(st model.Stack) (id, name string) {
	if bu := businessUnit(st); bu != "" && !slices.Contains(tags(st), environmentTag) {
		return readable("prj-", sanitizeName(bu)), bu
	}
	return defaultProjectID, defaultProject
}

func projectResource(id, name string, org string) resource {
	return resource{Type: "projects", ID: id, Attributes: map[string]any{
		"name":                   name,
		"description":            "",
		"default-execution-mode": "remote",
		"is-unified":             false,
	}, Relationships: map[string]relationship{"organization": one("organizations", org)}}
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrg(w, r) {
		return
	}
	all, err := s.stacks(r.Context())
	if err != nil {
		writeBackendError(w, err)
		return
	}
	q := r.URL.Query()
	names := map[string]string{}
	for _, st := range all {
		id, name := project(st)
		names[id] = name
	}
	var data []resource
	for id, name := range names {
		if f := q.Get("filter[names]"); f != "" && !slices.Contains(strings.Split(f, ","), name) {
			continue
		}
		if f := q.Get("q"); f != "" && !strings.Contains(strings.ToLower(name), strings.ToLower(f)) {
			continue
		}
		data = append(data, projectResource(id, name, s.org))
	}
	sort.Slice(data, func(i, j int) bool { return data[i].Attributes["name"].(string) < data[j].Attributes["name"].(string) })
	start, end, meta, links := parsePage(q).window(r, len(data))
	writeJSON(w, http.StatusOK, document{Data: append([]resource{}, data[start:end]...), Meta: meta, Links: links})
}

func (s *Server) readProject(w http.ResponseWriter, r *http.Request) {
	all, err := s.stacks(r.Context())
	if err != nil {
		writeBackendError(w, err)
		return
	}
	for _, st := range all {
		if id, name := project(st); id == r.PathValue("id") {
			writeJSON(w, http.StatusOK, document{Data: projectResource(id, name, s.org)})
			return
		}
	}
	writeError(w, http.StatusNotFound, "not found", "project "+r.PathValue("id")+" not found")
}
