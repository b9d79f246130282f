package tfcapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// maxRunPages bounds how many engine pages one run list reads.
const maxRunPages = 1000

// operation is TFC's filter[operation] value for a run.
func operation(r model.Run) string {
	switch {
	case r.Kind == model.RunPlan:
		return "plan_only"
	case r.Kind == model.RunDriftCheck:
		return "refresh_only"
	case r.Kind == model.RunDestroy:
		return "destroy"
	case r.SavedPlan:
		return "save_plan"
	}
	return "plan_and_apply"
}

// runResource renders a run as r's user sees it, adding what inc asks for
// (plan, apply, configuration_version[.ingress_attributes], workspace) to
// col.
func (s *Server) runResource(r *http.Request, st model.Stack, run model.Run, x sandbox.RunExtra, inc includes, col *collector) resource {
	k := runKey{stack: st.ID, run: run.ID}
	acc := accessOf(userOf(r), st)
	source := "tfe-api"
	if run.TriggeredBy == "" {
		source = "tfe-configuration-version" // a VCS push started it
	}
	attrs := map[string]any{
		"status":            tfcStatus(run, x),
		"status-timestamps": statusTimestamps(run, x),
		"has-changes":       planDone(run, x) && !run.Delta.Empty(),
		"message":           run.Title,
		"source":            source,
		"trigger-reason":    "manual",
		"plan-only":         !run.Kind.Tracked(),
		"refresh-only":      run.Kind == model.RunDriftCheck,
		"refresh":           true,
		"is-destroy":        run.Kind == model.RunDestroy,
		"auto-apply":        run.AutoApply,
		"save-plan":         run.SavedPlan,
		"position-in-queue": 0,
		"created-at":        timestamp(run.CreatedAt),
		"canceled-at":       timestamp(x.CanceledAt),
		"actions":           runActions(run, x, s.b.Now()),
		"permissions": map[string]bool{
			"can-apply": acc.apply, "can-cancel": acc.apply, "can-discard": acc.apply, "can-comment": acc.plan,
			"can-force-cancel": acc.admin, "can-force-execute": acc.apply, "can-override-policy-check": false,
		},
	}
	if !x.CanceledAt.IsZero() {
		attrs["force-cancel-available-at"] = timestamp(x.ForceCancelAt)
	}
	wsID := workspaceID(st.ID)
	planID, applyID, cvID := s.ids.id("plan", k), s.ids.id("apply", k), s.ids.id("cv", k)
	base := baseURL(r)
	if inc.has("plan") {
		col.add(planResource(base, planID, run, x))
	}
	if inc.has("apply") {
		col.add(applyResource(base, applyID, run, x))
	}
	if inc.has("configuration_version") {
		col.add(s.configurationVersion(cvID, st, run, inc.under("configuration_version"), col))
	}
	if inc.has("workspace") {
		if ws, err := s.workspaceResource(r, st, nil, col); err == nil {
			col.add(ws)
		}
	}
	createdBy := none()
	if run.TriggeredBy != "" {
		createdBy = one("users", userID(run.TriggeredBy))
		if inc.has("created_by") {
			col.add(userResource(run.TriggeredBy))
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
		attrs := map[string]any{
			"branch": st.Branch, "commit-sha": r.Commit, "commit-message": r.Title,
			"is-pull-request": false, "on-default-branch": st.Branch == defaultBranch,
		}
		if v := vcsRepo(st); v != nil {
			attrs["identifier"] = v["identifier"]
			if web, _ := v["repository-http-url"].(string); web != "" {
				attrs["clone-url"], attrs["commit-url"] = web+".git", web+"/commit/"+r.Commit
			}
		}
		col.add(resource{Type: "ingress-attributes", ID: iaID, Attributes: attrs})
	}
	return resource{Type: "configuration-versions", ID: id, Attributes: map[string]any{
		"source": "github", "status": "uploaded", "speculative": !r.Kind.Tracked(),
		"auto-queue-runs": false, "provisional": false,
	}, Relationships: map[string]relationship{"ingress-attributes": one("ingress-attributes", iaID)}}
}

// stackByID finds a stack by its engine id.
func (s *Server) stackByID(ctx context.Context, id string) (model.Stack, error) {
	st, _, err := s.findStack(ctx, "stack "+id, func(st model.Stack) bool { return st.ID == id })
	return st, err
}

// resolveRun finds the run behind any run, plan, apply or cv id, with its
// extras.
func (s *Server) resolveRun(ctx context.Context, id string) (model.Stack, model.Run, sandbox.RunExtra, error) {
	k, ok := s.runByID(ctx, id)
	if !ok {
		return model.Stack{}, model.Run{}, sandbox.RunExtra{}, backend.NotFoundf("%s", id)
	}
	st, err := s.stackByID(ctx, k.stack)
	if err != nil {
		return model.Stack{}, model.Run{}, sandbox.RunExtra{}, err
	}
	r, err := s.b.GetRun(ctx, k.stack, k.run)
	if err != nil {
		return model.Stack{}, model.Run{}, sandbox.RunExtra{}, err
	}
	extras, err := s.b.RunExtras(ctx, k.stack)
	return st, r, extras[k.run], err
}

func (s *Server) writeRun(w http.ResponseWriter, r *http.Request, status int, st model.Stack, run model.Run, x sandbox.RunExtra) {
	inc, ok := parseIncludes(w, r.URL.Query(), runIncludeOpts)
	if !ok {
		return
	}
	col := &collector{}
	data := s.runResource(r, st, run, x, inc, col)
	writeJSON(w, status, document{Data: data, Included: col.list})
}

func (s *Server) readRun(w http.ResponseWriter, r *http.Request) {
	st, run, x, err := s.resolveRun(r.Context(), r.PathValue("id"))
	if err != nil || x.Assessment { // an assessment is not a run on TFC
		writeBackendError(w, errOr(err, backend.NotFoundf("run %s", r.PathValue("id"))))
		return
	}
	s.writeRun(w, r, http.StatusOK, st, run, x)
}

func errOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
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

// listRuns serves a workspace's runs newest first, filtered (runFilter).
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
	extras, err := s.b.RunExtras(r.Context(), st.ID)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	q := r.URL.Query()
	filter, ok := parseRunFilter(w, q)
	if !ok {
		return
	}
	var kept []model.Run
	for _, run := range runs {
		if filter.keeps(run, extras[run.ID]) {
			kept = append(kept, run)
		}
	}
	start, end, meta, links := parsePage(q).window(r, len(kept))
	inc, ok := parseIncludes(w, q, runIncludeOpts)
	if !ok {
		return
	}
	col := &collector{}
	data := make([]resource, 0, end-start)
	for _, run := range kept[start:end] {
		data = append(data, s.runResource(r, st, run, extras[run.ID], inc, col))
	}
	writeJSON(w, http.StatusOK, document{Data: data, Included: col.list, Meta: meta, Links: links})
}

