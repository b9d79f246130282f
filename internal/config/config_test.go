package config

import (
	"errors"
	"github.com/stackview/stackview/internal/drift"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsWithoutFile(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.Backend != BackendSandbox || c.RefreshInterval != 5*time.Second || c.Theme != "auto" || c.ReadOnly {
		t.Errorf("defaults = %+v", c)
	}
	if got := strings.Join(c.EnvironmentNames(), ","); got != "dev,qa,prod" {
		t.Errorf("environments = %s", got)
	}
	if prod, _ := c.Environment("prod"); !prod.Protected || prod.Branch != "main" {
		t.Errorf("prod = %+v", prod)
	}
}

func TestLoadFromXDG(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	if err := os.MkdirAll(filepath.Join(xdg, "stackview"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(xdg, "stackview", "config.toml"), []byte("read_only = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load("")
	if err != nil || !c.ReadOnly {
		t.Fatalf("Load = %+v, %v", c, err)
	}
}

func TestFullFile(t *testing.T) {
	p := writeConfig(t, `
backend = "spacelift"
read_only = true
refresh_interval = "10s"
theme = "light"

[sandbox]
dir = "/tmp/sv"
stacks = 2000
seed = 7

[spacelift]
endpoint = "https://acme.app.spacelift.io"
profile = "acme"

[tfc]
address = "https://tfe.example.com"
organization = "acme"

[[environments]]
name = "staging"
branch = "staging"

[[environments]]
name = "prod"
branch = "main"

[[environments]]
name = "dr"
branch = "dr"
protected = true

[mapping]
environment_label_prefix = "environment/"
business_unit_label_prefix = "team/"
environment_stack_label = "foundation"
business_unit_pattern = '^(?:staging|prod|dr)-(?P<bu>[a-z]+)'
use_space = true

[keys]
quit = ["q", "ctrl+q"]

[git]
cache_dir = "/var/cache/sv"

[git.clones]
"git@github.com:acme/payments.git" = "/src/payments"

[promotion]
strategy = "pull-request"
`)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Backend != "spacelift" || !c.ReadOnly || c.RefreshInterval != 10*time.Second || c.Theme != "light" {
		t.Errorf("top level = %+v", c)
	}
	if c.Sandbox != (Sandbox{Dir: "/tmp/sv", Stacks: 2000, Seed: 7}) {
		t.Errorf("sandbox = %+v", c.Sandbox)
	}
	if c.Spacelift.Profile != "acme" || c.TFC.Organization != "acme" {
		t.Errorf("backends = %+v %+v", c.Spacelift, c.TFC)
	}
	if got := strings.Join(c.EnvironmentNames(), ","); got != "staging,prod,dr" {
		t.Errorf("environments = %s", got)
	}
	staging, _ := c.Environment("staging")
	prod, _ := c.Environment("prod")
	dr, _ := c.Environment("dr")
	if staging.Protected || !prod.Protected || !dr.Protected {
		t.Errorf("protection: staging %v prod %v dr %v", staging.Protected, prod.Protected, dr.Protected)
	}
	m := c.Mapping
	if m.EnvironmentLabelPrefix != "environment/" || m.BusinessUnitLabelPrefix != "team/" ||
		m.EnvironmentStackLabel != "foundation" || !m.UseSpace || m.BusinessUnitPattern == nil {
		t.Errorf("mapping = %+v", m)
	}
	if got := c.Keys["quit"]; len(got) != 2 || got[1] != "ctrl+q" {
		t.Errorf("keys = %v", c.Keys)
	}
	if c.Git.CacheDir != "/var/cache/sv" || c.Git.Clones["git@github.com:acme/payments.git"] != "/src/payments" {
		t.Errorf("git = %+v", c.Git)
	}
	if c.Promotion.Strategy != StrategyPullRequest {
		t.Errorf("promotion = %+v", c.Promotion)
	}
}

func TestErrorsNameFileLineAndKey(t *testing.T) {
	tests := []struct {
		name, body string
		line       int
		key, msg   string
	}{
		{"unknown top-level key", "backend = \"sandbox\"\nbogus = 1\n", 2, "bogus", "unknown key"},
		{"unknown nested key", "[sandbox]\nseed = 1\ncolour = 2\n", 3, "sandbox.colour", "unknown key"},
		{"wrong type", "\nread_only = \"yes\"\n", 2, "read_only", "incompatible types"},
		{"bad backend", "backend = \"aws\"\n", 1, "backend", "unknown backend"},
		{"bad duration", "refresh_interval = \"5\"\n", 1, "refresh_interval", "duration"},
		{"too short refresh", "refresh_interval = \"10ms\"\n", 1, "refresh_interval", "at least 1s"},
		{"bad theme", "theme = \"blue\"\n", 1, "theme", "auto"},
		{"negative stacks", "[sandbox]\nstacks = -1\n", 2, "sandbox.stacks", "0 or more"},
		{"duplicate env", "[[environments]]\nname = \"a\"\nbranch = \"a\"\n[[environments]]\nname = \"a\"\nbranch = \"b\"\n", 2, "environments.name", "twice"},
		{"env without branch", "[[environments]]\nname = \"a\"\n", 0, "environments.branch", "needs a branch"},
		{"bad regex", "[mapping]\nbusiness_unit_pattern = \"(\"\n", 2, "mapping.business_unit_pattern", "regular expression"},
		{"regex without group", "[mapping]\nbusiness_unit_pattern = \"x\"\n", 2, "mapping.business_unit_pattern", "(?P<bu>"},
		{"syntax", "backend = \n", 1, "backend", "expected value"},
		{"bad strategy", "[promotion]\nstrategy = \"rebase\"\n", 2, "promotion.strategy", "fast-forward"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.body)
			_, err := Load(p)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want *Error, got %v", err)
			}
			if ce.Path != p || ce.Line != tt.line || ce.Key != tt.key || !strings.Contains(ce.Msg, tt.msg) {
				t.Errorf("got %#v (%v), want line %d key %q msg ~%q", ce, err, tt.line, tt.key, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), p) {
				t.Errorf("message %q does not start with the file", err)
			}
		})
	}
}

func TestMissingAndUnreadable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.toml")
	if _, err := Load(missing); err == nil || !strings.Contains(err.Error(), "not found") || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("directory as config: %v", err)
	}
}

