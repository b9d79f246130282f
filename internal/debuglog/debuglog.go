// Package debuglog writes `--debug FILE`: one line per API request (method,
// path, status, timing) and per decision a client takes, with every secret
// redacted. It never writes headers or bodies, where credentials travel.
package debuglog

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/privfile"
)

// Redacted replaces every secret in the log.
const Redacted = "[REDACTED]"

// secretShapes are credentials recognised without being registered: bearer
// values, JWTs, TFC/TFE tokens and passwords in URLs.
var secretShapes = regexp.MustCompile(`(?i)bearer\s+\S+|\beyJ[\w-]+\.[\w-]+\.[\w-]*|\b[\w-]{6,}\.atlasv1\.[\w-]+|(://[^/\s:@]+:)[^/\s@]+@`)

// Log is a debug log; a nil *Log logs nothing, so callers need no checks.
type Log struct {
	mu      sync.Mutex
	w       io.Writer
	c       io.Closer
	now     func() time.Time
	secrets []string
}

// Open creates (or truncates) path, readable by its owner only: a symlink
// there is refused (one planted in /tmp would have the log written where
// its owner chose), and an existing file's looser mode is tightened.
func Open(path string) (*Log, error) {
	f, err := privfile.Create(path, true)
	if err != nil {
		return nil, fmt.Errorf("debug log: %w", err)
	}
	return &Log{w: f, c: f, now: time.Now}, nil
}

// New logs to w with the given clock (time.Now when nil).
func New(w io.Writer, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{w: w, now: now}
}

// Close closes the file Open created.
func (l *Log) Close() error {
	if l == nil || l.c == nil {
		return nil
	}
	return l.c.Close()
}

// Secret registers a value that must never appear, e.g. an API key secret
// read from the environment.
func (l *Log) Secret(s string) {
	if l == nil || len(s) < 4 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.secrets = append(l.secrets, s)
}

// Printf writes one timestamped line, redacted.
func (l *Log) Printf(format string, args ...any) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	line := l.redact(fmt.Sprintf(format, args...))
	line = strings.ReplaceAll(line, "\n", " ")
	fmt.Fprintf(l.w, "%s %s\n", l.now().UTC().Format("15:04:05.000"), line)
}

func (l *Log) redact(s string) string {
	for _, sec := range l.secrets {
		s = strings.ReplaceAll(s, sec, Redacted)
	}
	return secretShapes.ReplaceAllStringFunc(s, func(m string) string {
		if rest, ok := strings.CutPrefix(m, "://"); ok { // keep the user of a URL
			user, _, _ := strings.Cut(rest, ":")
			return "://" + user + ":" + Redacted + "@"
		}
		return Redacted
	})
}

// Transport logs every request base sends: method, path, status or error,
// how long it took and the rate-limit headers that drive retries.
func (l *Log) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if l == nil {
		return base
	}
	return &transport{log: l, base: base}
}

type transport struct {
	log  *Log
	base http.RoundTripper
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := t.log.now()
	resp, err := t.base.RoundTrip(r)
	took := t.log.now().Sub(start).Round(time.Millisecond)
	target := r.URL.Host + r.URL.Path // never the query: tokens travel there too
	if err != nil {
		t.log.Printf("http %s %s failed after %s: %v", r.Method, target, took, err)
		return nil, err
	}
	extra := ""
	for _, h := range []string{"Retry-After", "X-RateLimit-Reset"} {
		if v := resp.Header.Get(h); v != "" {
			extra += fmt.Sprintf(" %s=%s", h, v)
		}
	}
	t.log.Printf("http %s %s -> %d in %s%s", r.Method, target, resp.StatusCode, took, extra)
	return resp, nil
}
