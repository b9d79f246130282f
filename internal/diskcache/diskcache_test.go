package diskcache

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func TestRoundTripAndPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "stackview")
	s := Open(dir, "tfc", "https://app.terraform.io", "acme")
	if _, ok := s.Get("deps ws-1", new([]string)); ok {
		t.Fatal("a new store has an entry")
	}
	s.Put("deps ws-1", []string{"ws-0"}, t0)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	again := Open(dir, "tfc", "https://app.terraform.io", "acme")
	var deps []string
	at, ok := again.Get("deps ws-1", &deps)
	if !ok || !at.Equal(t0) || !slices.Equal(deps, []string{"ws-0"}) {
		t.Fatalf("read back %v at %v (%v)", deps, at, ok)
	}
	if other := Open(dir, "tfc", "https://app.terraform.io", "other-org"); other.Path() == s.Path() {
		t.Error("two organisations share a file")
	}
	if strings.Contains(s.Path(), "acme") {
		t.Errorf("the file name says the account: %s", s.Path())
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, s.Path(): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s is %o, want %o", path, got, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files, want the store alone (no temporary file left)", len(entries))
	}
}

func TestBadFilesAreIgnored(t *testing.T) {
	dir := t.TempDir()
	path := Open(dir, "tfc", "x").Path()
	for name, data := range map[string][]byte{
		"malformed":     []byte(`{"version":1,"entries":{"k":`),
		"other version": []byte(`{"version":99,"entries":{"k":{"v":1,"at":"2026-11-01T12:00:00Z"}}}`),
		"oversized":     append([]byte(`{"version":1,"entries":{},"pad":"`), make([]byte, MaxFile)...),
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var v int
		if _, ok := Open(dir, "tfc", "x").Get("k", &v); ok {
			t.Errorf("%s: an entry was read", name)
		}
	}
}

func TestANilStoreCachesNothing(t *testing.T) {
	var s *Store
	s.Put("k", 1, t0)
	if _, ok := s.Get("k", new(int)); ok {
		t.Error("a nil store returned an entry")
	}
	if err := s.Save(); err != nil {
		t.Error(err)
	}
}
