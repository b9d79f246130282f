package tfcapi

import (
	"net/http"
	"slices"

	"github.com/stackview/stackview/internal/model"
)

// listRunTriggers serves a workspace's run triggers: inbound ones (this
// workspace is the target; they name its sources, i.e. what it depends on)
// or outbound ones (the workspaces depending on it). As on TFC the type
// filter is required.
func (s *Server) listRunTriggers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind := q.Get("filter[run-trigger][type]")
	if kind != "inbound" && kind != "outbound" {
		writeError(w, http.StatusBadRequest, "invalid attribute",
			"filter[run-trigger][type] is required and must be inbound or outbound")
		return
	}
	st, all, err := s.stackOf(r.Context(), r.PathValue("id"))
	if err != nil {
		writeBackendError(w, err)
		return
	}
	byID := make(map[string]model.Stack, len(all))
	for _, o := range all {
		byID[o.ID] = o
	}
	type edge struct{ source, target model.Stack }
	var edges []edge
	if kind == "inbound" {
		for _, d := range st.DependsOn {
			if src, ok := byID[d]; ok {
				edges = append(edges, edge{source: src, target: st})
			}
		}
	} else {
		for _, o := range all {
			if slices.Contains(o.DependsOn, st.ID) {
				edges = append(edges, edge{source: st, target: o})
			}
		}
	}
	start, end, meta, links := parsePage(q).window(r, len(edges))
	inc, col, base := parseIncludes(q), &collector{}, baseURL(r)
	data := make([]resource, 0, end-start)
	for _, e := range edges[start:end] {
		src, dst := workspaceID(e.source.ID), workspaceID(e.target.ID)
		data = append(data, resource{Type: "run-triggers", ID: "rt-" + digest(src, dst),
			Attributes: map[string]any{
				"workspace-name":  sanitizeName(e.target.Name),
				"sourceable-name": sanitizeName(e.source.Name),
				"created-at":      timestamp(sandboxEpoch),
			},
			Relationships: map[string]relationship{
				"workspace":  one("workspaces", dst),
				"sourceable": one("workspaces", src),
			}})
		// include is only allowed with inbound, as on TFC.
		if kind == "inbound" && inc.has("workspace") {
			col.add(s.workspaceResource(base, e.target, nil, col))
		}
		if kind == "inbound" && inc.has("sourceable") {
			col.add(s.workspaceResource(base, e.source, nil, col))
		}
	}
	writeJSON(w, http.StatusOK, document{Data: data, Included: col.list, Meta: meta, Links: links})
}
