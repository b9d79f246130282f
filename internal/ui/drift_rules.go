package ui

import (
	"context"
	"errors"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
)

// RepoFiles reads a file of a stack's repository at the branch the stack
// tracks; a missing file is backend.ErrNotFound. repos.Wrap's backends,
// which read through the clone cache, are ones.
type RepoFiles interface {
	StackFile(ctx context.Context, stackID, path string) ([]byte, error)
}

// loadRepoRules reads the ignore file of every drifted stack's repository.
// Stacks that did not drift need none: nothing of theirs could be ignored.
// A file that cannot be read or parsed is reported, and its stack keeps the
// other rules, so one bad file never hides drift elsewhere.
func loadRepoRules(ctx context.Context, files RepoFiles, stacks []model.Stack) (map[string][]drift.Rule, error) {
	if files == nil {
		return nil, nil
	}
	out := map[string][]drift.Rule{}
	var errs []error
	for _, s := range stacks {
		if !s.Drift.Drifted {
			continue
		}
		data, err := files.StackFile(ctx, s.ID, drift.IgnoreFile)
		if errors.Is(err, backend.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rules, err := drift.ParseIgnoreFile(data, repoName(s.Repo)+"@"+s.Branch+":"+drift.IgnoreFile)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[s.ID] = rules
	}
	return out, errors.Join(errs...)
}

// repoName is the last path element of a repository URL or path, without .git.
func repoName(repo string) string {
	for i := len(repo) - 1; i >= 0; i-- {
		if repo[i] == '/' || repo[i] == ':' {
			repo = repo[i+1:]
			break
		}
	}
	if n := len(repo); n > 4 && repo[n-4:] == ".git" {
		repo = repo[:n-4]
	}
	return repo
}
