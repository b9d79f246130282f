// Package config loads stackview's TOML configuration, fills in defaults and
// validates it. Every error names the file, the line and the key, so the
// user can fix it without reading code.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/stackview/stackview/internal/bounds"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
)

// Backend kinds accepted by --backend and the backend key.
const (
	BackendSandbox       = "sandbox"        // the sandbox served over loopback, read through a real client
	BackendSandboxDirect = "sandbox-direct" // the sandbox engine in-process
	BackendSpacelift     = "spacelift"
	BackendTFC           = "tfc"
)

// Backends lists the valid backend kinds, in the order help text shows them.
var Backends = []string{BackendSandbox, BackendSandboxDirect, BackendSpacelift, BackendTFC}

// DefaultRefresh is how often the UI reloads when the config says nothing.
const DefaultRefresh = 5 * time.Second

// Config is the whole configuration after defaults are applied.
type Config struct {
	Path string // the file it came from; "" when none was read

	Backend         string
	ReadOnly        bool
	RefreshInterval time.Duration
	Theme           string // auto | dark | light

	Sandbox   Sandbox
	Spacelift Spacelift
	TFC       TFC

	Environments []model.Environment
	Mapping      model.Mapping
	Keys         map[string][]string // action -> keys, validated by the UI's keymap
	DriftIgnore  []drift.Rule        // [[drift.ignore]]: known-noise drift, like a repository's ignore file

	Git       Git
	Promotion Promotion

	// Warnings are problems worth telling the user that do not stop the
	// program, e.g. a secret in a file others can read.
	Warnings []string

	lines []string // the file's lines, for locating keys in later errors
}

// Sandbox configures the embedded demo organisation.
type Sandbox struct {
	Dir    string // "" = a temporary directory removed on exit
	Stacks int    // 0 = the default organisation; more for scale tests
	Seed   int64
}

// Spacelift configures the Spacelift backend. Credentials never live here:
// they come from the environment or spacectl's profile.
type Spacelift struct {
	Endpoint string
	Profile  string
}

// TFC configures the HCP Terraform / TFE backend.
type TFC struct {
	Address      string
	Organization string
}

// Git configures the git work of promotions and module bumps.
type Git struct {
	CacheDir string            // "" = $XDG_CACHE_HOME/stackview/git
	Clones   map[string]string // repository URL -> a local clone to use instead of the cache
	// URLRewrites maps a prefix of the https clone URLs stackview derives
	// to what replaces it (SSH remotes, mirrors), the longest prefix first.
	URLRewrites map[string]string
}

// Promotion strategies: how a promotion or a module bump moves a branch.
const (
	StrategyFastForward = "fast-forward"
	StrategyMerge       = "merge"
	StrategyPullRequest = "pull-request"
)

// Promotion configures how branches move.
type Promotion struct {
	Strategy string `toml:"strategy"` // fast-forward (default) | merge | pull-request
}

// file mirrors the TOML layout; pointers tell "absent" from "zero".
type file struct {
	Backend         *string             `toml:"backend"`
	ReadOnly        *bool               `toml:"read_only"`
	RefreshInterval *string             `toml:"refresh_interval"`
	Theme           *string             `toml:"theme"`
	Sandbox         *fileSandbox        `toml:"sandbox"`
	Spacelift       *Spacelift          `toml:"spacelift"`
	TFC             *TFC                `toml:"tfc"`
	Environments    []fileEnvironment   `toml:"environments"`
	Mapping         *fileMapping        `toml:"mapping"`
	Keys            map[string][]string `toml:"keys"`
	Drift           *fileDrift          `toml:"drift"`
	Git             *fileGit            `toml:"git"`
	Promotion       *Promotion          `toml:"promotion"`
}

type fileDrift struct {
	Ignore []drift.Rule `toml:"ignore"`
}

type fileGit struct {
	CacheDir    string            `toml:"cache_dir"`
	Clones      map[string]string `toml:"clones"`
	URLRewrites map[string]string `toml:"url_rewrites"`
}

type fileSandbox struct {
	Dir    string `toml:"dir"`
	Stacks int    `toml:"stacks"`
	Seed   int64  `toml:"seed"`
}

