package tfcapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi/tfcapitest"
	"github.com/stackview/stackview/internal/model"
)

// limitedFixture is a fixture whose server enforces TFC's rate limits on
// the fake's clock.
func limitedFixture(t *testing.T) *fixture {
	t.Helper()
	fake := tfcapitest.New(9)
	srv := tfcapi.New(fake, tfcapi.Options{RateLimit: true})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &fixture{srv: srv, fake: fake, url: ts.URL}
}

func TestRateLimitsPerUserOnTheEnginesClock(t *testing.T) {
	f := limitedFixture(t)
	resp, _ := f.do(t, "GET", "/api/v2/ping", "", "")
	if resp.Header.Get("X-RateLimit-Limit") != "30" {
		t.Errorf("ping X-RateLimit-Limit = %q, want 30", resp.Header.Get("X-RateLimit-Limit"))
	}
	// The two users are limited apart; one user's tokens would share.
	for i := range 30 {
		if resp, _ := f.do(t, "GET", "/api/v2/organizations/fake-org", f.srv.Token(), ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, _ = f.do(t, "GET", "/api/v2/organizations/fake-org", f.srv.Token(), "")
	reset, err := strconv.ParseFloat(resp.Header.Get("X-RateLimit-Reset"), 64)
	if resp.StatusCode != http.StatusTooManyRequests || err != nil || reset <= 0 || reset > 1 {
		t.Fatalf("the 31st request in a second: %d, reset %q", resp.StatusCode, resp.Header.Get("X-RateLimit-Reset"))
	}
	if resp, _ := f.do(t, "GET", "/api/v2/organizations/fake-org", f.srv.ReaderToken(), ""); resp.StatusCode != http.StatusOK {
		t.Errorf("another user is limited apart: %d", resp.StatusCode)
	}
	f.fake.Advance(time.Second)
	if resp, _ := f.do(t, "GET", "/api/v2/organizations/fake-org", f.srv.Token(), ""); resp.StatusCode != http.StatusOK {
		t.Errorf("a second later: %d", resp.StatusCode)
	}
	// Run lists: 30 a minute.
	for i := range 30 {
		if i%20 == 19 {
			f.fake.Advance(time.Second) // stay under 30 a second
		}
		if resp, _ := f.do(t, "GET", "/api/v2/workspaces/ws-bu001-dev/runs", f.srv.Token(), ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("run list %d: %d", i+1, resp.StatusCode)
		}
	}
	f.fake.Advance(time.Second)
	resp, _ = f.do(t, "GET", "/api/v2/workspaces/ws-bu001-dev/runs", f.srv.Token(), "")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the 31st run list in a minute: %d", resp.StatusCode)
	}
	if resp, _ := f.do(t, "GET", "/api/v2/workspaces/ws-bu001-dev", f.srv.Token(), ""); resp.StatusCode != http.StatusOK {
		t.Errorf("other endpoints go on: %d", resp.StatusCode)
	}
}

func TestTokensAreMadePerStart(t *testing.T) {
	a, b := tfcapi.New(tfcapitest.New(1), tfcapi.Options{}), tfcapi.New(tfcapitest.New(1), tfcapi.Options{})
	tok := regexp.MustCompile(`^\w{14}\.atlasv1\.\w{67}$`)
	if a.Token() == b.Token() || a.Token() == a.ReaderToken() || !tok.MatchString(a.Token()) || !tok.MatchString(a.ReaderToken()) {
		t.Errorf("tokens %q, %q, reader %q", a.Token(), b.Token(), a.ReaderToken())
	}
}

// TestTimesAsTheDocsWriteThem: resource times are millisecond Z times,
// status timestamps and assessment times +00:00.
func TestTimesAsTheDocsWriteThem(t *testing.T) {
	f := newFixture(t)
	_, raw := f.do(t, "GET", "/api/v2/workspaces/ws-bu001-dev?include=current_run", f.srv.Token(), "")
	z := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	offset := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$`)
	var doc struct {
		Data struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
		Included []struct {
			Attributes struct {
				CreatedAt        string            `json:"created-at"`
				StatusTimestamps map[string]string `json:"status-timestamps"`
			} `json:"attributes"`
		} `json:"included"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || len(doc.Included) != 1 {
		t.Fatalf("%v: %s", err, raw)
	}
	if at, _ := doc.Data.Attributes["created-at"].(string); !z.MatchString(at) {
		t.Errorf("workspace created-at %q", at)
	}
	if at, _ := doc.Data.Attributes["last-assessment-result-at"].(string); !offset.MatchString(at) {
		t.Errorf("last-assessment-result-at %q", at)
	}
	run := doc.Included[0].Attributes
	if !z.MatchString(run.CreatedAt) || len(run.StatusTimestamps) == 0 {
		t.Errorf("run created-at %q, status timestamps %v", run.CreatedAt, run.StatusTimestamps)
	}
	for k, v := range run.StatusTimestamps {
		if !offset.MatchString(v) {
			t.Errorf("status timestamp %s = %q", k, v)
		}
	}
	_, raw = f.do(t, "GET", "/api/v2/workspaces/ws-bu001-dev/current-assessment-result", f.srv.Token(), "")
	if !regexp.MustCompile(`"created-at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"`).Match(raw) {
		t.Errorf("assessment: %s", raw)
	}
}

// TestPlanJSONAndAdminOnlyReads: 204 while planning, then a 307 to a
// download that works for a minute without a token; the reader gets 404
// for plan and assessment JSON.
func TestPlanJSONAndAdminOnlyReads(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	run, err := f.api.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: "ws-bu001-qa"}, PlanOnly: tfe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, token string) *http.Response {
		req, _ := http.NewRequestWithContext(ctx, "GET", f.url+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get("/api/v2/runs/"+run.ID+"/plan/json-output", f.srv.Token()); resp.StatusCode != http.StatusNoContent {
		t.Errorf("while planning: %d, want 204", resp.StatusCode)
	}
	f.fake.Advance(time.Minute)
	f.fake.Advance(time.Minute)
	resp := get("/api/v2/runs/"+run.ID+"/plan/json-output", f.srv.Token())
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusTemporaryRedirect || !strings.Contains(loc, "/sandbox-archivist/") {
		t.Fatalf("finished: %d to %q, want a 307", resp.StatusCode, loc)
	}
	if r := get(strings.TrimPrefix(loc, f.url), ""); r.StatusCode != http.StatusOK {
		t.Errorf("the download without a token: %d", r.StatusCode)
	}
	f.fake.Advance(61 * time.Second)
	if r := get(strings.TrimPrefix(loc, f.url), ""); r.StatusCode != http.StatusNotFound {
		t.Errorf("the download a minute later: %d, want 404", r.StatusCode)
	}
	if r := get("/api/v2/runs/"+run.ID+"/plan/json-output", f.srv.ReaderToken()); r.StatusCode != http.StatusNotFound {
		t.Errorf("the reader's plan JSON: %d, want 404", r.StatusCode)
	}
	_, raw := f.do(t, "GET", "/api/v2/workspaces/ws-bu001-dev/current-assessment-result", f.srv.ReaderToken(), "")
	var doc struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Data.ID == "" {
		t.Fatalf("the reader reads the assessment: %s", raw)
	}
	if r, _ := f.do(t, "GET", "/api/v2/assessment-results/"+doc.Data.ID+"/json-output", f.srv.ReaderToken(), ""); r.StatusCode != http.StatusNotFound {
		t.Errorf("the reader's assessment JSON: %d, want 404", r.StatusCode)
	}
}

// TestRunActionsFollowTheFlagsInTFCsWords: 409 with the documented reason;
// force-cancel only after a cancel and the cool-off.
func TestRunActionsFollowTheFlagsInTFCsWords(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	run, err := f.api.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: "ws-bu001-qa"}, Message: tfe.String("why")})
	if err != nil || run.Message != "why" || !run.Actions.IsCancelable || run.Actions.IsConfirmable {
		t.Fatalf("created: %+v, %v", run, err)
	}
	resp, raw := f.do(t, "POST", "/api/v2/runs/"+run.ID+"/actions/apply", f.srv.Token(), "{}")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(raw), "Run was not paused for confirmation; apply not allowed.") ||
		strings.Contains(string(raw), string(model.StateQueued)) {
		t.Errorf("apply of a pending run: %d %s", resp.StatusCode, raw)
	}
	f.fake.Advance(time.Minute) // planning
	if resp, raw := f.do(t, "POST", "/api/v2/runs/"+run.ID+"/actions/force-cancel", f.srv.Token(), "{}"); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(string(raw), "has not been canceled non-forcefully") {
		t.Errorf("force-cancel before a cancel: %d %s", resp.StatusCode, raw)
	}
	if resp, _ := f.do(t, "POST", "/api/v2/runs/"+run.ID+"/actions/cancel", f.srv.Token(), "{}"); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	r, err := f.api.Runs.Read(ctx, run.ID)
	if err != nil || r.Actions.IsForceCancelable || r.Actions.IsCancelable || r.ForceCancelAvailableAt.IsZero() {
		t.Errorf("right after the cancel: %+v, %v", r.Actions, err)
	}
	if resp, _ := f.do(t, "POST", "/api/v2/runs/"+run.ID+"/actions/force-cancel", f.srv.ReaderToken(), "{}"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the reader's force-cancel: %d, want 404", resp.StatusCode)
	}
}

