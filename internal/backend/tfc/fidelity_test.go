package tfc_test

// The tests of issue 15: each through go-tfe over HTTP against the
// sandbox's TFC dialect, which behaves as HCP Terraform does where the
// client used to meet only a kinder sandbox. docs/FIDELITY.md names them.

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/model"
)

// counting is middleware that counts requests by a key of the caller's.
type counting struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counting) wrap(key func(*http.Request) string) func(http.Handler) http.Handler {
	c.n = map[string]int{}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if k := key(r); k != "" {
				c.mu.Lock()
				c.n[k]++
				c.mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	}
}

func (c *counting) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

func names(stacks []model.Stack) []string {
	var out []string
	for _, s := range stacks {
		out = append(out, s.Name)
	}
	slices.Sort(out)
	return out
}

// Point 1: a user without workspace-admin rights gets 404 on an
// assessment's JSON. The listing still has every workspace; "drifted" is
// known and only the drifted resources are not, with why; the refusal is
// asked once a session.
func TestAReaderSeesEveryWorkspaceAndTheDriftItMayRead(t *testing.T) {
	admin := byName(t, sandboxClient(t, sandboxOpts{}).c)
	var count counting
	w := sandboxClient(t, sandboxOpts{reader: true, wrap: count.wrap(func(r *http.Request) string {
		if strings.HasSuffix(r.URL.Path, "/json-output") {
			return "json"
		}
		return ""
	})})
	first, err := w.c.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatalf("the reader's listing failed: %v", err)
	}
	var adminNames []string
	for n := range admin {
		adminNames = append(adminNames, n)
	}
	slices.Sort(adminNames)
	if got := names(first); !slices.Equal(got, adminNames) {
		t.Fatalf("the reader lists %v, the admin %v", got, adminNames)
	}
	net := stackByName(t, first, "prod-network").Drift
	if !net.Drifted || net.Status() != model.DriftDrifted || len(net.Resources) != 0 || !strings.Contains(net.Unknown, "admin access") {
		t.Errorf("prod-network drift for the reader = %+v", net)
	}
	asked := count.get("json")
	if _, err := w.c.ListStacks(ctxFor(t)); err != nil {
		t.Fatal(err)
	}
	if count.get("json") != asked {
		t.Errorf("the refused reads were asked again: %d, then %d", asked, count.get("json"))
	}
}

// Point 1: a failed or refused per-workspace read marks that detail
// unknown instead of failing the list: a run-trigger read that keeps
// failing (tried again next time), an assessment answered 404 although the
// listing says there is one (remembered).
func TestFailedPerWorkspaceReadsMarkTheirDetailUnknown(t *testing.T) {
	var count counting
	w := sandboxClient(t, sandboxOpts{wrap: func(next http.Handler) http.Handler {
		return count.wrap(func(r *http.Request) string { return r.URL.Path })(http.HandlerFunc(
			func(rw http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/api/v2/workspaces/ws-qa-payments-api/run-triggers":
					rw.WriteHeader(http.StatusBadGateway)
					return
				case "/api/v2/workspaces/ws-prod-network/current-assessment-result":
					rw.Header().Set("Content-Type", "application/vnd.api+json")
					rw.WriteHeader(http.StatusNotFound)
					_, _ = rw.Write([]byte(`{"errors":[{"status":"404","title":"not found"}]}`))
					return
				}
				next.ServeHTTP(rw, r)
			}))
	}})
	stacks, err := w.c.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatalf("ListStacks: %v", err)
	}
	api := stackByName(t, stacks, "qa-payments-api")
	if len(api.Problems) != 1 || !strings.Contains(api.Problems[0], "run triggers") || len(api.DependsOn) != 0 {
		t.Errorf("qa-payments-api deps %v, problems %q", api.DependsOn, api.Problems)
	}
	if ledger := stackByName(t, stacks, "qa-payments-ledger"); len(ledger.DependsOn) != 1 || len(ledger.Problems) != 0 {
		t.Errorf("qa-payments-ledger deps %v (%q)", ledger.DependsOn, ledger.Problems)
	}
	net := stackByName(t, stacks, "prod-network").Drift
	if net.Status() != model.DriftUnknown || !strings.Contains(net.Unknown, "404") {
		t.Errorf("prod-network drift = %+v, want unknown: the workspace has an assessment it may not read", net)
	}
	if stackByName(t, stacks, "qa-storefront").Drift.Status() != model.DriftDrifted {
		t.Error("another workspace's drift suffered")
	}
	failed, refused := count.get("/api/v2/workspaces/ws-qa-payments-api/run-triggers"),
		count.get("/api/v2/workspaces/ws-prod-network/current-assessment-result")
	if _, err := w.c.ListStacks(ctxFor(t)); err != nil {
		t.Fatal(err)
	}
	if count.get("/api/v2/workspaces/ws-qa-payments-api/run-triggers") == failed {
		t.Error("a failed read was not tried again on the next listing")
	}
	if count.get("/api/v2/workspaces/ws-prod-network/current-assessment-result") != refused {
		t.Error("a refused read was asked again in the same session")
	}
}

