package drift

import (
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/stackview/stackview/internal/bounds"
	"github.com/stackview/stackview/internal/sanitize"
)

// IgnoreFile is the per-repository ignore list, read from the branch the
// stack tracks.
const IgnoreFile = ".stackview/drift-ignore.toml"

// AnyAttribute as a rule's attribute ignores the whole resource.
const AnyAttribute = "*"

// Rule marks drift of matching resource attributes as known noise.
type Rule struct {
	Address     string `toml:"address"`     // glob: * matches any run of characters, ? one
	Attribute   string `toml:"attribute"`   // glob, or AnyAttribute
	Environment string `toml:"environment"` // optional: only stacks of this environment
	Reason      string `toml:"reason"`      // optional: why it is noise
	Source      string `toml:"-"`           // where the rule came from: SourceConfig, SourceSession or a repository file
}

// Where a rule lives, beside a repository file (repo@branch:IgnoreFile).
const (
	SourceConfig  = "config"       // the user config's [[drift.ignore]]
	SourceSession = "this session" // added in the UI, not saved
)

// Validate reports a rule that could never be meant: no address or attribute.
func (r Rule) Validate() error {
	switch {
	case strings.TrimSpace(r.Address) == "":
		return errors.New("address is empty (use \"*\" for every resource)")
	case strings.TrimSpace(r.Attribute) == "":
		return errors.New("attribute is empty (use \"*\" for the whole resource)")
	}
	return nil
}

// Matches reports whether the rule ignores attribute of address in env.
// attribute "" asks about a resource whose attributes are unknown, which only
// a whole-resource rule ignores.
func (r Rule) Matches(env, address, attribute string) bool {
	if r.Environment != "" && !strings.EqualFold(r.Environment, env) {
		return false
	}
	if !Glob(r.Address, address) {
		return false
	}
	if r.Attribute == AnyAttribute {
		return true
	}
	return attribute != "" && Glob(r.Attribute, attribute)
}

// ParseIgnoreFile reads [[ignore]] entries; source names the file in errors
// and in each rule. The file comes from a repository anyone with push access
// writes: it is bounded before decoding, and its text is stripped of
// terminal escapes (a coloured reason could hide what a rule ignores).
func ParseIgnoreFile(data []byte, source string) ([]Rule, error) {
	if err := bounds.TOML(source, data); err != nil {
		return nil, err
	}
	var f struct {
		Ignore []Rule `toml:"ignore"`
	}
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", source, sanitize.Line(err.Error()))
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return nil, fmt.Errorf("%s: unknown key %q (want [[ignore]] with address, attribute, environment, reason)", source, sanitize.Clip(undecoded[0].String(), 60))
	}
	for i := range f.Ignore {
		if err := f.Ignore[i].Validate(); err != nil {
			return nil, fmt.Errorf("%s: ignore entry %d: %w", source, i+1, err)
		}
		r := &f.Ignore[i]
		r.Address, r.Attribute, r.Environment, r.Reason = sanitize.Line(r.Address), sanitize.Line(r.Attribute),
			sanitize.Line(r.Environment), sanitize.Line(r.Reason)
		r.Source = source
	}
	return f.Ignore, nil
}

// Glob matches s against pattern, where * matches any run of characters
// (dots and brackets included, so "module.vpc.*" covers the whole module)
// and ? exactly one; everything else is literal. path.Match would read the
// brackets of addresses like aws_instance.web["a"] as character classes.
func Glob(pattern, s string) bool {
	p, str := []rune(pattern), []rune(s)
	// Iterative matching with backtracking to the last star.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(str) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == str[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// Format renders a rule as a TOML array-of-tables entry under table
// ("ignore" in an ignore file, "drift.ignore" in the user config).
func (r Rule) Format(table string) string {
	var b strings.Builder
	b.WriteString("[[" + table + "]]\n")
	fmt.Fprintf(&b, "address = %q\n", r.Address)
	fmt.Fprintf(&b, "attribute = %q\n", r.Attribute)
	if r.Environment != "" {
		fmt.Fprintf(&b, "environment = %q\n", r.Environment)
	}
	if r.Reason != "" {
		fmt.Fprintf(&b, "reason = %q\n", r.Reason)
	}
	return b.String()
}
