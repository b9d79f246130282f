package tfmod

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/go-version"

	"github.com/stackview/stackview/internal/model"
)

// Status is where a module call stands against a module's published versions.
type Status struct {
	Spec string // what the call asks for (pin or constraint)
	// Current is the version in use: the pin, or for a constraint the
	// newest version it allows (what terraform init picks).
	Current string
	// NewestAllowed is the newest version the spec allows; Newest the
	// newest published (release) version.
	NewestAllowed string
	Newest        string
	// Major reports that Newest is a major version above Current.
	Major bool
	// Behind counts the published releases newer than Current: how far
	// this use lags.
	Behind int
}

// Outdated reports a newer release than the one in use.
func (s Status) Outdated() bool {
	return s.Newest != "" && s.Newest != s.Current && newer(s.Newest, s.Current)
}

// Resolve compares a spec with the available versions (any order; "v"
// prefixes allowed). Prereleases count only when a spec names one exactly.
func Resolve(spec string, available []string) (Status, error) {
	st := Status{Spec: spec}
	cons, err := version.NewConstraint(constraintOf(spec))
	if err != nil {
		return st, fmt.Errorf("version %q: %w", spec, err)
	}
	var newest, allowed *version.Version
	for _, a := range available {
		v, err := version.NewVersion(a)
		if err != nil {
			continue
		}
		if cons.Check(v) && (allowed == nil || v.GreaterThan(allowed)) {
			allowed = v
		}
		if v.Prerelease() == "" && (newest == nil || v.GreaterThan(newest)) {
			newest = v
		}
	}
	if allowed != nil {
		st.NewestAllowed = allowed.Original()
	}
	if newest != nil {
		st.Newest = newest.Original()
	}
	st.Current = st.NewestAllowed
	if pin, ok := exactPin(spec); ok {
		st.Current = pin
	}
	if st.Current != "" && st.Newest != "" {
		st.Major = model.IsMajorBump(st.Current, st.Newest)
	}
	for _, a := range available {
		if v, err := version.NewVersion(a); err == nil && v.Prerelease() == "" && newer(a, st.Current) {
			st.Behind++
		}
	}
	return st, nil
}

// constraintOf is a spec as go-version reads it: "" allows any version.
func constraintOf(spec string) string {
	if strings.TrimSpace(spec) == "" {
		return ">= 0.0.0"
	}
	return spec
}

// part is one comma-separated piece of a constraint, with its spacing kept.
type part struct{ lead, op, gap, ver, trail string }

var partRE = regexp.MustCompile(`^(\s*)(~>|>=|<=|!=|=|>|<)?(\s*)(v?\d+(?:\.\d+)*(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)(\s*)$`)

func splitSpec(spec string) ([]part, error) {
	var parts []part
	for _, p := range strings.Split(spec, ",") {
		m := partRE.FindStringSubmatch(p)
		if m == nil {
			return nil, fmt.Errorf("version %q: cannot read %q", spec, strings.TrimSpace(p))
		}
		parts = append(parts, part{m[1], m[2], m[3], m[4], m[5]})
	}
	return parts, nil
}

func joinSpec(parts []part) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.lead + p.op + p.gap + p.ver + p.trail
	}
	return strings.Join(out, ",")
}

// exactPin returns the version of a spec that allows exactly one version.
func exactPin(spec string) (string, bool) {
	parts, err := splitSpec(spec)
	if err != nil || len(parts) != 1 || (parts[0].op != "" && parts[0].op != "=") {
		return "", false
	}
	return parts[0].ver, true
}

// RewriteSpec rewrites a version spec to ask for target, in the same form:
// a pin stays a pin ("1.2.0" → "1.4.0", "= 1.2.0" → "= 1.4.0"), a
// pessimistic constraint keeps its precision ("~> 1.2" → "~> 1.4",
// "~> 1.2.0" → "~> 1.4.0"), a range has its lower bound raised and keeps
// its upper bounds — or fails when target is beyond them.
func RewriteSpec(spec, target string) (string, error) {
	tv, err := version.NewVersion(target)
	if err != nil {
		return "", fmt.Errorf("target version %q: %w", target, err)
	}
	parts, err := splitSpec(spec)
	if err != nil {
		return "", err
	}
	for i, p := range parts {
		switch p.op {
		case "", "=", ">=":
			parts[i].ver = keepPrefix(p.ver, target)
		case "~>":
			parts[i].ver = keepPrefix(p.ver, precision(target, strings.Count(strings.TrimPrefix(p.ver, "v"), ".")+1))
		}
	}
	out := joinSpec(parts)
	cons, err := version.NewConstraint(out)
	if err != nil || !cons.Check(tv) {
		return "", fmt.Errorf("version %q does not allow %s once its lower bound is raised (%q): edit the constraint by hand", spec, target, out)
	}
	return out, nil
}

// keepPrefix writes version v with the "v" prefix style of like.
func keepPrefix(like, v string) string {
	v = strings.TrimPrefix(v, "v")
	if strings.HasPrefix(like, "v") {
		return "v" + v
	}
	return v
}

// precision keeps the first n dot-separated segments of a version.
func precision(v string, n int) string {
	core, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), "-")
	segs := strings.Split(core, ".")
	if n < len(segs) {
		segs = segs[:n]
	}
	return strings.Join(segs, ".")
}

func newer(a, b string) bool {
	va, ea := version.NewVersion(a)
	vb, eb := version.NewVersion(b)
	return ea == nil && eb == nil && va.GreaterThan(vb)
}

// TagVersions picks the versions out of a git repository's tags that use
// the given tag prefix ("v" for v1.2.3, "vpc/v" for vpc/v1.2.3, "" for
// bare versions), as the git source's ref does.
func TagVersions(tags []string, prefix string) []string {
	var out []string
	for _, t := range tags {
		if m := refVersion.FindStringSubmatch(t); m != nil && m[1] == prefix {
			out = append(out, m[2])
		}
	}
	return out
}