// rewrite is middleware that edits JSON:API answers.
func rewrite(edit func(path string, body []byte) []byte) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			body := edit(r.URL.Path, rec.Body.Bytes())
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
		})
	}
}

// Point 2: TFC's documented samples write last-assessment-result-at and
// assessment times with +00:00, which go-tfe's iso8601 decoding refuses;
// one such value failed a whole page. They are read, and a time that
// cannot be read at all costs only itself.
func TestTimesInTheDocumentedFormatsAndWorseAreRead(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{})
	stacks, err := w.c.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatalf("a listing with +00:00 times: %v", err)
	}
	engine, _ := w.engine.ListStacks(context.Background())
	for _, e := range engine {
		if e.ID == "prod-network" {
			got := stackByName(t, stacks, "prod-network").Drift.CheckedAt
			if !got.Equal(e.Drift.CheckedAt.Truncate(time.Second)) {
				t.Errorf("checked at %s, want %s", got, e.Drift.CheckedAt)
			}
		}
	}
	garbled := regexp.MustCompile(`"last-assessment-result-at":"[^"]*"`)
	bad := sandboxClient(t, sandboxOpts{wrap: rewrite(func(path string, body []byte) []byte {
		if strings.HasSuffix(path, "/workspaces") {
			return garbled.ReplaceAll(body, []byte(`"last-assessment-result-at":"a while ago"`))
		}
		return body
	})})
	got, err := bad.c.ListStacks(ctxFor(t))
	if err != nil || len(got) != len(stacks) {
		t.Fatalf("with unreadable times: %d stacks, %v", len(got), err)
	}
	if d := stackByName(t, got, "prod-network").Drift; !d.Drifted {
		t.Errorf("prod-network drift with an unreadable listing time = %+v", d)
	}
}

// follow steps the engine's clock a second at a time and reads the run
// through the client each time, until done says stop.
func follow(t *testing.T, w *world, stackID, runID string, done func(model.Run) bool) []model.Run {
	t.Helper()
	var seen []model.Run
	for range 60 {
		r, err := w.c.GetRun(ctxFor(t), stackID, runID)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, r)
		if done(r) {
			return seen
		}
		w.clock.Advance(time.Second)
	}
	t.Fatalf("run %s never got there; last %+v", runID, seen[len(seen)-1])
	return nil
}

// Point 3: an auto-apply run passes "planned" without waiting for anyone:
// it is not UNCONFIRMED, cannot be confirmed, and a follower sees it end.
// (A destroy, so that it has changes to apply.)
func TestAutoApplyRunsDoNotWaitForAnyone(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{})
	ws := stackByName(t, mustList(t, w.c), "dev-storefront")
	created, err := w.api(t).Runs.Create(ctxFor(t), tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: ws.ID},
		IsDestroy: tfe.Bool(true), AutoApply: tfe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	sawPlanned := false
	seen := follow(t, w, ws.ID, created.ID, func(r model.Run) bool { return r.State.Terminal() })
	for _, r := range seen {
		if r.State == model.StateUnconfirmed {
			t.Fatalf("an auto-apply run looked like it waits for a confirmation: %+v", r)
		}
		if r.RawState == "planned" {
			sawPlanned = true
			if r.State != model.StatePreparingApply || r.Actions == nil || r.Actions.Confirm || !r.AutoApply {
				t.Errorf("planned auto-apply run = %s, actions %+v", r.State, r.Actions)
			}
			if _, err := w.c.Confirm(ctxFor(t), ws.ID, created.ID); !errors.Is(err, backend.ErrConflict) ||
				!strings.Contains(err.Error(), "not paused for confirmation") || strings.Contains(err.Error(), "UNCONFIRMED") {
				t.Errorf("confirming it: %v, want TFC's 409 in TFC's words", err)
			}
		}
	}
	if !sawPlanned || !slices.Contains(rawStates(seen), "applying") {
		t.Errorf("the run went %v", rawStates(seen))
	}
	if last := seen[len(seen)-1]; last.State != model.StateFinished || last.RawState != "applied" || last.Kind != model.RunDestroy {
		t.Errorf("the auto-apply run ended %s (%s)", last.State, last.RawState)
	}
}

