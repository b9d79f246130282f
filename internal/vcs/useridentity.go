package vcs

import (
	"context"
	"strings"
)

// commitIdentity is the author and committer environment for commits made
// in g's repository: the user's git identity when g may read the user's
// configuration and both user.name and user.email are set there, else
// stackview's own (TestIdentity), so a commit never fails for want of one.
func commitIdentity(ctx context.Context, g Git) []string {
	if g.UserConfig {
		name, errN := g.Run(ctx, "config", "--get", "user.name")
		email, errE := g.Run(ctx, "config", "--get", "user.email")
		name, email = strings.TrimSpace(name), strings.TrimSpace(email)
		if errN == nil && errE == nil && name != "" && email != "" {
			return []string{"GIT_AUTHOR_NAME=" + name, "GIT_AUTHOR_EMAIL=" + email,
				"GIT_COMMITTER_NAME=" + name, "GIT_COMMITTER_EMAIL=" + email}
		}
	}
	return TestIdentity()
}
