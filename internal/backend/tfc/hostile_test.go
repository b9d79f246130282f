package tfc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileCLIConfig: a CLI config file nested 10^6 levels deep or of
// megabytes is passed over with a note, instead of overflowing the HCL
// parser's stack or being read whole.
func TestHostileCLIConfig(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"deep": "credentials \"app.terraform.io\" {\n  token = " + strings.Repeat("[", 1_000_000) + "\n}\n",
		"huge": "# " + strings.Repeat("x", 2<<20) + "\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if tok, note := fromCLIConfig(path, "app.terraform.io"); tok != "" || note == "" {
			t.Errorf("%s: token %q, note %q", name, tok, note)
		}
		if tok, note := fromCredentialsJSON(path, "app.terraform.io"); tok != "" || note == "" {
			t.Errorf("%s as JSON: token %q, note %q", name, tok, note)
		}
	}
}
