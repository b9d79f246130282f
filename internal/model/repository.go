package model

import (
	"net/url"
	"path/filepath"
	"strings"
)

// Repository is where a stack's code lives, as the backend names it: the
// forge (Provider, Host), the owner (Namespace) and the repository's Name,
// plus the URLs the API gives when it gives them. Backends fill what their
// API says and nothing more; turning an identity into a URL git can clone
// (forge hosts, URL rewrites, local clones from the config) is done in one
// place outside the backends. Stack.Repo holds that clone URL once known.
type Repository struct {
	// Provider is the forge in lower case: "github", "github-enterprise",
	// "gitlab", "bitbucket-cloud", "bitbucket-datacenter", "azure-devops",
	// "git" (a raw git URL in URL) — "" when the backend does not say.
	Provider string
	// Host is the forge's host name when the API gives it (Spacelift
	// apiHost, a TFC repository-http-url's host); "" means the provider's
	// public host.
	Host      string
	Namespace string // owner / organisation / group; "" for raw git
	Name      string // the repository's name within Namespace
	URL       string // a clone URL given by the API itself (raw git), else ""
	WebURL    string // the repository's web page, when the API gives it
}

// Known reports whether the backend named a repository at all.
func (r Repository) Known() bool { return r.Name != "" || r.URL != "" }

// NormalizeURL is a repository's identity from one of its remote URLs: the
// host (lower case) and path, without scheme, credentials, trailing slash
// or ".git", so https://github.com/acme/payments.git, ssh://git@github.com/
// acme/payments and git@github.com:acme/payments name one repository. A
// local path or file:// URL is its absolute path.
func NormalizeURL(raw string) string {
	trim := func(p string) string { return strings.TrimSuffix(strings.TrimSuffix(p, "/"), ".git") }
	if u, err := url.Parse(raw); err == nil && strings.Contains(raw, "://") {
		if u.Scheme == "file" {
			return trim(filepath.Clean(u.Path))
		}
		return strings.ToLower(u.Host) + "/" + strings.TrimPrefix(trim(u.Path), "/")
	}
	// scp-like syntax: [user@]host:path
	if at, path, ok := strings.Cut(raw, ":"); ok && !strings.Contains(at, "/") {
		if _, host, ok := strings.Cut(at, "@"); ok {
			at = host
		}
		return strings.ToLower(at) + "/" + strings.TrimPrefix(trim(path), "/")
	}
	if abs, err := filepath.Abs(raw); err == nil {
		raw = abs
	}
	return trim(raw)
}

// SameRepo reports whether two remote URLs name the same repository.
func SameRepo(a, b string) bool { return NormalizeURL(a) == NormalizeURL(b) }
