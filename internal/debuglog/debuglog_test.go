package debuglog

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRedacts(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) })
	l.Secret("key-secret-123")
	l.Printf("exchanging key-secret-123 for a token")
	l.Printf("header Authorization: Bearer abc.def.ghi")
	l.Printf("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig")
	l.Printf("tfe token abcdefgh.atlasv1.zyxwvu")
	l.Printf("clone https://me:hunter2@git.example/x.git")
	got := buf.String()
	for _, s := range []string{"key-secret-123", "abc.def.ghi", "eyJhbGci", "atlasv1", "hunter2"} {
		if strings.Contains(got, s) {
			t.Errorf("%q not redacted:\n%s", s, got)
		}
	}
	if !strings.Contains(got, "00:00:00.000 exchanging [REDACTED] for a token") || !strings.Contains(got, "https://me:[REDACTED]@git.example") {
		t.Errorf("log:\n%s", got)
	}
}

func TestTransportLogsRequestsNotCredentials(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer ts.Close()
	path := filepath.Join(t.TempDir(), "debug.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: l.Transport(nil)}
	req, _ := http.NewRequest("POST", ts.URL+"/graphql?token=qs-secret", strings.NewReader(`{"secret":"body-secret"}`))
	req.Header.Set("Authorization", "Bearer header-secret")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	got := string(raw)
	if !strings.Contains(got, "http POST "+strings.TrimPrefix(ts.URL, "http://")+"/graphql -> 429 in ") || !strings.Contains(got, "Retry-After=2") {
		t.Errorf("log:\n%s", got)
	}
	for _, s := range []string{"qs-secret", "body-secret", "header-secret"} {
		if strings.Contains(got, s) {
			t.Errorf("%s leaked:\n%s", s, got)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
}

func TestNilLogIsSilent(t *testing.T) {
	var l *Log
	l.Printf("x")
	l.Secret("y")
	if l.Transport(http.DefaultTransport) != http.DefaultTransport || l.Close() != nil {
		t.Fatal("a nil log did something")
	}
}

// TestOpenRefusesSymlinksAndTightensMode: --debug FILE never follows a
// symlink planted at FILE, never blocks on a FIFO, and leaves an existing
// file readable by its owner only.
func TestOpenRefusesSymlinksAndTightensMode(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "victim")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "debug.log")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Open on a symlink: %v", err)
	}
	if data, _ := os.ReadFile(target); string(data) != "keep" {
		t.Fatal("the symlink's target was written")
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(fifo); err == nil { // ENXIO, or "not a regular file" when a reader waits
		t.Fatalf("Open on a FIFO: %v", err)
	}
	existing := filepath.Join(dir, "old.log")
	if err := os.WriteFile(existing, []byte("old contents"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Open(existing)
	if err != nil {
		t.Fatal(err)
	}
	l.Printf("new")
	l.Close()
	fi, _ := os.Stat(existing)
	data, _ := os.ReadFile(existing)
	if fi.Mode().Perm() != 0o600 || strings.Contains(string(data), "old contents") {
		t.Errorf("mode %v, contents %q", fi.Mode().Perm(), data)
	}
}

// TestShortValuesAreNotSecrets: a value of four characters or more is
// redacted once registered; a shorter one (an empty variable, "1") is not
// registered, or every such run of letters in the log would vanish.
func TestShortValuesAreNotSecrets(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, nil)
	l.Secret("wxyz")
	l.Secret("abc")
	l.Printf("wxyz abc")
	if got := buf.String(); !strings.HasSuffix(got, " "+Redacted+" abc\n") {
		t.Errorf("log: %q", got)
	}
}

// TestCloseOfALogWithoutAFile: a log over a writer has nothing to close.
func TestCloseOfALogWithoutAFile(t *testing.T) {
	if err := New(io.Discard, nil).Close(); err != nil {
		t.Fatal(err)
	}
}
