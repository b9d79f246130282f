// Package diskcache keeps details that change slowly and cost a request
// each to read (a TFC workspace's run triggers, an assessment's findings, a
// repository's default branch) in one file per account under the user's
// cache directory, so the next start shows them at once while they are
// read again in the background. Each entry carries when it was read; the
// caller decides how old is too old.
//
// The directory is made 0700 and the file 0600, written whole by rename so
// a reader never sees half a file, and read with a size bound (a file
// grown past it is ignored, never parsed). Nothing secret goes in: keys and
// values are ids and names the API returned.
package diskcache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/bounds"
)

// MaxFile is the largest cache file read: far more than the details of
// tens of thousands of stacks.
const MaxFile = 64 << 20

// formatVersion changes when the file's shape does; a file of another
// version is ignored.
const formatVersion = 1

// Dir is $XDG_CACHE_HOME/stackview (~/.cache/stackview when unset).
func Dir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no cache dir: set XDG_CACHE_HOME: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "stackview"), nil
}

// Store is one account's cached details. It is safe for concurrent use.
// A nil *Store caches nothing, so a caller without a cache directory uses
// it all the same.
type Store struct {
	path    string
	mu      sync.Mutex
	entries map[string]entry
	dirty   bool
	// saving orders saves: two taken at once (a listing's and a detail
	// read's) could otherwise rename their files in the other order and
	// leave the older snapshot on disk.
	saving sync.Mutex
}

type entry struct {
	Value json.RawMessage `json:"v"`
	At    time.Time       `json:"at"`
}

type file struct {
	Version int              `json:"version"`
	Entries map[string]entry `json:"entries"`
}

// Open loads the store of one account (kind, say "tfc", and what tells
// accounts and users apart, such as the address, the organisation and the
// credential: they only name the file, through a hash) in dir. A
// missing, unreadable, oversized or malformed file gives an empty store:
// the cache only saves requests, it is never needed.
func Open(dir, kind string, account ...string) *Store {
	h := sha256.New()
	for _, a := range account {
		h.Write([]byte(a))
		h.Write([]byte{0})
	}
	s := &Store{path: filepath.Join(dir, kind+"-"+hex.EncodeToString(h.Sum(nil))[:16]+".json"), entries: map[string]entry{}}
	data, err := bounds.ReadFile(s.path, MaxFile)
	if err != nil {
		return s
	}
	var f file
	if json.Unmarshal(data, &f) == nil && f.Version == formatVersion && f.Entries != nil {
		s.entries = f.Entries
	}
	return s
}

// Path is the store's file.
func (s *Store) Path() string {
	if s == nil {
		return ""
	}
	return s.path
}

// Get decodes the entry under key into v and says when it was read; ok is
// false when there is none (or it no longer decodes).
func (s *Store) Get(key string, v any) (at time.Time, ok bool) {
	if s == nil {
		return time.Time{}, false
	}
	s.mu.Lock()
	e, found := s.entries[key]
	s.mu.Unlock()
	if !found || json.Unmarshal(e.Value, v) != nil {
		return time.Time{}, false
	}
	return e.At, true
}

// Put stores v under key, read at time at. Save writes it out.
func (s *Store) Put(key string, v any, at time.Time) {
	if s == nil {
		return
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries[key] = entry{Value: raw, At: at.UTC()}
	s.dirty = true
}

// Delete drops the entry under key.
func (s *Store) Delete(key string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.entries[key]; ok {
		delete(s.entries, key)
		s.dirty = true
	}
}

// Save writes the store when something changed since it was last saved:
// the directory 0700, the file 0600, by rename.
func (s *Store) Save() error {
	if s == nil {
		return nil
	}
	s.saving.Lock()
	defer s.saving.Unlock()
	s.mu.Lock()
	if !s.dirty {
		s.mu.Unlock()
		return nil
	}
	data, err := json.Marshal(file{Version: formatVersion, Entries: s.entries})
	s.dirty = false
	s.mu.Unlock()
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(s.path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.path)
}
