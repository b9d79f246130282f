package tfcapi

import (
	"net/http"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// An assessment result stands for the stack's latest drift check, and like
// TFC's gets a new id with every check (clients cache results by id). The
// id resolves back to the stack through the run id table, under a key of
// its own so it never doubles as the check's run id.
func (s *Server) assessmentID(st model.Stack) string {
	check := st.Drift.RunID
	if check == "" {
		check = st.Drift.CheckedAt.UTC().Format(time.RFC3339Nano)
	}
	return s.ids.id("asmtres", runKey{stack: st.ID, run: "assessment of " + check})
}

func (s *Server) assessmentResource(st model.Stack) resource {
	id := s.assessmentID(st)
	var errMsg any
	status := "finished"
	if st.Drift.Unknown != "" {
		errMsg, status = st.Drift.Unknown, "errored"
	}
	return resource{Type: "assessment-results", ID: id, Attributes: map[string]any{
		"drifted":              st.Drift.Drifted,
		"succeeded":            st.Drift.Unknown == "",
		"error-msg":            errMsg,
		"status":               status,
		"resources-drifted":    len(st.Drift.Resources),
		"resources-undrifted":  0,
		"all-checks-succeeded": st.Drift.Unknown == "",
		"created-at":           offsetTime(st.Drift.CheckedAt),
		"completed-at":         offsetTime(st.Drift.CheckedAt),
	}, Links: map[string]string{
		"self":        "/api/v2/assessment-results/" + id,
		"json-output": "/api/v2/assessment-results/" + id + "/json-output",
	}}
}

// assessedStack finds the stack behind a workspace id, or behind an
// assessment id that is still its current one, and answers 404 when it was
// never checked, as TFC does.
func (s *Server) assessedStack(w http.ResponseWriter, r *http.Request, wsID, asmtID string) (model.Stack, bool) {
	if asmtID != "" {
		k, ok := s.runByID(r.Context(), asmtID)
		if !ok {
			writeBackendError(w, backend.NotFoundf("assessment result %s", asmtID))
			return model.Stack{}, false
		}
		wsID = workspaceID(k.stack)
	}
	st, _, err := s.stackOf(r.Context(), wsID)
	switch {
	case err != nil:
	case st.Drift.CheckedAt.IsZero():
		err = backend.NotFoundf("no assessment result for workspace %s", wsID)
	case asmtID != "" && s.assessmentID(st) != asmtID:
		// Only the latest check is kept, as its findings are all the engine has.
		err = backend.NotFoundf("assessment result %s is no longer the current one", asmtID)
	}
	if err != nil {
		writeBackendError(w, err)
		return model.Stack{}, false
	}
	return st, true
}

func (s *Server) currentAssessment(w http.ResponseWriter, r *http.Request) {
	if st, ok := s.assessedStack(w, r, r.PathValue("id"), ""); ok {
		writeJSON(w, http.StatusOK, document{Data: s.assessmentResource(st)})
	}
}

func (s *Server) readAssessment(w http.ResponseWriter, r *http.Request) {
	if st, ok := s.assessedStack(w, r, "", r.PathValue("id")); ok {
		writeJSON(w, http.StatusOK, document{Data: s.assessmentResource(st)})
	}
}

// assessmentJSON is the plan JSON of the check; drifted resources are in
// resource_drift, their drifted attributes marked as in a plan. It is plain
// JSON, not JSON:API, and only workspace admins may read it: others get
// 404 (api-docs/assessment-results).
func (s *Server) assessmentJSON(w http.ResponseWriter, r *http.Request) {
	st, ok := s.assessedStack(w, r, "", r.PathValue("id"))
	if !ok {
		return
	}
	if !accessOf(userOf(r), st).admin {
		writeBackendError(w, backend.NotFoundf("assessment result %s", r.PathValue("id")))
		return
	}
	changes := map[string]model.ResourceChange{}
	for _, c := range st.Drift.Changes {
		changes[c.Address] = c
	}
	list := make([]model.ResourceChange, 0, len(st.Drift.Resources))
	for _, addr := range st.Drift.Resources {
		c, ok := changes[addr]
		if !ok {
			c = model.ResourceChange{Address: addr, Action: model.ActionChange}
		}
		list = append(list, c)
	}
	drift, err := s.planResources(r.Context(), st.ID, st.Drift.RunID, list)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	doc, err := s.planDocument(r.Context(), st.ID)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	doc["resource_changes"], doc["resource_drift"] = []resourceChange{}, drift
	writePlainJSON(w, doc)
}
