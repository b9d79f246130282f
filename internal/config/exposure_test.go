package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExposureWarning(t *testing.T) {
	const tok = "abcdefgh12345678.atlasv1.zyxwvutsrqponmlk"
	for _, tc := range []struct {
		name string
		mode os.FileMode
		data string
		line int // 0: no warning
	}{
		{"tfe token in a comment, world-readable", 0o644, "backend = \"tfc\"\n# " + tok + "\n", 2},
		{"same file, private", 0o600, "backend = \"tfc\"\n# " + tok + "\n", 0},
		{"password in a clone URL, group-readable", 0o640, "[git.clones]\n\"acme/infra\" = \"https://me:hunter2hunter2@git.example/acme/infra\"\n", 2},
		{"token assignment in a comment", 0o644, "# token = \"0123456789abcdef\"\n", 1},
		{"nothing token-like", 0o644, "backend = \"sandbox\"\n# tokens are never stored here\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := ExposureWarning("c.toml", tc.mode, []byte(tc.data))
			if tc.line == 0 {
				if w != "" {
					t.Fatalf("warned: %s", w)
				}
				return
			}
			if !strings.HasPrefix(w, "c.toml:"+string(rune('0'+tc.line))+":") || !strings.Contains(w, "chmod 600") {
				t.Fatalf("warning %q", w)
			}
			if strings.Contains(w, "atlasv1") || strings.Contains(w, "hunter2") || strings.Contains(w, "0123456789") {
				t.Fatalf("the warning quotes the secret: %s", w)
			}
		})
	}
}

func TestLoadWarnsAboutAnExposedSecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("# TFE_TOKEN=abcdefgh12345678.atlasv1.zyxwvutsrqponmlk\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil || len(cfg.Warnings) != 1 {
		t.Fatalf("cfg %+v, err %v", cfg, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err = Load(path); err != nil || len(cfg.Warnings) != 0 {
		t.Fatalf("private file warned: %v %v", cfg.Warnings, err)
	}
}
