package tfc

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParsePlanJSON feeds arbitrary plan JSON to the decoder stackview
// runs itself (go-tfe decodes the JSON:API documents).
func FuzzParsePlanJSON(f *testing.F) {
	f.Add([]byte(`{"resource_changes":[{"address":"a.b","change":{"actions":["update"],"before":{"x":1},"after":{"x":2},"after_unknown":{"y":true}}}]}`))
	f.Add([]byte(`{"resource_changes":[{"address":"a.c","change":{"actions":["delete","create"],"before":null,"after":[1]}}]}`))
	f.Add([]byte(`{"resource_changes":null}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		changes, err := parsePlanJSON(raw)
		if err != nil && changes != nil {
			t.Fatal("changes with an error")
		}
		for _, c := range changes {
			if c.Action == "" {
				t.Fatalf("change %q without an action", c.Address)
			}
		}
	})
}

// FuzzCredentialsJSON reads arbitrary credentials.tfrc.json files: a token
// or a note, never a panic, and the note never quotes the file.
func FuzzCredentialsJSON(f *testing.F) {
	f.Add([]byte(`{"credentials":{"app.terraform.io":{"token":"abc"}}}`))
	f.Add([]byte(`{"credentials":{"APP.terraform.io":{"token":1}}}`))
	f.Add([]byte(`{`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, raw []byte) {
		path := filepath.Join(dir, "credentials.tfrc.json")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		tok, note := fromCredentialsJSON(path, "app.terraform.io")
		if tok != "" && note != "" {
			t.Fatalf("token and note %q", note)
		}
	})
}
