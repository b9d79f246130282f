package vcs

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// NormalizeURL is a repository's identity from one of its remote URLs
// (model.NormalizeURL): the key of its clone.
func NormalizeURL(raw string) string { return model.NormalizeURL(raw) }

// SameRepo reports whether two remote URLs name the same repository.
func SameRepo(a, b string) bool { return model.SameRepo(a, b) }

// Default limits of the clone cache.
const (
	DefaultMaxAge  = 30 * 24 * time.Hour // a clone unused this long is removed
	DefaultMaxSize = 2 << 30             // beyond this, the least recently used clones go
	pruneEvery     = 24 * time.Hour
	pruneStamp     = "last-prune"
)

// prune removes, at most once a day, the cached clones unused for MaxAge
// and, oldest first, those beyond MaxSize, never one in use (its lock is
// tried without waiting) nor keep. A clone's last use is its lock file's
// time: every Open and Close writes it.
func (c *Cache) prune(ctx context.Context, root, keep string) {
	stamp := filepath.Join(root, pruneStamp)
	if fi, err := os.Stat(stamp); err == nil && time.Since(fi.ModTime()) < pruneEvery {
		return
	}
	// Stamped first: concurrent stackviews do not all prune.
	if err := os.WriteFile(stamp, nil, 0o600); err != nil {
		return
	}
	now := time.Now()
	os.Chtimes(stamp, now, now)
	maxAge, maxSize := c.MaxAge, c.MaxSize
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	type clone struct {
		dir, lock string
		used      time.Time
		size      int64
	}
	var clones []clone
	var total int64
	entries, _ := os.ReadDir(root)
	for _, en := range entries {
		dir := filepath.Join(root, en.Name())
		if !en.IsDir() || !strings.HasSuffix(en.Name(), ".git") || dir == keep {
			continue
		}
		cl := clone{dir: dir, lock: c.lockPath(root, dir), size: dirSize(dir)}
		if fi, err := os.Stat(cl.lock); err == nil {
			cl.used = fi.ModTime()
		} else if fi, err := en.Info(); err == nil {
			cl.used = fi.ModTime()
		}
		clones = append(clones, cl)
		total += cl.size
	}
	sort.Slice(clones, func(i, j int) bool { return clones[i].used.Before(clones[j].used) })
	for _, cl := range clones {
		if now.Sub(cl.used) < maxAge && total <= maxSize {
			break // the rest are newer
		}
		lock, err := acquireLock(ctx, cl.lock, cl.dir, 0)
		if err != nil {
			continue // in use
		}
		if os.RemoveAll(cl.dir) == nil {
			total -= cl.size
			os.Remove(cl.lock)
		}
		lock.release()
	}
}

func (c *Cache) lockPath(root, dir string) string {
	return filepath.Join(root, "locks", cacheName(dir)+".lock")
}

// dirSize is the size of the files under dir (symlinks not followed).
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// private makes dir (and its parents) exist and readable by its owner only,
// tightening a looser mode an earlier version left.
func private(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err == nil && fi.Mode().Perm() != 0o700 {
		err = os.Chmod(dir, 0o700)
	}
	return err
}
