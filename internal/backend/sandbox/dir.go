package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The files that make a directory a sandbox's.
const (
	// markerFile holds what the sandbox was created with; a directory
	// with one is resumed.
	markerFile = "sandbox.json"
	// lockFile is held (flock) by the one process using the directory.
	lockFile = ".stackview.lock"
	// creatingFile exists while a new sandbox is being written: one left
	// behind by a killed process marks a half-made directory.
	creatingFile = "sandbox.creating"
	// tempPrefix names temporary sandboxes in the system's temp directory.
	tempPrefix = "stackview-sandbox-"
)

// dirState is what a directory holds.
type dirState int

const (
	dirEmpty       dirState = iota
	dirSandbox              // a sandbox to resume
	dirInterrupted          // a sandbox whose creation was interrupted (creatingFile)
	dirForeign              // anything else: never written into
)

// classify looks at dir's entries (the lock file aside).
func classify(dir string) (dirState, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	names := map[string]bool{}
	for _, en := range entries {
		if en.Name() != lockFile {
			names[en.Name()] = true
		}
	}
	switch {
	case len(names) == 0:
		return dirEmpty, nil
	case names[creatingFile]:
		return dirInterrupted, nil
	case names[markerFile]:
		return dirSandbox, nil
	}
	return dirForeign, nil
}

// dirLock is an exclusive flock on a sandbox directory's lock file. The
// kernel drops it when the process dies.
type dirLock struct{ f *os.File }

// lockDir takes dir's lock, or says which process holds it.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sandbox dir %s: lock: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := "another stackview"
			if data, err := os.ReadFile(path); err == nil {
				if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
					holder = fmt.Sprintf("another stackview (pid %d)", pid)
				}
			}
			return nil, fmt.Errorf("sandbox dir %s is in use by %s: stop it, or use another --sandbox-dir", dir, holder)
		}
		return nil, fmt.Errorf("sandbox dir %s: lock: %w", dir, err)
	}
	// Best effort: the pid only makes the "in use" message more helpful.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

func (l *dirLock) release() {
	if l == nil {
		return
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}

// openDir prepares dir for New: a new temporary directory when dir is "",
// else dir created, used when empty, resumed when it holds a sandbox,
// started over when its creation was interrupted, refused otherwise. The
// directory is locked on return; cleanup removes what a failed New made.
func openDir(dir string) (abs string, lock *dirLock, resume bool, cleanup func(), err error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", tempPrefix)
		if err != nil {
			return "", nil, false, nil, fmt.Errorf("sandbox: create temp dir: %w", err)
		}
		if lock, err = lockDir(tmp); err != nil {
			os.RemoveAll(tmp)
			return "", nil, false, nil, err
		}
		return tmp, lock, false, func() { os.RemoveAll(tmp) }, nil
	}
	if abs, err = filepath.Abs(dir); err != nil {
		return "", nil, false, nil, fmt.Errorf("sandbox dir %s: %w", dir, err)
	}
	state, err := classify(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return "", nil, false, nil, fmt.Errorf("sandbox dir %s cannot be created: %w", abs, err)
		}
		if lock, err = lockDir(abs); err != nil {
			return "", nil, false, nil, err
		}
		return abs, lock, false, func() { os.RemoveAll(abs) }, nil
	case err != nil:
		return "", nil, false, nil, fmt.Errorf("sandbox dir %s cannot be read: %w", abs, err)
	case state == dirForeign:
		hint := ""
		if fi, err := os.Stat(filepath.Join(abs, "repos")); err == nil && fi.IsDir() {
			hint = " It looks like a sandbox whose creation was interrupted: remove the directory to start over."
		}
		return "", nil, false, nil, fmt.Errorf("sandbox dir %s is not empty and holds no sandbox (no %s): refusing to write there.%s", abs, markerFile, hint)
	}
	if lock, err = lockDir(abs); err != nil {
		return "", nil, false, nil, err
	}
	// Another process may have changed it before the lock was ours.
	if state, err = classify(abs); err != nil {
		lock.release()
		return "", nil, false, nil, fmt.Errorf("sandbox dir %s cannot be read: %w", abs, err)
	}
	switch state {
	case dirSandbox:
		return abs, lock, true, func() {}, nil
	case dirForeign:
		lock.release()
		return "", nil, false, nil, fmt.Errorf("sandbox dir %s changed while it was being opened: try again", abs)
	}
	// Empty, or half-made by a process that died (the lock was free):
	// start over.
	emptyDir(abs)
	return abs, lock, false, func() { emptyDir(abs) }, nil
}

// emptyDir removes everything in dir but its lock file.
func emptyDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, en := range entries {
		if en.Name() != lockFile {
			os.RemoveAll(filepath.Join(dir, en.Name()))
		}
	}
}

// leftoverAge is how old a temporary sandbox without a lock file must be
// before it is taken for a leftover: younger, it may be one just made.
const leftoverAge = time.Minute

// removeLeftovers removes the temporary sandboxes of this user's
// stackviews that were killed (kill -9, a crash) before they could: those
// whose lock is free. It returns how many it removed.
func removeLeftovers() int {
	tmp := os.TempDir()
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return 0
	}
	removed := 0
	for _, en := range entries {
		if !en.IsDir() || !strings.HasPrefix(en.Name(), tempPrefix) {
			continue // a symlink is not a directory entry here: never followed
		}
		dir := filepath.Join(tmp, en.Name())
		fi, err := os.Lstat(dir)
		if err != nil || !ownedByMe(fi) {
			continue
		}
		if _, err := os.Lstat(filepath.Join(dir, lockFile)); err != nil {
			if time.Since(fi.ModTime()) > leftoverAge {
				os.RemoveAll(dir)
				removed++
			}
			continue
		}
		lock, err := lockDir(dir)
		if err != nil {
			continue // in use
		}
		os.RemoveAll(dir)
		lock.release()
		removed++
	}
	return removed
}

func ownedByMe(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
