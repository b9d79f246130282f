package vcs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrInUse is returned when another stackview holds a clone past the wait.
var ErrInUse = errors.New("in use by another stackview")

// fileLock is an exclusive flock on a lock file. The kernel drops it when
// the process dies, so a crashed stackview never leaves a clone locked.
type fileLock struct{ f *os.File }

// lockPoll is how often a waiting Open retries the lock.
const lockPoll = 50 * time.Millisecond

// acquireLock takes the lock at path for the clone at dir, waiting at most
// wait (or until ctx ends) while another process holds it.
func acquireLock(ctx context.Context, path, dir string, wait time.Duration) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm() != 0o600 {
		f.Chmod(0o600) // best effort: an earlier version made it 0644
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(lockPoll)
	defer tick.Stop()
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		select {
		case <-tick.C:
			continue
		case <-deadline.C:
		case <-ctx.Done():
		}
		holder := ""
		if data, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
				holder = fmt.Sprintf(" (pid %d)", pid)
			}
		}
		f.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for the clone %s: %w", dir, ctx.Err())
		}
		return nil, fmt.Errorf("the clone %s is %w%s; waited %s: try again when it is done", dir, ErrInUse, holder, wait)
	}
	// Best effort: the pid only makes the "in use" message more helpful.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) release() error {
	l.f.Truncate(0)
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}