// Point 3: a plan-only run passes planned, then ends planned_and_finished;
// a manual deploy waits in planned only once TFC says it is confirmable.
func TestPlannedWaitsOnlyWhenConfirmable(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{})
	ws := stackByName(t, mustList(t, w.c), "qa-storefront")
	plan, err := w.c.Trigger(ctxFor(t), ws.ID, model.RunPlan)
	if err != nil {
		t.Fatal(err)
	}
	seen := follow(t, w, ws.ID, plan.ID, func(r model.Run) bool { return r.State.Terminal() })
	if !slices.ContainsFunc(seen, func(r model.Run) bool { return r.RawState == "planned" && r.State == model.StatePlanning }) ||
		seen[len(seen)-1].RawState != "planned_and_finished" {
		t.Errorf("plan-only run went %v", rawStates(seen))
	}
	deploy, err := w.c.Trigger(ctxFor(t), ws.ID, model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	seen = follow(t, w, ws.ID, deploy.ID, func(r model.Run) bool { return r.State.Waiting() || r.State.Terminal() })
	last := seen[len(seen)-1]
	if last.State != model.StateUnconfirmed || last.RawState != "planned" || !last.Actions.Confirm || !last.Actions.Discard {
		t.Errorf("a manual deploy waits as %s (%s) with %+v", last.State, last.RawState, last.Actions)
	}
}

func rawStates(runs []model.Run) []string {
	var out []string
	for _, r := range runs {
		if len(out) == 0 || out[len(out)-1] != r.RawState {
			out = append(out, r.RawState)
		}
	}
	return out
}

func mustList(t *testing.T, c *tfc.Client) []model.Stack {
	t.Helper()
	stacks, err := c.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	return stacks
}