// TestResourcesAsTerraformWritesThem: a workspace's resource-count is the
// resources its stack manages (tens to hundreds), and plan and assessment
// JSON hold every one of them in prior_state and planned_values, as
// `terraform show -json` does, beside the changes or the drift.
func TestResourcesAsTerraformWritesThem(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	ens, err := f.fake.StackEntities(ctx, "bu001-dev")
	if err != nil {
		t.Fatal(err)
	}
	ws, err := f.api.Workspaces.ReadByID(ctx, "ws-bu001-dev")
	if err != nil {
		t.Fatal(err)
	}
	if ws.ResourceCount != len(ens) || ws.ResourceCount < 20 {
		t.Errorf("resource-count %d, the stack manages %d", ws.ResourceCount, len(ens))
	}
	type plan struct {
		PriorState struct {
			Values struct {
				RootModule struct {
					Resources []struct {
						Address string `json:"address"`
						Mode    string `json:"mode"`
					} `json:"resources"`
				} `json:"root_module"`
			} `json:"values"`
		} `json:"prior_state"`
		PlannedValues struct {
			RootModule struct {
				Resources []json.RawMessage `json:"resources"`
			} `json:"root_module"`
		} `json:"planned_values"`
		ResourceDrift []struct {
			Address string `json:"address"`
		} `json:"resource_drift"`
	}
	_, raw := f.do(t, "GET", "/api/v2/workspaces/ws-bu001-dev/current-assessment-result", f.srv.Token(), "")
	var doc struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	_, raw = f.do(t, "GET", "/api/v2/assessment-results/"+doc.Data.ID+"/json-output", f.srv.Token(), "")
	var p plan
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	state := p.PriorState.Values.RootModule.Resources
	if len(state) != len(ens) || len(p.PlannedValues.RootModule.Resources) != len(ens) || state[0].Mode != "managed" {
		t.Errorf("assessment JSON holds %d resources in prior_state, %d planned; the stack manages %d",
			len(state), len(p.PlannedValues.RootModule.Resources), len(ens))
	}
	if len(p.ResourceDrift) != 1 || p.ResourceDrift[0].Address != "aws_s3_bucket.logs" {
		t.Errorf("resource_drift %+v", p.ResourceDrift)
	}
	run, err := f.api.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: "ws-bu002-qa"}, PlanOnly: tfe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	f.fake.Advance(time.Minute)
	f.fake.Advance(time.Minute)
	js, err := f.api.Plans.ReadJSONOutput(ctx, run.Plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	p = plan{}
	if err := json.Unmarshal(js, &p); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.fake.ResourceCount(ctx, "bu002-qa"); len(p.PriorState.Values.RootModule.Resources) != n {
		t.Errorf("plan JSON holds %d resources in prior_state, the stack manages %d", len(p.PriorState.Values.RootModule.Resources), n)
	}
}
