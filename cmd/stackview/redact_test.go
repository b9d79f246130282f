package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/debuglog"
)

// echoingServer answers every request with an error that quotes the
// credential it was sent, as some servers and proxies do with input they
// refuse: the API key secret of a key exchange, or the bearer token. A
// credential that reached the error reaches the debug log's last line.
func echoingServer(t *testing.T) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Variables map[string]any `json:"variables"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &req)
		sent := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if s, ok := req.Variables["secret"].(string); ok {
			sent = s
		}
		msg := fmt.Sprintf("credential %s is not valid here", sent)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"errors": []map[string]any{{"message": msg, "status": "400", "title": "bad request", "detail": msg}},
		})
	}))
	t.Cleanup(ts.Close)
	return ts
}

// TestDebugLogRedactsTheEnvironmentsCredentials: with --debug, the API key
// secret and the tokens stackview reads from the environment are
// registered with the log, so they are redacted even in shapes the log
// does not recognise by itself (here, quoted back by the server).
func TestDebugLogRedactsTheEnvironmentsCredentials(t *testing.T) {
	const plain = "plaincredential-7f3a9c" // no bearer, JWT or atlasv1 shape
	ts := echoingServer(t)
	for _, tc := range []struct {
		name, backend string
		env           map[string]string
		config        string
	}{
		{"api key secret", "spacelift", map[string]string{"SPACELIFT_API_KEY_ENDPOINT": ts.URL, "SPACELIFT_API_KEY_ID": "01KEY",
			"SPACELIFT_API_KEY_SECRET": plain}, ""},
		{"spacelift token", "spacelift", map[string]string{"SPACELIFT_API_TOKEN": plain}, "[spacelift]\nendpoint = " + fmt.Sprintf("%q", ts.URL) + "\n"},
		{"tfe token", "tfc", map[string]string{"TFE_ADDRESS": ts.URL, "TFE_TOKEN": plain, "TF_CLOUD_ORGANIZATION": "acme"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			dir := t.TempDir()
			args := []string{"ls", "--backend", tc.backend, "--debug", filepath.Join(dir, "debug.log")}
			if tc.config != "" {
				cfg := filepath.Join(dir, "config.toml")
				if err := os.WriteFile(cfg, []byte(tc.config), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--config", cfg)
			}
			code, _, errOut := runCLI(t, tc.env, args...)
			if code == 0 {
				t.Fatalf("ls against a server refusing everything exited 0: %s", errOut)
			}
			raw, err := os.ReadFile(filepath.Join(dir, "debug.log"))
			if err != nil {
				t.Fatal(err)
			}
			log := string(raw)
			if strings.Contains(log, plain) {
				t.Errorf("the credential is in the debug log:\n%s", log)
			}
			if !strings.Contains(log, "exit: ") || !strings.Contains(log, "credential "+debuglog.Redacted+" is not valid") {
				t.Errorf("the debug log does not record the refusal, redacted:\n%s", log)
			}
		})
	}
}