type fileEnvironment struct {
	Name      string `toml:"name"`
	Branch    string `toml:"branch"`
	Protected *bool  `toml:"protected"`
}

type fileMapping struct {
	EnvironmentLabelPrefix  *string `toml:"environment_label_prefix"`
	BusinessUnitLabelPrefix *string `toml:"business_unit_label_prefix"`
	EnvironmentStackLabel   *string `toml:"environment_stack_label"`
	BusinessUnitPattern     string  `toml:"business_unit_pattern"`
	UseSpace                bool    `toml:"use_space"`
}

// Default is the configuration with no file.
func Default() *Config {
	return &Config{
		Backend:         BackendSandbox,
		RefreshInterval: DefaultRefresh,
		Theme:           "auto",
		Sandbox:         Sandbox{Seed: 1},
		Environments:    model.DefaultEnvironments(),
		Mapping:         model.DefaultMapping(),
		Promotion:       Promotion{Strategy: StrategyFastForward},
	}
}

// DefaultPath is $XDG_CONFIG_HOME/stackview/config.toml, falling back to
// ~/.config when XDG_CONFIG_HOME is unset.
func DefaultPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "stackview", "config.toml")
}

// Load reads path when it is given (it must exist), else the default path
// when a file is there, else returns the defaults.
func Load(path string) (*Config, error) {
	explicit := path != ""
	if !explicit {
		path = DefaultPath()
		if path == "" {
			return Default(), nil
		}
	}
	data, err := bounds.ReadFile(path, bounds.MaxTOMLFile)
	switch {
	case err == nil:
	case bounds.IsRefused(err):
		return nil, refused(err)
	case !explicit && errors.Is(err, fs.ErrNotExist):
		return Default(), nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: config file not found", path)
	default:
		return nil, fmt.Errorf("%s: cannot read config: %v", path, unwrapPathError(err))
	}
	cfg, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil {
		if w := ExposureWarning(path, fi.Mode(), data); w != "" {
			cfg.Warnings = append(cfg.Warnings, w)
		}
	}
	return cfg, nil
}

