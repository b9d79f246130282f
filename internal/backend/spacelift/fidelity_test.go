package spacelift

// Regression tests for issue 14, one or more per numbered point: each goes
// through the real client over HTTP against the sandbox's Spacelift dialect
// (or a server that answers as the real API may) and failed on the sandbox
// or the client before they were made honest. docs/FIDELITY.md names them.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

// opLog records the GraphQL operations a server received.
type opLog struct {
	mu  sync.Mutex
	ops []sentOp
}

type sentOp struct {
	Name, Query string
	Variables   map[string]any
}

func (l *opLog) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/graphql" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var req struct {
				Query         string         `json:"query"`
				OperationName string         `json:"operationName"`
				Variables     map[string]any `json:"variables"`
			}
			_ = json.Unmarshal(body, &req)
			l.mu.Lock()
			l.ops = append(l.ops, sentOp{Name: req.OperationName, Query: req.Query, Variables: req.Variables})
			l.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// since returns the operations recorded after the first n.
func (l *opLog) since(n int) []sentOp {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ops[n:])
}

func (l *opLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ops)
}

func (w *sandboxWorld) stack(t *testing.T, id string) model.Stack {
	t.Helper()
	return stackByID(t, w.c, id)
}

// advanceUntil steps the clock a second at a time until the run satisfies
// done, reading it through the client.
func (w *sandboxWorld) advanceUntil(t *testing.T, stackID, runID, what string, done func(model.Run) bool) model.Run {
	t.Helper()
	for range 300 {
		r, err := w.c.GetRun(ctx(t), stackID, runID)
		if err != nil {
			t.Fatal(err)
		}
		if done(r) {
			return r
		}
		w.clock.Advance(time.Second)
	}
	t.Fatalf("run %s of %s never became %s", runID, stackID, what)
	return model.Run{}
}

