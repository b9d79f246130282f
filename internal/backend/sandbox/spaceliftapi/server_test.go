package spaceliftapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi/fakeengine"
)

type fixture struct {
	srv   *Server
	base  string
	clock *sandbox.ManualClock
	eng   *fakeengine.Engine
}

func newFixture(t *testing.T, stacks int) *fixture {
	t.Helper()
	clock := sandbox.NewManualClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	eng := fakeengine.New(stacks)
	srv, err := New(eng, Options{Clock: clock, APIKeySecret: "s3cret-value"})
	if err != nil {
		t.Fatal(err)
	}
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &fixture{srv: srv, base: base, clock: clock, eng: eng}
}

type gqlResponse struct {
	Data   map[string]json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

// post sends one operation as spacectl does and decodes the answer.
func (f *fixture) post(t *testing.T, token, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, f.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) login(t *testing.T) string {
	t.Helper()
	resp := f.post(t, "", `mutation GetSpaceliftToken($id: ID!, $secret: String!) { apiKeyUser(id: $id, secret: $secret) { id jwt validUntil } }`,
		map[string]any{"id": f.srv.APIKeyID(), "secret": f.srv.APIKeySecret()})
	var d struct {
		JWT        string
		ValidUntil int64
	}
	decode(t, resp, "apiKeyUser", &d)
	if want := f.clock.Now().Add(time.Hour).Unix(); d.ValidUntil != want {
		t.Errorf("validUntil = %d, want %d", d.ValidUntil, want)
	}
	return d.JWT
}

func decode(t *testing.T, resp gqlResponse, field string, v any) {
	t.Helper()
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
	if err := json.Unmarshal(resp.Data[field], v); err != nil {
		t.Fatalf("decode %s: %v (%s)", field, err, resp.Data[field])
	}
}

func wantError(t *testing.T, resp gqlResponse, substr string) {
	t.Helper()
	if len(resp.Errors) == 0 || !strings.Contains(resp.Errors[0].Message, substr) {
		t.Fatalf("want error containing %q, got %+v", substr, resp.Errors)
	}
}

func TestTokenAudienceIsBaseURL(t *testing.T) {
	f := newFixture(t, 1)
	tok := f.login(t)
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Aud []string
		Exp int64
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Aud) != 1 || c.Aud[0] != f.base || c.Exp != f.clock.Now().Add(time.Hour).Unix() {
		t.Fatalf("claims = %+v, want aud [%s]", c, f.base)
	}
}

func TestWrongSecretIsUnauthorized(t *testing.T) {
	f := newFixture(t, 1)
	resp := f.post(t, "", `mutation($id: ID!, $secret: String!) { apiKeyUser(id: $id, secret: $secret) { jwt validUntil } }`,
		map[string]any{"id": f.srv.APIKeyID(), "secret": "wrong"})
	wantError(t, resp, "unauthorized")
}

func TestWithoutTokenListsAreEmptyAndEntitiesUnauthorized(t *testing.T) {
	f := newFixture(t, 3)
	for _, tok := range []string{"", "not-a-jwt"} {
		resp := f.post(t, tok, `{ viewer { id name } stacks { id } modules { id } }`, nil)
		if string(resp.Data["viewer"]) != "null" || string(resp.Data["stacks"]) != "[]" || string(resp.Data["modules"]) != "[]" {
			t.Fatalf("token %q: data = %s %s %s", tok, resp.Data["viewer"], resp.Data["stacks"], resp.Data["modules"])
		}
		wantError(t, f.post(t, tok, `query($id: ID!) { stack(id: $id) { id } }`, map[string]any{"id": "stack-000"}), "unauthorized")
		wantError(t, f.post(t, tok, `mutation($id: ID!) { stackLock(id: $id, note: "x") { id } }`, map[string]any{"id": "stack-000"}), "unauthorized")
	}
}

func TestExpiredAndRevokedTokens(t *testing.T) {
	f := newFixture(t, 2)
	tok := f.login(t)
	var stacks []struct{ ID string }
	decode(t, f.post(t, tok, `{ stacks { id } }`, nil), "stacks", &stacks)
	if len(stacks) != 2 {
		t.Fatalf("stacks = %v", stacks)
	}
	f.clock.Advance(time.Hour)
	if resp := f.post(t, tok, `{ viewer { id } stacks { id } }`, nil); string(resp.Data["stacks"]) != "[]" || string(resp.Data["viewer"]) != "null" {
		t.Fatalf("expired token still works: %s", resp.Data["stacks"])
	}
	tok = f.login(t)
	f.srv.RevokeKey()
	wantError(t, f.post(t, tok, `query($id: ID!) { stack(id: $id) { id } }`, map[string]any{"id": "stack-000"}), "unauthorized")
	resp := f.post(t, "", `mutation($id: ID!, $secret: String!) { apiKeyUser(id: $id, secret: $secret) { jwt } }`,
		map[string]any{"id": f.srv.APIKeyID(), "secret": f.srv.APIKeySecret()})
	wantError(t, resp, "unauthorized")
}

