package vcs

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/diskcache"
)

// Progress receives one human-readable line per step of a long operation
// ("cloning payments.git…"), for a UI to show while it waits. It may be
// called from several goroutines when clones are used concurrently.
type Progress func(msg string)

// Recorder sees every git command a Clone runs that talks to a remote or
// writes (fetch, commit, push), before it runs: tests use it to prove what
// was sent, e.g. that nothing was ever force-pushed. Clones of one Cache
// used from several goroutines call it concurrently.
type Recorder func(dir string, args []string)

// Default bounds of the cache's operations.
const (
	DefaultNetworkTimeout = 2 * time.Minute
	DefaultLockWait       = 5 * time.Second
)

// Cache holds one clone per repository URL under Dir, or uses the user's own
// clone when Clones names one. A Clone is held by one stackview process at a
// time (a file lock), and every operation leaves it as it was unless the
// remote accepted a push: commits are made as objects only, so a failure
// never leaves a half-made commit or a moved branch behind.
type Cache struct {
	// Dir holds the cached clones; "" = DefaultCacheDir().
	Dir string
	// Clones maps a repository URL to a local clone of the user's to use
	// instead of a cached one (config [git.clones]); it must have a remote
	// with that URL and a clean working tree.
	Clones map[string]string
	// UserConfig lets git read the user's own configuration (credential
	// helpers, SSH command, URL rewrites): set it for real remotes.
	UserConfig bool
	// Identity is the author and committer environment of commits made
	// here; nil = the user's identity when configured, else stackview's.
	Identity []string
	// NetworkTimeout bounds clone, fetch and push; LockWait how long Open
	// waits for another stackview to release a clone. Zero = the defaults.
	NetworkTimeout time.Duration
	LockWait       time.Duration

	// RepoKey names the clone of a URL: the repository's stable identity,
	// so a repository reached by another URL (a temporary sandbox, https
	// then ssh) reuses its clone. nil = NormalizeURL.
	RepoKey func(url string) string
	// MaxAge and MaxSize bound the cache: clones unused for MaxAge, and
	// the least recently used beyond MaxSize bytes, are removed (checked
	// at most once a day). Zero = DefaultMaxAge, DefaultMaxSize.
	MaxAge  time.Duration
	MaxSize int64

	Progress Progress
	Record   Recorder
	// Pushes journals every push and lets a quitting program wait for
	// them; nil = untracked (each push still outlives its context).
	Pushes *Pushes
}

// DefaultCacheDir is $XDG_CACHE_HOME/stackview/git (~/.cache when unset).
func DefaultCacheDir() (string, error) {
	dir, err := diskcache.Dir()
	if err != nil {
		return "", fmt.Errorf("%w (or set [git] cache_dir)", err)
	}
	return filepath.Join(dir, "git"), nil
}

// DirtyError refuses a configured clone whose working tree has changes.
type DirtyError struct {
	Dir   string
	Files []string // as git status prints them, e.g. "M stacks/api/main.tf"
}

func (e *DirtyError) Error() string {
	return fmt.Sprintf("the clone %s has uncommitted changes; stackview only uses a clean working tree (commit or stash them): %s",
		e.Dir, strings.Join(e.Files, ", "))
}

// Clone is one locked clone: cached (bare) or the user's. Close releases it.
type Clone struct {
	URL    string
	Dir    string
	Remote string // the remote that points at URL
	User   bool   // a configured clone of the user's, not a cached one

	cache *Cache
	git   Git
	net   Git // git with the network timeout
	lock  *fileLock
}

// Open locks the clone of url, creating (cloning) it when missing and
// fetching it otherwise. The caller must Close it.
func (c *Cache) Open(ctx context.Context, url string) (*Clone, error) {
	root := c.Dir
	if root == "" {
		var err error
		if root, err = DefaultCacheDir(); err != nil {
			return nil, err
		}
	}
	for _, d := range []string{root, filepath.Join(root, "locks")} {
		if err := private(d); err != nil {
			return nil, fmt.Errorf("git cache %s: %w", root, err)
		}
	}
	key := NormalizeURL(url)
	if c.RepoKey != nil {
		key = c.RepoKey(url)
	}
	cl := &Clone{URL: url, cache: c, Remote: "origin"}
	cl.Dir = filepath.Join(root, cacheName(key))
	c.prune(ctx, root, cl.Dir)
	for u, dir := range c.Clones {
		if SameRepo(u, url) {
			cl.Dir, cl.User = dir, true
		}
	}
	cl.git = Git{Dir: cl.Dir, UserConfig: c.UserConfig || cl.User, Env: c.Identity}
	cl.net = cl.git
	cl.net.Timeout = c.NetworkTimeout
	if cl.net.Timeout <= 0 {
		cl.net.Timeout = DefaultNetworkTimeout
	}
	lock, err := acquireLock(ctx, c.lockPath(root, cl.Dir), cl.Dir, c.lockWait())
	if err != nil {
		return nil, err
	}
	cl.lock = lock
	if err := cl.prepare(ctx); err != nil {
		cl.Close()
		return nil, err
	}
	if cl.git.Env == nil {
		cl.git.Env = commitIdentity(ctx, cl.git)
	}
	return cl, nil
}

func (c *Cache) lockWait() time.Duration {
	if c.LockWait > 0 {
		return c.LockWait
	}
	return DefaultLockWait
}

func (c *Cache) progress(format string, args ...any) {
	if c.Progress != nil {
		c.Progress(fmt.Sprintf(format, args...))
	}
}

// Close releases the clone's lock.
func (cl *Clone) Close() error {
	if cl.lock == nil {
		return nil
	}
	err := cl.lock.release()
	cl.lock = nil
	return err
}

