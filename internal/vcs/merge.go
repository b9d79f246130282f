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
	Repo, Source, Target string
	Files                []string
}

func (e *MergeConflictError) Error() string {
	return fmt.Sprintf("%s: merging %s into %s conflicts in %s: resolve it in a pull request",
		e.Repo, e.Source, e.Target, strings.Join(e.Files, ", "))
}

func (e *MergeConflictError) Unwrap() error { return ErrMergeConflict }

// MergeAndPush makes a merge commit of the source branch into the target
// branch (without a work tree: git merge-tree and commit-tree) and pushes it
// to the target, a fast-forward since the target is its first parent. When
// the target already contains the source nothing is pushed.
func (cl *Clone) MergeAndPush(ctx context.Context, source, target, message string) (PushResult, error) {
	if err := cl.Fetch(ctx); err != nil {
		return PushResult{}, err
	}
	src, err := cl.Head(ctx, source)
	if err != nil {
		return PushResult{}, err
	}
	dst, err := cl.Head(ctx, target)
	if err != nil {
		return PushResult{}, err
	}
	if in, err := cl.IsAncestor(ctx, src, dst); err != nil || in {
		return PushResult{Branch: target, Old: dst, New: dst, UpToDate: in}, err
	}
	out, err := cl.run(ctx, "merge-tree", "--write-tree", "--name-only", "--no-messages", dst, src)
	var gerr *Error
	if errors.As(err, &gerr) && exitCode(gerr.Err) == 1 {
		return PushResult{}, &MergeConflictError{Repo: cl.Name(), Source: source, Target: target, Files: cl.bothChanged(ctx, src, dst)}
	}
	if err != nil {
		return PushResult{}, fmt.Errorf("merge %s into %s: %w", source, target, err)
	}
	tree := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
	if message == "" {
		message = fmt.Sprintf("Merge %s into %s", source, target)
	}
	merge, err := cl.commitTree(ctx, tree, message, dst, src)
	if err != nil {
		return PushResult{}, err
	}
	res := PushResult{Branch: target, Old: dst, New: merge}
	return res, cl.push(ctx, merge, target)
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
	base, err := cl.git.Run(ctx, "merge-base", a, b)
	if err != nil {
		return nil
	}
	base = strings.TrimSpace(base)
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
