package vcs

import (
	"context"
	"fmt"
	"strings"
)

// RemoteTags lists the tag names of a remote repository (git ls-remote
// --tags), without cloning it: where git module sources find their versions.
func (c *Cache) RemoteTags(ctx context.Context, url string) ([]string, error) {
	g := Git{UserConfig: c.UserConfig, Timeout: c.NetworkTimeout}
	if g.Timeout <= 0 {
		g.Timeout = DefaultNetworkTimeout
	}
	c.progress("listing tags of %s…", url)
	out, err := g.Run(ctx, "ls-remote", "--tags", "--refs", url)
	if err != nil {
		return nil, fmt.Errorf("tags of %s: %w", redact(url), err)
	}
	var tags []string
	for _, line := range strings.Split(out, "\n") {
		if _, ref, ok := strings.Cut(line, "\t"); ok {
			tags = append(tags, strings.TrimPrefix(ref, "refs/tags/"))
		}
	}
	return tags, nil
}
