package tfcapi

import (
	"net/http"
	"strings"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// An assessment result stands for the stack's latest drift check; its id is
// derived from the workspace's, so it resolves without a table.
func assessmentID(wsID string) string { return "asmtres-" + strings.TrimPrefix(wsID, "ws-") }

func assessmentResource(wsID string, st model.Stack) resource {
	id := assessmentID(wsID)
	return resource{Type: "assessment-results", ID: id, Attributes: map[string]any{
		"drifted":              st.Drift.Drifted,
		"succeeded":            true,
		"error-msg":            nil,
		"status":               "finished",
		"resources-drifted":    len(st.Drift.Resources),
		"resources-undrifted":  0,
		"all-checks-succeeded": true,
		"created-at":           timestamp(st.Drift.CheckedAt),
		"completed-at":         timestamp(st.Drift.CheckedAt),
	}, Links: map[string]string{
		"self":        "/api/v2/assessment-results/" + id,
		"json-output": "/api/v2/assessment-results/" + id + "/json-output",
	}}
}

// assessedStack finds the stack behind a workspace or assessment id and
// answers 404 when it was never checked, as TFC does.
func (s *Server) assessedStack(w http.ResponseWriter, r *http.Request, wsID string) (model.Stack, bool) {
	st, _, err := s.stackOf(r.Context(), wsID)
	if err == nil && st.Drift.CheckedAt.IsZero() {
		err = backend.NotFoundf("no assessment result for workspace %s", wsID)
	}
	if err != nil {
		writeBackendError(w, err)
		return model.Stack{}, false
	}
	return st, true
}

func (s *Server) currentAssessment(w http.ResponseWriter, r *http.Request) {
	wsID := r.PathValue("id")
	if st, ok := s.assessedStack(w, r, wsID); ok {
		writeJSON(w, http.StatusOK, document{Data: assessmentResource(wsID, st)})
	}
}

func (s *Server) readAssessment(w http.ResponseWriter, r *http.Request) {
	wsID := "ws-" + strings.TrimPrefix(r.PathValue("id"), "asmtres-")
	if st, ok := s.assessedStack(w, r, wsID); ok {
		writeJSON(w, http.StatusOK, document{Data: assessmentResource(wsID, st)})
	}
}

// assessmentJSON is the plan JSON of the check; drifted resources are in
// resource_drift. It is plain JSON, not JSON:API.
func (s *Server) assessmentJSON(w http.ResponseWriter, r *http.Request) {
	wsID := "ws-" + strings.TrimPrefix(r.PathValue("id"), "asmtres-")
	st, ok := s.assessedStack(w, r, wsID)
	if !ok {
		return
	}
	drift := make([]resourceChange, 0, len(st.Drift.Resources))
	for _, addr := range st.Drift.Resources {
		drift = append(drift, newResourceChange(model.ResourceChange{Address: addr, Action: model.ActionChange}))
	}
	writePlainJSON(w, map[string]any{"format_version": "1.2", "resource_drift": drift})
}
