package spacelift

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi/fakeengine"
	"github.com/stackview/stackview/internal/model"
)

type fixture struct {
	srv       *spaceliftapi.Server
	eng       *fakeengine.Engine
	clock     *sandbox.ManualClock // shared by the server (token expiry) and the client (renewal)
	base      string
	exchanges atomic.Int32 // apiKeyUser requests seen
}

const secret = "very-secret-key-value"

// newFixture starts the Spacelift dialect over a fake engine with n stacks,
// behind a handler that counts API key exchanges.
func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	f := &fixture{eng: fakeengine.New(n), clock: sandbox.NewManualClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))}
	ts := httptest.NewUnstartedServer(nil)
	f.base = "http://" + ts.Listener.Addr().String()
	srv, err := spaceliftapi.New(f.eng, spaceliftapi.Options{Clock: f.clock, APIKeySecret: secret, BaseURL: f.base})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	h := srv.Handler()
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			f.exchanges.Add(1)
		}
		h.ServeHTTP(w, r)
	})
	ts.Start()
	t.Cleanup(ts.Close)
	return f
}

func (f *fixture) env(extra map[string]string) func(string) string {
	vars := map[string]string{
		"SPACELIFT_API_KEY_ENDPOINT": f.base,
		"SPACELIFT_API_KEY_ID":       f.srv.APIKeyID(),
		"SPACELIFT_API_KEY_SECRET":   secret,
	}
	for k, v := range extra {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

func (f *fixture) client(t *testing.T, env func(string) string) *Client {
	t.Helper()
	c, err := New(ctx(t), Config{Env: env, HomeDir: t.TempDir(), Now: f.clock.Now, RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestListStacksPagesAndMaps(t *testing.T) {
	f := newFixture(t, 120)
	c := f.client(t, f.env(nil))
	if info := c.Info(); info.Kind != "spacelift" || info.Sandbox || info.Endpoint != f.base {
		t.Errorf("Info = %+v", info)
	}
	stacks, err := c.ListStacks(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(stacks) != 120 {
		t.Fatalf("got %d stacks, want 120 over three pages", len(stacks))
	}
	s0 := stacks[0]
	if s0.ID != "stack-000" || s0.URL != f.base+"/stack/stack-000" || s0.ProjectRoot != "stacks/stack-000" ||
		s0.TrackedCommit != "c0ffee0" || s0.Space != "root" || strings.Join(s0.Labels, ",") != "env:dev,layer:environment" {
		t.Errorf("stack-000 = %+v", s0)
	}
	if !s0.Drift.Drifted || len(s0.Drift.Resources) != 1 || s0.Drift.CheckedAt.IsZero() {
		t.Errorf("drift = %+v", s0.Drift)
	}
	if s0.LatestRun == nil || s0.LatestRun.Kind != model.RunDeploy || s0.LatestRun.State != model.StateUnconfirmed || s0.State != model.StateUnconfirmed {
		t.Errorf("latest run = %+v, state %s", s0.LatestRun, s0.State)
	}
	if got := stacks[5].DependsOn; len(got) != 1 || got[0] != "stack-002" { // prod's environment stack
		t.Errorf("dependsOn = %v", got)
	}
	if stacks[5].Env != "" || stacks[5].Layer != "" {
		t.Errorf("env/layer must be left to model.BuildForest: %+v", stacks[5])
	}
}

func TestRunLifecycle(t *testing.T) {
	f := newFixture(t, 2)
	c := f.client(t, f.env(nil))
	cx := ctx(t)

	plan, err := c.Trigger(cx, "stack-001", model.RunPlan)
	if err != nil || plan.Kind != model.RunPlan || plan.State != model.StateQueued {
		t.Fatalf("trigger plan = %+v, %v", plan, err)
	}
	deploy, err := c.Trigger(cx, "stack-001", model.RunDeploy)
	if err != nil || deploy.Kind != model.RunDeploy || deploy.State != model.StateQueued {
		t.Fatalf("trigger deploy = %+v, %v", deploy, err)
	}
	f.eng.Advance(time.Second) // planning
	f.eng.Advance(time.Second) // planned
	if plan, err = c.GetRun(cx, "stack-001", plan.ID); err != nil || plan.State != model.StateFinished {
		t.Fatalf("planned plan = %+v, %v", plan, err)
	}
	if deploy, err = c.GetRun(cx, "stack-001", deploy.ID); err != nil || deploy.State != model.StateUnconfirmed ||
		deploy.Delta == nil || deploy.Delta.Change != 2 {
		t.Fatalf("planned deploy = %+v, %v", deploy, err)
	}
	if _, err := c.Trigger(cx, "stack-001", model.RunDriftCheck); !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("drift check trigger: %v", err)
	}
	confirmed, err := c.Confirm(cx, "stack-001", deploy.ID)
	if err != nil || confirmed.State != model.StateConfirmed {
		t.Fatalf("confirm = %+v, %v", confirmed, err)
	}
	if _, err := c.Confirm(cx, "stack-001", deploy.ID); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("confirm twice: %v, want conflict", err)
	}
	f.eng.Advance(time.Second) // applying
	f.eng.Advance(time.Second) // applied
	if applied, err := c.GetRun(cx, "stack-001", deploy.ID); err != nil || applied.State != model.StateFinished {
		t.Fatalf("confirmed deploy = %+v, %v", applied, err)
	}
	if _, err := c.Cancel(cx, "stack-001", deploy.ID); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("cancel finished run: %v, want conflict", err)
	}
	second, _ := c.Trigger(cx, "stack-001", model.RunDeploy)
	if d, err := c.Discard(cx, "stack-001", second.ID); err != nil || d.State != model.StateDiscarded {
		t.Fatalf("discard = %+v, %v", d, err)
	}
	third, _ := c.Trigger(cx, "stack-001", model.RunDeploy)
	if err := f.eng.Fail("stack-001", third.ID); err != nil {
		t.Fatal(err)
	}
	retried, err := c.Retry(cx, "stack-001", third.ID)
	if err != nil || retried.ID == third.ID || retried.State != model.StateQueued || retried.Commit != third.Commit {
		t.Fatalf("retry = %+v, %v", retried, err)
	}
	got, err := c.GetRun(cx, "stack-001", third.ID)
	if err != nil || got.State != model.StateFailed || got.History[0].State != model.StateQueued ||
		got.History[len(got.History)-1].State != model.StateFailed || got.URL != f.base+"/stack/stack-001/run/"+third.ID {
		t.Fatalf("get run = %+v, %v", got, err)
	}
	changes, err := c.RunChanges(cx, "stack-001", deploy.ID)
	if err != nil || len(changes) != 3 || changes[0].Action != model.ActionAdd || changes[0].Address != "aws_vpc.main" ||
		changes[1].Action != model.ActionChange {
		t.Fatalf("changes = %+v, %v", changes, err)
	}
	if _, err := c.GetRun(cx, "stack-001", "nope"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("unknown run: %v", err)
	}
	if _, _, err := c.ListRuns(cx, "nope", ""); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("unknown stack: %v", err)
	}
}

func TestListRunsPagesWithBefore(t *testing.T) {
	f := newFixture(t, 1)
	c := f.client(t, f.env(nil))
	for range 14 {
		if _, err := c.Trigger(ctx(t), "stack-000", model.RunPlan); err != nil {
			t.Fatal(err)
		}
	}
	var all []model.Run
	cursor, pages := "", 0
	for {
		runs, next, err := c.ListRuns(ctx(t), "stack-000", cursor)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, runs...)
		pages++
		if next == "" {
			break
		}
		cursor = next
	}
	// 14 plans (proposedRuns) and one deploy (runs), merged newest first.
	if len(all) != 15 || pages != 2 {
		t.Fatalf("%d runs in %d pages, want 15 in 2", len(all), pages)
	}
	seen := map[string]bool{}
	for i, r := range all {
		if seen[r.ID] || (i > 0 && model.Newer(r, all[i-1])) {
			t.Fatalf("run %d (%s) repeated or out of order", i, r.ID)
		}
		seen[r.ID] = true
	}
	if all[14].Kind != model.RunDeploy || all[0].Kind != model.RunPlan {
		t.Errorf("the deploy, created first, is not listed last: %s … %s", all[0].Kind, all[14].Kind)
	}
}

func TestRunLogsPagesToTheEnd(t *testing.T) {
	f := newFixture(t, 1)
	c := f.client(t, f.env(nil))
	runs, _, err := c.ListRuns(ctx(t), "stack-000", "")
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	token, calls := "", 0
	for {
		chunk, err := c.RunLogs(ctx(t), "stack-000", runs[0].ID, token)
		if err != nil {
			t.Fatal(err)
		}
		text.WriteString(chunk.Text)
		token = chunk.Next
		if calls++; chunk.Done || calls > 10 {
			break
		}
	}
	lines := strings.Split(strings.TrimSuffix(text.String(), "\n"), "\n")
	if len(lines) != 120 || calls != 3 || !strings.HasSuffix(lines[118], "line 118") || !strings.HasPrefix(lines[119], "Plan: ") {
		t.Fatalf("%d lines in %d calls (last %q)", len(lines), calls, lines[len(lines)-1])
	}
}

func TestLockAndModules(t *testing.T) {
	f := newFixture(t, 1)
	c := f.client(t, f.env(nil))
	st, err := c.Lock(ctx(t), "stack-000", "maintenance")
	if err != nil || st.Lock == nil || st.Lock.Note != "maintenance" {
		t.Fatalf("lock = %+v, %v", st.Lock, err)
	}
	if _, err := c.Lock(ctx(t), "stack-000", "again"); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("lock twice: %v", err)
	}
	if st, err := c.Unlock(ctx(t), "stack-000"); err != nil || st.Lock != nil {
		t.Fatalf("unlock = %+v, %v", st.Lock, err)
	}
	mods, err := c.ListModules(ctx(t))
	if err != nil || len(mods) != 1 || mods[0].Latest != "1.2.0" || mods[0].Provider != "aws" || mods[0].Source == "" {
		t.Fatalf("modules = %+v, %v", mods, err)
	}
	vs, err := c.ListModuleVersions(ctx(t), mods[0].ID)
	if err != nil || len(vs) != 3 || vs[0].Number != "1.2.0" || vs[0].Commit != "abc1.2.0" {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	if _, err := c.ListModuleVersions(ctx(t), "nope"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("unknown module: %v", err)
	}
}

func TestWrongSecretIsUnauthorizedWithoutLeakingIt(t *testing.T) {
	f := newFixture(t, 1)
	const wrong = "wrong-secret-do-not-print"
	_, err := New(ctx(t), Config{Env: f.env(map[string]string{"SPACELIFT_API_KEY_SECRET": wrong}), HomeDir: t.TempDir()})
	if !errors.Is(err, backend.ErrUnauthorized) {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	if strings.Contains(err.Error(), wrong) {
		t.Fatalf("error leaks the secret: %v", err)
	}
}

// The token is renewed 30 s before validUntil, and again when the server
// refuses it early, without the caller seeing either.
func TestTokenRenewal(t *testing.T) {
	f := newFixture(t, 1)
	c := f.client(t, f.env(nil))
	if n := f.exchanges.Load(); n != 1 {
		t.Fatalf("exchanges after New = %d", n)
	}
	f.clock.Advance(time.Hour - 20*time.Second)
	if _, err := c.ListStacks(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if n := f.exchanges.Load(); n != 2 {
		t.Fatalf("exchanges after nearing expiry = %d, want 2", n)
	}
	// The server's view of time jumps past expiry while the client's token
	// still looks fresh to it: the empty answer triggers one renewal.
	client := f.client(t, f.env(nil))
	client.sess.now = func() time.Time { return f.clock.Now().Add(-2 * time.Hour) }
	f.clock.Advance(2 * time.Hour)
	before := f.exchanges.Load()
	stacks, err := client.ListStacks(ctx(t))
	if err != nil || len(stacks) != 1 {
		t.Fatalf("stacks = %d, %v", len(stacks), err)
	}
	if n := f.exchanges.Load() - before; n != 1 {
		t.Fatalf("renewals after server-side expiry = %d, want 1", n)
	}
}

func TestRevokedKeyIsAClearUnauthorized(t *testing.T) {
	f := newFixture(t, 1)
	c := f.client(t, f.env(nil))
	f.srv.RevokeKey()
	_, err := c.ListStacks(ctx(t))
	if !errors.Is(err, backend.ErrUnauthorized) || !strings.Contains(err.Error(), "refused the API key") {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.Lock(ctx(t), "stack-000", "x"); !errors.Is(err, backend.ErrUnauthorized) {
		t.Fatalf("mutation err = %v", err)
	}
}

func TestExpiredRawTokenIsAnExpiredSession(t *testing.T) {
	f := newFixture(t, 1)
	tok, err := f.srv.MintToken()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SPACELIFT_API_TOKEN": tok}
	start := f.clock.Now()
	c, err := New(ctx(t), Config{Env: func(k string) string { return env[k] }, HomeDir: t.TempDir(), Now: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	if c.Info().Endpoint != f.base {
		t.Fatalf("endpoint from aud = %q, want %q", c.Info().Endpoint, f.base)
	}
	if stacks, err := c.ListStacks(ctx(t)); err != nil || len(stacks) != 1 {
		t.Fatalf("stacks = %v, %v", stacks, err)
	}
	// The server clock passes expiry; the client clock stays behind and does
	// not know, so the server's empty list + null viewer is what tells.
	f.clock.Advance(2 * time.Hour)
	for _, call := range []func() error{
		func() error { _, err := c.ListStacks(ctx(t)); return err },
		func() error { _, err := c.ListModules(ctx(t)); return err },
	} {
		err := call()
		if !errors.Is(err, backend.ErrUnauthorized) || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("err = %v, want an expired session", err)
		}
		if strings.Contains(err.Error(), tok) {
			t.Fatalf("error leaks the token")
		}
	}
}

func TestProfileCredentials(t *testing.T) {
	f := newFixture(t, 1)
	home := t.TempDir()
	dir := filepath.Join(home, ".spacelift")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`{"currentProfileAlias":"sandbox","profiles":{"sandbox":{"alias":"sandbox",
		"credentials":{"type":1,"endpoint":%q,"key_id":%q,"key_secret":%q}}}}`, f.base+"/", f.srv.APIKeyID(), secret)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := New(ctx(t), Config{Env: func(string) string { return "" }, HomeDir: home})
	if err != nil {
		t.Fatal(err)
	}
	if stacks, err := c.ListStacks(ctx(t)); err != nil || len(stacks) != 1 {
		t.Fatalf("stacks = %v, %v", stacks, err)
	}
	_, err = New(ctx(t), Config{Env: func(string) string { return "" }, HomeDir: home, Profile: "other"})
	if !errors.Is(err, backend.ErrUnauthorized) || !strings.Contains(err.Error(), `"other"`) {
		t.Fatalf("missing profile: %v", err)
	}
}

// A server that always answers 429 sees an idempotent query several times
// and a mutation exactly once.
func TestRateLimitRetriesQueriesOnly(t *testing.T) {
	f := newFixture(t, 1)
	tok, _ := f.srv.MintToken()
	var requests atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(ts.Close)
	env := map[string]string{"SPACELIFT_API_TOKEN": tok}
	c, err := New(ctx(t), Config{Endpoint: ts.URL, Env: func(k string) string { return env[k] }, HomeDir: t.TempDir(), Now: f.clock.Now, RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListStacks(ctx(t))
	var rl *backend.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, backend.ErrRateLimited) {
		t.Fatalf("query err = %v", err)
	}
	if n := requests.Load(); n < 2 || n > 8 {
		t.Fatalf("query sent %d times, want a few retries and no more", n)
	}
	requests.Store(0)
	if _, err := c.Trigger(ctx(t), "stack-000", model.RunDeploy); !errors.Is(err, backend.ErrRateLimited) {
		t.Fatalf("mutation err = %v", err)
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("mutation sent %d times, want 1", n)
	}
}

// With hasura, a plain Go string is declared String!; the sandbox rejects it
// where Spacelift expects ID!, which is why every id goes out as graphql.ID.
func TestPlainStringIDIsRejected(t *testing.T) {
	f := newFixture(t, 1)
	c := f.client(t, f.env(nil))
	var q struct {
		Stack *struct {
			ID string `graphql:"id"`
		} `graphql:"stack(id: $id)"`
	}
	err := c.query(ctx(t), "PlainString", &q, map[string]any{"id": "stack-000"})
	if err == nil || !strings.Contains(err.Error(), `of type "String!" used in position expecting type "ID!"`) {
		t.Fatalf("err = %v, want the GraphQL variable type error", err)
	}
	if err := c.query(ctx(t), "TypedID", &q, map[string]any{"id": graphql.ID("stack-000")}); err != nil || q.Stack == nil {
		t.Fatalf("with graphql.ID: %v", err)
	}
}