// The hasura client declares Go strings as String; the real API rejects
// that where an ID is expected, and so must the sandbox.
func TestStringForIDIsAValidationError(t *testing.T) {
	f := newFixture(t, 1)
	resp := f.post(t, f.login(t), `query($id: String!) { stack(id: $id) { id } }`, map[string]any{"id": "stack-000"})
	wantError(t, resp, `Variable "$id" of type "String!" used in position expecting type "ID!"`)
}

func TestSearchStacksPages(t *testing.T) {
	f := newFixture(t, 120)
	tok := f.login(t)
	const q = `query StacksPage($input: SearchInput!) { searchStacks(input: $input) {
		pageInfo { endCursor hasNextPage hasPreviousPage }
		edges { cursor node { id name space state branch repository projectRoot labels
			trackedCommit { hash } lockedBy isDisabled isDrifted dependsOn { dependsOnStack { id } } } } } }`
	var ids []string
	var after any
	pages := 0
	for {
		var conn struct {
			PageInfo struct {
				EndCursor   string
				HasNextPage bool
			}
			Edges []struct{ Node struct{ ID string } }
		}
		decode(t, f.post(t, tok, q, map[string]any{"input": map[string]any{"first": 50, "after": after,
			"orderBy": map[string]any{"field": "starred", "direction": "DESC"}}}), "searchStacks", &conn)
		pages++
		for _, e := range conn.Edges {
			ids = append(ids, e.Node.ID)
		}
		if !conn.PageInfo.HasNextPage {
			break
		}
		after = conn.PageInfo.EndCursor
	}
	if pages != 3 || len(ids) != 120 || ids[0] != "stack-000" || ids[119] != "stack-119" {
		t.Fatalf("pages = %d, ids = %d (%v…)", pages, len(ids), ids[:3])
	}
	var conn struct {
		Edges []struct{ Node struct{ ID string } }
	}
	decode(t, f.post(t, tok, q, map[string]any{"input": map[string]any{"first": 50, "predicates": []any{
		map[string]any{"field": "projectRoot", "constraint": map[string]any{"stringMatches": []string{"stacks/stack-007"}}}}}}),
		"searchStacks", &conn)
	if len(conn.Edges) != 1 || conn.Edges[0].Node.ID != "stack-007" {
		t.Fatalf("predicate search = %+v", conn.Edges)
	}
}

func TestRunHistoryAndLogPaging(t *testing.T) {
	f := newFixture(t, 1)
	tok := f.login(t)
	var stack struct {
		Runs []struct {
			ID      string
			Type    string
			State   string
			History []struct {
				State   string
				HasLogs bool
			}
		}
	}
	decode(t, f.post(t, tok, `query($stack: ID!) { stack(id: $stack) { runs { id type state history { state stateVersion timestamp terminal hasLogs } } } }`,
		map[string]any{"stack": "stack-000"}), "stack", &stack)
	if len(stack.Runs) != 1 || stack.Runs[0].Type != "TRACKED" || stack.Runs[0].State != "UNCONFIRMED" {
		t.Fatalf("runs = %+v", stack.Runs)
	}
	h := stack.Runs[0].History
	if len(h) != 3 || h[0].State != "UNCONFIRMED" || h[2].State != "QUEUED" || h[2].HasLogs || !h[1].HasLogs {
		t.Fatalf("history not newest first with logs on PLANNING: %+v", h)
	}
	const q = `query($stack: ID!, $run: ID!, $state: RunState!, $token: String) { stack(id: $stack) { run(id: $run) {
		logs(state: $state, token: $token) { exists expired finished hasMore nextToken messages { message timestamp } } } } }`
	var token any
	var lines, pages int
	for {
		var d struct {
			Run struct {
				Logs struct {
					Finished, HasMore bool
					NextToken         string
					Messages          []struct{ Message string }
				}
			}
		}
		decode(t, f.post(t, tok, q, map[string]any{"stack": "stack-000", "run": stack.Runs[0].ID, "state": "PLANNING", "token": token}), "stack", &d)
		pages++
		lines += len(d.Run.Logs.Messages)
		if d.Run.Logs.Finished {
			t.Fatal("finished is set: Spacelift does not promise it, so the sandbox never does")
		}
		if !d.Run.Logs.HasMore {
			break
		}
		if pages > 10 {
			t.Fatal("log never finished")
		}
		token = d.Run.Logs.NextToken
	}
	if lines != 120 || pages != 3 {
		t.Fatalf("read %d lines in %d pages, want 120 in 3", lines, pages)
	}
}