// Name is the repository's short name for messages, e.g. "payments.git".
func (cl *Clone) Name() string { return path.Base(strings.TrimSuffix(cl.URL, "/")) }

// prepare makes the clone usable: the user's is checked and its remote
// found; a cached one is created when missing. Both are then fetched.
func (cl *Clone) prepare(ctx context.Context) error {
	if cl.User {
		if err := cl.checkUserClone(ctx); err != nil {
			return err
		}
	} else if _, err := os.Stat(filepath.Join(cl.Dir, "HEAD")); errors.Is(err, os.ErrNotExist) {
		cl.cache.progress("cloning %s…", cl.Name())
		if err := cl.create(ctx); err != nil {
			os.RemoveAll(cl.Dir)
			return fmt.Errorf("clone %s: %w", cl.Name(), err)
		}
		cl.cache.progress("cloned %s", cl.Name())
		return nil
	} else if err := cl.follow(ctx); err != nil {
		return err
	}
	return cl.Fetch(ctx)
}

// follow points a cached clone at its URL when the repository was last
// reached by another one (see Cache.RepoKey), and keeps it private.
func (cl *Clone) follow(ctx context.Context) error {
	if err := private(cl.Dir); err != nil {
		return fmt.Errorf("git cache %s: %w", cl.Dir, err)
	}
	was, err := cl.git.Run(ctx, "remote", "get-url", cl.Remote)
	if err != nil || strings.TrimSpace(was) == cl.URL {
		return err
	}
	_, err = cl.run(ctx, "remote", "set-url", cl.Remote, cl.URL)
	return err
}

// create makes a bare clone whose remote-tracking refs mirror the remote's
// branches, so cached and user clones are read the same way.
func (cl *Clone) create(ctx context.Context) error {
	if err := private(cl.Dir); err != nil {
		return err
	}
	for _, args := range [][]string{{"init", "--quiet", "--bare", "--template="}, {"remote", "add", "origin", cl.URL}} {
		if _, err := cl.run(ctx, args...); err != nil {
			return err
		}
	}
	return cl.fetch(ctx, "cloning")
}

// checkUserClone refuses a configured clone that is not a git work tree,
// has no remote for the URL, or has uncommitted changes.
func (cl *Clone) checkUserClone(ctx context.Context) error {
	remotes, err := cl.git.Run(ctx, "remote", "-v")
	if err != nil {
		return fmt.Errorf("configured clone %s for %s: %w", cl.Dir, cl.URL, err)
	}
	cl.Remote = ""
	for _, line := range strings.Split(remotes, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && SameRepo(f[1], cl.URL) {
			cl.Remote = f[0]
			break
		}
	}
	if cl.Remote == "" {
		return fmt.Errorf("configured clone %s has no remote for %s (git remote -v lists: %s)", cl.Dir, cl.URL, strings.TrimSpace(redact(remotes)))
	}
	status, err := cl.git.Run(ctx, "status", "--porcelain=v1", "--untracked-files=normal")
	if err != nil {
		return fmt.Errorf("configured clone %s: %w", cl.Dir, err)
	}
	var files []string
	for _, line := range strings.Split(status, "\n") {
		if strings.TrimSpace(line) != "" {
			files = append(files, strings.TrimSpace(line))
		}
	}
	if len(files) > 0 {
		return &DirtyError{Dir: cl.Dir, Files: files}
	}
	return nil
}

// Fetch brings the clone's view of the remote's branches and tags up to date.
func (cl *Clone) Fetch(ctx context.Context) error {
	cl.cache.progress("fetching %s…", cl.Name())
	if err := cl.fetch(ctx, "fetching"); err != nil {
		return fmt.Errorf("fetch %s: %w", cl.Name(), err)
	}
	return nil
}

// fetch runs git fetch with its progress reported as "<doing> <name>: …".
func (cl *Clone) fetch(ctx context.Context, doing string) error {
	g := cl.net
	args := []string{"fetch", "--quiet", "--prune", "--tags", cl.Remote}
	if !cl.User {
		// A cached clone mirrors its remote, tags included, even when a
		// tag was moved there (a sandbox made again).
		args = append(args[:len(args)-1], "--force", cl.Remote)
	}
	if cl.cache.Progress != nil {
		g.Stderr = &progressWriter{report: cl.cache.Progress, prefix: doing + " " + cl.Name()}
		args[1] = "--progress"
	}
	_, err := cl.runWith(ctx, g, nil, args...)
	return err
}

// run runs a git command that may write or talk to the remote: it is
// checked against force pushes and shown to the Recorder first.
func (cl *Clone) run(ctx context.Context, args ...string) (string, error) {
	return cl.runWith(ctx, cl.git, nil, args...)
}

func (cl *Clone) runWith(ctx context.Context, g Git, stdin []byte, args ...string) (string, error) {
	if err := cl.vet(args); err != nil {
		return "", err
	}
	out, err := g.RunInput(ctx, bytes.NewReader(stdin), args...)
	return string(out), err
}

// vet refuses a force push and shows the command to the Recorder.
func (cl *Clone) vet(args []string) error {
	if err := refuseForce(args); err != nil {
		return err
	}
	if cl.cache.Record != nil {
		cl.cache.Record(cl.Dir, append([]string(nil), args...))
	}
	return nil
}

// cacheName is a directory name for a URL or path: readable, and unique
// through a short hash.
func cacheName(s string) string {
	sum := sha1.Sum([]byte(s))
	base := strings.TrimSuffix(path.Base(strings.TrimSuffix(filepath.ToSlash(s), "/")), ".git")
	clean := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, base)
	return clean + "-" + hex.EncodeToString(sum[:])[:10] + ".git"
}
