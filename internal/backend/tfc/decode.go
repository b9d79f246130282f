package tfc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	tfe "github.com/hashicorp/go-tfe"
)

// Workspace pages are decoded here, in one pass with encoding/json, then
// joined with what they include by type and id. go-tfe's JSON:API decoder
// (hashicorp/jsonapi) walks every attribute by reflection and allocated
// about a gigabyte to list 10,000 workspaces with their current runs; this
// decodes only the fields stackview reads. Like the rest of the client it
// is tolerant: a time it cannot read costs that time, not the page.

// maxWorkspacePage bounds the body of one page of workspaces: 100
// workspaces with their includes are a few hundred kilobytes.
const maxWorkspacePage = 64 << 20

// boundedBuffer is a bytes.Buffer that refuses to grow past max, so an
// answer that never ends cannot take the memory.
type boundedBuffer struct {
	bytes.Buffer
	max int
}

var errTooLarge = errors.New("the answer is larger than stackview reads")

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errTooLarge
	}
	return b.Buffer.Write(p)
}

// apiDocument is a JSON:API document: its primary data (one resource or a
// list), what it includes and the list's pagination.
type apiDocument struct {
	Data     json.RawMessage `json:"data"`
	Included []apiResource   `json:"included"`
	Meta     struct {
		Pagination *struct {
			CurrentPage int `json:"current-page"`
			PrevPage    int `json:"prev-page"`
			NextPage    int `json:"next-page"`
			TotalPages  int `json:"total-pages"`
			TotalCount  int `json:"total-count"`
		} `json:"pagination"`
	} `json:"meta"`
}

type apiResource struct {
	Type          string                     `json:"type"`
	ID            string                     `json:"id"`
	Attributes    json.RawMessage            `json:"attributes"`
	Relationships map[string]apiRelationship `json:"relationships"`
}

// apiRelationship's data is null, one reference or a list of them.
type apiRelationship struct {
	Data json.RawMessage `json:"data"`
}

type apiRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// one is the resource a to-one relationship names, if any.
func (r apiResource) one(name string) (apiRef, bool) {
	var ref apiRef
	rel, ok := r.Relationships[name]
	if !ok || json.Unmarshal(rel.Data, &ref) != nil || ref.ID == "" {
		return apiRef{}, false
	}
	return ref, true
}

// many is the resources a to-many relationship names.
func (r apiResource) many(name string) []apiRef {
	var refs []apiRef
	if rel, ok := r.Relationships[name]; ok {
		_ = json.Unmarshal(rel.Data, &refs)
	}
	return refs
}

// included finds included resources by type and id.
type included map[apiRef]*apiResource

func (in included) get(ref apiRef, ok bool) *apiResource {
	if !ok {
		return nil
	}
	return in[ref]
}

// workspaceAttributes are the workspace attributes stackview reads.
type workspaceAttributes struct {
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	TagNames         []string `json:"tag-names"`
	Locked           bool     `json:"locked"`
	LockedReason     string   `json:"locked-reason"`
	AutoApply        bool     `json:"auto-apply"`
	WorkingDirectory string   `json:"working-directory"`
	LastAssessmentAt string   `json:"last-assessment-result-at"`
	VCSRepo          *struct {
		Identifier        string `json:"identifier"`
		Branch            string `json:"branch"`
		RepositoryHTTPURL string `json:"repository-http-url"`
		ServiceProvider   string `json:"service-provider"`
	} `json:"vcs-repo"`
	Permissions *struct {
		CanQueueRun   bool `json:"can-queue-run"`
		CanQueueApply bool `json:"can-queue-apply"`
		CanLock       bool `json:"can-lock"`
	} `json:"permissions"`
}

// runAttributes are the run attributes stackview reads.
type runAttributes struct {
	Status           tfe.RunStatus     `json:"status"`
	StatusTimestamps map[string]string `json:"status-timestamps"`
	Actions          *struct {
		IsCancelable      bool `json:"is-cancelable"`
		IsConfirmable     bool `json:"is-confirmable"`
		IsDiscardable     bool `json:"is-discardable"`
		IsForceCancelable bool `json:"is-force-cancelable"`
	} `json:"actions"`
	Message                string `json:"message"`
	PlanOnly               bool   `json:"plan-only"`
	RefreshOnly            bool   `json:"refresh-only"`
	IsDestroy              bool   `json:"is-destroy"`
	AutoApply              bool   `json:"auto-apply"`
	SavePlan               bool   `json:"save-plan"`
	CreatedAt              string `json:"created-at"`
	ForceCancelAvailableAt string `json:"force-cancel-available-at"`
}