// Point 3: saved plans (planned_and_saved) wait to be applied or
// discarded, and destroy runs are destroys.
func TestSavedPlansAndDestroyRuns(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{})
	ws := stackByName(t, mustList(t, w.c), "qa-storefront")
	api := w.api(t)
	saved, err := api.Runs.Create(ctxFor(t), tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: ws.ID}, SavePlan: tfe.Bool(true),
		Message: tfe.String("terraform plan -out")})
	if err != nil {
		t.Fatal(err)
	}
	seen := follow(t, w, ws.ID, saved.ID, func(r model.Run) bool { return r.State.Waiting() || r.State.Terminal() })
	last := seen[len(seen)-1]
	if last.RawState != "planned_and_saved" || last.State != model.StateUnconfirmed || !last.SavedPlan ||
		!last.Actions.Confirm || !last.Actions.Discard || last.Title != "terraform plan -out" {
		t.Fatalf("saved plan = %+v (%+v)", last, last.Actions)
	}
	if _, err := w.c.Confirm(ctxFor(t), ws.ID, saved.ID); err != nil {
		t.Fatalf("applying the saved plan: %v", err)
	}
	if r := follow(t, w, ws.ID, saved.ID, func(r model.Run) bool { return r.State.Terminal() }); r[len(r)-1].RawState != "applied" {
		t.Errorf("the applied saved plan ended %s", r[len(r)-1].RawState)
	}

	destroy, err := api.Runs.Create(ctxFor(t), tfe.RunCreateOptions{Workspace: &tfe.Workspace{ID: ws.ID}, IsDestroy: tfe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	seen = follow(t, w, ws.ID, destroy.ID, func(r model.Run) bool { return r.State.Waiting() || r.State.Terminal() })
	last = seen[len(seen)-1]
	if last.Kind != model.RunDestroy || last.State != model.StateUnconfirmed || last.Delta == nil || last.Delta.Destroy == 0 {
		t.Errorf("destroy run = %+v (delta %+v)", last, last.Delta)
	}
	runs, _, err := w.c.ListRuns(ctxFor(t), ws.ID, "")
	if err != nil || runs[0].ID != destroy.ID || runs[0].Kind != model.RunDestroy {
		t.Errorf("run list: %+v, %v", runs, err)
	}
}

// Point 3: stop cancels first; force-cancel is offered, and sent, only
// after that cancel and its cool-off, while the run still works.
func TestForceCancelOnlyAfterACancelAndItsCoolOff(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{})
	ws := stackByName(t, mustList(t, w.c), "qa-storefront")
	run, err := w.c.Trigger(ctxFor(t), ws.ID, model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(6 * time.Second) // queued 1s, fetching 2s, initializing 3s: planning starts now
	r, err := w.c.Stop(ctxFor(t), ws.ID, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != model.StatePlanning || r.Actions == nil || r.Actions.Cancel || r.Actions.ForceCancel || r.Actions.ForceCancelAt.IsZero() {
		t.Fatalf("after a cancel: %s, actions %+v", r.State, r.Actions)
	}
	w.clock.Advance(3 * time.Second)
	if r, _ = w.c.GetRun(ctxFor(t), ws.ID, run.ID); !r.Actions.ForceCancel || r.State.Terminal() {
		t.Fatalf("after the cool-off: %s, actions %+v", r.State, r.Actions)
	}
	if r, err = w.c.Stop(ctxFor(t), ws.ID, run.ID); err != nil || r.State != model.StateStopped || r.RawState != "force_canceled" {
		t.Errorf("force-cancel: %+v (%s), %v", r.State, r.RawState, err)
	}
}

// Point 5: the server holds the user to 30 requests a second and 30 run
// lists a minute, on the engine's clock; the client, paced on that clock,
// never meets a 429 however much it reads.
func TestTheClientStaysUnderTheRateLimits(t *testing.T) {
	var count counting
	w := sandboxClient(t, sandboxOpts{rateLimit: true, realPacing: true, wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rec := &statusRecorder{ResponseWriter: rw}
			next.ServeHTTP(rec, r)
			count.mu.Lock()
			if count.n == nil {
				count.n = map[string]int{}
			}
			count.n["all"]++
			if rec.status == http.StatusTooManyRequests {
				count.n["429"]++
			}
			count.mu.Unlock()
		})
	}})
	stacks := mustList(t, w.c)
	start := w.clock.Now()
	for i := range 40 {
		s := stacks[i%len(stacks)]
		// cursor "1" is the first page read afresh, past the client's
		// short reuse of first pages: 40 run-list reads
		if _, _, err := w.c.ListRuns(ctxFor(t), s.ID, "1"); err != nil {
			t.Fatalf("run list %d: %v", i, err)
		}
		if _, err := w.c.ListStacks(ctxFor(t)); err != nil {
			t.Fatalf("listing %d: %v", i, err)
		}
	}
	if n := count.get("429"); n != 0 || count.get("all") < 80 {
		t.Errorf("%d requests, %d answered 429; want none", count.get("all"), n)
	}
	if took := w.clock.Now().Sub(start); took < time.Minute {
		t.Errorf("40 run-list reads took %s of the engine's time: not paced under 30 a minute", took)
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Point 7: reads are retried on 5xx (go-tfe retries them only when told
// to, and would retry POSTs too); a load completes with 5% of answers
// 5xx, and a mutation that met a 5xx is not sent again.
func TestServerErrorsAreRetriedForReadsOnly(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 7))
	var mu sync.Mutex
	var posts atomic.Int32
	w := sandboxClient(t, sandboxOpts{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/api/v2/runs" {
				if posts.Add(1) == 1 {
					rw.WriteHeader(http.StatusServiceUnavailable)
					return
				}
			}
			mu.Lock()
			fail := r.Method == http.MethodGet && r.URL.Path != "/api/v2/ping" && rng.Float64() < 0.05
			mu.Unlock()
			if fail {
				rw.WriteHeader(http.StatusInternalServerError)
				return
			}
			next.ServeHTTP(rw, r)
		})
	}})
	for i := range 10 {
		stacks, err := w.c.ListStacks(ctxFor(t))
		if err != nil {
			t.Fatalf("load %d at 5%% 5xx: %v", i, err)
		}
		for _, s := range stacks {
			if len(s.Problems) != 0 || s.Drift.Unknown != "" {
				t.Errorf("load %d: %s has unknown details although retries would read them: %q %q", i, s.Name, s.Problems, s.Drift.Unknown)
			}
		}
	}
	if _, err := w.c.Trigger(ctxFor(t), "ws-qa-storefront", model.RunPlan); err == nil || posts.Load() != 1 {
		t.Errorf("a POST that met a 503: %v after %d sends, want an error after one", err, posts.Load())
	}
}

