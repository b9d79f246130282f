package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

// maxScan bounds how much of the log's end is read for unfinished pushes:
// a push is looked for at the next start, not months later.
const maxScan = 4 << 20

// SettleUnfinished finds the git pushes whose pending line has no outcome
// and whose process is gone (killed, crashed, or its push stopped before it
// could write one), records an unknown outcome for each, so each is
// reported once, and returns them, oldest first: their Ref (of Target) is
// what to check on the remote. A pending line of a process still running
// (another stackview pushing now) is left alone.
func (f *File) SettleUnfinished(now time.Time) ([]Entry, error) {
	f.mu.Lock()
	open, err := f.unfinished()
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	for _, e := range open {
		outcome := e
		outcome.Time, outcome.Result = now, ResultUnknown
		outcome.Detail = fmt.Sprintf("%s; its outcome was never recorded: the stackview that pushed (pid %d) ended first; check %s on the remote", e.Detail, e.PID, e.Ref)
		if e.PID == 0 {
			outcome.Detail = fmt.Sprintf("%s; its outcome was never recorded; check %s on the remote", e.Detail, e.Ref)
		}
		if err := f.Record(outcome); err != nil {
			return nil, err
		}
	}
	return open, nil
}

// unfinished reads the end of the log for pending push lines without an
// outcome of the same process, target and ref after them.
func (f *File) unfinished() ([]Entry, error) {
	in, err := os.OpenFile(f.path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("audit: %s is not a regular file", f.path)
	}
	if fi.Size() > maxScan {
		if _, err := in.Seek(fi.Size()-maxScan, io.SeekStart); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
	}
	type key struct {
		pid         int
		target, ref string
	}
	var pending []Entry
	open := map[key]int{} // pending lines of a key not yet answered
	sc := bufio.NewScanner(io.LimitReader(in, maxScan))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e Entry
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Ref == "" {
			continue // a line cut by the seek, or not a push
		}
		k := key{e.PID, e.Target, e.Ref}
		switch e.Result {
		case ResultPending:
			pending = append(pending, e)
			open[k]++
		case ResultOK, ResultError, ResultUnknown:
			if open[k] > 0 {
				open[k]--
				// the oldest pending line of the key is answered
				for i, p := range pending {
					if (key{p.PID, p.Target, p.Ref}) == k {
						pending = append(pending[:i], pending[i+1:]...)
						break
					}
				}
			}
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("audit: read %s: %w", f.path, err)
	}
	var out []Entry
	for _, e := range pending {
		if e.PID == 0 || !running(e.PID) {
			out = append(out, e)
		}
	}
	return out, nil
}

// running reports whether a process with this id exists (it may be
// another program that took a dead stackview's id: then the push waits for
// the next start to be reported).
func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// UnfinishedWarning is one line saying which pushes to check, for stderr
// or the status line; "" when there are none.
func UnfinishedWarning(pushes []Entry) string {
	if len(pushes) == 0 {
		return ""
	}
	refs := make([]string, len(pushes))
	for i, p := range pushes {
		refs[i] = fmt.Sprintf("%s of %s (%s, %s)", strings.TrimPrefix(p.Ref, "refs/heads/"), p.Target, p.Action, p.Time.UTC().Format("2006-01-02 15:04 UTC"))
	}
	what := "a git push of an earlier stackview has"
	if len(pushes) > 1 {
		what = fmt.Sprintf("%d git pushes of an earlier stackview have", len(pushes))
	}
	return fmt.Sprintf("%s no outcome in the audit log: check %s on the remote (now recorded as unknown)", what, strings.Join(refs, ", "))
}