// decodeWorkspaces reads a workspace list page (or one workspace) into
// rows; pagination is nil for a single workspace.
func decodeWorkspaces(body []byte) ([]*workspaceRow, *tfe.Pagination, error) {
	var doc apiDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, fmt.Errorf("decoding workspaces: %w", err)
	}
	var data []apiResource
	if trimmed := bytes.TrimSpace(doc.Data); len(trimmed) > 0 && trimmed[0] == '{' {
		data = make([]apiResource, 1)
		if err := json.Unmarshal(trimmed, &data[0]); err != nil {
			return nil, nil, fmt.Errorf("decoding a workspace: %w", err)
		}
	} else if err := json.Unmarshal(doc.Data, &data); err != nil {
		return nil, nil, fmt.Errorf("decoding workspaces: %w", err)
	}
	in := make(included, len(doc.Included))
	for i := range doc.Included {
		r := &doc.Included[i]
		in[apiRef{Type: r.Type, ID: r.ID}] = r
	}
	rows := make([]*workspaceRow, 0, len(data))
	for i := range data {
		if data[i].Type != "workspaces" {
			return nil, nil, fmt.Errorf("decoding workspaces: a resource of type %q", data[i].Type)
		}
		row, err := workspaceFrom(&data[i], in)
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, row)
	}
	var pg *tfe.Pagination
	if p := doc.Meta.Pagination; p != nil {
		pg = &tfe.Pagination{CurrentPage: p.CurrentPage, PreviousPage: p.PrevPage, NextPage: p.NextPage,
			TotalPages: p.TotalPages, TotalCount: p.TotalCount}
	}
	return rows, pg, nil
}

func workspaceFrom(r *apiResource, in included) (*workspaceRow, error) {
	var a workspaceAttributes
	if len(r.Attributes) > 0 {
		if err := json.Unmarshal(r.Attributes, &a); err != nil {
			return nil, fmt.Errorf("decoding workspace %s: %w", r.ID, err)
		}
	}
	row := &workspaceRow{ID: r.ID, Name: a.Name, Description: a.Description, TagNames: a.TagNames, Locked: a.Locked,
		LockedReason: a.LockedReason, AutoApply: a.AutoApply, WorkingDirectory: a.WorkingDirectory,
		LastAssessmentAt: a.LastAssessmentAt}
	if v := a.VCSRepo; v != nil {
		row.VCSRepo = &tfe.VCSRepo{Identifier: v.Identifier, Branch: v.Branch, RepositoryHTTPURL: v.RepositoryHTTPURL,
			ServiceProvider: v.ServiceProvider}
	}
	if p := a.Permissions; p != nil {
		row.Permissions = &tfe.WorkspacePermissions{CanQueueRun: p.CanQueueRun, CanQueueApply: p.CanQueueApply, CanLock: p.CanLock}
	}
	if ref, ok := r.one("locked-by"); ok {
		row.LockedBy = lockedBy(ref, in)
	}
	for _, ref := range r.many("effective-tag-bindings") {
		b := &tfe.EffectiveTagBinding{ID: ref.ID}
		if res := in[ref]; res != nil {
			var kv struct {
				Key   string `json:"key"`
				Value string `json:"value"`
			}
			_ = json.Unmarshal(res.Attributes, &kv)
			b.Key, b.Value = kv.Key, kv.Value
		}
		row.TagBindings = append(row.TagBindings, b)
	}
	if ref, ok := r.one("current-run"); ok {
		run, err := runFrom(ref, in)
		if err != nil {
			return nil, fmt.Errorf("decoding workspace %s: %w", r.ID, err)
		}
		row.CurrentRun = run
	}
	if res := in.get(r.one("project")); res != nil {
		var p struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(res.Attributes, &p)
		row.Project = &tfe.Project{ID: res.ID, Name: p.Name}
	} else if ref, ok := r.one("project"); ok {
		row.Project = &tfe.Project{ID: ref.ID}
	}
	if ref, ok := r.one("current-assessment-result"); ok {
		row.Assessment = &assessmentResult{ID: ref.ID}
	}
	return row, nil
}

