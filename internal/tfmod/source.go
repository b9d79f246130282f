// Package tfmod reads and edits the module blocks of Terraform files: where
// each module comes from (registry, git, local path), which version or
// constraint it asks for, what a newer version would be, and the edit that
// bumps it — made with hclwrite so formatting and comments stay as written —
// and the Inventory of blocks across repositories and branches. It reads
// bytes, never git: internal/modules fills the inventory from clones.
package tfmod

import (
	"regexp"
	"strings"
)

// SourceKind says where a module block's source points.
type SourceKind string

const (
	KindSpacelift SourceKind = "spacelift" // spacelift.io/<org>/<name>/<provider>
	KindTFC       SourceKind = "tfc"       // app.terraform.io/<org>/<name>/<provider>
	KindRegistry  SourceKind = "registry"  // another registry host, or the public registry
	KindGit       SourceKind = "git"       // git::…, github.com/…, git@… with ?ref=
	KindLocal     SourceKind = "local"     // ./ or ../
	KindOther     SourceKind = "other"     // s3::, http archives, anything else
)

// Registry hosts with their own kind.
const (
	SpaceliftHost = "spacelift.io"
	TFCHost       = "app.terraform.io"
	PublicHost    = "registry.terraform.io"
)

// Source is a parsed module source address.
type Source struct {
	Raw  string
	Kind SourceKind

	// Registry sources: host (PublicHost when omitted) and the address parts.
	Host, Namespace, Name, Provider string
	// Subdir is the //subdir part of a registry or git address.
	Subdir string

	// Git sources: the repository (without forced "git::", query or subdir),
	// the raw ref, and the ref split into a tag prefix and a version
	// ("vpc/v1.2.3" → "vpc/v", "1.2.3"); RefVersion is "" when the ref is
	// not a version (a branch or a commit).
	Repo, Ref, TagPrefix, RefVersion string
}

// Address is the registry address without a subdir ("spacelift.io/acme/vpc/aws"),
// or for git sources the repository and subdir without the ref: the key
// modules are grouped by.
func (s Source) Address() string {
	switch s.Kind {
	case KindSpacelift, KindTFC, KindRegistry:
		addr := s.Namespace + "/" + s.Name + "/" + s.Provider
		if s.Host != PublicHost || strings.HasPrefix(s.Raw, PublicHost+"/") {
			addr = s.Host + "/" + addr
		}
		return addr
	case KindGit:
		if s.Subdir != "" { // one module of a repository of modules
			return s.Repo + "//" + s.Subdir
		}
		return s.Repo
	}
	return s.Raw
}

var (
	registryPart = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z_-]*$`)
	// refVersion splits a tag into prefix and semantic version.
	refVersion = regexp.MustCompile(`^(.*?v?)(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$`)
)

// ParseSource classifies a module source address.
func ParseSource(raw string) Source {
	s := Source{Raw: raw, Kind: KindOther}
	switch {
	case strings.HasPrefix(raw, "./") || strings.HasPrefix(raw, "../"):
		s.Kind = KindLocal
		return s
	case isGit(raw):
		parseGit(&s)
		return s
	case strings.Contains(raw, "::") || strings.Contains(raw, "://"):
		return s
	}
	addr, sub, _ := strings.Cut(raw, "//")
	parts := strings.Split(addr, "/")
	host := PublicHost
	if len(parts) == 4 && strings.Contains(parts[0], ".") {
		host, parts = strings.ToLower(parts[0]), parts[1:]
	}
	if len(parts) != 3 || !registryPart.MatchString(parts[0]) || !registryPart.MatchString(parts[1]) || !registryPart.MatchString(parts[2]) {
		return s
	}
	s.Host, s.Namespace, s.Name, s.Provider, s.Subdir = host, parts[0], parts[1], parts[2], sub
	switch host {
	case SpaceliftHost:
		s.Kind = KindSpacelift
	case TFCHost:
		s.Kind = KindTFC
	default:
		s.Kind = KindRegistry
	}
	return s
}

// isGit recognises the git forms Terraform accepts: forced git::, the
// github.com / bitbucket.org shorthands and scp-like git@host:path.
func isGit(raw string) bool {
	return strings.HasPrefix(raw, "git::") || strings.HasPrefix(raw, "github.com/") ||
		strings.HasPrefix(raw, "bitbucket.org/") || strings.HasPrefix(raw, "git@")
}

func parseGit(s *Source) {
	s.Kind = KindGit
	rest := strings.TrimPrefix(s.Raw, "git::")
	rest, query, _ := strings.Cut(rest, "?")
	// A subdir is a "//" after the scheme's own.
	scheme := ""
	if i := strings.Index(rest, "://"); i >= 0 {
		scheme, rest = rest[:i+3], rest[i+3:]
	}
	repo, sub, _ := strings.Cut(rest, "//")
	s.Repo, s.Subdir = scheme+repo, sub
	for _, kv := range strings.Split(query, "&") {
		if v, ok := strings.CutPrefix(kv, "ref="); ok {
			s.Ref = v
		}
	}
	if m := refVersion.FindStringSubmatch(s.Ref); m != nil {
		s.TagPrefix, s.RefVersion = m[1], m[2]
	}
}

// withRef is the raw git source with its ref's version replaced, keeping
// the tag prefix and every other part of the address.
func (s Source) withRef(version string) string {
	base, query, _ := strings.Cut(s.Raw, "?")
	params := strings.Split(query, "&")
	for i, kv := range params {
		if strings.HasPrefix(kv, "ref=") {
			params[i] = "ref=" + s.TagPrefix + version
		}
	}
	return base + "?" + strings.Join(params, "&")
}

// Versioned reports sources with published versions: registry modules and
// git refs that are version tags.
func (s Source) Versioned() bool {
	switch s.Kind {
	case KindSpacelift, KindTFC, KindRegistry:
		return true
	case KindGit:
		return s.RefVersion != ""
	}
	return false
}
