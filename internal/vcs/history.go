package vcs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/sanitize"
)

// Commit is the domain's commit: git reads them, promotions list them.
type Commit = model.Commit

// ShortSHA abbreviates an object name to 7 characters.
func ShortSHA(sha string) string { return model.ShortSHA(sha) }

// RemoteRef is the clone's ref for the remote's branch.
func (cl *Clone) RemoteRef(branch string) string {
	return "refs/remotes/" + cl.Remote + "/" + branch
}

// Head is the commit the remote's branch pointed at when last fetched.
func (cl *Clone) Head(ctx context.Context, branch string) (string, error) {
	sha, err := cl.git.RevParse(ctx, cl.RemoteRef(branch))
	if err != nil {
		return "", fmt.Errorf("%s has no branch %q: %w", cl.Name(), branch, err)
	}
	return sha, nil
}

// Heads maps each of the remote's branches to its commit.
func (cl *Clone) Heads(ctx context.Context) (map[string]string, error) {
	prefix := "refs/remotes/" + cl.Remote + "/"
	refs, err := cl.git.Refs(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("branches of %s: %w", cl.Name(), err)
	}
	heads := map[string]string{}
	for _, r := range refs {
		if b := strings.TrimPrefix(r.Name, prefix); b != "HEAD" {
			heads[b] = r.Commit
		}
	}
	return heads, nil
}

// Log lists the commits reachable from to but not from from (git log
// from..to), newest first.
func (cl *Clone) Log(ctx context.Context, from, to string) ([]Commit, error) {
	rng := to
	if from != "" {
		rng = from + ".." + to
	}
	out, err := cl.git.Run(ctx, "log", logFormat, rng, "--")
	if err != nil {
		return nil, fmt.Errorf("log %s: %w", rng, err)
	}
	return parseLog(out)
}

// logFormat writes a commit as NUL-separated fields, records ended by RS.
const logFormat = "--format=%H%x00%s%x00%an <%ae>%x00%at%x1e"

func parseLog(out string) ([]Commit, error) {
	var commits []Commit
	for _, rec := range strings.Split(out, "\x1e") {
		rec = strings.TrimSpace(rec)
		if rec == "" {
			continue
		}
		f := strings.Split(rec, "\x00")
		if len(f) != 4 {
			return nil, fmt.Errorf("log: unexpected record %q", rec)
		}
		sec, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("log: bad time in %q", rec)
		}
		// Anyone who can push writes subjects and authors: no terminal
		// escapes from them reach a screen.
		commits = append(commits, Commit{SHA: f[0], Subject: sanitize.Line(f[1]), Author: sanitize.Line(f[2]), Time: time.Unix(sec, 0).UTC()})
	}
	return commits, nil
}

// LastTouching is the newest commit at or before rev that changed a file
// under dir ("" when none did).
func (cl *Clone) LastTouching(ctx context.Context, rev, dir string) (string, error) {
	out, err := cl.git.Run(ctx, "log", "-1", "--format=%H", rev, "--", dir)
	if err != nil {
		return "", fmt.Errorf("last change of %s at %s: %w", dir, ShortSHA(rev), err)
	}
	return strings.TrimSpace(out), nil
}

// ChangedFiles lists the paths that differ between two commits.
func (cl *Clone) ChangedFiles(ctx context.Context, from, to string) ([]string, error) {
	return cl.git.ChangedFiles(ctx, from, to)
}

// IsAncestor reports whether a is b or an ancestor of it, i.e. whether
// moving a branch from a to b is a fast-forward.
func (cl *Clone) IsAncestor(ctx context.Context, a, b string) (bool, error) {
	_, err := cl.git.Run(ctx, "merge-base", "--is-ancestor", a, b)
	var gerr *Error
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &gerr) && exitCode(gerr.Err) == 1:
		return false, nil
	}
	return false, err
}

// Files returns the files of commit under dir ("" = all), by path.
func (cl *Clone) Files(ctx context.Context, commit, dir string) (map[string][]byte, error) {
	return cl.FilesWhere(ctx, commit, dir, nil)
}

// FilesWhere is Files limited to the paths keep accepts (nil = all), so
// only their contents are read. A file larger than MaxBlobSize has nil
// content (see ReadBlobs).
func (cl *Clone) FilesWhere(ctx context.Context, commit, dir string, keep func(path string) bool) (map[string][]byte, error) {
	entries, err := cl.git.ListTree(ctx, commit, dir)
	if err != nil {
		return nil, fmt.Errorf("files of %s at %s: %w", cl.Name(), ShortSHA(commit), err)
	}
	var ids []string
	paths := map[string]string{}
	for _, e := range entries {
		if keep == nil || keep(e.Path) {
			ids, paths[e.Path] = append(ids, e.Blob), e.Blob
		}
	}
	blobs, err := cl.git.ReadBlobs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("files of %s at %s: %w", cl.Name(), ShortSHA(commit), err)
	}
	files := make(map[string][]byte, len(paths))
	for p, blob := range paths {
		files[p] = blobs[blob]
	}
	return files, nil
}

// MergeBase is the best common ancestor of two commits.
func (cl *Clone) MergeBase(ctx context.Context, a, b string) (string, error) {
	out, err := cl.git.Run(ctx, "merge-base", a, b)
	if err != nil {
		return "", fmt.Errorf("merge base of %s and %s: %w", ShortSHA(a), ShortSHA(b), err)
	}
	return strings.TrimSpace(out), nil
}

// Commit describes one commit.
func (cl *Clone) Commit(ctx context.Context, rev string) (Commit, error) {
	out, err := cl.git.Run(ctx, "log", "-1", logFormat, rev, "--")
	if err != nil {
		return Commit{}, fmt.Errorf("commit %s: %w", ShortSHA(rev), err)
	}
	cs, err := parseLog(out)
	if err != nil || len(cs) != 1 {
		return Commit{}, fmt.Errorf("commit %s: unexpected log output %q", ShortSHA(rev), out)
	}
	return cs[0], nil
}

// CountCommits counts the commits reachable from to but not from from.
func (cl *Clone) CountCommits(ctx context.Context, from, to string) (int, error) {
	return cl.git.CountCommits(ctx, from, to)
}
