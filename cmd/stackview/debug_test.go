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
	if !strings.Contains(log, "backend spacelift") || !strings.Contains(log, "http POST "+ts.Listener.Addr().String()+"/graphql -> 200 in ") {
		t.Errorf("debug log:\n%s", log)
	}
	if strings.Contains(log, secret) || strings.Contains(log, "eyJ") {
		t.Errorf("a secret is in the debug log:\n%s", log)
	}
}
