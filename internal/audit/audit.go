// Package audit records every mutation stackview sends, one JSON object per
// line in $XDG_STATE_HOME/stackview/audit.jsonl, so a session can be pasted
// into a change ticket. Entries hold ids, names and notes, never credentials.
package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Result values of an entry.
const (
	ResultOK    = "ok"
	ResultError = "error"
	// ResultPending is written before a git push or branch move starts, so
	// that one whose program is killed meanwhile is still accounted for.
	ResultPending = "pending"
	// ResultUnknown is a mutation whose outcome nobody saw: a push that was
	// stopped, an answer lost. Ref (or Target) says what to check.
	ResultUnknown = "unknown"
)

// Entry is one mutation sent to a backend.
type Entry struct {
	Time        time.Time
	Backend     string // backend kind: sandbox, spacelift, tfc
	Endpoint    string // base URL or "in-process"
	Action      string // plan, deploy, confirm, discard, ...
	Environment string
	Target      string // stack, run or repository id
	Result      string // ResultOK, ResultError, ResultPending or ResultUnknown
	Detail      string // the run started, the note, or the error
	Ref         string // a push's ref ("refs/heads/qa"): what to check on the remote
	// PID is the process that pushed, on push lines: a pending line whose
	// process is gone without an outcome is reported at the next start.
	PID int
}

// MarshalJSON writes the documented keys, with the time in RFC 3339 UTC.
func (e Entry) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Time        string `json:"time"`
		Backend     string `json:"backend"`
		Endpoint    string `json:"endpoint"`
		Action      string `json:"action"`
		Environment string `json:"environment"`
		Target      string `json:"target"`
		Result      string `json:"result"`
		Detail      string `json:"detail"`
		Ref         string `json:"ref,omitempty"`
		PID         int    `json:"pid,omitempty"`
	}{e.Time.UTC().Format(time.RFC3339), e.Backend, e.Endpoint, e.Action, e.Environment, e.Target, e.Result, e.Detail, e.Ref, e.PID})
}

// Recorder takes entries; the UI calls it for every mutation it sends.
type Recorder interface {
	Record(Entry) error
}

// Discard drops every entry.
type Discard struct{}

// Record implements Recorder.
func (Discard) Record(Entry) error { return nil }

// DefaultPath is $XDG_STATE_HOME/stackview/audit.jsonl, falling back to
// ~/.local/state/stackview/audit.jsonl as the XDG spec says.
func DefaultPath() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("audit: no state directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "stackview", "audit.jsonl"), nil
}

// File appends entries to a JSON-lines file, creating it (and its
// directory) on the first entry. It is safe for concurrent use.
type File struct {
	mu   sync.Mutex
	path string
}

// NewFile records into path.
func NewFile(path string) *File { return &File{path: path} }

// Path is where entries go.
func (f *File) Path() string { return f.path }

// Record appends one line. The file is opened per entry so a log rotated or
// removed while stackview runs is recreated rather than written into a
// deleted inode.
func (f *File) Record(e Entry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit: encode: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	// Never through a symlink someone planted, and never readable by
	// others, whatever mode the file was given before.
	out, err := os.OpenFile(f.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if fi, err := out.Stat(); err != nil || !fi.Mode().IsRegular() {
		out.Close()
		return fmt.Errorf("audit: %s is not a regular file", f.path)
	} else if fi.Mode().Perm() != 0o600 {
		if err := out.Chmod(0o600); err != nil {
			out.Close()
			return fmt.Errorf("audit: %w", err)
		}
	}
	_, werr := out.Write(append(line, '\n'))
	return errors.Join(werr, out.Close())
}

// Memory keeps entries in memory, for tests.
type Memory struct {
	mu      sync.Mutex
	entries []Entry
}

// Record implements Recorder.
func (m *Memory) Record(e Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append(m.entries, e)
	return nil
}

// Entries returns a copy of what was recorded.
func (m *Memory) Entries() []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Entry(nil), m.entries...)
}
