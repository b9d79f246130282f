package tfc

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFindTokenOrder(t *testing.T) {
	const host = "tfe.my-corp.com"
	home := t.TempDir()
	jsonPath := filepath.Join(home, ".terraform.d", "credentials.tfrc.json")
	rcPath := filepath.Join(home, ".terraformrc")
	altRC := filepath.Join(t.TempDir(), "cli.tfrc")
	writeFile(t, jsonPath, `{"credentials": {"TFE.my-corp.com": {"token": "from-json"}, "other.host": {"token": "x"}}}`)
	writeFile(t, rcPath, "plugin_cache_dir = \"/tmp\"\ncredentials \"tfe.my-corp.com\" {\n  token = \"from-rc\"\n}\n")
	writeFile(t, altRC, "credentials \"tfe.my-corp.com\" {\n  token = \"from-alt-rc\"\n}\n")

	for _, tc := range []struct {
		name        string
		env         map[string]string
		dropJSON    bool
		wantToken   string
		wantSource  string
		wantLookedN int
	}{
		{"TFE_TOKEN first", map[string]string{"TFE_TOKEN": "from-env", "TF_TOKEN_tfe_my__corp_com": "no"}, false, "from-env", "TFE_TOKEN", 1},
		{"TF_TOKEN_ host variable", map[string]string{"TF_TOKEN_tfe_my__corp_com": "from-host-var"}, false, "from-host-var", "TF_TOKEN_tfe_my__corp_com", 2},
		{"TF_TOKEN_ in upper case", map[string]string{"TF_TOKEN_TFE_MY__CORP_COM": "upper"}, false, "upper", "TF_TOKEN_tfe_my__corp_com", 2},
		{"credentials.tfrc.json", nil, false, "from-json", jsonPath, 3},
		{"CLI config file", nil, true, "from-rc", rcPath, 4},
		{"TF_CLI_CONFIG_FILE", map[string]string{"TF_CLI_CONFIG_FILE": altRC}, true, "from-alt-rc", altRC, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := home
			if tc.dropJSON {
				h = t.TempDir()
				writeFile(t, filepath.Join(h, ".terraformrc"), "credentials \"tfe.my-corp.com\" {\n  token = \"from-rc\"\n}\n")
				if tc.wantSource == rcPath {
					tc.wantSource = filepath.Join(h, ".terraformrc")
				}
			}
			l := findToken(host, func(k string) string { return tc.env[k] }, h)
			if l.found == nil {
				t.Fatalf("no token; looked in %v", l.looked)
			}
			if l.found.token != tc.wantToken || l.found.source != tc.wantSource || len(l.looked) != tc.wantLookedN {
				t.Errorf("got %q from %q after %v", l.found.token, l.found.source, l.looked)
			}
		})
	}
}

func TestFindTokenNamesEveryPlaceAndNeverQuotesFiles(t *testing.T) {
	home := t.TempDir()
	// A broken CLI config that holds a secret must not leak it into the notes.
	writeFile(t, filepath.Join(home, ".terraformrc"), "credentials \"app.terraform.io\" {\n  token = \"s3cret-value\n")
	writeFile(t, filepath.Join(home, ".terraform.d", "credentials.tfrc.json"), `{"credentials": {"other.example": {"token": "s3cret-value"}}}`)
	l := findToken("app.terraform.io", func(string) string { return "" }, home)
	if l.found != nil {
		t.Fatalf("found a token from %s", l.found.source)
	}
	want := []string{
		"TFE_TOKEN",
		"TF_TOKEN_app_terraform_io",
		filepath.Join(home, ".terraform.d", "credentials.tfrc.json") + " (no entry for app.terraform.io)",
		filepath.Join(home, ".terraformrc") + " (could not parse it near line 2)",
	}
	if !slices.Equal(l.looked, want) {
		t.Errorf("looked =\n%q\nwant\n%q", l.looked, want)
	}
	if strings.Contains(strings.Join(l.looked, " "), "s3cret") {
		t.Error("a note quotes a secret")
	}
}

func TestTokenEnvName(t *testing.T) {
	for host, want := range map[string]string{
		"app.terraform.io": "TF_TOKEN_app_terraform_io",
		"tfe.my-corp.com":  "TF_TOKEN_tfe_my__corp_com",
		"localhost:8080":   "",
		"bücher.example":   "",
	} {
		got, ok := tokenEnvName(host)
		if got != want || ok != (want != "") {
			t.Errorf("tokenEnvName(%q) = %q, %v; want %q", host, got, ok, want)
		}
	}
}
