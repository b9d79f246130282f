package spacelift

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stackview/stackview/internal/backend"
)

func fakeJWT(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256"}`)) + "." + enc([]byte(payload)) + ".sig"
}

func writeProfiles(t *testing.T, dir, body string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

const profiles = `{"currentProfileAlias":"key","profiles":{
	"key":{"alias":"key","credentials":{"type":1,"endpoint":"https://acme.app.spacelift.io/","key_id":"01KEY","key_secret":"s"}},
	"tok":{"alias":"tok","credentials":{"type":3,"endpoint":"https://tok.app.spacelift.io","access_token":"jwt"}},
	"gh":{"alias":"gh","credentials":{"type":2,"endpoint":"https://gh.app.spacelift.io","access_token":"ghp"}}}}`

func TestResolveCredentials(t *testing.T) {
	home := t.TempDir()
	writeProfiles(t, filepath.Join(home, ".spacelift"), profiles)
	other := t.TempDir()
	writeProfiles(t, other, `{"currentProfileAlias":"tok","profiles":{"tok":{"credentials":{"type":3,"endpoint":"https://x.app.spacelift.io","access_token":"t"}}}}`)
	token := fakeJWT(`{"aud":["https://aud.app.spacelift.io"],"exp":1}`)

	tests := []struct {
		name     string
		env      map[string]string
		profile  string
		endpoint string
		want     credentials
		wantErr  error
	}{
		{name: "token wins over key and profile", env: map[string]string{"SPACELIFT_API_TOKEN": token, "SPACELIFT_API_KEY_ID": "k", "SPACELIFT_API_KEY_SECRET": "s"},
			want: credentials{endpoint: "https://aud.app.spacelift.io", token: token, source: "SPACELIFT_API_TOKEN"}},
		{name: "api key from env, legacy endpoint", env: map[string]string{"SPACELIFT_API_ENDPOINT": "https://e.app.spacelift.io/graphql", "SPACELIFT_API_KEY_ID": "k", "SPACELIFT_API_KEY_SECRET": "s"},
			want: credentials{endpoint: "https://e.app.spacelift.io", keyID: "k", keySecret: "s", source: "SPACELIFT_API_KEY_ID/SPACELIFT_API_KEY_SECRET"}},
		{name: "half an api key", env: map[string]string{"SPACELIFT_API_KEY_ID": "k"}, wantErr: backend.ErrUnauthorized},
		{name: "current profile", want: credentials{endpoint: "https://acme.app.spacelift.io", keyID: "01KEY", keySecret: "s", source: `spacectl profile "key"`}},
		{name: "named token profile", profile: "tok", want: credentials{endpoint: "https://tok.app.spacelift.io", token: "jwt", source: `spacectl profile "tok"`}},
		{name: "github profile unsupported", profile: "gh", wantErr: backend.ErrUnsupported},
		{name: "unknown profile", profile: "nope", wantErr: backend.ErrUnauthorized},
		{name: "config dir override", env: map[string]string{"SPACELIFT_CONFIG_DIR": other},
			want: credentials{endpoint: "https://x.app.spacelift.io", token: "t", source: `spacectl profile "tok"`}},
		{name: "endpoint override", endpoint: "http://127.0.0.1:9/", want: credentials{endpoint: "http://127.0.0.1:9", keyID: "01KEY", keySecret: "s", source: `spacectl profile "key"`}},
		{name: "no credentials at all", env: map[string]string{"SPACELIFT_CONFIG_DIR": t.TempDir()}, wantErr: backend.ErrUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveCredentials(Config{Env: func(k string) string { return tc.env[k] }, HomeDir: home, Profile: tc.profile, Endpoint: tc.endpoint})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestAccountName(t *testing.T) {
	for endpoint, want := range map[string]string{
		"https://acme.app.spacelift.io":    "acme",
		"https://acme.app.us.spacelift.io": "acme",
		"http://127.0.0.1:8123":            "127.0.0.1:8123",
		"https://spacelift.example.com":    "spacelift.example.com",
	} {
		if got := accountName(endpoint); got != want {
			t.Errorf("accountName(%q) = %q, want %q", endpoint, got, want)
		}
	}
}
