package vcs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CommitFiles makes a commit on top of parent with files replaced by the
// given contents, without a work tree or touching any branch: a temporary
// index is built from parent's tree. It returns the new commit's name; only
// a push makes it visible anywhere.
func (cl *Clone) CommitFiles(ctx context.Context, parent string, files map[string][]byte, message string) (string, error) {
	tmp, err := os.MkdirTemp("", "stackview-index-")
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	defer os.RemoveAll(tmp)
	g := cl.git
	g.Env = append(append([]string(nil), g.Env...), "GIT_INDEX_FILE="+filepath.Join(tmp, "index"))
	run := func(stdin []byte, args ...string) (string, error) { return cl.runWith(ctx, g, stdin, args...) }
	if _, err := run(nil, "read-tree", parent); err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		blob, err := run(files[p], "hash-object", "-w", "--stdin")
		if err != nil {
			return "", fmt.Errorf("commit %s: %w", p, err)
		}
		if _, err := run(nil, "update-index", "--add", "--cacheinfo", "100644,"+strings.TrimSpace(blob)+","+p); err != nil {
			return "", fmt.Errorf("commit %s: %w", p, err)
		}
	}
	tree, err := run(nil, "write-tree")
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	return cl.commitTree(ctx, strings.TrimSpace(tree), message, parent)
}
