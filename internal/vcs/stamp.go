package vcs

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// RefsStamp is a cheap fingerprint of a local repository's references,
// taken from file metadata without running git: when it has not changed,
// no branch or tag has moved, so a watcher can skip for-each-ref.
func (g Git) RefsStamp() (string, error) {
	gitDir := g.Dir
	if fi, err := os.Stat(filepath.Join(g.Dir, ".git")); err == nil && fi.IsDir() {
		gitDir = filepath.Join(g.Dir, ".git")
	}
	h := sha1.New()
	stampFile := func(p string, fi fs.FileInfo) {
		fmt.Fprintf(h, "%s %d %d\n", p, fi.ModTime().UnixNano(), fi.Size())
	}
	if fi, err := os.Stat(filepath.Join(gitDir, "packed-refs")); err == nil {
		stampFile("packed-refs", fi)
	}
	err := filepath.WalkDir(filepath.Join(gitDir, "refs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		stampFile(p, fi)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("stamp refs of %s: %w", g.Dir, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