// push commits an edit of file on branch of the stack's repository (raw
// Git in the sandbox) and lets the engine see it, as a webhook would.
func (w *sandboxWorld) push(t *testing.T, s model.Stack, file string, edit func(string) string) string {
	t.Helper()
	if s.Repository.URL == "" {
		t.Fatalf("%s has no repository URL: %+v", s.ID, s.Repository)
	}
	work := filepath.Join(t.TempDir(), "clone")
	if _, err := (vcs.Git{}).Run(ctx(t), "clone", "--quiet", "--branch", s.Branch, s.Repository.URL, work); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(work, file)
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(old))), 0o644); err != nil {
		t.Fatal(err)
	}
	g := vcs.Git{Dir: work, Env: vcs.TestIdentity()}
	for _, args := range [][]string{{"commit", "--quiet", "-am", "Change " + file}, {"push", "--quiet", "origin", "HEAD:" + s.Branch}} {
		if _, err := g.Run(ctx(t), args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.eng.Sync(ctx(t)); err != nil {
		t.Fatal(err)
	}
	head, err := g.RevParse(ctx(t), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// runsSince lists the runs of a stack newer than the run id given ("" for
// all), through the client.
func (w *sandboxWorld) runsSince(t *testing.T, stackID, afterID string) []model.Run {
	t.Helper()
	runs, _, err := w.c.ListRuns(ctx(t), stackID, "")
	if err != nil {
		t.Fatal(err)
	}
	var out []model.Run
	for _, r := range runs {
		if r.ID == afterID {
			break
		}
		out = append(out, r)
	}
	return out
}

func latestID(s model.Stack) string {
	if s.LatestRun == nil {
		return ""
	}
	return s.LatestRun.ID
}

// 1. Plans are proposed runs: a plan started now is the stack's latest run,
// but not its latest tracked run, and the history holds both.
func TestProposedRunsAreListedApart(t *testing.T) {
	w := newSandboxWorld(t)
	before := w.stack(t, "dev-identity")
	if before.LatestTrackedRun == nil || before.LatestTrackedRun.Kind != model.RunDeploy {
		t.Fatalf("dev-identity has no deploy to begin with: %+v", before.LatestTrackedRun)
	}
	plan, err := w.c.Trigger(ctx(t), "dev-identity", model.RunPlan)
	if err != nil {
		t.Fatal(err)
	}
	after := w.stack(t, "dev-identity")
	if after.LatestRun == nil || after.LatestRun.ID != plan.ID || after.LatestRun.Kind != model.RunPlan {
		t.Fatalf("latest run = %+v, want the plan %s", after.LatestRun, plan.ID)
	}
	if after.LatestTrackedRun == nil || after.LatestTrackedRun.ID != before.LatestTrackedRun.ID {
		t.Fatalf("latest tracked run = %+v, want the deploy %s", after.LatestTrackedRun, before.LatestTrackedRun.ID)
	}
	runs, _, err := w.c.ListRuns(ctx(t), "dev-identity", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < 2 || runs[0].ID != plan.ID || !slices.ContainsFunc(runs, func(r model.Run) bool { return r.ID == before.LatestTrackedRun.ID }) {
		t.Fatalf("history = %+v, want the plan first and the deploy in it", runs)
	}
	if net := w.stack(t, "prod-network"); net.Drift.RunID == "" {
		t.Fatal("the drift check that found prod-network's drift is a proposed run the client must find")
	}
}

// 2. Spacelift does not promise finished: the log of a finished run, and of
// a run waiting for confirmation, must end without it; an expired log is
// said as such and ends too.
func TestLogsEndWithoutFinished(t *testing.T) {
	w := newSandboxWorld(t)
	plan, err := w.c.Trigger(ctx(t), "dev-identity", model.RunPlan)
	if err != nil {
		t.Fatal(err)
	}
	plan = w.advanceUntil(t, "dev-identity", plan.ID, "finished", func(r model.Run) bool { return r.State.Terminal() })
	waiting := w.stack(t, "qa-payments-ledger").LatestTrackedRun
	if waiting == nil || waiting.State != model.StateUnconfirmed {
		t.Fatalf("qa-payments-ledger does not wait: %+v", waiting)
	}
	for _, r := range []model.Run{plan, *waiting} {
		text, chunks := readAllLogs(t, w.c, r)
		if chunks > 20 || !strings.Contains(text, "Plan:") && !strings.Contains(text, "No changes") {
			t.Fatalf("%s %s: %d chunks, text:\n%s", r.StackID, r.State, chunks, text)
		}
	}
	w.clock.Advance(61 * 24 * time.Hour) // past Spacelift's default log retention
	c, err := w.c.RunLogs(ctx(t), "dev-identity", plan.ID, "")
	for i := 0; err == nil && !c.Done && i < 20; i++ {
		c, err = w.c.RunLogs(ctx(t), "dev-identity", plan.ID, c.Next)
	}
	if err != nil || !c.Done || !c.Expired || c.Text != "" {
		t.Fatalf("expired log: %+v, %v", c, err)
	}
}

// readAllLogs pages a settled run's log until Done, failing if it never is.
func readAllLogs(t *testing.T, c *Client, r model.Run) (string, int) {
	t.Helper()
	var text strings.Builder
	token := ""
	for n := 1; n <= 50; n++ {
		chunk, err := c.RunLogs(ctx(t), r.StackID, r.ID, token)
		if err != nil {
			t.Fatal(err)
		}
		text.WriteString(chunk.Text)
		token = chunk.Next
		if chunk.Done {
			return text.String(), n
		}
	}
	t.Fatalf("the log of %s run %s (%s) never ends: a follower would poll forever", r.Kind, r.ID, r.State)
	return "", 0
}

// 3. An approval policy holds prod's deploy at UNCONFIRMED and a prod task
// at QUEUED: the client reads needsApproval, confirming is refused until an
// approval, and an approved task runs.
func TestApprovalsHoldRuns(t *testing.T) {
	w := newSandboxWorld(t)
	store := w.stack(t, "prod-storefront")
	held := store.LatestTrackedRun
	if !store.NeedsApproval || held == nil || held.State != model.StateUnconfirmed || !held.NeedsApproval {
		t.Fatalf("prod-storefront = needs approval %v, run %+v", store.NeedsApproval, held)
	}
	_, err := w.c.Confirm(ctx(t), store.ID, held.ID)
	if !errors.Is(err, backend.ErrConflict) || !strings.Contains(err.Error(), "needs approval") {
		t.Fatalf("confirm before approval: %v", err)
	}
	approved, err := w.c.Review(ctx(t), store.ID, held.ID, true, "ok for prod")
	if err != nil || approved.NeedsApproval || approved.State != model.StateUnconfirmed {
		t.Fatalf("approve = %+v, %v", approved, err)
	}
	if _, err := w.c.Confirm(ctx(t), store.ID, held.ID); err != nil {
		t.Fatalf("confirm after approval: %v", err)
	}

	task := w.stack(t, "prod-analytics").LatestRun
	if task == nil || task.Kind != model.RunTask || task.State != model.StateQueued || !task.NeedsApproval {
		t.Fatalf("prod-analytics' task = %+v", task)
	}
	w.clock.Advance(time.Minute)
	if r, _ := w.c.GetRun(ctx(t), "prod-analytics", task.ID); r.State != model.StateQueued {
		t.Fatalf("a task held for approval was scheduled: %s", r.State)
	}
	if _, err := w.c.Review(ctx(t), "prod-analytics", task.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	done := w.advanceUntil(t, "prod-analytics", task.ID, "finished", func(r model.Run) bool { return r.State.Terminal() })
	if done.State != model.StateFinished || done.Kind != model.RunTask {
		t.Fatalf("approved task = %+v", done)
	}
	rejected, err := w.c.Trigger(ctx(t), "prod-network", model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	w.advanceUntil(t, "prod-network", rejected.ID, "held", func(r model.Run) bool { return r.NeedsApproval })
	if r, err := w.c.Review(ctx(t), "prod-network", rejected.ID, false, "not now"); err != nil || r.State != model.StateFailed {
		t.Fatalf("a rejected run fails at once: %+v, %v", r, err)
	}
}

// 4. An unknown stack is null, not an error: the client reports ErrNotFound
// either way.
func TestUnknownStackIsNull(t *testing.T) {
	w := newSandboxWorld(t)
	var q struct {
		Stack *struct {
			ID string `graphql:"id"`
		} `graphql:"stack(id: $id)"`
	}
	if err := w.c.query(ctx(t), "Stack", &q, map[string]any{"id": graphql.ID("no-such-stack")}); err != nil || q.Stack != nil {
		t.Fatalf("stack(no-such-stack) = %+v, %v; want null and no error", q.Stack, err)
	}
	f := newFixture(t, 1)
	errorServer := rewritingProxy(t, f, func(op string, body []byte) []byte {
		return []byte(`{"data":{"stack":null},"errors":[{"message":"not found","path":["stack"]}]}`)
	})
	for name, c := range map[string]*Client{"null": w.c, "error": tokenClient(t, f, errorServer)} {
		if _, _, err := c.ListRuns(ctx(t), "no-such-stack", ""); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("%s: ListRuns = %v, want ErrNotFound", name, err)
		}
		if _, err := c.GetRun(ctx(t), "no-such-stack", "r"); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("%s: GetRun = %v, want ErrNotFound", name, err)
		}
		if _, err := c.RunLogs(ctx(t), "no-such-stack", "r", ""); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("%s: RunLogs = %v, want ErrNotFound", name, err)
		}
	}
}

// 5. A tracked run cannot be stopped while it applies.
func TestStopIsRefusedWhileApplying(t *testing.T) {
	w := newSandboxWorld(t)
	d, err := w.c.Trigger(ctx(t), "qa-storefront", model.RunDeploy) // drifted: the plan has changes
	if err != nil {
		t.Fatal(err)
	}
	d = w.advanceUntil(t, "qa-storefront", d.ID, "unconfirmed", func(r model.Run) bool { return r.State == model.StateUnconfirmed })
	if _, err := w.c.Confirm(ctx(t), "qa-storefront", d.ID); err != nil {
		t.Fatal(err)
	}
	w.advanceUntil(t, "qa-storefront", d.ID, "applying", func(r model.Run) bool { return r.State == model.StateApplying })
	for name, call := range map[string]func() (model.Run, error){
		"Stop":   func() (model.Run, error) { return w.c.Stop(ctx(t), "qa-storefront", d.ID) },
		"Cancel": func() (model.Run, error) { return w.c.Cancel(ctx(t), "qa-storefront", d.ID) },
	} {
		if _, err := call(); !errors.Is(err, backend.ErrConflict) || !strings.Contains(err.Error(), "applies changes") {
			t.Errorf("%s while applying: %v, want refused", name, err)
		}
	}
	if done := w.advanceUntil(t, "qa-storefront", d.ID, "over", func(r model.Run) bool { return r.State.Terminal() }); done.State != model.StateFinished {
		t.Fatalf("the apply ended %s", done.State)
	}
}

// 6. Stack.entities is every managed resource (tens to hundreds): the
// listing does not select it, and only drifted stacks' are read, a batch of
// stacks a request.
func TestEntitiesAreEveryResourceAndReadOnlyWhenDrifted(t *testing.T) {
	w := newSandboxWorld(t)
	n := w.ops.len()
	stacks, err := w.c.ListStacks(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var drifted []string
	for _, s := range stacks {
		if s.Drift.Drifted {
			drifted = append(drifted, s.ID)
		}
	}
	var read []string // the stacks whose entities were asked for
	for _, op := range w.ops.since(n) {
		switch {
		case op.Name == "Stacks" && strings.Contains(op.Query, "entities"):
			t.Errorf("the listing selects every stack's entities:\n%s", op.Query)
		case strings.Contains(op.Query, "entities"):
			for _, v := range op.Variables {
				read = append(read, fmt.Sprint(v))
			}
		}
	}
	slices.Sort(read)
	slices.Sort(drifted)
	if len(drifted) == 0 || !slices.Equal(read, drifted) {
		t.Errorf("entities read for %v, the drifted stacks are %v", read, drifted)
	}
	counts := map[string]int{}
	for _, s := range stacks {
		var q struct {
			Stack *struct {
				Entities []struct {
					Address string `graphql:"address"`
				} `graphql:"entities"`
			} `graphql:"stack(id: $id)"`
		}
		if err := w.c.query(ctx(t), "StackEntities", &q, map[string]any{"id": graphql.ID(s.ID)}); err != nil {
			t.Fatal(err)
		}
		counts[s.ID] = len(q.Stack.Entities)
		if s.LatestTrackedRun != nil && s.LatestTrackedRun.State == model.StateFinished && len(q.Stack.Entities) < 20 {
			t.Errorf("%s manages %d resources, want tens at least", s.ID, len(q.Stack.Entities))
		}
	}
	if net := stackByID(t, w.c, "prod-network"); len(net.Drift.Resources) != 2 || counts["prod-network"] <= 2 {
		t.Errorf("prod-network: %d drifted of %d managed; want the 2 drifted only", len(net.Drift.Resources), counts["prod-network"])
	}
}

// rewritingProxy serves the fixture's dialect, passing each answer through
// rewrite with the operation's name.
func rewritingProxy(t *testing.T, f *fixture, rewrite func(op string, body []byte) []byte) string {
	t.Helper()
	target, _ := url.Parse(f.base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		op, _ := resp.Request.Context().Value(opKey{}).(string)
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		body = rewrite(op, body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Del("Content-Length")
		return nil
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var req struct {
			OperationName string `json:"operationName"`
		}
		_ = json.Unmarshal(body, &req)
		proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), opKey{}, req.OperationName)))
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

type opKey struct{}

// 7. Errors: an HTTP error keeps what its body says; an answer with data
// and errors keeps the stacks it has; a permission error is not an
// expired session.
func TestErrorsSayWhatTheServerSaid(t *testing.T) {
	f := newFixture(t, 3)
	badRequest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"errors":[{"message":"Cannot query field \"bogus\" on type \"Stack\"."}]}`))
	}))
	t.Cleanup(badRequest.Close)
	for name, call := range map[string]func(*Client) error{
		"list":   func(c *Client) error { _, err := c.ListStacks(ctx(t)); return err },
		"query":  func(c *Client) error { _, err := c.GetRun(ctx(t), "stack-000", "r"); return err },
		"mutate": func(c *Client) error { _, err := c.Trigger(ctx(t), "stack-000", model.RunPlan); return err },
	} {
		err := call(tokenClient(t, f, badRequest.URL))
		if err == nil || !strings.Contains(err.Error(), `HTTP 400: Cannot query field "bogus" on type "Stack".`) {
			t.Errorf("%s: %v, want the server's message", name, err)
		}
	}

	partial := rewritingProxy(t, f, func(op string, body []byte) []byte {
		if op != "Stacks" {
			return body
		}
		var doc map[string]any
		_ = json.Unmarshal(body, &doc)
		stacks := doc["data"].(map[string]any)["stacks"].([]any)
		stacks[1].(map[string]any)["runs"] = nil
		doc["errors"] = []any{map[string]any{"message": "internal error\nresolving runs", "path": []any{"stacks", 1, "runs"}}}
		out, _ := json.Marshal(doc)
		return out
	})
	stacks, err := tokenClient(t, f, partial).ListStacks(ctx(t))
	if err != nil || len(stacks) != 3 {
		t.Fatalf("partial answer: %d stacks, %v; want all 3", len(stacks), err)
	}
	if p := stacks[1].Problems; len(p) != 1 || p[0] != "runs could not be read: internal error resolving runs" || len(stacks[0].Problems) != 0 {
		t.Fatalf("problems = %q / %q", stacks[0].Problems, stacks[1].Problems)
	}

	forbidden := rewritingProxy(t, f, func(op string, body []byte) []byte {
		if op != "RunTrigger" {
			return body
		}
		return []byte(`{"data":null,"errors":[{"message":"unauthorized","path":["runTrigger"]}]}`)
	})
	_, err = tokenClient(t, f, forbidden).Trigger(ctx(t), "stack-000", model.RunDeploy)
	if !errors.Is(err, backend.ErrForbidden) || errors.Is(err, backend.ErrUnauthorized) || strings.Contains(err.Error(), "expired") {
		t.Fatalf("refused with a live session: %v, want a permission error", err)
	}
}

// 8. Run types and states: DESTROY, TASK and TESTING are named as such (a
// type the client does not know is "other", not a deploy), a task listed
// twice is shown once, and the deprecated PENDING is QUEUED.
func TestRunTypesAndPending(t *testing.T) {
	f := newFixture(t, 1)
	at := map[string]int{"01D": 5, "01C": 4, "01B": 3, "01A": 2, "019": 1}
	run := func(id, typ, state string) map[string]any {
		return map[string]any{"id": id, "type": typ, "state": state, "title": typ, "createdAt": 1760000000 + at[id], "updatedAt": 1760000000}
	}
	served := rewritingProxy(t, f, func(op string, body []byte) []byte {
		var data map[string]any
		switch op {
		case "StackRuns":
			data = map[string]any{"stack": map[string]any{
				"runs":         []any{run("01D", "DESTROY", "PENDING"), run("01C", "TASK", "FINISHED")},
				"proposedRuns": []any{run("01B", "PROPOSED", "FINISHED")},
				"tasks":        []any{run("01C", "TASK", "FINISHED"), run("01A", "PARSE", "FINISHED"), run("019", "TESTING", "FAILED")},
			}}
		case "StackRunsProbe":
			data = map[string]any{"stack": map[string]any{"runs": []any{}, "proposedRuns": []any{}, "tasks": []any{}}}
		default:
			return body
		}
		out, _ := json.Marshal(map[string]any{"data": data})
		return out
	})
	runs, next, err := tokenClient(t, f, served).ListRuns(ctx(t), "stack-000", "")
	if err != nil || next != "" {
		t.Fatal(err, next)
	}
	got := map[string]model.Run{}
	for _, r := range runs {
		got[r.ID] = r
	}
	if len(runs) != 5 {
		t.Fatalf("%d runs, want 5 (the task once): %+v", len(runs), runs)
	}
	for id, want := range map[string]model.RunKind{"01D": model.RunDestroy, "01C": model.RunTask, "01B": model.RunPlan, "01A": model.RunOther, "019": model.RunTesting} {
		if got[id].Kind != want {
			t.Errorf("run %s is a %q, want %q", id, got[id].Kind, want)
		}
	}
	if d := got["01D"]; d.State != model.StateQueued || d.RawState != "PENDING" {
		t.Errorf("PENDING run = %s (raw %s), want QUEUED", d.State, d.RawState)
	}
	if s := stackByID(t, newSandboxWorld(t).c, "dev-network"); s.LatestRun == nil || s.LatestRun.Kind != model.RunTask {
		t.Errorf("dev-network's seeded task is its latest run: %+v", s.LatestRun)
	}
}

// 9. changesV3 takes the literal empty input spacectl sends: the client
// must not declare a variable of a type no public source names.
func TestChangesWithTheConfirmedInput(t *testing.T) {
	w := newSandboxWorld(t)
	plan, err := w.c.Trigger(ctx(t), "qa-storefront", model.RunPlan)
	if err != nil {
		t.Fatal(err)
	}
	plan = w.advanceUntil(t, "qa-storefront", plan.ID, "finished", func(r model.Run) bool { return r.State.Terminal() })
	changes, err := w.c.RunChanges(ctx(t), "qa-storefront", plan.ID)
	if err != nil || plan.Delta == nil || len(changes) != plan.Delta.Add+plan.Delta.Change+plan.Delta.Destroy || len(changes) == 0 {
		t.Fatalf("changes = %+v, %v (delta %+v)", changes, err, plan.Delta)
	}
}

// 10. Stack.repository is a name: the sandbox's raw Git stacks give their
// URL in repositoryURL, an http URL that clones (a raw Git integration needs
// a reachable one), as modules do; a hosted provider's stack has no URL to
// clone here.
func TestRepositoryIsANameBesideItsURL(t *testing.T) {
	w := newSandboxWorld(t)
	s := w.stack(t, "dev-network")
	r := s.Repository
	if r.Provider != "git" || r.Namespace != "acme" || r.Name != "environment" || s.Repo != r.URL || r.Host != "" ||
		!regexp.MustCompile(`^http://127\.0\.0\.1:\d+/acme/environment\.git$`).MatchString(r.URL) {
		t.Fatalf("dev-network repository = %+v, clone URL %q", r, s.Repo)
	}
	mods, err := w.c.ListModules(context.Background())
	if err != nil || len(mods) == 0 {
		t.Fatalf("modules: %v, %v", mods, err)
	}
	for _, m := range mods {
		if !strings.HasPrefix(m.Repo, "http://127.0.0.1:") {
			t.Errorf("module %s names its repository %q", m.ID, m.Repo)
		}
	}
	refs, err := (vcs.Git{}).Run(context.Background(), "ls-remote", "--heads", r.URL)
	if err != nil || !strings.Contains(refs, "refs/heads/dev") {
		t.Fatalf("git ls-remote %s: %q, %v", r.URL, refs, err)
	}
	f := newFixture(t, 1)
	hosted := stackByID(t, f.client(t, f.env(nil)), "stack-000")
	if want := (model.Repository{Provider: "github", Namespace: "acme", Name: "infra"}); hosted.Repository != want || hosted.Repo != "" {
		t.Fatalf("hosted repository = %+v, clone URL %q; want %+v and no URL (the shared resolver derives it)", hosted.Repository, hosted.Repo, want)
	}
}

// 11. Only the lock holder starts runs on a locked stack: a push starts
// none, nor does an upstream deploy, and a run the holder starts does not
// autodeploy.
func TestLocksHoldPushAndDependencyRuns(t *testing.T) {
	w := newSandboxWorld(t)
	ledger := w.stack(t, "dev-payments-ledger")
	if _, err := w.c.Lock(ctx(t), ledger.ID, "migrating the ledger"); err != nil {
		t.Fatal(err)
	}
	head := w.push(t, ledger, "stacks/ledger/main.tf", func(old string) string {
		return old + "\nresource \"aws_sqs_queue\" \"ledger_dlq\" {\n  name = \"ledger-dlq\"\n}\n"
	})
	after := w.stack(t, ledger.ID)
	if runs := w.runsSince(t, ledger.ID, latestID(ledger)); len(runs) != 0 {
		t.Fatalf("a push started runs on a locked stack: %+v", runs)
	}
	if after.BranchHead != head || after.TrackedCommit == head {
		t.Fatalf("locked stack after the push: tracked %s, head %s; want behind %s", after.TrackedCommit, after.BranchHead, head)
	}

	net, identity := w.stack(t, "dev-network"), w.stack(t, "dev-identity")
	w.push(t, net, "network/main.tf", func(old string) string {
		return old + "\nresource \"aws_route53_record\" \"status\" {\n  name = \"status\"\n}\n"
	})
	up := w.runsSince(t, net.ID, latestID(net))
	if len(up) != 1 {
		t.Fatalf("dev-network push: %+v", up)
	}
	w.advanceUntil(t, net.ID, up[0].ID, "finished", func(r model.Run) bool { return r.State.Terminal() })
	if runs := w.runsSince(t, ledger.ID, latestID(after)); len(runs) != 0 {
		t.Fatalf("an upstream deploy started runs on a locked stack: %+v", runs)
	}
	if runs := w.runsSince(t, identity.ID, latestID(identity)); len(runs) != 1 || !strings.Contains(runs[0].Title, "dev-network") {
		t.Fatalf("dev-identity, unlocked, after the upstream deploy: %+v, want its dependency run", runs)
	}
	// The holder may move the tracked commit and deploy it.
	if s, err := w.c.SyncCommit(ctx(t), ledger.ID); err != nil || s.TrackedCommit != head {
		t.Fatalf("sync by the holder: %+v, %v", s.TrackedCommit, err)
	}
	mine, err := w.c.Trigger(ctx(t), ledger.ID, model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	got := w.advanceUntil(t, ledger.ID, mine.ID, "settled", func(r model.Run) bool { return !r.State.Active() })
	if got.State != model.StateUnconfirmed {
		t.Fatalf("a deploy on a locked autodeploy stack went on to %s; autodeploy is off while locked", got.State)
	}
}

// 12. A dependent stack deploys when an output it references changed; in
// qa the business units reference the network's security group and zone,
// so a new DNS record there starts nothing downstream.
func TestDependentsFollowTheirReferences(t *testing.T) {
	w := newSandboxWorld(t)
	before := map[string]model.Stack{}
	for _, s := range mustList(t, w.c) {
		before[s.ID] = s
	}
	net := before["qa-network"]
	deployNetwork := func(edit func(string) string) {
		t.Helper()
		w.push(t, w.stack(t, net.ID), "network/main.tf", edit)
		s := w.stack(t, net.ID)
		d := w.advanceUntil(t, net.ID, s.LatestTrackedRun.ID, "unconfirmed", func(r model.Run) bool { return r.State == model.StateUnconfirmed })
		if _, err := w.c.Confirm(ctx(t), net.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		if d = w.advanceUntil(t, net.ID, d.ID, "finished", func(r model.Run) bool { return r.State.Terminal() }); d.State != model.StateFinished {
			t.Fatalf("qa-network deploy ended %s", d.State)
		}
	}
	deployNetwork(func(old string) string {
		return old + "\nresource \"aws_route53_record\" \"status\" {\n  name = \"status\"\n}\n"
	})
	for id, s := range before {
		if slices.Contains(s.DependsOn, net.ID) {
			if runs := w.runsSince(t, id, latestID(s)); len(runs) != 0 {
				t.Errorf("%s ran although no output it references changed: %+v", id, runs)
			}
		}
	}
	deployNetwork(func(old string) string { return strings.Replace(old, `"shared-services"`, `"shared-services-v2"`, 1) })
	for id, s := range before {
		if !slices.Contains(s.DependsOn, net.ID) {
			continue
		}
		runs := w.runsSince(t, id, latestID(s))
		if len(runs) != 1 || runs[0].Kind != model.RunDeploy || !strings.Contains(runs[0].Title, "aws_security_group_shared_id changed") {
			t.Errorf("%s after the security group changed: %+v, want one dependency deploy", id, runs)
		}
	}
}

func mustList(t *testing.T, c *Client) []model.Stack {
	t.Helper()
	stacks, err := c.ListStacks(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return stacks
}

// sentOperation finds the operation names in the client's source: the
// names passed to query, queryList, mutate, runMutation, aliased,
// stackEntities and graphql.OperationName.
var sentOperation = regexp.MustCompile(`(?:c\.(?:query|queryList|mutate|runMutation|aliased)\(ctx, |stackEntities\[\w+\]\(ctx, c, |OperationName\()"([A-Za-z]+)"`)

// TestEveryOperationIsInTheLedger collects every operation name the client
// sends, from its source and from a session that uses every method, and
// finds each in docs/FIDELITY.md's table of the operations the client sends.
func TestEveryOperationIsInTheLedger(t *testing.T) {
	inSource := map[string]bool{}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range sentOperation.FindAllStringSubmatch(string(src), -1) {
			inSource[m[1]] = true
		}
	}

	// A session that calls every method, on the sandbox and on a real-mode
	// client, must send nothing the scan missed.
	w := newSandboxWorld(t)
	c, cx := w.c, ctx(t)
	stacks := mustList(t, c)
	var lean []model.Stack
	for range 2 { // a full listing, then one of the changes
		_ = c.PageStacks(cx, backend.PageRequest{}, func(p backend.StackPage) { lean = append(lean, p.Stacks...) })
	}
	_, _ = c.ReadDetails(cx, lean)
	_, _, _ = c.ListRuns(cx, "dev-identity", "")
	plan, _ := c.Trigger(cx, "dev-identity", model.RunPlan)
	_, _ = c.GetRun(cx, "dev-identity", plan.ID)
	_, _ = c.RunLogs(cx, "dev-identity", plan.ID, "")
	_, _ = c.RunChanges(cx, "dev-identity", plan.ID)
	_, _ = c.PlanCommit(cx, "dev-identity", stacks[0].TrackedCommit)
	_, _ = c.Trigger(cx, "qa-storefront", model.RunDriftCheck)
	_, _ = c.Cancel(cx, "dev-identity", plan.ID)
	_, _ = c.Stop(cx, "dev-identity", plan.ID)
	_, _ = c.Promote(cx, "dev-identity", plan.ID)
	held := w.stack(t, "prod-storefront").LatestTrackedRun
	_, _ = c.Review(cx, "prod-storefront", held.ID, true, "")
	_, _ = c.Confirm(cx, "prod-storefront", held.ID)
	_, _ = c.Discard(cx, "qa-payments-ledger", w.stack(t, "qa-payments-ledger").LatestTrackedRun.ID)
	_, _ = c.Retry(cx, "dev-analytics", w.stack(t, "dev-analytics").LatestTrackedRun.ID)
	_, _ = c.Trigger(cx, "dev-network", model.RunDeploy)
	_, _ = c.SyncCommit(cx, "qa-payments-api")
	_, _ = c.Lock(cx, "dev-storefront", "x")
	_, _ = c.Unlock(cx, "dev-storefront")
	mods, _ := c.ListModules(cx)
	_, _ = c.ListModuleVersions(cx, mods[0].ID)
	seen := map[string]bool{}
	for _, op := range w.ops.since(0) {
		seen[op.Name] = true
	}
	// A real-mode client reads drifted stacks' entities without the
	// extension, and asks who it is when a mutation says "unauthorized".
	f := newFixture(t, 2)
	var mu sync.Mutex
	real := rewritingProxy(t, f, func(op string, body []byte) []byte {
		mu.Lock()
		seen[op] = true
		mu.Unlock()
		if op == "StackLock" {
			return []byte(`{"data":null,"errors":[{"message":"unauthorized","path":["stackLock"]}]}`)
		}
		return body
	})
	rc := f.client(t, f.env(map[string]string{"SPACELIFT_API_KEY_ENDPOINT": real}))
	_, _ = rc.ListStacks(cx)
	if _, err := rc.Lock(cx, "stack-001", "x"); !errors.Is(err, backend.ErrForbidden) {
		t.Fatalf("lock refused with a live session: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("sent: %v", slices.Sorted(maps.Keys(seen)))
	for name := range seen {
		if name != "" && !inSource[name] {
			t.Errorf("operation %q was sent but the source scan did not find it", name)
		}
	}
	if len(inSource) < 20 {
		t.Fatalf("the scan found %d operations: %v", len(inSource), inSource)
	}
	ledger, err := os.ReadFile("../../../docs/FIDELITY.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, _ := strings.Cut(string(ledger), "### Operations the client sends")
	table, _, _ = strings.Cut(table, "\n### ")
	for name := range inSource {
		if !strings.Contains(table, "`"+name+"`") {
			t.Errorf("operation %q is not in docs/FIDELITY.md's table of operations", name)
		}
	}
}

// Issue 20: a mutation refused because a colleague holds the stack's lock
// names the holder and their note (only the holder acts on a locked
// stack); a refusal on a stack the user locked is about the run, and says
// nothing of a lock. None says "press r".
func TestRefusalsNameTheLockHolder(t *testing.T) {
	w := newSandboxWorld(t)
	ctx := context.Background()
	for what, call := range map[string]func() error{
		"unlock": func() error { _, err := w.c.Unlock(ctx, "prod-payments-api"); return err },
		"deploy": func() error { _, err := w.c.Trigger(ctx, "prod-payments-api", model.RunDeploy); return err },
	} {
		err := call()
		var locked *backend.LockedError
		if !errors.As(err, &locked) || !errors.Is(err, backend.ErrConflict) || locked.Lock.Holder != "maria.chen" ||
			!strings.Contains(err.Error(), "prod-payments-api is locked by maria.chen: Change freeze") {
			t.Errorf("%s on a stack maria.chen locked: %v", what, err)
		}
		if h := backend.Hint(err); !strings.Contains(h, "ask maria.chen") {
			t.Errorf("%s: hint %q", what, h)
		}
	}
	mine, err := w.c.Lock(ctx, "qa-network", "mine")
	if err != nil {
		t.Fatal(err)
	}
	latest := w.stack(t, "qa-network").LatestRun
	_, err = w.c.Confirm(ctx, "qa-network", latest.ID)
	var locked *backend.LockedError
	if !errors.Is(err, backend.ErrConflict) || errors.As(err, &locked) || strings.Contains(backend.Hint(err), "press r") {
		t.Errorf("confirming a %s run on a stack locked by %s (the user): %v (hint %q)", latest.State, mine.Lock.Holder, err, backend.Hint(err))
	}
}

// TestYourLocksAreYours: a lock the viewer took (lockedBy names the viewer)
// is the user's own; maria.chen's is someone else's. The listing reads
// the viewer with the stacks.
func TestYourLocksAreYours(t *testing.T) {
	w := newSandboxWorld(t)
	if _, err := w.c.Lock(ctx(t), "prod-identity", "release checks"); err != nil {
		t.Fatal(err)
	}
	mine, theirs := w.stack(t, "prod-identity").Lock, w.stack(t, "prod-payments-api").Lock
	if mine == nil || !mine.Mine || mine.Note != "release checks" {
		t.Fatalf("your lock: %+v", mine)
	}
	if theirs == nil || theirs.Mine || theirs.Holder != "maria.chen" {
		t.Fatalf("maria.chen's lock: %+v", theirs)
	}
}

// TestPendingRunsFromTheListing: the listing's first pages of runs,
// proposedRuns and tasks, with the stack's blocker, give every unfinished
// run of the seeded stacks: prod-identity's plan waiting for review stays
// pending after a newer plan; prod-analytics' task held for approval and
// prod-storefront's held deploy are there, the latter as the blocker.
func TestPendingRunsFromTheListing(t *testing.T) {
	w := newSandboxWorld(t)
	review := w.stack(t, "prod-identity").LatestRun
	newer, err := w.c.Trigger(ctx(t), "prod-identity", model.RunPlan)
	if err != nil {
		t.Fatal(err)
	}
	w.advanceUntil(t, "prod-identity", newer.ID, "finished", func(r model.Run) bool { return r.State.Terminal() })
	s := w.stack(t, "prod-identity")
	if waiting, known := s.Waiting(); !known || len(waiting) != 1 || waiting[0].ID != review.ID || s.LatestRun.ID != newer.ID {
		t.Fatalf("prod-identity: waiting %+v (known %t), latest %s", waiting, known, s.LatestRun.ID)
	}
	if s := w.stack(t, "prod-analytics"); len(s.Pending) != 1 || s.Pending[0].Kind != model.RunTask || !s.Pending[0].NeedsApproval {
		t.Fatalf("prod-analytics' pending runs: %+v", s.Pending)
	}
	store := w.stack(t, "prod-storefront")
	if store.Blocker == nil || store.Blocker.ID != store.LatestTrackedRun.ID || !store.Blocker.NeedsApproval {
		t.Fatalf("prod-storefront's blocker: %+v", store.Blocker)
	}
}

// Issue 20: a mutation the server refused applied nothing; one whose
// answer was lost may have been applied (backend.AnswerLost). A well-formed
// error that names a refusal (a code, an error raised before execution, an
// HTTP 4xx with its reason) is a refusal; a cut or garbled body, a 5xx
// after sending, and a resolver's error that names no refusal (the chaos
// "partial" fault: the server applied it, then the field failed) are lost
// answers, unless the stack's lock held by someone else explains them.
func TestMutationRefusalsAndLostAnswers(t *testing.T) {
	f := newFixture(t, 2)
	trigger := func(t *testing.T, endpoint string) error {
		_, err := tokenClient(t, f, endpoint).Trigger(ctx(t), "stack-000", model.RunPlan)
		if err == nil {
			t.Fatal("the mutation succeeded")
		}
		return err
	}
	answering := func(answer func(body []byte) []byte) string {
		return rewritingProxy(t, f, func(op string, body []byte) []byte {
			if op != "RunTrigger" {
				return body
			}
			return answer(body)
		})
	}
	status := func(code int, body string) string {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(ts.Close)
		return ts.URL
	}
	fixed := func(s string) func([]byte) []byte { return func([]byte) []byte { return []byte(s) } }
	for _, tc := range []struct {
		name     string
		endpoint string
		lost     bool
		kind     error // the refusal's kind
		says     string
	}{
		{"resolver error with no code", answering(fixed(`{"data":{"runTrigger":null},"errors":[{"message":"internal error","path":["runTrigger"]}]}`)),
			true, nil, "internal error"},
		{"cut body", answering(func(b []byte) []byte { return b[:len(b)/2] }), true, nil, "malformed"},
		{"garbled body", answering(fixed(`{"data":{"runTrigger":{"id":"\x00}{`)), true, nil, "malformed"},
		{"5xx after sending", status(http.StatusBadGateway, `{"errors":[{"message":"upstream reset"}]}`), true, nil, "HTTP 502: upstream reset"},
		{"conflict code", answering(fixed(`{"data":null,"errors":[{"message":"run is not awaiting confirmation","path":["runTrigger"],"extensions":{"code":"CONFLICT"}}]}`)),
			false, backend.ErrConflict, "run is not awaiting confirmation"},
		{"bad request code", answering(fixed(`{"data":null,"errors":[{"message":"run type X cannot be triggered","path":["runTrigger"],"extensions":{"code":"BAD_REQUEST"}}]}`)),
			false, backend.ErrInvalid, "run type X cannot be triggered"},
		{"not found", answering(fixed(`{"data":null,"errors":[{"message":"stack not found","path":["runTrigger"]}]}`)),
			false, backend.ErrNotFound, "stack not found"},
		{"error before execution", answering(fixed(`{"errors":[{"message":"Variable \"$stack\" of required type \"ID!\" was not provided."}]}`)),
			false, backend.ErrInvalid, `Variable "$stack" of required type "ID!" was not provided.`},
		{"HTTP 400 with its reason", status(http.StatusBadRequest, `{"errors":[{"message":"Cannot query field \"bogus\"."}]}`),
			false, backend.ErrInvalid, `HTTP 400: Cannot query field "bogus".`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := trigger(t, tc.endpoint)
			if backend.AnswerLost(err) != tc.lost || (tc.kind != nil && !errors.Is(err, tc.kind)) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%v: lost %t, want %t (kind %v, saying %q)", err, backend.AnswerLost(err), tc.lost, tc.kind, tc.says)
			}
		})
	}
	t.Run("resolver error on a stack someone else locked", func(t *testing.T) {
		locked := rewritingProxy(t, f, func(op string, body []byte) []byte {
			switch op {
			case "RunTrigger":
				return []byte(`{"data":{"runTrigger":null},"errors":[{"message":"you cannot do that","path":["runTrigger"]}]}`)
			case "StackLockHolder":
				return []byte(`{"data":{"viewer":{"id":"me"},"stack":{"lockedBy":"maria.chen","lockNote":"freeze","lockedAt":null}}}`)
			}
			return body
		})
		err := trigger(t, locked)
		var held *backend.LockedError
		if !errors.As(err, &held) || held.Lock.Holder != "maria.chen" || backend.AnswerLost(err) {
			t.Errorf("%v: want a refusal naming maria.chen's lock", err)
		}
	})
}
