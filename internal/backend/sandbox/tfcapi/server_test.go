package tfcapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi/tfcapitest"
)

type fixture struct {
	srv  *tfcapi.Server
	fake *tfcapitest.Fake
	url  string
	api  *tfe.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fake := tfcapitest.New(9)
	srv := tfcapi.New(fake, tfcapi.Options{})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	api, err := tfe.NewClient(&tfe.Config{Address: ts.URL, Token: srv.Token(), HTTPClient: ts.Client()})
	if err != nil {
		t.Fatalf("go-tfe client: %v", err)
	}
	return &fixture{srv: srv, fake: fake, url: ts.URL, api: api}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// get sends a raw request, with the token unless token is "".
func (f *fixture) do(t *testing.T, method, path, token, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxFor(t), method, f.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/vnd.api+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, raw
}

type errorsDoc struct {
	Errors []struct {
		Status string `json:"status"`
		Title  string `json:"title"`
	} `json:"errors"`
}

func TestAPIWantsTheToken(t *testing.T) {
	f := newFixture(t)
	for _, token := range []string{"", "wrong"} {
		resp, raw := f.do(t, "GET", "/api/v2/organizations/"+f.srv.Organization()+"/workspaces", token, "")
		var doc errorsDoc
		if resp.StatusCode != http.StatusUnauthorized || json.Unmarshal(raw, &doc) != nil || len(doc.Errors) != 1 ||
			doc.Errors[0].Status != "401" || resp.Header.Get("Content-Type") != "application/vnd.api+json" {
			t.Errorf("token %q: %d %s", token, resp.StatusCode, raw)
		}
	}
	resp, _ := f.do(t, "GET", "/api/v2/ping", "", "")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("TFP-API-Version") == "" {
		t.Errorf("ping: %d %v", resp.StatusCode, resp.Header)
	}
	if f.api.RemoteAPIVersion() != "2.6" || !f.api.IsCloud() {
		t.Errorf("go-tfe sees API %q, cloud %v", f.api.RemoteAPIVersion(), f.api.IsCloud())
	}
}

func TestWorkspaceListWireFormat(t *testing.T) {
	f := newFixture(t)
	resp, raw := f.do(t, "GET", "/api/v2/organizations/fake-org/workspaces?page%5Bsize%5D=2&page%5Bnumber%5D=2&include=current_run", f.srv.Token(), "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	var doc struct {
		Data []struct {
			Type       string         `json:"type"`
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
		Included []struct {
			Type       string         `json:"type"`
			Attributes map[string]any `json:"attributes"`
		} `json:"included"`
		Meta struct {
			Pagination map[string]any `json:"pagination"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.Meta.Pagination
	if len(doc.Data) != 2 || p["current-page"] != 2.0 || p["prev-page"] != 1.0 || p["next-page"] != 3.0 ||
		p["total-pages"] != 5.0 || p["total-count"] != 9.0 {
		t.Errorf("page 2 of 9 by 2: %d items, pagination %v", len(doc.Data), p)
	}
	for _, d := range doc.Data {
		if d.Type != "workspaces" || !strings.HasSuffix(d.Attributes["created-at"].(string), "Z") {
			t.Errorf("workspace %v", d)
		}
	}
	if len(doc.Included) != 2 || doc.Included[0].Type != "runs" || !strings.HasSuffix(doc.Included[0].Attributes["created-at"].(string), "Z") {
		t.Errorf("included = %+v", doc.Included)
	}

	if _, err := f.api.Workspaces.List(ctxFor(t), "fake-org", &tfe.WorkspaceListOptions{Include: []tfe.WSIncludeOpt{"bogus"}}); !errors.Is(err, tfe.ErrInvalidIncludeValue) {
		t.Errorf("an unknown include value: %v, want go-tfe's ErrInvalidIncludeValue", err)
	}
	if _, err := f.api.RunTriggers.List(ctxFor(t), "ws-network-dev", &tfe.RunTriggerListOptions{RunTriggerType: tfe.RunTriggerInbound,
		Include: []tfe.RunTriggerIncludeOpt{tfe.RunTriggerSourceable}}); err != nil {
		t.Errorf("inbound run triggers with include: %v", err)
	}
	resp, raw = f.do(t, "GET", "/api/v2/workspaces/ws-network-dev/run-triggers?filter%5Brun-trigger%5D%5Btype%5D=outbound&include=workspace", f.srv.Token(), "")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("outbound run triggers with include: %d %s, want 400", resp.StatusCode, raw)
	}

	resp, raw = f.do(t, "GET", "/api/v2/organizations/fake-org/workspaces?page%5Bsize%5D=500", f.srv.Token(), "")
	if err := json.Unmarshal(raw, &doc); err != nil || resp.StatusCode != 200 || doc.Meta.Pagination["page-size"] != 100.0 {
		t.Errorf("page size is not capped at 100: %v", doc.Meta.Pagination)
	}
}

func TestWorkspaceFiltersThroughGoTFE(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	count := func(opts *tfe.WorkspaceListOptions) []string {
		t.Helper()
		list, err := f.api.Workspaces.List(ctx, "fake-org", opts)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, w := range list.Items {
			names = append(names, w.Name)
		}
		return names
	}
	// Environment workspaces carry flat tags, business-unit ones key/value
	// tags: search[tags] sees only the former.
	if got := count(&tfe.WorkspaceListOptions{Tags: "env:dev"}); len(got) != 1 || got[0] != "network-dev" {
		t.Errorf("flat tag env:dev = %v", got)
	}
	if got := count(&tfe.WorkspaceListOptions{Tags: "env:dev,layer:environment"}); len(got) != 1 || got[0] != "network-dev" {
		t.Errorf("dev environment workspace = %v", got)
	}
	if got := count(&tfe.WorkspaceListOptions{Search: "bu002"}); len(got) != 3 {
		t.Errorf("search bu002 = %v", got)
	}
	if got := count(&tfe.WorkspaceListOptions{WildcardName: "*-prod"}); len(got) != 3 {
		t.Errorf("*-prod = %v", got)
	}
	// Key/value filters; go-tfe also sends a junk TagBindings= parameter,
	// which must be ignored.
	if got := count(&tfe.WorkspaceListOptions{TagBindings: []*tfe.TagBinding{{Key: "env", Value: "qa"}, {Key: "bu", Value: "bu001"}}}); len(got) != 1 || got[0] != "bu001-qa" {
		t.Errorf("env=qa and bu=bu001 = %v", got)
	}
	if got := count(&tfe.WorkspaceListOptions{TagBindings: []*tfe.TagBinding{{Key: "env", Value: "dev"}}}); len(got) != 2 {
		t.Errorf("key/value env=dev = %v, want the two business-unit workspaces", got)
	}
	if got := count(&tfe.WorkspaceListOptions{TagBindings: []*tfe.TagBinding{{Key: "bu", Value: "bu002"}}}); len(got) != 3 {
		t.Errorf("bu=bu002 = %v", got)
	}
	list, err := f.api.Workspaces.List(ctx, "fake-org", &tfe.WorkspaceListOptions{
		Search: "bu001-dev", Include: []tfe.WSIncludeOpt{tfe.WSCurrentRun, tfe.WSProject, tfe.WSEffectiveTagBindings}})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("bu001-dev: %v, %v", list, err)
	}
	w := list.Items[0]
	if w.CurrentRun == nil || w.CurrentRun.Status != tfe.RunApplied || w.Project == nil || w.Project.Name != "bu001" {
		t.Errorf("current run %+v, project %+v", w.CurrentRun, w.Project)
	}
	bindings := map[string]string{}
	for _, b := range w.EffectiveTagBindings {
		bindings[b.Key] = b.Value
	}
	if len(bindings) != 2 || bindings["env"] != "dev" || bindings["bu"] != "bu001" {
		t.Errorf("tag bindings = %v", bindings)
	}
	if got := count(&tfe.WorkspaceListOptions{ProjectID: w.Project.ID}); len(got) != 3 {
		t.Errorf("project %s = %v", w.Project.ID, got)
	}
	byName, err := f.api.Workspaces.Read(ctx, "fake-org", "bu001-dev")
	if err != nil || byName.ID != w.ID {
		t.Errorf("read by name: %+v, %v", byName, err)
	}
}

func TestRunTriggersNeedTheirType(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.do(t, "GET", "/api/v2/workspaces/ws-bu001-dev/run-triggers", f.srv.Token(), "")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("without filter: %d, want 400", resp.StatusCode)
	}
	ctx := ctxFor(t)
	in, err := f.api.RunTriggers.List(ctx, "ws-bu001-dev", &tfe.RunTriggerListOptions{RunTriggerType: tfe.RunTriggerInbound})
	if err != nil || len(in.Items) != 1 || in.Items[0].Sourceable.ID != "ws-network-dev" || in.Items[0].SourceableName != "network-dev" {
		t.Fatalf("inbound: %+v, %v", in, err)
	}
	out, err := f.api.RunTriggers.List(ctx, "ws-network-dev", &tfe.RunTriggerListOptions{RunTriggerType: tfe.RunTriggerOutbound})
	if err != nil || len(out.Items) != 2 {
		t.Fatalf("outbound: %+v, %v", out, err)
	}
}

func TestRunsThroughGoTFE(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	plan, err := f.api.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: "ws-bu001-qa"}, PlanOnly: tfe.Bool(true)})
	if err != nil || plan.Status != tfe.RunPending || !plan.PlanOnly {
		t.Fatalf("create plan-only run: %+v, %v", plan, err)
	}
	deploy, err := f.api.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: "ws-bu001-qa"}})
	if err != nil {
		t.Fatal(err)
	}
	def, err := f.api.Runs.List(ctx, "ws-bu001-qa", nil)
	if err != nil || len(def.Items) != 2 {
		t.Fatalf("default run list should hide the plan-only run: %v, %v", def, err)
	}
	all, err := f.api.Runs.List(ctx, "ws-bu001-qa", &tfe.RunListOptions{Operation: "plan_only,plan_and_apply"})
	if err != nil || len(all.Items) != 3 || all.Items[0].ID != deploy.ID {
		t.Fatalf("all runs: %v, %v", all, err)
	}

	if err := f.api.Runs.Apply(ctx, deploy.ID, tfe.RunApplyOptions{}); err == nil {
		t.Error("applying a pending run should be refused")
	}
	f.fake.Advance(time.Minute)
	f.fake.Advance(time.Minute)
	resp, raw := f.do(t, "POST", "/api/v2/runs/"+deploy.ID+"/actions/apply", f.srv.Token(), `{"comment":"go"}`)
	if resp.StatusCode != http.StatusAccepted || len(raw) != 0 {
		t.Errorf("apply: %d %q, want 202 and no body", resp.StatusCode, raw)
	}
	resp, raw = f.do(t, "POST", "/api/v2/runs/"+deploy.ID+"/actions/apply", f.srv.Token(), `{}`)
	var doc errorsDoc
	if resp.StatusCode != http.StatusConflict || json.Unmarshal(raw, &doc) != nil || len(doc.Errors) == 0 {
		t.Errorf("second apply: %d %s, want a 409 JSON:API error", resp.StatusCode, raw)
	}

	r, err := f.api.Runs.ReadWithOptions(ctx, plan.ID, &tfe.RunReadOptions{Include: []tfe.RunIncludeOpt{tfe.RunPlan}})
	if err != nil || r.Status != tfe.RunPlannedAndFinished || r.Plan == nil || r.Plan.ResourceAdditions != 1 {
		t.Fatalf("finished plan: %+v, %v", r, err)
	}
	logs, err := f.api.Plans.Logs(ctx, r.Plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(logs)
	if err != nil || !strings.Contains(string(text), "plan: 1 to add") || strings.ContainsAny(string(text), "\x02\x03") {
		t.Errorf("go-tfe's log reader got %q, %v", text, err)
	}
	resp, raw = f.do(t, "GET", strings.TrimPrefix(r.Plan.LogReadURL, f.url), "", "")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(raw), "\x02") || !strings.HasSuffix(string(raw), "\x03") {
		t.Errorf("log-read-url without a token: %d %q", resp.StatusCode, raw)
	}
	js, err := f.api.Plans.ReadJSONOutput(ctx, r.Plan.ID)
	if err != nil || !strings.Contains(string(js), `"resource_changes"`) {
		t.Errorf("plan JSON: %s, %v", js, err)
	}
}

func TestAssessments(t *testing.T) {
	f := newFixture(t)
	resp, raw := f.do(t, "GET", "/api/v2/workspaces/ws-bu001-dev/current-assessment-result", f.srv.Token(), "")
	var doc struct {
		Data struct {
			ID         string         `json:"id"`
			Type       string         `json:"type"`
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &doc) != nil || doc.Data.Type != "assessment-results" ||
		doc.Data.Attributes["drifted"] != true {
		t.Fatalf("current assessment: %d %s", resp.StatusCode, raw)
	}
	resp, raw = f.do(t, "GET", "/api/v2/assessment-results/"+doc.Data.ID+"/json-output", f.srv.Token(), "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"resource_drift"`) || !strings.Contains(string(raw), "aws_s3_bucket.logs") {
		t.Errorf("assessment JSON: %d %s", resp.StatusCode, raw)
	}
	if resp, _ := f.do(t, "GET", "/api/v2/workspaces/ws-network-dev/current-assessment-result", f.srv.Token(), ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("never assessed: %d, want 404", resp.StatusCode)
	}
}

func TestRegistryThroughGoTFE(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	list, err := f.api.RegistryModules.List(ctx, "fake-org", nil)
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("modules: %+v, %v", list, err)
	}
	m, err := f.api.RegistryModules.Read(ctx, tfe.RegistryModuleID{Organization: "fake-org", Namespace: "fake-org",
		Name: "vpc", Provider: "aws", RegistryName: tfe.PrivateRegistry})
	if err != nil || len(m.VersionStatuses) != 3 || m.VersionStatuses[0].Status != tfe.RegistryModuleVersionStatusOk {
		t.Fatalf("vpc: %+v, %v", m, err)
	}
}

func TestRateLimitHook(t *testing.T) {
	f := newFixture(t)
	f.srv.RateLimitNext(1, 1500*time.Millisecond)
	resp, raw := f.do(t, "GET", "/api/v2/organizations/fake-org", f.srv.Token(), "")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("X-RateLimit-Reset") != "1.500" || !strings.Contains(string(raw), "429") {
		t.Errorf("throttled: %d %v %s", resp.StatusCode, resp.Header, raw)
	}
	if resp, _ := f.do(t, "GET", "/api/v2/organizations/fake-org", f.srv.Token(), ""); resp.StatusCode != http.StatusOK {
		t.Errorf("after the throttled request: %d", resp.StatusCode)
	}
}

func TestStartListensOnLoopbackOnly(t *testing.T) {
	srv := tfcapi.New(tfcapitest.New(3), tfcapi.Options{Organization: "demo", Token: "tok", ReaderToken: "rtok"})
	if _, err := srv.Start("0.0.0.0:0"); err == nil {
		t.Fatal("listening on every interface was allowed")
	}
	url, err := srv.Start("")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(url, "http://127.0.0.1:") || srv.BaseURL() != url || srv.Organization() != "demo" || srv.Token() != "tok" ||
		srv.ShellExports() != "export TFE_ADDRESS="+url+"\nexport TFE_TOKEN=tok\nexport TF_CLOUD_ORGANIZATION=demo\n"+
			"# TFE_HOSTNAME="+strings.TrimPrefix(url, "http://")+"\n# TFE_ORGANIZATION=demo\n# TFE_TOKEN_READER=rtok\n" {
		t.Errorf("url %q org %q", url, srv.Organization())
	}
	api, err := tfe.NewClient(&tfe.Config{Address: url, Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	if org, err := api.Organizations.Read(ctxFor(t), "demo"); err != nil || org.Name != "demo" {
		t.Errorf("organization: %+v, %v", org, err)
	}
	if err := srv.Close(); err != nil || srv.BaseURL() != "" {
		t.Errorf("close: %v", err)
	}
}

// TestRunIDsOutliveTheServer: a run id handed out by one server is found
// by the next one on the same sandbox (a sandbox resumed from its
// directory keeps its runs), as TFC's run ids stay valid.
func TestRunIDsOutliveTheServer(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	run, err := f.api.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: "ws-bu001-qa"}})
	if err != nil {
		t.Fatal(err)
	}
	next := tfcapi.New(f.fake, tfcapi.Options{Token: f.srv.Token()})
	ts := httptest.NewServer(next.Handler())
	t.Cleanup(ts.Close)
	api, err := tfe.NewClient(&tfe.Config{Address: ts.URL, Token: next.Token(), HTTPClient: ts.Client()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := api.Runs.Read(ctx, run.ID)
	if err != nil || got.ID != run.ID {
		t.Fatalf("the next server reading %s: %+v, %v", run.ID, got, err)
	}
	if _, err := api.Runs.Read(ctx, "run-"+strings.Repeat("a", 16)); !errors.Is(err, tfe.ErrResourceNotFound) {
		t.Errorf("an id no server handed out: %v", err)
	}
}

// TestOrganizationRunsList: GET /organizations/:org/runs lists the runs of
// every workspace newest first, filtered by status group (non_final: the
// runs that have not ended), leaves plan-only runs out unless asked, and
// pages without totals, as go-tfe's ListForOrganization reads it.
func TestOrganizationRunsList(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	org := f.srv.Organization()
	plan, err := f.api.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: "ws-bu001-qa"}, PlanOnly: tfe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	first, err := f.api.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: "ws-bu001-qa"}})
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.api.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: "ws-bu002-qa"}})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(l *tfe.OrganizationRunList) []string {
		var out []string
		for _, r := range l.Items {
			out = append(out, r.ID)
		}
		return out
	}
	open, err := f.api.Runs.ListForOrganization(ctx, org, &tfe.RunListForOrganizationOptions{StatusGroup: "non_final",
		Include: []tfe.RunIncludeOpt{tfe.RunWorkspace}})
	if err != nil || strings.Join(ids(open), " ") != second.ID+" "+first.ID {
		t.Fatalf("non-final runs: %v, %v; want %s %s (newest first, no plan-only run)", ids(open), err, second.ID, first.ID)
	}
	if w := open.Items[0].Workspace; w == nil || w.ID != "ws-bu002-qa" {
		t.Fatalf("the run's workspace: %+v", w)
	}
	all, err := f.api.Runs.ListForOrganization(ctx, org, &tfe.RunListForOrganizationOptions{StatusGroup: "non_final", Operation: "plan_only,plan_and_apply"})
	if err != nil || len(all.Items) != 3 || !strings.Contains(strings.Join(ids(all), " "), plan.ID) {
		t.Fatalf("with plan-only runs: %v, %v", ids(all), err)
	}
	page, err := f.api.Runs.ListForOrganization(ctx, org, &tfe.RunListForOrganizationOptions{StatusGroup: "non_final",
		ListOptions: tfe.ListOptions{PageSize: 1}})
	if err != nil || len(page.Items) != 1 || page.PaginationNextPrev == nil || page.NextPage != 2 {
		t.Fatalf("a page of one: %v %+v, %v", ids(page), page.PaginationNextPrev, err)
	}
	resp, raw := f.do(t, "GET", "/api/v2/organizations/"+org+"/runs?filter%5Bstatus_group%5D=non_final", f.srv.Token(), "")
	if resp.StatusCode != http.StatusOK || strings.Contains(string(raw), "total-count") || strings.Contains(string(raw), "total-pages") {
		t.Fatalf("the organisation's run list must have no totals: %d %s", resp.StatusCode, raw)
	}
	resp, _ = f.do(t, "GET", "/api/v2/organizations/"+org+"/runs?filter%5Bstatus_group%5D=bogus", f.srv.Token(), "")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("an unknown status group: %d, want 400", resp.StatusCode)
	}
	for range 10 { // both deploys plan and wait for confirmation; discarded, they end
		f.fake.Advance(time.Minute)
	}
	for _, id := range []string{first.ID, second.ID} {
		if err := f.api.Runs.Discard(ctx, id, tfe.RunDiscardOptions{}); err != nil {
			t.Fatalf("discard %s: %v", id, err)
		}
	}
	done, err := f.api.Runs.ListForOrganization(ctx, org, &tfe.RunListForOrganizationOptions{StatusGroup: "non_final"})
	if err != nil || len(done.Items) != 0 {
		t.Fatalf("after the runs ended: %v, %v", ids(done), err)
	}
}