func TestKeyErrorLocatesKeys(t *testing.T) {
	c, err := Parse("c.toml", []byte("[keys]\nquit = [\"q\"]\nfly = [\"f\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.KeyError("keys.fly", errors.New(`unknown action "fly"`)).Error()
	if got != `c.toml:3: key keys.fly: unknown action "fly"` {
		t.Errorf("KeyError = %q", got)
	}
}

// The example file documents every key; it must load and say the defaults.
func TestExampleFileIsTheDefaults(t *testing.T) {
	c, err := Load(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	if c.Backend != d.Backend || c.ReadOnly != d.ReadOnly || c.RefreshInterval != d.RefreshInterval ||
		c.Theme != d.Theme || c.Sandbox != d.Sandbox || c.Mapping != d.Mapping ||
		c.Promotion != d.Promotion || c.Git.CacheDir != d.Git.CacheDir || len(c.Git.Clones) != 0 || len(c.Git.URLRewrites) != 0 {
		t.Errorf("example differs from defaults:\n%+v\n%+v", c, d)
	}
	if strings.Join(c.EnvironmentNames(), ",") != "dev,qa,prod" {
		t.Errorf("environments = %v", c.EnvironmentNames())
	}
	for i, e := range c.Environments {
		if e != d.Environments[i] {
			t.Errorf("environment %d = %+v, want %+v", i, e, d.Environments[i])
		}
	}
}

func TestDriftIgnore(t *testing.T) {
	p := writeConfig(t, `
[[drift.ignore]]
address = "aws_autoscaling_group.*"
attribute = "desired_capacity"
environment = "prod"
reason = "the autoscaler owns it"
`)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.DriftIgnore) != 1 || c.DriftIgnore[0].Attribute != "desired_capacity" || c.DriftIgnore[0].Source != "config" ||
		!c.DriftIgnore[0].Matches("prod", "aws_autoscaling_group.web", "desired_capacity") {
		t.Errorf("drift ignore = %+v", c.DriftIgnore)
	}
	p = writeConfig(t, "[[drift.ignore]]\naddress = \"x\"\n")
	var ce *Error
	if _, err := Load(p); !errors.As(err, &ce) || ce.Key != "drift.ignore" || ce.Line != 1 {
		t.Errorf("missing attribute: %v, want an error at drift.ignore", err)
	}
	p = writeConfig(t, "[[drift.ignore]]\naddress = \"x\"\nattribute = \"y\"\ncolour = \"red\"\n")
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "drift.ignore.colour") {
		t.Errorf("unknown key: %v", err)
	}
}

func TestAppendDriftIgnore(t *testing.T) {
	// No file yet: it and its directory are created.
	p := filepath.Join(t.TempDir(), "stackview", "config.toml")
	r := drift.Rule{Address: `aws_instance.web["a"]`, Attribute: "tags.LastScanned", Reason: "scanner"}
	if err := AppendDriftIgnore(p, r); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(p); err != nil || len(c.DriftIgnore) != 1 {
		t.Fatalf("new file: %+v, %v", c, err)
	}
	// An existing file whose last line has no newline keeps its settings.
	if err := os.WriteFile(p, []byte("read_only = true"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := AppendDriftIgnore(p, r); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil || !c.ReadOnly || len(c.DriftIgnore) != 1 || c.DriftIgnore[0].Address != r.Address {
		t.Fatalf("after append: %+v, %v", c, err)
	}
	if err := AppendDriftIgnore(p, drift.Rule{Address: "x"}); err == nil {
		t.Error("an invalid rule was appended")
	}
}

// TestRemoveDriftIgnore takes out exactly the entry asked for, keeps every
// other line (comments, other tables, other rules), and refuses a rule the
// file does not hold.
func TestRemoveDriftIgnore(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	keep := drift.Rule{Address: "aws_asg.*", Attribute: "desired_capacity", Reason: "autoscaling"}
	gone := drift.Rule{Address: `aws_instance.web["a"]`, Attribute: "tags.LastScanned", Environment: "qa", Reason: "scanner"}
	head := "# my settings\nread_only = false\n"
	if err := os.WriteFile(p, []byte(head), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, r := range []drift.Rule{keep, gone} {
		if err := AppendDriftIgnore(p, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(p, append(mustRead(t, p), []byte("\n[sandbox]\nseed = 7\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := RemoveDriftIgnore(p, gone); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil || len(c.DriftIgnore) != 1 || c.DriftIgnore[0].Address != keep.Address {
		t.Fatalf("after removal: %+v, %v\n%s", c, err, mustRead(t, p))
	}
	text := string(mustRead(t, p))
	if !strings.HasPrefix(text, head) || !strings.Contains(text, "[sandbox]") || strings.Contains(text, "LastScanned") {
		t.Fatalf("the file after removal:\n%s", text)
	}
	if err := RemoveDriftIgnore(p, gone); err == nil || !strings.Contains(err.Error(), "no [[drift.ignore]] entry") {
		t.Fatalf("removing it twice: %v", err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestURLRewrites(t *testing.T) {
	c, err := Parse("c.toml", []byte("[git.url_rewrites]\n\"https://github.com/\" = \"git@github.com:\"\n"))
	if err != nil || c.Git.URLRewrites["https://github.com/"] != "git@github.com:" {
		t.Fatalf("rewrites = %v, %v", c.Git.URLRewrites, err)
	}
	if _, err := Parse("c.toml", []byte("[git.url_rewrites]\n\"https://github.com/\" = \"\"\n")); err == nil ||
		!strings.Contains(err.Error(), "git.url_rewrites") {
		t.Errorf("an empty replacement: %v", err)
	}
}
