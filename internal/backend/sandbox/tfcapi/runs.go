package tfcapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// maxRunPages bounds how many engine pages one run list reads.
const maxRunPages = 1000

// operation is TFC's filter[operation] value for a run.
func operation(r model.Run) string {
	switch r.Kind {
	case model.RunPlan:
		return "plan_only"
	case model.RunDriftCheck:
		return "refresh_only"
	}
	return "plan_and_apply"
}

// runResource renders a run, adding what inc asks for (plan, apply,
// configuration_version[.ingress_attributes], workspace) to col.
func (s *Server) runResource(base string, st model.Stack, r model.Run, inc includes, col *collector) resource {
	k := runKey{stack: st.ID, run: r.ID}
	stamps := map[string]any{}
	for _, h := range r.History {
		stamps[timestampKey(r, h.State)] = timestamp(h.At)
	}
	attrs := map[string]any{
		"status":            tfcStatus(r),
		"status-timestamps": stamps,
		"has-changes":       r.Delta != nil && !r.Delta.Empty(),
		"message":           r.Title,
		"source":            "tfe-api",
		"trigger-reason":    "manual",
		"plan-only":         r.Kind != model.RunDeploy,
		"refresh-only":      r.Kind == model.RunDriftCheck,
		"refresh":           true,
		"is-destroy":        false,
		"auto-apply":        st.Autodeploy,
		"save-plan":         false,
		"position-in-queue": 0,
		"created-at":        timestamp(r.CreatedAt),
		"actions": map[string]bool{
			"is-confirmable":      r.State == model.StateUnconfirmed,
			"is-discardable":      r.State.Waiting(),
			"is-cancelable":       r.State.Active(),
			"is-force-cancelable": false, // the engine's cancel always takes: nothing to force
		},
		"permissions": map[string]bool{
			"can-apply": st.CanWrite, "can-cancel": true, "can-discard": true,
			"can-force-cancel": st.CanWrite, "can-force-execute": false,
		},
	}
	wsID := workspaceID(st.ID)
	planID, applyID, cvID := s.ids.id("plan", k), s.ids.id("apply", k), s.ids.id("cv", k)
	if inc.has("plan") {
		col.add(planResource(base, planID, r))
	}
	if inc.has("apply") {
		col.add(applyResource(base, applyID, r))
	}
	if inc.has("configuration_version") {
		col.add(s.configurationVersion(cvID, st, r, inc.under("configuration_version"), col))
	}
	if inc.has("workspace") {
		col.add(s.workspaceResource(base, st, nil, col))
	}
	createdBy := none()
	if r.TriggeredBy != "" {
		createdBy = one("users", userID(r.TriggeredBy))
		if inc.has("created_by") {
			col.add(userResource(r.TriggeredBy))
		}
	}
	return resource{Type: "runs", ID: s.ids.id("run", k), Attributes: attrs,
		Relationships: map[string]relationship{
			"workspace":             one("workspaces", wsID),
			"plan":                  one("plans", planID),
			"apply":                 one("applies", applyID),
			"configuration-version": one("configuration-versions", cvID),
			"created-by":            createdBy,
		},
		Links: map[string]string{"self": "/api/v2/runs/" + s.ids.id("run", k)}}
}

// configurationVersion carries the run's commit, through ingress
// attributes as for a VCS-driven workspace.
func (s *Server) configurationVersion(id string, st model.Stack, r model.Run, inc includes, col *collector) resource {
	iaID := "ia" + strings.TrimPrefix(id, "cv")
	if inc.has("ingress_attributes") {
		col.add(resource{Type: "ingress-attributes", ID: iaID, Attributes: map[string]any{
			"branch": st.Branch, "commit-sha": r.Commit, "commit-message": r.Title,
			"identifier": st.Repo, "is-pull-request": false, "on-default-branch": st.Branch == "main",
		}})
	}
	return resource{Type: "configuration-versions", ID: id, Attributes: map[string]any{
		"source": "github", "status": "uploaded", "speculative": r.Kind != model.RunDeploy,
		"auto-queue-runs": false, "provisional": false,
	}, Relationships: map[string]relationship{"ingress-attributes": one("ingress-attributes", iaID)}}
}

// stackByID finds a stack by its engine id.
func (s *Server) stackByID(ctx context.Context, id string) (model.Stack, error) {
	st, _, err := s.findStack(ctx, "stack "+id, func(st model.Stack) bool { return st.ID == id })
	return st, err
}

// resolveRun finds the run behind any run, plan, apply or cv id.
func (s *Server) resolveRun(ctx context.Context, id string) (model.Stack, model.Run, error) {
	k, ok := s.ids.lookup(id)
	if !ok {
		return model.Stack{}, model.Run{}, backend.NotFoundf("%s", id)
	}
	st, err := s.stackByID(ctx, k.stack)
	if err != nil {
		return model.Stack{}, model.Run{}, err
	}
	r, err := s.b.GetRun(ctx, k.stack, k.run)
	return st, r, err
}

func (s *Server) writeRun(w http.ResponseWriter, r *http.Request, status int, st model.Stack, run model.Run) {
	inc, ok := parseIncludes(w, r.URL.Query(), runIncludeOpts)
	if !ok {
		return
	}
	col := &collector{}
	data := s.runResource(baseURL(r), st, run, inc, col)
	writeJSON(w, status, document{Data: data, Included: col.list})
}