// lockedBy names the lock holder: a user (its username), a team (its
// name) or a run (its id), as included.
func lockedBy(ref apiRef, in included) *tfe.LockedByChoice {
	var attrs struct {
		Username string `json:"username"`
		Name     string `json:"name"`
	}
	if res := in[ref]; res != nil {
		_ = json.Unmarshal(res.Attributes, &attrs)
	}
	switch ref.Type {
	case "users":
		return &tfe.LockedByChoice{User: &tfe.User{ID: ref.ID, Username: attrs.Username}}
	case "teams":
		return &tfe.LockedByChoice{Team: &tfe.Team{ID: ref.ID, Name: attrs.Name}}
	case "runs":
		return &tfe.LockedByChoice{Run: &tfe.Run{ID: ref.ID}}
	}
	return &tfe.LockedByChoice{}
}

// runFrom is a workspace's current run as included, with its plan, its
// commit and who queued it; a run the page does not include is its id.
func runFrom(ref apiRef, in included) (*runRow, error) {
	run := &runRow{ID: ref.ID}
	res := in[ref]
	if res == nil {
		return run, nil
	}
	var a runAttributes
	if len(res.Attributes) > 0 {
		if err := json.Unmarshal(res.Attributes, &a); err != nil {
			return nil, fmt.Errorf("run %s: %w", ref.ID, err)
		}
	}
	run.Status, run.Message, run.PlanOnly, run.RefreshOnly = a.Status, a.Message, a.PlanOnly, a.RefreshOnly
	run.IsDestroy, run.AutoApply, run.SavePlan = a.IsDestroy, a.AutoApply, a.SavePlan
	run.CreatedAt, run.ForceCancelAvailableAt = a.CreatedAt, a.ForceCancelAvailableAt
	if x := a.Actions; x != nil {
		run.Actions = &tfe.RunActions{IsCancelable: x.IsCancelable, IsConfirmable: x.IsConfirmable,
			IsDiscardable: x.IsDiscardable, IsForceCancelable: x.IsForceCancelable}
	}
	if a.StatusTimestamps != nil {
		run.StatusTimestamps = statusTimestamps(a.StatusTimestamps)
	}
	if p := in.get(res.one("plan")); p != nil {
		var pa struct {
			Status               tfe.PlanStatus `json:"status"`
			ResourceAdditions    int            `json:"resource-additions"`
			ResourceChanges      int            `json:"resource-changes"`
			ResourceDestructions int            `json:"resource-destructions"`
		}
		_ = json.Unmarshal(p.Attributes, &pa)
		run.Plan = &tfe.Plan{ID: p.ID, Status: pa.Status, ResourceAdditions: pa.ResourceAdditions,
			ResourceChanges: pa.ResourceChanges, ResourceDestructions: pa.ResourceDestructions}
	}
	if cv := in.get(res.one("configuration-version")); cv != nil {
		run.ConfigurationVersion = &tfe.ConfigurationVersion{ID: cv.ID}
		if ia := in.get(cv.one("ingress-attributes")); ia != nil {
			var attrs struct {
				CommitSHA string `json:"commit-sha"`
			}
			_ = json.Unmarshal(ia.Attributes, &attrs)
			run.ConfigurationVersion.IngressAttributes = &tfe.IngressAttributes{ID: ia.ID, CommitSHA: attrs.CommitSHA}
		}
	}
	if u := in.get(res.one("created-by")); u != nil {
		var attrs struct {
			Username string `json:"username"`
		}
		_ = json.Unmarshal(u.Attributes, &attrs)
		run.CreatedBy = &tfe.User{ID: u.ID, Username: attrs.Username}
	}
	return run, nil
}

// statusTimestamps fills go-tfe's RunStatusTimestamps from the attribute's
// "<state>-at" keys (named by the struct's jsonapi tags), skipping a time
// it cannot read.
func statusTimestamps(raw map[string]string) *tfe.RunStatusTimestamps {
	ts := &tfe.RunStatusTimestamps{}
	v := reflect.ValueOf(ts).Elem()
	for key, i := range timestampFields() {
		s, ok := raw[key]
		if !ok || s == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			v.Field(i).Set(reflect.ValueOf(t))
		}
	}
	return ts
}

// timestampFields maps each attribute of RunStatusTimestamps to its field.
var timestampFields = sync.OnceValue(func() map[string]int {
	out := map[string]int{}
	t := reflect.TypeFor[tfe.RunStatusTimestamps]()
	for i := range t.NumField() {
		parts := strings.Split(t.Field(i).Tag.Get("jsonapi"), ",")
		if len(parts) >= 2 && parts[0] == "attr" && t.Field(i).Type == reflect.TypeFor[time.Time]() {
			out[parts[1]] = i
		}
	}
	return out
})
