package vcs

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
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
	return res, cl.push(ctx, commit, branch, old)
}

// push sends commit to the remote's branch (at old, "" when unknown); the
// remote decides. It is journaled before and after through the cache's
// Pushes, runs in its own process group and outlives ctx: only its network
// timeout or Pushes.Stop kills it. When it fails without a clear refusal,
// the remote's ref is read back: a push whose answer was lost but which
// landed is a success, one that may or may not have landed is a
// *PushUnknownError naming the ref to check.
func (cl *Clone) push(ctx context.Context, commit, branch, old string) error {
	args := []string{"push", cl.Remote, commit + ":refs/heads/" + branch}
	if err := cl.vet(args); err != nil {
		return err
	}
	pushes := cl.cache.Pushes
	ev := PushEvent{Repo: redact(cl.URL), Ref: "refs/heads/" + branch, Old: old, New: commit, Purpose: pushPurpose(ctx)}
	id, err := pushes.begin(ev, PushInfo{Repo: cl.Name(), Branch: branch, Since: time.Now()})
	if err != nil {
		return fmt.Errorf("push to %s/%s: %w", cl.Name(), branch, err)
	}
	cl.cache.progress("pushing %s to %s/%s…", ShortSHA(commit), cl.Name(), branch)
	ev.Result, ev.Err = PushOK, nil
	err = cl.runPush(ctx, args, commit, branch, old)
	var unknown *PushUnknownError
	switch {
	case errors.As(err, &unknown):
		ev.Result, ev.Err = PushUnknown, err
	case err != nil:
		ev.Result, ev.Err = PushFailed, err
	}
	pushes.end(id, ev)
	if err != nil {
		return err
	}
	// Keep the clone's view in step without another fetch, also when the
	// program began to quit during the push.
	_, err = cl.git.Run(context.WithoutCancel(ctx), "update-ref", cl.RemoteRef(branch), commit)
	return err
}

// runPush runs the push and decides its outcome.
func (cl *Clone) runPush(ctx context.Context, args []string, commit, branch, old string) error {
	p, err := cl.net.start(nil, args)
	if err != nil {
		return fmt.Errorf("push to %s/%s: %w", cl.Name(), branch, err)
	}
	timeout := time.NewTimer(cl.net.timeout())
	defer timeout.Stop()
	kill, done := make(chan struct{}), make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-timeout.C:
		case <-cl.cache.Pushes.stopped():
		case <-done:
			return
		}
		close(kill)
	}()
	killed, err := p.wait(kill)
	if err == nil {
		return nil
	}
	ref := "refs/heads/" + branch
	gerr := p.failure(err).(*Error)
	// Exit status 1 is a refusal (a ref rejected by the remote or a hook);
	// 128 and the like are failures to reach it, or a lost answer.
	if !killed && exitCode(err) == 1 {
		return &PushRejectedError{Repo: cl.Name(), Branch: branch, Remote: remoteWords(gerr.Stderr)}
	}
	cause := error(gerr)
	if killed {
		cause = fmt.Errorf("git push was stopped: %w", gerr)
	}
	if cl.cache.Pushes.isStopped() {
		return &PushUnknownError{Repo: cl.Name(), Ref: ref, Commit: commit, Cause: cause}
	}
	switch at, lerr := cl.remoteRef(ctx, ref); {
	case lerr != nil:
		return &PushUnknownError{Repo: cl.Name(), Ref: ref, Commit: commit, Cause: errors.Join(cause, lerr)}
	case at == commit:
		return nil // it landed; only the answer was lost
	case at == old:
		return fmt.Errorf("push to %s/%s: %w", cl.Name(), branch, cause)
	default:
		return &PushUnknownError{Repo: cl.Name(), Ref: ref, Commit: commit,
			Cause: fmt.Errorf("%w; the remote's branch is now at %s", cause, ShortSHA(at))}
	}
}

// lostAnswerCheck bounds reading a ref back after a push failed unclearly.
const lostAnswerCheck = 20 * time.Second

// remoteRef reads the remote's commit for ref now ("" when it has none),
// even when ctx has ended (the program is quitting and wants the outcome),
// but not after Pushes.Stop.
func (cl *Clone) remoteRef(ctx context.Context, ref string) (string, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lostAnswerCheck)
	defer cancel()
	go func() {
		select {
		case <-cl.cache.Pushes.stopped():
			cancel()
		case <-ctx.Done():
		}
	}()
	out, err := cl.net.Run(ctx, "ls-remote", cl.Remote, ref)
	if err != nil {
		return "", err
	}
	sha, _, _ := strings.Cut(strings.TrimSpace(out), "\t")
	return sha, nil
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
	return cl.push(ctx, commit, branch, "")
}
