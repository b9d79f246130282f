package vcs

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/stackview/stackview/internal/model"
)

// Resolver turns a repository, as a backend names it, into the URL git
// clones it from: https on the forge's host by default, then the user's
// URL rewrites (SSH, mirrors); a URL that [git.clones] names wins over both,
// so the user's own clone is used.
type Resolver struct {
	// Rewrites maps a URL prefix to its replacement; the longest matching
	// prefix applies ([git] url_rewrites).
	Rewrites map[string]string
	// Clones are the URLs of local clones ([git.clones]).
	Clones map[string]string
}

// publicHosts are the forges' hosts when the backend names none.
var publicHosts = map[string]string{
	"github": "github.com", "gitlab": "gitlab.com", "bitbucket-cloud": "bitbucket.org", "azure-devops": "dev.azure.com",
}

// CloneURL is repo's clone URL, or "" when the backend named too little to
// derive one.
func (r Resolver) CloneURL(repo model.Repository) string {
	u := DefaultCloneURL(repo)
	if u == "" {
		return ""
	}
	if _, ok := r.Clones[u]; ok {
		return u
	}
	best := ""
	for from := range r.Rewrites {
		if strings.HasPrefix(u, from) && len(from) > len(best) {
			best = from
		}
	}
	rewritten := u
	if best != "" {
		rewritten = r.Rewrites[best] + strings.TrimPrefix(u, best)
	}
	if _, ok := r.Clones[rewritten]; ok {
		return rewritten
	}
	// Then a clone keyed by another spelling of the same repository (SSH
	// for https, with or without .git), the rewritten URL's first.
	keys := make([]string, 0, len(r.Clones))
	for c := range r.Clones {
		keys = append(keys, c)
	}
	sort.Strings(keys)
	for _, want := range []string{rewritten, u} {
		for _, c := range keys {
			if SameRepo(c, want) {
				return c
			}
		}
	}
	return rewritten
}

// DefaultCloneURL is the clone URL a forge gives a repository over https:
// <scheme>://<host>/<owner>/<repo>.git for GitHub (and GitHub Enterprise)
// and GitLab, /scm/<project>/<repo>.git on Bitbucket Data Center,
// /<org>/<project>/_git/<repo> on Azure DevOps. The scheme and host come
// from the repository's web page when the backend gives one (a GitHub
// Enterprise or self-managed host), else the provider's public host. A URL
// the backend gave (raw git) is used as it is.
func DefaultCloneURL(repo model.Repository) string {
	if repo.URL != "" {
		return repo.URL
	}
	if repo.Name == "" {
		return ""
	}
	scheme, host := "https", repo.Host
	if w, err := url.Parse(repo.WebURL); err == nil && w.Host != "" {
		scheme, host = w.Scheme, w.Host
	}
	if host == "" {
		host = publicHosts[repo.Provider]
	}
	if host == "" {
		return ""
	}
	base := scheme + "://" + host + "/"
	switch repo.Provider {
	case "bitbucket-datacenter":
		return base + "scm/" + repo.Namespace + "/" + repo.Name + ".git"
	case "azure-devops":
		return base + repo.Namespace + "/_git/" + repo.Name
	}
	path := repo.Name
	if repo.Namespace != "" {
		path = repo.Namespace + "/" + repo.Name
	}
	return base + path + ".git"
}

// RemoteDefaultBranch is the branch a remote's HEAD names (git ls-remote
// --symref), without cloning it: what a stack that tracks "the default
// branch" tracks.
func (c *Cache) RemoteDefaultBranch(ctx context.Context, url string) (string, error) {
	g := Git{UserConfig: c.UserConfig, Timeout: c.NetworkTimeout}
	if g.Timeout <= 0 {
		g.Timeout = DefaultNetworkTimeout
	}
	out, err := g.Run(ctx, "ls-remote", "--symref", url, "HEAD")
	if err != nil {
		return "", fmt.Errorf("default branch of %s: %w", redact(url), err)
	}
	for _, line := range strings.Split(out, "\n") {
		if ref, ok := strings.CutPrefix(line, "ref: "); ok {
			if target, _, ok := strings.Cut(ref, "\t"); ok {
				return strings.TrimPrefix(target, "refs/heads/"), nil
			}
		}
	}
	return "", fmt.Errorf("default branch of %s: the remote names no HEAD", redact(url))
}

// ProjectRoot normalizes a stack's project root or working directory as
// backends give it ("/stacks/api", "stacks/api/", ".") to the form the
// clone's paths use ("stacks/api", "" for the top).
func ProjectRoot(p string) string {
	p = strings.Trim(p, "/")
	if p == "." {
		return ""
	}
	return p
}
