package model

import "strings"

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

// SameRepo reports whether two remote URLs name the same repository,
// ignoring a trailing slash or ".git".
func SameRepo(a, b string) bool {
	norm := func(s string) string { return strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git") }
	return norm(a) == norm(b)
}
