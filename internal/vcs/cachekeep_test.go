package vcs

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNormalizeURL(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"https://github.com/acme/payments.git":        "github.com/acme/payments",
		"https://user:tok@GitHub.com/acme/payments/":  "github.com/acme/payments",
		"ssh://git@github.com/acme/payments":          "github.com/acme/payments",
		"git@github.com:acme/payments.git":            "github.com/acme/payments",
		"github.com:acme/payments":                    "github.com/acme/payments",
		"https://git.example:8443/a/b.git":            "git.example:8443/a/b",
		"file:///tmp/stackview-sandbox-1/repos/x.git": "/tmp/stackview-sandbox-1/repos/x",
		"/srv/git/x.git/":                             "/srv/git/x",
		"rel/x.git":                                   filepath.Join(cwd, "rel/x"),
	} {
		if got := NormalizeURL(in); got != want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", in, got, want)
		}
	}
	if !SameRepo("git@github.com:acme/payments.git", "https://github.com/acme/payments") || SameRepo("file:///a/x.git", "file:///b/x.git") {
		t.Error("SameRepo")
	}
}

func perm(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestCacheIsPrivate: the cache, its clones and its locks are readable by
// their owner only, also when an earlier version made them 0755 and 0644.
func TestCacheIsPrivate(t *testing.T) {
	t.Parallel()
	r := newRemote(t)
	root := filepath.Join(t.TempDir(), "git")
	os.MkdirAll(filepath.Join(root, "locks"), 0o755)
	os.Chmod(root, 0o755)
	os.Chmod(filepath.Join(root, "locks"), 0o755)
	c := &Cache{Dir: root}
	cl, err := c.Open(context.Background(), r.URL)
	if err != nil {
		t.Fatal(err)
	}
	lock := c.lockPath(root, cl.Dir)
	cl.Close()
	os.Chmod(lock, 0o644)
	os.Chmod(cl.Dir, 0o755)
	cl, err = c.Open(context.Background(), r.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for path, want := range map[string]os.FileMode{root: 0o700, filepath.Join(root, "locks"): 0o700, cl.Dir: 0o700, lock: 0o600} {
		if got := perm(t, path); got != want {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
	}
}

// TestCacheKeyedByIdentity: a repository reached by a new URL (a sandbox
// made again in another temporary directory) reuses its clone, which
// follows the new URL and mirrors it, moved tags included.
func TestCacheKeyedByIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	first := newRemote(t)
	(Git{Dir: first.bare}).Run(ctx, "tag", "v1.0.0", "main")
	second := newRemote(t) // the same repository, made again: other commits
	sha := second.commit("dev", "Made again", map[string]string{"x.tf": "\n"})
	(Git{Dir: second.bare}).Run(ctx, "tag", "v1.0.0", "dev")
	c := &Cache{Dir: t.TempDir(), RepoKey: func(string) string { return "sandbox/payments" }}
	var dirs []string
	for _, r := range []*remote{first, second} {
		cl, err := c.Open(ctx, r.URL)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, cl.Dir)
		if got, _ := cl.Head(ctx, "dev"); got != r.head("dev") {
			t.Errorf("dev of %s = %s, want %s", r.URL, got, r.head("dev"))
		}
		cl.Close()
	}
	if dirs[0] != dirs[1] {
		t.Errorf("two clones: %v", dirs)
	}
	if got, _ := (Git{Dir: dirs[1]}).RevParse(ctx, "refs/tags/v1.0.0"); got != sha {
		t.Errorf("the moved tag is at %s, want %s", got, sha)
	}
	entries, _ := os.ReadDir(c.Dir)
	n := 0
	for _, en := range entries {
		if strings.HasSuffix(en.Name(), ".git") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d clones in the cache", n)
	}
}

// TestCachePruned: clones unused for longer than MaxAge go, then the
// least recently used while the cache is over MaxSize; one in use stays,
// and pruning runs at most once a day.
func TestCachePruned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	c := &Cache{Dir: root, MaxAge: 10 * 24 * time.Hour, MaxSize: 3000}
	fake := func(name string, age time.Duration, size int) string { return fakeClone(t, c, root, name, age, size) }
	stale := fake("stale", 20*24*time.Hour, 10)
	busy := fake("busy", 25*24*time.Hour, 10)
	oldest := fake("oldest", 5*24*time.Hour, 2000)
	newer := fake("newer", 4*24*time.Hour, 2000)
	newest := fake("newest", time.Hour, 500)
	held, err := acquireLock(ctx, c.lockPath(root, busy), busy, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer held.release()
	r := newRemote(t)
	cl, err := c.Open(ctx, r.URL)
	if err != nil {
		t.Fatal(err)
	}
	cl.Close()
	for dir, want := range map[string]bool{stale: false, busy: true, oldest: false, newer: true, newest: true, cl.Dir: true} {
		if _, err := os.Stat(dir); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(dir), err == nil, want)
		}
	}
	// Within a day, nothing is pruned again.
	again := fake("again", 20*24*time.Hour, 10)
	cl, err = c.Open(ctx, r.URL)
	if err != nil {
		t.Fatal(err)
	}
	cl.Close()
	if _, err := os.Stat(again); err != nil {
		t.Error("pruned twice in a day")
	}
}

