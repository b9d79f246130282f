package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileConfig: files built to crash or hang the TOML decoder, or to
// flood the terminal, are refused with the file and line, and no error
// quotes a huge value in full.
func TestHostileConfig(t *testing.T) {
	huge := strings.Repeat("x", 500_000)
	cases := []struct {
		name, body string
		line       int
		want       string
	}{
		{"arrays at 10^6 levels", "read_only = true\nkeys = " + strings.Repeat("[", 1_000_000), 2, "nested more than 32 levels"},
		{"closed arrays", "x = " + strings.Repeat("[", 2000) + strings.Repeat("]", 2000), 1, "nested more than 32 levels"},
		{"dotted key", "a" + strings.Repeat(".b", 50_000) + " = 1", 1, "more than 32 dotted parts"},
		{"huge file", "# " + strings.Repeat("x", 2<<20), 0, "the file is 2.0 MiB, more than the 1.0 MiB stackview reads"},
		{"huge value", "refresh_interval = \"" + huge + "\"", 1, "got \"xxxxxxxx"},
		{"huge unknown key", huge + " = 1", 1, "unknown key"},
		{"huge theme", "theme = \"" + huge + "\"", 1, "(500000 bytes in all)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeConfig(t, c.body)
			_, err := Load(p)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *config.Error", err)
			}
			if ce.Path != p || ce.Line != c.line || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %s (line %d), want line %d and %q", err, ce.Line, c.line, c.want)
			}
			if len(err.Error()) > 600 {
				t.Errorf("the error is %d bytes long", len(err.Error()))
			}
		})
	}
}

// TestPathsResolved: ~ is expanded and relative paths are taken from the
// config file's directory, whatever the current directory.
func TestPathsResolved(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	p := writeConfig(t, "[sandbox]\ndir = \"~/sandbox\"\n[git]\ncache_dir = \"cache\"\n[git.clones]\n\"u\" = \"../src/u\"\n\"v\" = \"~\"\n")
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Dir(p)
	if c.Sandbox.Dir != filepath.Join(home, "sandbox") || c.Git.CacheDir != filepath.Join(base, "cache") ||
		c.Git.Clones["u"] != filepath.Join(filepath.Dir(base), "src", "u") || c.Git.Clones["v"] != home {
		t.Errorf("sandbox %q cache %q clones %v", c.Sandbox.Dir, c.Git.CacheDir, c.Git.Clones)
	}
	_, err = Load(writeConfig(t, "[git]\ncache_dir = \"~bob/cache\"\n"))
	var ce *Error
	if !errors.As(err, &ce) || ce.Key != "git.cache_dir" || ce.Line != 2 || !strings.Contains(err.Error(), "only ~ and ~/ are expanded") {
		t.Errorf("~bob: %v", err)
	}
}

func TestExpandHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for in, want := range map[string]string{"~": home, "~/a/b": filepath.Join(home, "a/b"), "a/~": "a/~", "/x": "/x", "": ""} {
		if got, err := ExpandHome(in); err != nil || got != want {
			t.Errorf("ExpandHome(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ExpandHome("~x"); err == nil {
		t.Error("~x expanded")
	}
}