func TestMutationErrors(t *testing.T) {
	f := newFixture(t, 1)
	tok := f.login(t)
	var run struct{ ID, State string }
	decode(t, f.post(t, tok, `mutation($stack: ID!) { runConfirm(stack: $stack) { id state } }`, map[string]any{"stack": "stack-000"}), "runConfirm", &run)
	if run.State != "CONFIRMED" {
		t.Fatalf("confirmed run = %+v", run)
	}
	resp := f.post(t, tok, `mutation($stack: ID!, $run: ID) { runConfirm(stack: $stack, run: $run) { id } }`, map[string]any{"stack": "stack-000", "run": run.ID})
	wantError(t, resp, "CONFIRMED")
	if resp.Errors[0].Extensions["code"] != "CONFLICT" {
		t.Fatalf("extensions = %v", resp.Errors[0].Extensions)
	}
	wantError(t, f.post(t, tok, `mutation($stack: ID!) { runTrigger(stack: $stack, runType: PROPOSED) { id } }`, map[string]any{"stack": "nope"}), "not found")
}

func TestStartRefusesNonLoopback(t *testing.T) {
	srv, err := New(fakeengine.New(0), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"0.0.0.0:0", ":0", "example.com:80"} {
		if _, err := srv.Start(addr); err == nil {
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
}

func TestShellExportsWork(t *testing.T) {
	f := newFixture(t, 1)
	out, err := f.srv.ShellExports()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"export SPACELIFT_API_KEY_ENDPOINT=" + f.base + "\n", "export SPACELIFT_API_KEY_ID=" + f.srv.APIKeyID() + "\n",
		"export SPACELIFT_API_KEY_SECRET=s3cret-value\n", "# SPACELIFT_API_TOKEN="} {
		if !strings.Contains(out, want) {
			t.Errorf("exports lack %q:\n%s", want, out)
		}
	}
	_, tok, _ := strings.Cut(out, "# SPACELIFT_API_TOKEN=")
	var stacks []struct{ ID string }
	decode(t, f.post(t, strings.TrimSpace(tok), `{ stacks { id } }`, nil), "stacks", &stacks)
	if len(stacks) != 1 {
		t.Fatalf("printed token does not work: %v", stacks)
	}
}

// runCancel is for runs that have not started and runStop for runs that
// have; each refuses the other case. This needs the real engine's clock.
func TestRunCancelAndStop(t *testing.T) {
	clock := sandbox.NewManualClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))
	eng, err := sandbox.New(context.Background(), sandbox.Options{Dir: t.TempDir(), Seed: 7, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	srv, err := New(eng, Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	f := &fixture{srv: srv, base: base}
	tok, err := srv.MintToken()
	if err != nil {
		t.Fatal(err)
	}
	var stacks []struct{ ID string }
	decode(t, f.post(t, tok, `{ stacks { id } }`, nil), "stacks", &stacks)
	trigger := func() map[string]any {
		var run struct{ ID string }
		decode(t, f.post(t, tok, `mutation($s: ID!) { runTrigger(stack: $s, runType: PROPOSED) { id } }`, map[string]any{"s": stacks[0].ID}), "runTrigger", &run)
		return map[string]any{"s": stacks[0].ID, "r": run.ID}
	}
	const stop = `mutation($s: ID!, $r: ID!) { runStop(stack: $s, run: $r) { id state } }`
	const cancel = `mutation($s: ID!, $r: ID!) { runCancel(stack: $s, run: $r) { id state } }`

	queued := trigger()
	wantError(t, f.post(t, tok, stop, queued), "has not started")
	var run struct{ State string }
	decode(t, f.post(t, tok, cancel, queued), "runCancel", &run)
	if run.State != "CANCELED" {
		t.Fatalf("canceled run is %s", run.State)
	}

	started := trigger()
	clock.Advance(2 * time.Second)
	wantError(t, f.post(t, tok, cancel, started), "has started")
	wantError(t, f.post(t, tok, stop, started), "is PREPARING: a run can be stopped while it initializes or plans")
	clock.Advance(2 * time.Second)
	decode(t, f.post(t, tok, stop, started), "runStop", &run)
	if run.State != "STOPPED" {
		t.Fatalf("stopped run is %s", run.State)
	}
}

func TestWebPages(t *testing.T) {
	f := newFixture(t, 1)
	var runs struct{ Runs []struct{ ID string } }
	decode(t, f.post(t, f.login(t), `query($id: ID!) { stack(id: $id) { runs { id } } }`, map[string]any{"id": "stack-000"}), "stack", &runs)
	for path, want := range map[string]int{
		"/stack/stack-000":                        http.StatusOK,
		"/stack/stack-000/run/" + runs.Runs[0].ID: http.StatusOK,
		"/stack/nope":                             http.StatusNotFound,
		"/stack/stack-000/run/nope":               http.StatusNotFound,
	} {
		resp, err := http.Get(f.base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || (want == http.StatusOK && !strings.Contains(string(body), "<h1>stack-000</h1>")) {
			t.Errorf("GET %s = %d, want %d\n%s", path, resp.StatusCode, want, body)
		}
	}
}
