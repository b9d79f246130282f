package tfcapi

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

func planResource(base, id string, r model.Run, x sandbox.RunExtra) resource {
	d := model.Delta{}
	status := planStatus(r, x)
	if r.Delta != nil && status == "finished" {
		d = *r.Delta
	}
	return resource{Type: "plans", ID: id, Attributes: map[string]any{
		"status":                status,
		"has-changes":           !d.Empty(),
		"resource-additions":    d.Add,
		"resource-changes":      d.Change,
		"resource-destructions": d.Destroy,
		"resource-imports":      0,
		"log-read-url":          base + "/sandbox-logs/" + id,
		"status-timestamps":     map[string]any{},
	}, Links: map[string]string{"self": "/api/v2/plans/" + id, "json-output": "/api/v2/plans/" + id + "/json-output"}}
}

func applyResource(base, id string, r model.Run, x sandbox.RunExtra) resource {
	d := model.Delta{}
	status := applyStatus(r, x)
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
	_, run, x, err := s.resolveRun(r.Context(), r.PathValue("id"))
	if err != nil || x.Assessment {
		writeBackendError(w, errOr(err, backend.NotFoundf("plan %s", r.PathValue("id"))))
		return
	}
	writeJSON(w, http.StatusOK, document{Data: planResource(baseURL(r), r.PathValue("id"), run, x)})
}

func (s *Server) readApply(w http.ResponseWriter, r *http.Request) {
	_, run, x, err := s.resolveRun(r.Context(), r.PathValue("id"))
	if err != nil || x.Assessment {
		writeBackendError(w, errOr(err, backend.NotFoundf("apply %s", r.PathValue("id"))))
		return
	}
	writeJSON(w, http.StatusOK, document{Data: applyResource(baseURL(r), r.PathValue("id"), run, x)})
}

// resourceChange is one entry of resource_changes / resource_drift in
// Terraform's plan JSON (`terraform show -json`): the whole resource before
// and after, sensitive values in the clear and marked, unknown ones null
// and marked, why it is replaced or deleted.
type resourceChange struct {
	Address       string `json:"address"`
	ModuleAddress string `json:"module_address,omitempty"`
	Mode          string `json:"mode"`
	Type          string `json:"type,omitempty"`
	Name          string `json:"name,omitempty"`
	Index         *int   `json:"index,omitempty"`
	ProviderName  string `json:"provider_name"`
	Change        struct {
		Actions         []string       `json:"actions"`
		Before          map[string]any `json:"before"`
		After           map[string]any `json:"after"`
		AfterUnknown    map[string]any `json:"after_unknown"`
		BeforeSensitive any            `json:"before_sensitive"`
		AfterSensitive  any            `json:"after_sensitive"`
		ReplacePaths    [][]string     `json:"replace_paths,omitempty"`
	} `json:"change"`
	ActionReason string `json:"action_reason,omitempty"`
}

// wholePlan is the engine's plan JSON of a run, where it keeps one (the
// sandbox); other engines' plans are built from their changes' values.
type wholePlan interface {
	PlanJSON(ctx context.Context, stackID, runID string) ([]sandbox.PlanResource, error)
}

// planResources is each change with its resource as a whole.
func (s *Server) planResources(ctx context.Context, stackID, runID string, changes []model.ResourceChange) ([]resourceChange, error) {
	whole := map[string]sandbox.PlanResource{}
	if w, ok := s.b.(wholePlan); ok && runID != "" {
		prs, err := w.PlanJSON(ctx, stackID, runID)
		if err != nil {
			return nil, err
		}
		for _, pr := range prs {
			whole[pr.Address] = pr
		}
	}
	out := make([]resourceChange, 0, len(changes))
	for _, c := range changes {
		pr, ok := whole[c.Address]
		if !ok {
			pr = sandbox.PlanResourceOf(c)
		}
		out = append(out, newResourceChange(c, pr))
	}
	return out, nil
}

func newResourceChange(c model.ResourceChange, pr sandbox.PlanResource) resourceChange {
	rc := resourceChange{Address: c.Address, Mode: "managed", ActionReason: c.Reason}
	parts := strings.Split(c.Address, ".")
	if n := len(parts); n >= 2 {
		rc.Type, rc.Name = parts[n-2], parts[n-1]
		if i := strings.IndexByte(rc.Name, '['); i >= 0 {
			if idx, err := strconv.Atoi(strings.TrimSuffix(rc.Name[i+1:], "]")); err == nil {
				rc.Index = &idx
			}
			rc.Name = rc.Name[:i]
		}
		if n > 2 {
			rc.ModuleAddress = strings.Join(parts[:n-2], ".")
		}
	}
	provider, _, _ := strings.Cut(rc.Type, "_")
	rc.ProviderName = "registry.terraform.io/hashicorp/" + provider
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
	rc.Change.Before, rc.Change.After = pr.Before, pr.After
	rc.Change.AfterUnknown = pr.AfterUnknown
	if rc.Change.AfterUnknown == nil {
		rc.Change.AfterUnknown = map[string]any{}
	}
	// Terraform writes false, not an empty object, for a side without
	// sensitive values.
	rc.Change.BeforeSensitive, rc.Change.AfterSensitive = sensitiveMarks(pr.BeforeSensitive), sensitiveMarks(pr.AfterSensitive)
	for _, p := range c.ReplacePaths {
		rc.Change.ReplacePaths = append(rc.Change.ReplacePaths, strings.Split(p, "."))
	}
	return rc
}

