package config

import (
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the config parser: it must answer a
// config or an error, never panic, and an error must name the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte("backend = \"sandbox\"\nread_only = true\nrefresh_interval = \"5s\"\n"))
	f.Add([]byte("[[environments]]\nname = \"dev\"\nbranch = \"dev\"\n"))
	f.Add([]byte("[sandbox]\nstacks = -1\n"))
	f.Add([]byte("refresh_interval = 5\n[keys]\nquit = \"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.toml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.toml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if cfg == nil {
			t.Fatal("nil config without an error")
		}
		_ = cfg.EnvironmentNames()
		_ = cfg.Locate("environments.name")
	})
}