// Issue 20 point 4: a server that accepts connections and never answers is
// reported within the connect bound, clearly.
func TestAServerThatNeverAnswersIsReportedWithinTheConnectBound(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(ts.Close)
	t.Cleanup(func() { close(release) })
	start := time.Now()
	_, err := tfc.New(context.Background(), tfc.Config{Address: ts.URL, Organization: "o", HomeDir: t.TempDir(),
		Env: envOf(map[string]string{"TFE_TOKEN": "t"}), ConnectTimeout: 300 * time.Millisecond, AttemptTimeout: 100 * time.Millisecond,
		Clock: virtualTime()})
	if err == nil || !(strings.Contains(err.Error(), "no answer within") || strings.Contains(err.Error(), "sent no answer within")) {
		t.Errorf("err = %v, want a clear no-answer error", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s: the bound did not hold", took) // a bound, not a timing figure
	}
}

// Point 8: an older Terraform Enterprise cannot read a registry module by
// id; its versions are read by the documented path instead.
func TestModulesFallBackToTheirPathOnOlderTFE(t *testing.T) {
	var byPath atomic.Int32
	h := newHarness(t, harnessOpts{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/api/v2/registry-modules/") {
				w.Header().Set("Content-Type", "application/vnd.api+json")
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"errors":[{"status":"404","title":"not found"}]}`))
				return
			}
			if strings.Contains(r.URL.Path, "/registry-modules/private/") {
				byPath.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}})
	vs, err := h.client.ListModuleVersions(ctxFor(t), "mod-vpc")
	if err != nil || len(vs) != 3 || vs[0].Number != "2.0.0" || byPath.Load() != 1 {
		t.Errorf("versions %+v, %v, after %d reads by path", vs, err, byPath.Load())
	}
}

// Point 9: queueing plans, applying and locking are separate permissions;
// key/value tags are separate from flat tags and both place workspaces.
func TestPermissionsPerActionAndBothKindsOfTags(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{reader: true})
	stacks := mustList(t, w.c)
	dev, qa := stackByName(t, stacks, "dev-payments-api"), stackByName(t, stacks, "qa-payments-api")
	if dev.Permissions == nil || !dev.CanPlan() || dev.CanApply() || dev.CanLock() || !dev.CanWrite {
		t.Errorf("the reader on a dev workspace: %+v (write %v)", dev.Permissions, dev.CanWrite)
	}
	if qa.CanPlan() || qa.CanApply() || qa.CanLock() || qa.CanWrite {
		t.Errorf("the reader on a qa workspace: %+v (write %v)", qa.Permissions, qa.CanWrite)
	}
	if _, err := w.c.Trigger(ctxFor(t), dev.ID, model.RunPlan); err != nil {
		t.Errorf("a plan the reader may queue: %v", err)
	}
	if _, err := w.c.Lock(ctxFor(t), dev.ID, "x"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("a lock the reader may not take: %v", err)
	}
	// business-unit workspaces carry key/value tags only, environment ones
	// flat tags only; both place them.
	if !slices.Contains(dev.Labels, "env:dev") || !slices.Contains(dev.Labels, "bu:payments") {
		t.Errorf("dev-payments-api labels %v", dev.Labels)
	}
	if net := stackByName(t, stacks, "dev-network"); !slices.Contains(net.Labels, "layer:environment") {
		t.Errorf("dev-network labels %v", net.Labels)
	}
	forest := model.BuildForest(stacks, model.DefaultEnvironments(), model.DefaultMapping())
	if root := forest.Env("dev").Root; root == nil || root.Name != "dev-network" {
		t.Errorf("dev environment stack = %v", root)
	}
}

// Point 4 (the client's half; repos' tests resolve it): vcs-repo names
// "org/repo" and the web page, "" for the default branch, and working
// directories that start with "/".
func TestVCSFieldsAsTFCGivesThem(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{serveGit: true})
	stacks := mustList(t, w.c)
	prod := stackByName(t, stacks, "prod-payments-api")
	r := prod.Repository
	if r.Provider != "github-enterprise" || r.Namespace != "acme" || r.Name != "payments" || !strings.HasSuffix(r.WebURL, "/acme/payments") ||
		r.URL != "" || prod.Repo != "" || prod.Branch != "" || prod.ProjectRoot != "/stacks/api" {
		t.Errorf("prod-payments-api: %+v, repo %q, branch %q, root %q", r, prod.Repo, prod.Branch, prod.ProjectRoot)
	}
}

// Point 10: a run keeps its message, and refusals come in TFC's words.
func TestRunMessagesAndRefusalsInTFCsWords(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{})
	run, err := w.c.Trigger(ctxFor(t), "ws-qa-storefront", model.RunPlan)
	if err != nil || run.Title != "Queued from stackview" {
		t.Fatalf("run = %+v, %v", run, err)
	}
	_, err = w.c.Discard(ctxFor(t), "ws-qa-storefront", run.ID)
	if err != nil {
		t.Fatalf("discarding a pending run: %v", err)
	}
	_, err = w.c.Confirm(ctxFor(t), "ws-qa-storefront", run.ID)
	if !errors.Is(err, backend.ErrConflict) || !strings.Contains(err.Error(), "Run was not paused for confirmation; apply not allowed.") ||
		strings.Contains(err.Error(), "DISCARDED") {
		t.Errorf("confirming a discarded run: %v", err)
	}
}

// Point 5: a UI asks for a workspace's runs on every refresh and
// selection; the first page is reused briefly, and read again at once after
// the client started or acted on a run there.
func TestRunListsAreReusedUntilSomethingChanges(t *testing.T) {
	var count counting
	h := newHarness(t, harnessOpts{wrap: count.wrap(func(r *http.Request) string {
		if strings.HasSuffix(r.URL.Path, "/runs") && r.Method == http.MethodGet {
			return "list"
		}
		return ""
	})})
	const ws = "ws-bu001-qa"
	for range 3 {
		if _, _, err := h.client.ListRuns(ctxFor(t), ws, ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := count.get("list"); n != 1 {
		t.Errorf("three reads in a row sent %d run lists, want 1", n)
	}
	run, err := h.client.Trigger(ctxFor(t), ws, model.RunPlan)
	if err != nil {
		t.Fatal(err)
	}
	runs, _, err := h.client.ListRuns(ctxFor(t), ws, "")
	if err != nil || count.get("list") != 2 || len(runs) == 0 || runs[0].ID != run.ID {
		t.Errorf("after a trigger: %d run lists, newest %+v, %v", count.get("list"), runs, err)
	}
}

// Issue 20: a refusal reads on one line and says who holds the lock when
// the lock is why: unlocking a colleague's lock, queueing a run on their
// locked workspace. A refusal the run's state explains stays a conflict
// without a holder; none says "press r".
func TestRefusalsNameTheLockHolderOnOneLine(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{})
	ctx := ctxFor(t)
	for what, call := range map[string]func() error{
		"unlock": func() error { _, err := w.c.Unlock(ctx, "ws-prod-payments-api"); return err },
		"plan":   func() error { _, err := w.c.Trigger(ctx, "ws-prod-payments-api", model.RunPlan); return err },
	} {
		err := call()
		var locked *backend.LockedError
		if !errors.As(err, &locked) || !errors.Is(err, backend.ErrConflict) || locked.Lock.Holder != "maria.chen" ||
			!strings.Contains(err.Error(), "prod-payments-api is locked by maria.chen: Change freeze") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s on a workspace maria.chen locked: %v", what, err)
		}
		if h := backend.Hint(err); !strings.Contains(h, "ask maria.chen") {
			t.Errorf("%s: hint %q", what, h)
		}
	}
	run, err := w.c.Trigger(ctx, "ws-qa-storefront", model.RunPlan)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.c.Confirm(ctx, "ws-qa-storefront", run.ID)
	var locked *backend.LockedError
	if !errors.Is(err, backend.ErrConflict) || errors.As(err, &locked) || strings.Contains(err.Error(), "\n") ||
		strings.Count(err.Error(), "conflict") != 1 || strings.Contains(backend.Hint(err), "press r") {
		t.Errorf("confirming a run that is not waiting: %v (hint %q)", err, backend.Hint(err))
	}
}
