package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi/fakeengine"
)

// TestDebugLogRecordsRequestsNotSecrets: --debug FILE holds the API
// requests with their timings, and neither the API key secret nor the
// token it was exchanged for.
func TestDebugLogRecordsRequestsNotSecrets(t *testing.T) {
	isolate(t)
	const secret = "debug-test-key-secret-4242"
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	srv, err := spaceliftapi.New(fakeengine.New(3), spaceliftapi.Options{BaseURL: base, APIKeySecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	defer ts.Close()
	path := filepath.Join(t.TempDir(), "debug.log")
	env := map[string]string{"SPACELIFT_API_KEY_ENDPOINT": base, "SPACELIFT_API_KEY_ID": srv.APIKeyID(), "SPACELIFT_API_KEY_SECRET": secret}
	code, _, errOut := runCLI(t, env, "ls", "--backend", "spacelift", "--debug", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	if !strings.Contains(log, "backend spacelift") || !strings.Contains(log, "http POST "+ts.Listener.Addr().String()+"/graphql -> 200 in ") ||
		!strings.Contains(log, "sched POST "+ts.Listener.Addr().String()+"/graphql: attempt 1 after waiting ") {
		t.Errorf("debug log (requests and the scheduler's waits):\n%s", log)
	}
	if strings.Contains(log, secret) || strings.Contains(log, "eyJ") {
		t.Errorf("a secret is in the debug log:\n%s", log)
	}
}

// TestDebugLogSaysHowLongTFCRequestsWaited: every request the TFC client
// sends goes through the scheduler, which logs its wait.
func TestDebugLogSaysHowLongTFCRequestsWaited(t *testing.T) {
	isolate(t)
	env := serveSandbox(t)
	path := filepath.Join(t.TempDir(), "debug.log")
	code, _, errOut := runCLI(t, env, "ls", "--backend", "tfc", "--debug", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	host := strings.TrimPrefix(env["TFE_ADDRESS"], "http://")
	for _, want := range []string{"sched GET " + host + "/api/v2/organizations/", "sched GET " + host + "/api/v2/ping: attempt 1 after waiting"} {
		if !strings.Contains(log, want) {
			t.Errorf("debug log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, env["TFE_TOKEN"]) {
		t.Error("the token is in the debug log")
	}
}
