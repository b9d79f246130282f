package audit

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestDefaultPath(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	if got, _ := DefaultPath(); got != filepath.Join(state, "stackview", "audit.jsonl") {
		t.Fatalf("with XDG_STATE_HOME: %s", got)
	}
	home := t.TempDir()
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", home)
	if got, _ := DefaultPath(); got != filepath.Join(home, ".local", "state", "stackview", "audit.jsonl") {
		t.Fatalf("fallback: %s", got)
	}
}

func TestFileAppendsJSONLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "audit.jsonl")
	f := NewFile(path)
	at := time.Date(2026, 11, 25, 13, 4, 5, 0, time.FixedZone("CET", 3600))
	for _, res := range []string{ResultOK, ResultError} {
		err := f.Record(Entry{Time: at, Backend: "sandbox", Endpoint: "in-process", Action: "confirm",
			Environment: "qa", Target: "qa-network", Result: res, Detail: "run 01"})
		if err != nil {
			t.Fatal(err)
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", info.Mode().Perm())
	}
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	sc := bufio.NewScanner(in)
	var lines []map[string]string
	for sc.Scan() {
		var m map[string]string
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	want := map[string]string{"time": "2026-11-25T12:04:05Z", "backend": "sandbox", "endpoint": "in-process",
		"action": "confirm", "environment": "qa", "target": "qa-network", "result": "ok", "detail": "run 01"}
	if !reflect.DeepEqual(lines[0], want) {
		t.Fatalf("entry\n got %v\nwant %v", lines[0], want)
	}
	if lines[1]["result"] != "error" {
		t.Fatalf("second entry %v", lines[1])
	}
}

// TestFileNeverFollowsASymlinkAndStaysPrivate: the audit log is not
// written through a planted symlink, and an existing log's loose mode is
// tightened.
func TestFileNeverFollowsASymlinkAndStaysPrivate(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	os.WriteFile(target, nil, 0o644)
	link := filepath.Join(dir, "audit.jsonl")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := NewFile(link).Record(Entry{Action: "confirm"}); err == nil {
		t.Fatal("recorded through a symlink")
	}
	if data, _ := os.ReadFile(target); len(data) != 0 {
		t.Fatal("the symlink's target was written")
	}
	loose := filepath.Join(dir, "loose.jsonl")
	os.WriteFile(loose, nil, 0o644)
	if err := NewFile(loose).Record(Entry{Action: "confirm"}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(loose); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
}
