package vcs

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ErrNotFastForward marks a branch that cannot simply be moved forward to a
// commit because it has commits of its own.
var ErrNotFastForward = errors.New("not a fast-forward")

// NotFastForwardError explains a diverged target branch and the choices left.
type NotFastForwardError struct {
	Repo, Branch string
	Target       string // the branch's commit
	Commit       string // the commit it was to move to
	Extra        int    // commits on the branch that the commit does not contain
}

func (e *NotFastForwardError) Error() string {
	return fmt.Sprintf("%s: %s cannot be moved to %s: %s has %d commit(s) not in it (the branches have diverged), "+
		"and moving it would drop them. Choose the merge-commit strategy (a merge commit of both, pushed normally) "+
		"or a pull request; stackview never force-pushes",
		e.Repo, e.Branch, ShortSHA(e.Commit), e.Branch, e.Extra)
}

func (e *NotFastForwardError) Unwrap() error { return ErrNotFastForward }

// ErrPushRejected marks a push the remote refused (protected branch, hook,
// or a branch that moved meanwhile).
var ErrPushRejected = errors.New("push rejected by the remote")

// PushRejectedError carries the remote's own words.
type PushRejectedError struct {
	Repo, Branch string
	Remote       string // what the remote said
}

func (e *PushRejectedError) Error() string {
	return fmt.Sprintf("%s: push to %s was rejected by the remote: %s", e.Repo, e.Branch, e.Remote)
}

func (e *PushRejectedError) Unwrap() error { return ErrPushRejected }

// PushResult says what a push did.
type PushResult struct {
	Branch   string
	Old, New string
	UpToDate bool // the branch already was at the commit: nothing was pushed
}

// PushFastForward moves the remote's branch to commit, only when that is a
// fast-forward (git push <remote> <sha>:refs/heads/<branch>, never forced).
// The clone is fetched first, so the check is against the remote's branch
// as it is now.
func (cl *Clone) PushFastForward(ctx context.Context, commit, branch string) (PushResult, error) {
	if err := cl.Fetch(ctx); err != nil {
		return PushResult{}, err
	}
	old, err := cl.Head(ctx, branch)
	if err != nil {
		return PushResult{}, err
	}
	res := PushResult{Branch: branch, Old: old, New: commit}
	if old == commit {
		res.UpToDate = true
		return res, nil
	}
	ff, err := cl.IsAncestor(ctx, old, commit)
	if err != nil {
		return res, err
	}
	if !ff {
		extra, _ := cl.git.CountCommits(ctx, commit, old)
		return res, &NotFastForwardError{Repo: cl.Name(), Branch: branch, Target: old, Commit: commit, Extra: extra}
	}
	return res, cl.push(ctx, commit, branch)
}

// push sends commit to the remote's branch; the remote decides.
func (cl *Clone) push(ctx context.Context, commit, branch string) error {
	cl.cache.progress("pushing %s to %s/%s…", ShortSHA(commit), cl.Name(), branch)
	_, err := cl.runWith(ctx, cl.net, nil, "push", cl.Remote, commit+":refs/heads/"+branch)
	var gerr *Error
	// Exit status 1 is a refusal (a ref rejected by the remote or a hook);
	// 128 and the like are failures to reach it, reported as they are.
	if errors.As(err, &gerr) && exitCode(gerr.Err) == 1 {
		return &PushRejectedError{Repo: cl.Name(), Branch: branch, Remote: remoteWords(gerr.Stderr)}
	}
	if err != nil {
		return fmt.Errorf("push to %s/%s: %w", cl.Name(), branch, err)
	}
	// Keep the clone's view in step without another fetch.
	_, err = cl.git.Run(ctx, "update-ref", cl.RemoteRef(branch), commit)
	return err
}

// remoteWords keeps what the remote said ("remote: …" lines, "! [rejected]"
// and "error:" lines) from a failed push's stderr.
func remoteWords(stderr string) string {
	var keep []string
	for _, line := range strings.Split(redact(stderr), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "remote:") || strings.Contains(line, "[rejected]") ||
			strings.Contains(line, "[remote rejected]") || strings.HasPrefix(line, "error:") || strings.HasPrefix(line, "!") {
			if s := strings.TrimSpace(strings.TrimPrefix(line, "remote:")); s != "" {
				keep = append(keep, s)
			}
		}
	}
	if len(keep) == 0 {
		return strings.TrimSpace(redact(stderr))
	}
	return strings.Join(keep, "; ")
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// CreateBranch pushes commit as a new branch of the remote (for a pull
// request's head). The remote refuses it, never overwritten, when the
// branch exists and is not an ancestor of commit.
func (cl *Clone) CreateBranch(ctx context.Context, commit, branch string) error {
	return cl.push(ctx, commit, branch)
}
