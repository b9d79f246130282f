package tfcapi

import (
	"context"
	"net/http"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// topologyTTL is how long one listing of the stacks serves run-trigger
// requests. A client reads run triggers once per workspace; listing every
// stack for each would make loading N workspaces cost N² in the engine.
// Dependencies change rarely, so a snapshot this short is never noticeably
// stale.
const topologyTTL = 2 * time.Second

// topology is a snapshot of the stacks indexed for run triggers.
type topology struct {
	at          time.Time
	byWorkspace map[string]model.Stack
	byStack     map[string]model.Stack
	dependents  map[string][]string // stack id → ids of the stacks depending on it
}

func (s *Server) topology(ctx context.Context) (*topology, error) {
	s.mu.Lock()
	t := s.topo
	s.mu.Unlock()
	if t != nil && time.Since(t.at) < topologyTTL {
		return t, nil
	}
	all, err := s.stacks(ctx)
	if err != nil {
		return nil, err
	}
	t = &topology{at: time.Now(), byWorkspace: make(map[string]model.Stack, len(all)),
		byStack: make(map[string]model.Stack, len(all)), dependents: map[string][]string{}}
	for _, st := range all {
		t.byWorkspace[workspaceID(st.ID)], t.byStack[st.ID] = st, st
		for _, d := range st.DependsOn {
			t.dependents[d] = append(t.dependents[d], st.ID)
		}
	}
	s.mu.Lock()
	s.topo = t
	s.mu.Unlock()
	return t, nil
}

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
	topo, err := s.topology(r.Context())
	if err != nil {
		writeBackendError(w, err)
		return
	}
	st, ok := topo.byWorkspace[r.PathValue("id")]
	if !ok {
		writeBackendError(w, backend.NotFoundf("workspace %s", r.PathValue("id")))
		return
	}
	type edge struct{ source, target model.Stack }
	var edges []edge
	if kind == "inbound" {
		for _, d := range st.DependsOn {
			if src, ok := topo.byStack[d]; ok {
				edges = append(edges, edge{source: src, target: st})
			}
		}
	} else {
		for _, d := range topo.dependents[st.ID] {
			edges = append(edges, edge{source: st, target: topo.byStack[d]})
		}
	}
	start, end, meta, links := parsePage(q).window(r, len(edges))
	inc, ok := parseIncludes(w, q, runTriggerIncludeOpts)
	if !ok {
		return
	}
	if len(inc) > 0 && kind != "inbound" {
		writeError(w, http.StatusBadRequest, "Invalid include parameter", "include is only allowed with inbound run triggers")
		return
	}
	col := &collector{}
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
		for _, in := range []struct {
			name string
			st   model.Stack
		}{{"workspace", e.target}, {"sourceable", e.source}} {
			if inc.has(in.name) {
				ws, err := s.workspaceResource(r, in.st, nil, col)
				if err != nil {
					writeBackendError(w, err)
					return
				}
				col.add(ws)
			}
		}
	}
	writeJSON(w, http.StatusOK, document{Data: data, Included: col.list, Meta: meta, Links: links})
}
