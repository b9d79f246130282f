package vcs

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrMergeConflict marks a merge that git cannot make by itself.
var ErrMergeConflict = errors.New("merge conflict")

// MergeConflictError lists the files both sides changed incompatibly.
type MergeConflictError struct {
	Repo, Commit, Target string
	Files                []string
}

func (e *MergeConflictError) Error() string {
	return fmt.Sprintf("%s: merging %s into %s conflicts in %s: resolve it in a pull request",
		e.Repo, ShortSHA(e.Commit), e.Target, strings.Join(e.Files, ", "))
}

func (e *MergeConflictError) Unwrap() error { return ErrMergeConflict }

// MergeAndPush makes a merge commit of commit into the remote's target
// branch (without a work tree: git merge-tree and commit-tree) and pushes it
// to the target, a fast-forward since the target is its first parent. When
// the target already contains commit nothing is pushed. message "" means
// "Merge <commit> into <target>".
func (cl *Clone) MergeAndPush(ctx context.Context, commit, target, message string) (PushResult, error) {
	if err := cl.Fetch(ctx); err != nil {
		return PushResult{}, err
	}
	dst, err := cl.Head(ctx, target)
	if err != nil {
		return PushResult{}, err
	}
	if in, err := cl.IsAncestor(ctx, commit, dst); err != nil || in {
		return PushResult{Branch: target, Old: dst, New: dst, UpToDate: in}, err
	}
	if message == "" {
		message = fmt.Sprintf("Merge %s into %s", ShortSHA(commit), target)
	}
	out, err := cl.run(ctx, "merge-tree", "--write-tree", "--no-messages", dst, commit)
	var gerr *Error
	if errors.As(err, &gerr) && exitCode(gerr.Err) == 1 {
		return PushResult{}, &MergeConflictError{Repo: cl.Name(), Commit: commit, Target: target, Files: cl.bothChanged(ctx, commit, dst)}
	}
	if err != nil {
		return PushResult{}, fmt.Errorf("merge %s into %s: %w", ShortSHA(commit), target, err)
	}
	tree := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
	merge, err := cl.commitTree(ctx, tree, message, dst, commit)
	if err != nil {
		return PushResult{}, err
	}
	res := PushResult{Branch: target, Old: dst, New: merge}
	return res, cl.push(ctx, merge, target, dst)
}

// commitTree writes a commit object (no ref moves) and returns its name.
func (cl *Clone) commitTree(ctx context.Context, tree, message string, parents ...string) (string, error) {
	args := []string{"commit-tree", tree, "-m", message}
	for _, p := range parents {
		args = append(args, "-p", p)
	}
	out, err := cl.run(ctx, args...)
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	return strings.TrimSpace(out), nil
}

// bothChanged lists the files changed on both sides since the merge base:
// where a conflicting merge conflicts (git's exact list needs merge-tree's
// stdout, which a failed command does not return).
func (cl *Clone) bothChanged(ctx context.Context, a, b string) []string {
	base, err := cl.MergeBase(ctx, a, b)
	if err != nil {
		return nil
	}
	ca, errA := cl.git.ChangedFiles(ctx, base, a)
	cb, errB := cl.git.ChangedFiles(ctx, base, b)
	if errA != nil || errB != nil {
		return nil
	}
	inA := map[string]bool{}
	for _, f := range ca {
		inA[f] = true
	}
	var both []string
	for _, f := range cb {
		if inA[f] {
			both = append(both, f)
		}
	}
	return both
}