func sensitiveMarks(m map[string]any) any {
	if len(m) == 0 {
		return false
	}
	return m
}

// downloadTTL is how long a plan JSON download URL works (api-docs/plans:
// "a life of 1 minute").
const downloadTTL = time.Minute

// download is one temporary plan JSON URL.
type download struct {
	plan    runKey
	expires time.Time
}

// planJSON answers as TFC does: 204 while the plan is not finished, else a
// 307 to a temporary URL that serves the plan in `terraform show -json`
// shape for a minute. Only workspace admins may read it; others get 404.
// A refresh-only plan's findings are its resource_drift.
func (s *Server) planJSON(w http.ResponseWriter, r *http.Request) {
	st, run, x, err := s.resolveRun(r.Context(), r.PathValue("id"))
	if err == nil && (x.Assessment || !accessOf(userOf(r), st).admin) {
		err = backend.NotFoundf("plan %s", r.PathValue("id"))
	}
	if err != nil {
		writeBackendError(w, err)
		return
	}
	if planStatus(run, x) != "finished" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	key := strings.ToLower(rand.Text() + rand.Text())
	s.mu.Lock()
	now := s.b.Now()
	for k, d := range s.downloads {
		if now.After(d.expires) {
			delete(s.downloads, k)
		}
	}
	s.downloads[key] = download{plan: runKey{stack: st.ID, run: run.ID}, expires: now.Add(downloadTTL)}
	s.mu.Unlock()
	http.Redirect(w, r, baseURL(r)+"/sandbox-archivist/"+key, http.StatusTemporaryRedirect)
}

// download serves a plan JSON URL planJSON made, without a token, until it
// expires.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d, ok := s.downloads[r.PathValue("key")]
	s.mu.Unlock()
	if !ok || s.b.Now().After(d.expires) {
		http.NotFound(w, r)
		return
	}
	run, err := s.b.GetRun(r.Context(), d.plan.stack, d.plan.run)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	changes, err := s.b.RunChanges(r.Context(), d.plan.stack, d.plan.run)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	out, err := s.planResources(r.Context(), d.plan.stack, d.plan.run, changes)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	doc, err := s.planDocument(r.Context(), d.plan.stack)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	doc["resource_changes"] = out
	if run.Kind == model.RunDriftCheck {
		doc["resource_changes"], doc["resource_drift"] = []resourceChange{}, out
	}
	writePlainJSON(w, doc)
}

// planDocument is the part of a plan's JSON (`terraform show -json`) that
// holds every resource the stack manages, in prior_state and
// planned_values, as Terraform writes them: tens to hundreds of resources,
// so a client reads an answer as large as a real one.
func (s *Server) planDocument(ctx context.Context, stackID string) (map[string]any, error) {
	ens, err := s.b.StackEntities(ctx, stackID)
	if err != nil {
		return nil, err
	}
	module := stateModule(ens)
	return map[string]any{
		"format_version":    "1.2",
		"terraform_version": terraformVersion,
		"planned_values":    map[string]any{"root_module": module},
		"prior_state": map[string]any{"format_version": "1.0", "terraform_version": terraformVersion,
			"values": map[string]any{"root_module": module}},
	}, nil
}

// terraformVersion is what the sandbox's workspaces and plans claim to run.
const terraformVersion = "1.9.8"

// stateResource is one resource instance in Terraform's JSON state format.
type stateResource struct {
	Address       string         `json:"address"`
	Mode          string         `json:"mode"`
	Type          string         `json:"type"`
	Name          string         `json:"name"`
	Index         *int           `json:"index,omitempty"`
	ProviderName  string         `json:"provider_name"`
	SchemaVersion int            `json:"schema_version"`
	Values        map[string]any `json:"values"`
}

// stateModule arranges entities as Terraform's root_module: the root's
// resources, then one child module per module path.
func stateModule(ens []sandbox.Entity) map[string]any {
	root := []stateResource{}
	children := map[string][]stateResource{}
	var order []string
	for _, en := range ens {
		name, index := en.Name, (*int)(nil)
		if i := strings.IndexByte(name, '['); i >= 0 && strings.HasSuffix(name, "]") {
			if n, err := strconv.Atoi(name[i+1 : len(name)-1]); err == nil {
				name, index = name[:i], &n
			}
		}
		res := stateResource{Address: en.Address, Mode: "managed", Type: en.Type, Name: name, Index: index,
			ProviderName: "registry.terraform.io/hashicorp/" + providerOf(en.Type),
			Values:       map[string]any{"id": en.ID, "arn": "arn:sandbox:" + en.Type + ":" + en.ID, "tags": map[string]string{"managed-by": "terraform"}}}
		if en.Parent == "" {
			root = append(root, res)
			continue
		}
		if _, ok := children[en.Parent]; !ok {
			order = append(order, en.Parent)
		}
		children[en.Parent] = append(children[en.Parent], res)
	}
	mods := []map[string]any{}
	for _, p := range order {
		mods = append(mods, map[string]any{"address": p, "resources": children[p]})
	}
	return map[string]any{"resources": root, "child_modules": mods}
}

func writePlainJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