// Parse decodes and validates one config file's contents.
func Parse(path string, data []byte) (*Config, error) {
	cfg := Default()
	cfg.Path = path
	if err := bounds.TOML(path, data); err != nil {
		return nil, refused(err)
	}
	cfg.lines = strings.Split(string(data), "\n")
	var f file
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, cfg.decodeError(err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		key := undecoded[0].String()
		return nil, cfg.errorf(key, "unknown key %q (see config.example.toml for the keys that exist)", key)
	}
	if err := cfg.apply(&f); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (c *Config) apply(f *file) error {
	if f.Backend != nil {
		if err := ValidateBackend(*f.Backend); err != nil {
			return c.errorf("backend", "%v", err)
		}
		c.Backend = *f.Backend
	}
	if f.ReadOnly != nil {
		c.ReadOnly = *f.ReadOnly
	}
	if f.RefreshInterval != nil {
		d, err := time.ParseDuration(*f.RefreshInterval)
		if err != nil || d < time.Second {
			return c.errorf("refresh_interval", "want a duration of at least 1s such as \"5s\" or \"1m\", got %q", *f.RefreshInterval)
		}
		c.RefreshInterval = d
	}
	if f.Theme != nil {
		switch *f.Theme {
		case "auto", "dark", "light":
			c.Theme = *f.Theme
		default:
			return c.errorf("theme", "want \"auto\", \"dark\" or \"light\", got %q", *f.Theme)
		}
	}
	if f.Sandbox != nil {
		if f.Sandbox.Stacks < 0 {
			return c.errorf("sandbox.stacks", "want 0 or more stacks, got %d", f.Sandbox.Stacks)
		}
		dir, err := c.resolvePath("sandbox.dir", f.Sandbox.Dir)
		if err != nil {
			return err
		}
		c.Sandbox = Sandbox{Dir: dir, Stacks: f.Sandbox.Stacks, Seed: f.Sandbox.Seed}
		if c.Sandbox.Seed == 0 {
			c.Sandbox.Seed = 1
		}
	}
	if f.Spacelift != nil {
		c.Spacelift = *f.Spacelift
	}
	if f.TFC != nil {
		c.TFC = *f.TFC
	}
	if f.Environments != nil {
		envs, err := c.environments(f.Environments)
		if err != nil {
			return err
		}
		c.Environments = envs
	}
	if f.Mapping != nil {
		if err := c.mapping(f.Mapping); err != nil {
			return err
		}
	}
	c.Keys = f.Keys
	if f.Drift != nil {
		for i, r := range f.Drift.Ignore {
			if err := r.Validate(); err != nil {
				return c.errorf("drift.ignore", "entry %d: %v", i+1, err)
			}
			r.Source = drift.SourceConfig
			c.DriftIgnore = append(c.DriftIgnore, r)
		}
	}
	if f.Git != nil {
		dir, err := c.resolvePath("git.cache_dir", f.Git.CacheDir)
		if err != nil {
			return err
		}
		c.Git.CacheDir = dir
		c.Git.Clones = map[string]string{}
		for url, dir := range f.Git.Clones {
			if c.Git.Clones[url], err = c.resolvePath("git.clones", dir); err != nil {
				return err
			}
		}
		c.Git.URLRewrites = map[string]string{}
		for from, to := range f.Git.URLRewrites {
			if from == "" || to == "" {
				return c.errorf("git.url_rewrites", "want a non-empty prefix and replacement, got %q = %q", from, to)
			}
			c.Git.URLRewrites[from] = to
		}
	}
	if f.Promotion != nil && f.Promotion.Strategy != "" {
		switch f.Promotion.Strategy {
		case StrategyFastForward, StrategyMerge, StrategyPullRequest:
			c.Promotion.Strategy = f.Promotion.Strategy
		default:
			return c.errorf("promotion.strategy", "want \"fast-forward\", \"merge\" or \"pull-request\", got %q", f.Promotion.Strategy)
		}
	}
	return nil
}

func (c *Config) environments(in []fileEnvironment) ([]model.Environment, error) {
	if len(in) == 0 {
		return nil, c.errorf("environments", "at least one environment is needed")
	}
	seen := map[string]bool{}
	out := make([]model.Environment, 0, len(in))
	for _, e := range in {
		switch {
		case e.Name == "":
			return nil, c.errorf("environments.name", "every environment needs a name")
		case seen[e.Name]:
			return nil, c.errorf("environments.name", "environment %q is listed twice", e.Name)
		case e.Branch == "":
			return nil, c.errorf("environments.branch", "environment %q needs a branch", e.Name)
		}
		seen[e.Name] = true
		// prod is protected unless the file says otherwise, like the default.
		protected := e.Name == "prod"
		if e.Protected != nil {
			protected = *e.Protected
		}
		out = append(out, model.Environment{Name: e.Name, Branch: e.Branch, Protected: protected})
	}
	return out, nil
}

func (c *Config) mapping(m *fileMapping) error {
	if m.EnvironmentLabelPrefix != nil {
		c.Mapping.EnvironmentLabelPrefix = *m.EnvironmentLabelPrefix
	}
	if m.BusinessUnitLabelPrefix != nil {
		c.Mapping.BusinessUnitLabelPrefix = *m.BusinessUnitLabelPrefix
	}
	if m.EnvironmentStackLabel != nil {
		c.Mapping.EnvironmentStackLabel = *m.EnvironmentStackLabel
	}
	c.Mapping.UseSpace = m.UseSpace
	if m.BusinessUnitPattern != "" {
		re, err := regexp.Compile(m.BusinessUnitPattern)
		if err != nil {
			return c.errorf("mapping.business_unit_pattern", "not a valid regular expression: %v", err)
		}
		if re.SubexpIndex("bu") < 0 {
			return c.errorf("mapping.business_unit_pattern", "needs a named group (?P<bu>...) for the business unit")
		}
		c.Mapping.BusinessUnitPattern = re
	}
	return nil
}

// ValidateBackend checks a backend name from a flag or the file.
func ValidateBackend(name string) error {
	for _, b := range Backends {
		if b == name {
			return nil
		}
	}
	return fmt.Errorf("unknown backend %q: want one of %s", name, strings.Join(Backends, ", "))
}

// Environment finds a configured environment by name.
func (c *Config) Environment(name string) (model.Environment, bool) {
	for _, e := range c.Environments {
		if e.Name == name {
			return e, true
		}
	}
	return model.Environment{}, false
}

// EnvironmentNames lists the configured environments in order.
func (c *Config) EnvironmentNames() []string {
	out := make([]string, len(c.Environments))
	for i, e := range c.Environments {
		out[i] = e.Name
	}
	return out
}

// ExpandHome expands a leading "~" or "~/" to the home directory, as a
// shell would (flags written --dir=~/x reach stackview unexpanded). Other
// "~name" forms are refused rather than made into a directory named "~name".
func ExpandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		if strings.HasPrefix(p, "~") {
			return "", fmt.Errorf("%q: only ~ and ~/ are expanded; write the full path", p)
		}
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("%q: %w", p, err)
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
}

