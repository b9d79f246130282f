package tfcapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/stackview/stackview/internal/model"
)

func planResource(base, id string, r model.Run) resource {
	d := model.Delta{}
	if r.Delta != nil {
		d = *r.Delta
	}
	return resource{Type: "plans", ID: id, Attributes: map[string]any{
		"status":                planStatus(r),
		"has-changes":           !d.Empty(),
		"resource-additions":    d.Add,
		"resource-changes":      d.Change,
		"resource-destructions": d.Destroy,
		"resource-imports":      0,
		"log-read-url":          base + "/sandbox-logs/" + id,
		"status-timestamps":     map[string]any{},
	}}
}

func applyResource(base, id string, r model.Run) resource {
	d := model.Delta{}
	status := applyStatus(r)
	if status == "finished" && r.Delta != nil {
		d = *r.Delta
	}
	return resource{Type: "applies", ID: id, Attributes: map[string]any{
		"status":                status,
		"resource-additions":    d.Add,
		"resource-changes":      d.Change,
		"resource-destructions": d.Destroy,
		"resource-imports":      0,
		"log-read-url":          base + "/sandbox-logs/" + id,
		"status-timestamps":     map[string]any{},
	}}
}

func (s *Server) readPlan(w http.ResponseWriter, r *http.Request) {
	_, run, err := s.resolveRun(r.Context(), r.PathValue("id"))
	if err != nil {
		writeBackendError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, document{Data: planResource(baseURL(r), r.PathValue("id"), run)})
}

func (s *Server) readApply(w http.ResponseWriter, r *http.Request) {
	_, run, err := s.resolveRun(r.Context(), r.PathValue("id"))
	if err != nil {
		writeBackendError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, document{Data: applyResource(baseURL(r), r.PathValue("id"), run)})
}

// resourceChange is one entry of resource_changes / resource_drift in
// Terraform's plan JSON. The changed attribute names go in after_unknown:
// the engine knows which attributes change, not their values.
type resourceChange struct {
	Address string `json:"address"`
	Type    string `json:"type,omitempty"`
	Name    string `json:"name,omitempty"`
	Change  struct {
		Actions      []string        `json:"actions"`
		Before       map[string]any  `json:"before"`
		After        map[string]any  `json:"after"`
		AfterUnknown map[string]bool `json:"after_unknown"`
	} `json:"change"`
}

func newResourceChange(c model.ResourceChange) resourceChange {
	rc := resourceChange{Address: c.Address}
	parts := strings.Split(c.Address, ".")
	if n := len(parts); n >= 2 {
		rc.Type, rc.Name = parts[n-2], parts[n-1]
		if i := strings.IndexByte(rc.Name, '['); i >= 0 {
			rc.Name = rc.Name[:i]
		}
	}
	switch c.Action {
	case model.ActionAdd:
		rc.Change.Actions = []string{"create"}
	case model.ActionDestroy:
		rc.Change.Actions = []string{"delete"}
	case model.ActionReplace:
		rc.Change.Actions = []string{"delete", "create"}
	default:
		rc.Change.Actions = []string{"update"}
	}
	rc.Change.Before, rc.Change.After = map[string]any{}, map[string]any{}
	rc.Change.AfterUnknown = map[string]bool{}
	for _, a := range c.Attributes {
		rc.Change.AfterUnknown[a] = true
	}
	return rc
}

// planJSON serves the plan in `terraform show -json` shape: 204 while the
// plan runs, as TFC does.
func (s *Server) planJSON(w http.ResponseWriter, r *http.Request) {
	k, ok := s.ids.lookup(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "not found", "plan "+r.PathValue("id")+" not found")
		return
	}
	run, err := s.b.GetRun(r.Context(), k.stack, k.run)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	if run.Delta == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	changes, err := s.b.RunChanges(r.Context(), k.stack, k.run)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	out := make([]resourceChange, 0, len(changes))
	for _, c := range changes {
		out = append(out, newResourceChange(c))
	}
	writePlainJSON(w, map[string]any{"format_version": "1.2", "resource_changes": out})
}

func writePlainJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