// statusGroups are TFC's filter[status_group] values (api-docs/run): a
// run is final once it will not move again, discardable while it waits
// for a decision that discarding answers.
var statusGroups = map[string]func(model.Run, string) bool{
	"non_final": func(r model.Run, _ string) bool { return !r.State.Terminal() },
	"final":     func(r model.Run, _ string) bool { return r.State.Terminal() },
	"discardable": func(_ model.Run, status string) bool {
		return slices.Contains([]string{"planned", "planned_and_saved", "cost_estimated", "policy_checked",
			"policy_override", "post_plan_running", "post_plan_completed"}, status)
	},
}

// runFilter is a run list's filter[operation], filter[status] and
// filter[status_group]. Like TFC it leaves out plan-only runs unless
// filter[operation] names plan_only; health assessments are not runs.
type runFilter struct {
	ops, statuses []string
	group         func(model.Run, string) bool
}

// parseRunFilter reads the filters, answering 400 to an unknown status
// group.
func parseRunFilter(w http.ResponseWriter, q url.Values) (runFilter, bool) {
	f := runFilter{ops: []string{"plan_and_apply", "refresh_only", "destroy", "empty_apply", "save_plan"}}
	if v := q.Get("filter[operation]"); v != "" {
		f.ops = strings.Split(v, ",")
	}
	if v := q.Get("filter[status]"); v != "" {
		f.statuses = strings.Split(v, ",")
	}
	if v := q.Get("filter[status_group]"); v != "" {
		if f.group = statusGroups[v]; f.group == nil {
			writeError(w, http.StatusBadRequest, "invalid filter", "unknown status group "+v)
			return f, false
		}
	}
	return f, true
}