// resolvePath makes a path from the file absolute: "~" expanded, and a
// relative path taken from the config file's directory, so it does not
// depend on where stackview was started.
func (c *Config) resolvePath(key, p string) (string, error) {
	if p == "" {
		return "", nil
	}
	p, err := ExpandHome(p)
	if err != nil {
		return "", c.errorf(key, "%v", err)
	}
	if filepath.IsAbs(p) || c.Path == "" {
		return p, nil
	}
	base, err := filepath.Abs(filepath.Dir(c.Path))
	if err != nil {
		return "", c.errorf(key, "%v", err)
	}
	return filepath.Join(base, p), nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// AppendDriftIgnore adds a [[drift.ignore]] entry to the config file at
// path, creating the file (and its directory) when there is none, so an
// ignore chosen in the UI survives a restart. The rule is checked first, and
// the file must still parse afterwards.
func AppendDriftIgnore(path string, r drift.Rule) error {
	if path == "" {
		return errors.New("no config file path to write the ignore rule to")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: cannot read config: %v", path, unwrapPathError(err))
	}
	text := string(old)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if text != "" {
		text += "\n"
	}
	text += r.Format("drift.ignore")
	if _, err := Parse(path, []byte(text)); err != nil {
		return fmt.Errorf("adding the ignore rule would break the config: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("%s: %v", filepath.Dir(path), unwrapPathError(err))
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return fmt.Errorf("%s: cannot write config: %v", path, unwrapPathError(err))
	}
	return nil
}

// RemoveDriftIgnore takes the first [[drift.ignore]] entry equal to r
// (address, attribute, environment and reason) out of the config file at
// path, leaving every other line as it was; the file must still parse
// afterwards, else nothing is written.
func RemoveDriftIgnore(path string, r drift.Rule) error {
	if path == "" {
		return errors.New("no config file path to remove the ignore rule from")
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: cannot read config: %v", path, unwrapPathError(err))
	}
	if err := bounds.TOML(path, old); err != nil {
		return err
	}
	lines := strings.SplitAfter(string(old), "\n")
	header := func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "[") }
	for start := 0; start < len(lines); start++ {
		if strings.ReplaceAll(strings.TrimSpace(lines[start]), " ", "") != "[[drift.ignore]]" {
			continue
		}
		end := start + 1
		for end < len(lines) && !header(lines[end]) {
			end++
		}
		var entry struct {
			Drift struct {
				Ignore []drift.Rule `toml:"ignore"`
			} `toml:"drift"`
		}
		if _, err := toml.Decode(strings.Join(lines[start:end], ""), &entry); err != nil || len(entry.Drift.Ignore) != 1 {
			continue
		}
		if e := entry.Drift.Ignore[0]; e.Address != r.Address || e.Attribute != r.Attribute || e.Environment != r.Environment || e.Reason != r.Reason {
			continue
		}
		if start > 0 && strings.TrimSpace(lines[start-1]) == "" {
			start-- // the blank line AppendDriftIgnore put before it
		}
		text := strings.Join(append(append([]string(nil), lines[:start]...), lines[end:]...), "")
		if _, err := Parse(path, []byte(text)); err != nil {
			return fmt.Errorf("removing the ignore rule would break the config: %w", err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			return fmt.Errorf("%s: cannot write config: %v", path, unwrapPathError(err))
		}
		return nil
	}
	return fmt.Errorf("%s has no [[drift.ignore]] entry for %s %s: it may have been edited since", path, r.Address, r.Attribute)
}