// fakeClone makes a cached clone of size bytes last used age ago (its lock
// file's time; the directory itself is new).
func fakeClone(t *testing.T, c *Cache, root, name string, age time.Duration, size int) string {
	t.Helper()
	dir := filepath.Join(root, name+".git")
	lock := c.lockPath(root, dir)
	at := time.Now().Add(-age)
	if err := errors.Join(os.MkdirAll(dir, 0o700), os.WriteFile(filepath.Join(dir, "pack"), make([]byte, size), 0o600),
		os.MkdirAll(filepath.Join(root, "locks"), 0o700), os.WriteFile(lock, nil, 0o600), os.Chtimes(lock, at, at)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCachePrunedByAgeAndSizeAlone: each limit alone decides (here the
// cache is far under its size, or every clone is recent), the defaults
// stand for limits left at zero, and a cache of exactly MaxSize is not
// over it.
func TestCachePrunedByAgeAndSizeAlone(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	// clone is a cached clone last used age ago, and whether pruning keeps it.
	type clone struct {
		age  time.Duration
		size int
		kept bool
	}
	for _, tc := range []struct {
		name   string
		cache  Cache
		clones map[string]clone
	}{
		{"by age", Cache{MaxAge: 10 * day, MaxSize: 1 << 20}, map[string]clone{"stale": {20 * day, 10, false}, "fresh": {day, 10, true}}},
		{"by the default age", Cache{}, map[string]clone{"old": {40 * day, 10, false}, "month": {20 * day, 10, true}}},
		{"at exactly the size", Cache{MaxAge: 10 * day, MaxSize: 300}, map[string]clone{"a": {2 * day, 100, true}, "b": {day, 200, true}}},
		{"over the size", Cache{MaxAge: 10 * day, MaxSize: 299}, map[string]clone{"a": {2 * day, 100, false}, "b": {day, 200, true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			c := tc.cache
			c.Dir = root
			dirs := map[string]string{}
			for name, cl := range tc.clones {
				dirs[name] = fakeClone(t, &c, root, name, cl.age, cl.size)
			}
			c.prune(context.Background(), root, "")
			for name, cl := range tc.clones {
				if _, err := os.Stat(dirs[name]); (err == nil) != cl.kept {
					t.Errorf("%s (%s old, %d bytes): kept %v, want %v", name, cl.age, cl.size, err == nil, cl.kept)
				}
			}
		})
	}
}

// TestCacheNames: a clone's directory keeps the URL's last element where
// it is safe (letters, digits, - _ .) and a hash of the whole URL.
func TestCacheNames(t *testing.T) {
	const url = "https://git.example/org/aAzZ09-_.`{@[:~.git"
	sum := sha1.Sum([]byte(url))
	if got, want := cacheName(url), "aAzZ09-_.______-"+hex.EncodeToString(sum[:])[:10]+".git"; got != want {
		t.Errorf("cacheName = %q, want %q", got, want)
	}
}

// TestCacheDefaults: limits left at zero take the defaults; set, they are
// used.
func TestCacheDefaults(t *testing.T) {
	r := newRemote(t)
	for _, tc := range []struct{ set, want time.Duration }{{0, DefaultNetworkTimeout}, {5 * time.Second, 5 * time.Second}} {
		cl, err := (&Cache{Dir: t.TempDir(), NetworkTimeout: tc.set}).Open(context.Background(), r.URL)
		if err != nil {
			t.Fatal(err)
		}
		if cl.net.Timeout != tc.want {
			t.Errorf("NetworkTimeout %s: network commands time out after %s, want %s", tc.set, cl.net.Timeout, tc.want)
		}
		cl.Close()
	}
	if w := (&Cache{}).lockWait(); w != DefaultLockWait {
		t.Errorf("lock wait %s, want %s", w, DefaultLockWait)
	}
	if w := (&Cache{LockWait: time.Minute}).lockWait(); w != time.Minute {
		t.Errorf("lock wait %s, want 1m", w)
	}
}
