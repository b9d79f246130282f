package vcs

import (
	"errors"
	"fmt"
	"strings"
)

// ErrForcePush is returned for any git push that could rewrite or delete a
// remote branch. stackview never does that: a branch that cannot be moved
// forward is a choice for a person (merge commit or pull request).
var ErrForcePush = errors.New("refused: stackview never force-pushes or deletes remote branches")

// refuseForce checks a git command line before it runs.
func refuseForce(args []string) error {
	if len(args) == 0 || args[0] != "push" {
		return nil
	}
	for _, a := range args[1:] {
		switch {
		case a == "--force" || a == "--mirror" || a == "--delete" || a == "--prune" ||
			strings.HasPrefix(a, "--force-with-lease") || a == "--force-if-includes":
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsAny(a[1:], "fd"):
		case strings.HasPrefix(a, "+") || strings.HasPrefix(a, ":"):
		default:
			continue
		}
		return fmt.Errorf("%w (git push %s)", ErrForcePush, strings.Join(redactAll(args[1:]), " "))
	}
	return nil
}