func (s *Server) readRun(w http.ResponseWriter, r *http.Request) {
	st, run, err := s.resolveRun(r.Context(), r.PathValue("id"))
	if err != nil {
		writeBackendError(w, err)
		return
	}
	s.writeRun(w, r, http.StatusOK, st, run)
}

// allRuns reads every page of a stack's runs from the engine.
func (s *Server) allRuns(ctx context.Context, stackID string) ([]model.Run, error) {
	var out []model.Run
	cursor := ""
	for range maxRunPages {
		page, next, err := s.b.ListRuns(ctx, stackID, cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" || next == cursor {
			break
		}
		cursor = next
	}
	return out, nil
}

// listRuns serves a workspace's runs newest first. Like TFC it leaves out
// plan-only runs unless filter[operation] names plan_only.
func (s *Server) listRuns(w http.ResponseWriter, r *http.Request) {
	st, _, err := s.stackOf(r.Context(), r.PathValue("id"))
	if err != nil {
		writeBackendError(w, err)
		return
	}
	runs, err := s.allRuns(r.Context(), st.ID)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	q := r.URL.Query()
	ops := []string{"plan_and_apply", "refresh_only", "destroy", "empty_apply", "save_plan"}
	if v := q.Get("filter[operation]"); v != "" {
		ops = strings.Split(v, ",")
	}
	var statuses []string
	if v := q.Get("filter[status]"); v != "" {
		statuses = strings.Split(v, ",")
	}
	var kept []model.Run
	for _, run := range runs {
		if slices.Contains(ops, operation(run)) && (statuses == nil || slices.Contains(statuses, tfcStatus(run))) {
			kept = append(kept, run)
		}
	}
	start, end, meta, links := parsePage(q).window(r, len(kept))
	inc, ok := parseIncludes(w, q, runIncludeOpts)
	if !ok {
		return
	}
	col, base := &collector{}, baseURL(r)
	data := make([]resource, 0, end-start)
	for _, run := range kept[start:end] {
		data = append(data, s.runResource(base, st, run, inc, col))
	}
	writeJSON(w, http.StatusOK, document{Data: data, Included: col.list, Meta: meta, Links: links})
}

// createBody is what go-tfe's Runs.Create sends.
type createBody struct {
	Data struct {
		Type       string `json:"type"`
		Attributes struct {
			PlanOnly    bool   `json:"plan-only"`
			RefreshOnly bool   `json:"refresh-only"`
			Message     string `json:"message"`
		} `json:"attributes"`
		Relationships struct {
			Workspace struct {
				Data *ref `json:"data"`
			} `json:"workspace"`
			ConfigurationVersion struct {
				Data *ref `json:"data"`
			} `json:"configuration-version"`
		} `json:"relationships"`
	} `json:"data"`
}

// createRun queues a run. Without a configuration version it runs the
// stack's tracked commit (plan-only → a proposed run, refresh-only → a drift
// check, else a tracked run); with the configuration version of an earlier
// run it retries that run on the same commit.
func (s *Server) createRun(w http.ResponseWriter, r *http.Request) {
	var body createBody
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	ws := body.Data.Relationships.Workspace.Data
	if err != nil || body.Data.Type != "runs" || ws == nil {
		writeError(w, http.StatusUnprocessableEntity, "invalid run",
			"expected a runs document with a workspace relationship")
		return
	}
	st, _, err := s.stackOf(r.Context(), ws.ID)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	var run model.Run
	if cv := body.Data.Relationships.ConfigurationVersion.Data; cv != nil {
		k, ok := s.ids.lookup(cv.ID)
		if !ok || k.stack != st.ID {
			writeError(w, http.StatusNotFound, "not found", "configuration version "+cv.ID+" not found")
			return
		}
		run, err = s.b.Retry(r.Context(), st.ID, k.run)
	} else {
		kind := model.RunDeploy
		switch a := body.Data.Attributes; {
		case a.RefreshOnly:
			kind = model.RunDriftCheck
		case a.PlanOnly:
			kind = model.RunPlan
		}
		run, err = s.b.Trigger(r.Context(), st.ID, kind)
	}
	if err != nil {
		writeBackendError(w, err)
		return
	}
	s.writeRun(w, r, http.StatusCreated, st, run)
}

// runAction confirms, discards, cancels or force-cancels: 202 with no body, or the engine's
// refusal as 409.
func (s *Server) runAction(w http.ResponseWriter, r *http.Request) {
	k, ok := s.ids.lookup(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "not found", "run "+r.PathValue("id")+" not found")
		return
	}
	var act func(context.Context, string, string) (model.Run, error)
	switch r.PathValue("action") {
	case "apply":
		act = s.b.Confirm
	case "discard":
		act = s.b.Discard
	case "cancel":
		act = s.b.Cancel
	case "force-cancel":
		act = s.b.Stop
	default:
		writeError(w, http.StatusNotFound, "not found", "unknown action "+r.PathValue("action"))
		return
	}
	if _, err := act(r.Context(), k.stack, k.run); err != nil {
		writeBackendError(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