func (f runFilter) keeps(run model.Run, x sandbox.RunExtra) bool {
	status := tfcStatus(run, x)
	return !x.Assessment && slices.Contains(f.ops, operation(run)) && (f.statuses == nil || slices.Contains(f.statuses, status)) &&
		(f.group == nil || f.group(run, status))
}

// listOrgRuns serves the organisation's runs newest first, filtered like a
// workspace's (runFilter) and by filter[workspace_names]. Its pagination
// has no totals (go-tfe's PaginationNextPrev); it counts against the run
// lists' 30 requests a minute.
func (s *Server) listOrgRuns(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrg(w, r) {
		return
	}
	q := r.URL.Query()
	filter, ok := parseRunFilter(w, q)
	if !ok {
		return
	}
	var names []string
	if v := q.Get("filter[workspace_names]"); v != "" {
		names = strings.Split(v, ",")
	}
	stacks, err := s.listing(r.Context(), parsePage(q).number == 1)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	type listed struct {
		st  model.Stack
		run model.Run
		x   sandbox.RunExtra
	}
	var kept []listed
	for _, st := range stacks {
		if names != nil && !slices.Contains(names, st.Name) {
			continue
		}
		runs := st.Pending // every run that is not final, as the engine keeps them
		if q.Get("filter[status_group]") != "non_final" {
			if runs, err = s.allRuns(r.Context(), st.ID); err != nil {
				writeBackendError(w, err)
				return
			}
		}
		extras, err := s.b.RunExtras(r.Context(), st.ID)
		if err != nil {
			writeBackendError(w, err)
			return
		}
		for _, run := range runs {
			if x := extras[run.ID]; filter.keeps(run, x) {
				kept = append(kept, listed{st, run, x})
			}
		}
	}
	slices.SortStableFunc(kept, func(a, b listed) int {
		if model.Newer(a.run, b.run) {
			return -1
		}
		return 1
	})
	start, end, meta, links := parsePage(q).window(r, len(kept))
	meta.Pagination.TotalCount, meta.Pagination.TotalPages = nil, nil // the organisation's list has none
	links.Last = ""
	inc, ok := parseIncludes(w, q, runIncludeOpts)
	if !ok {
		return
	}
	col := &collector{}
	data := make([]resource, 0, end-start)
	for _, k := range kept[start:end] {
		data = append(data, s.runResource(r, k.st, k.run, k.x, inc, col))
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
			IsDestroy   bool   `json:"is-destroy"`
			SavePlan    bool   `json:"save-plan"`
			AutoApply   *bool  `json:"auto-apply"`
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

// defaultRunMessage is TFC's message for a run queued through the API
// without one (api-docs/run, Create a Run).
const defaultRunMessage = "Queued manually via the Terraform Enterprise API"

// createRun queues a run with TFC's options. Without a configuration
// version it runs the stack's tracked commit; with the configuration
// version of an earlier run it retries that run on the same commit. A user
// who may only queue plans gets runs that never apply on their own, as TFC
// auto-applies only runs queued by someone allowed to apply.
func (s *Server) createRun(w http.ResponseWriter, r *http.Request) {
	var body createBody
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	ws := body.Data.Relationships.Workspace.Data
	a := body.Data.Attributes
	switch {
	case err != nil || body.Data.Type != "runs" || ws == nil:
		writeError(w, http.StatusUnprocessableEntity, "invalid run", "expected a runs document with a workspace relationship")
		return
	case a.RefreshOnly && a.IsDestroy:
		writeError(w, http.StatusUnprocessableEntity, "invalid attribute", "refresh-only and is-destroy are mutually exclusive")
		return
	}
	st, _, err := s.stackOf(r.Context(), ws.ID)
	acc := accessOf(userOf(r), st)
	if err != nil || !acc.plan {
		writeBackendError(w, errOr(err, backend.NotFoundf("workspace %s", ws.ID)))
		return
	}
	var run model.Run
	if cv := body.Data.Relationships.ConfigurationVersion.Data; cv != nil {
		k, ok := s.runByID(r.Context(), cv.ID)
		if !ok || k.stack != st.ID {
			writeError(w, http.StatusNotFound, "not found", "configuration version "+cv.ID+" not found")
			return
		}
		run, err = s.b.Retry(r.Context(), st.ID, k.run)
	} else {
		o := sandbox.RunOptions{Kind: model.RunDeploy, Message: a.Message, AutoApply: a.AutoApply, SavePlan: a.SavePlan,
			By: userOf(r).name}
		switch {
		case a.RefreshOnly:
			o.Kind = model.RunDriftCheck
		case a.PlanOnly:
			o.Kind = model.RunPlan
		case a.IsDestroy:
			o.Kind = model.RunDestroy
		}
		if o.Message == "" {
			o.Message = defaultRunMessage
		}
		if !acc.apply {
			no := false
			o.AutoApply = &no
		}
		run, err = s.b.StartRun(r.Context(), st.ID, o)
	}
	if err != nil {
		writeBackendError(w, err)
		return
	}
	extras, err := s.b.RunExtras(r.Context(), st.ID)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	s.writeRun(w, r, http.StatusCreated, st, run, extras[run.ID])
}

// runAction confirms, discards, cancels or force-cancels: 202 with no
// body; 409 with TFC's words when the run's actions flags do not allow it;
// 404 when the user may not (as TFC answers what a token may not do).
func (s *Server) runAction(w http.ResponseWriter, r *http.Request) {
	st, run, x, err := s.resolveRun(r.Context(), r.PathValue("id"))
	if err != nil || x.Assessment {
		writeBackendError(w, errOr(err, backend.NotFoundf("run %s", r.PathValue("id"))))
		return
	}
	acc := accessOf(userOf(r), st)
	flags := runActions(run, x, s.b.Now())
	type action struct {
		allowed bool   // the user's permission
		flag    string // the actions flag that must be set
		refusal string // TFC's 409 reason
		do      func(context.Context, string, string) (model.Run, error)
	}
	actions := map[string]action{
		"apply":   {acc.apply, "is-confirmable", "Run was not paused for confirmation; apply not allowed.", s.b.Confirm},
		"discard": {acc.apply, "is-discardable", "Run was not paused for confirmation or priority; discard not allowed.", s.b.Discard},
		"cancel":  {acc.apply, "is-cancelable", "Run was not planning or applying; cancel not allowed.", s.b.Interrupt},
		"force-cancel": {acc.admin, "is-force-cancelable",
			"Run was not planning or applying, has not been canceled non-forcefully, or the cool-off period has not yet passed.", s.b.ForceCancel},
	}
	act, ok := actions[r.PathValue("action")]
	switch {
	case !ok || !act.allowed:
		writeError(w, http.StatusNotFound, "not found", "run "+r.PathValue("id")+" not found")
		return
	case !flags[act.flag]:
		writeError(w, http.StatusConflict, "conflict", act.refusal)
		return
	}
	if _, err := act.do(r.Context(), st.ID, run.ID); err != nil {
		if errors.Is(err, backend.ErrConflict) {
			writeError(w, http.StatusConflict, "conflict", act.refusal)
			return
		}
		writeBackendError(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
