package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while serve writes to it; ready
// is closed once the output holds the marker.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	marker string
	ready  chan struct{}
}

func newSyncBuffer(marker string) *syncBuffer {
	return &syncBuffer{marker: marker, ready: make(chan struct{})}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	had := s.marker != "" && strings.Contains(s.b.String(), s.marker)
	n, err := s.b.Write(p)
	if !had && s.marker != "" && strings.Contains(s.b.String(), s.marker) {
		close(s.ready)
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var exportLine = regexp.MustCompile(`(?m)^export (\w+)=(\S+)$`)

// serveSandbox starts `stackview sandbox serve` and returns the variables
// it printed.
func serveSandbox(t *testing.T) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := newSyncBuffer("serving until interrupted"), newSyncBuffer("")
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sandbox", "serve", "--addr", "127.0.0.1:0"}, out, errOut, func(string) string { return "" })
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	})
	select {
	case <-out.ready:
	case code := <-done:
		done <- code // for the cleanup
		t.Fatalf("serve exited early (%d): %s", code, errOut.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve printed no credentials: %q", out.String())
	}
	env := map[string]string{}
	for _, m := range exportLine.FindAllStringSubmatch(out.String(), -1) {
		env[m[1]] = m[2]
	}
	for _, k := range []string{"SPACELIFT_API_KEY_ENDPOINT", "SPACELIFT_API_KEY_ID", "SPACELIFT_API_KEY_SECRET"} {
		if env[k] == "" {
			t.Fatalf("serve did not print %s:\n%s", k, out.String())
		}
	}
	if !strings.Contains(out.String(), "# SPACELIFT_API_TOKEN=") {
		t.Errorf("serve did not print the raw token comment")
	}
	return env
}

// shape is what must agree between backends: per stack id, its layer,
// business unit, state and dependencies.
func shape(t *testing.T, out string) map[string]string {
	t.Helper()
	var got lsOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	m := map[string]string{}
	for _, e := range got.Environments {
		for _, s := range e.Stacks {
			bu := "<nil>"
			if s.BusinessUnit != nil {
				bu = *s.BusinessUnit
			}
			m[s.ID] = strings.Join([]string{e.Name, s.Layer, bu, s.State, s.TrackedCommit, strings.Join(s.DependsOn, ",")}, "|")
		}
	}
	return m
}

func TestSpaceliftBackendAgainstServedSandbox(t *testing.T) {
	isolate(t)
	env := serveSandbox(t)
	code, viaAPI, errOut := runCLI(t, env, "--backend", "spacelift", "ls", "--json")
	if code != 0 {
		t.Fatalf("spacelift ls: exit %d: %s", code, errOut)
	}
	code, direct, errOut := runCLI(t, nil, "--backend", "sandbox-direct", "ls", "--json")
	if code != 0 {
		t.Fatalf("sandbox-direct ls: exit %d: %s", code, errOut)
	}
	a, b := shape(t, viaAPI), shape(t, direct)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d stacks over the API, %d direct", len(a), len(b))
	}
	for id, want := range b {
		if a[id] != want {
			t.Errorf("%s: over the API %q, direct %q", id, a[id], want)
		}
	}

	bad := map[string]string{}
	for k, v := range env {
		bad[k] = v
	}
	bad["SPACELIFT_API_KEY_SECRET"] = "not-the-secret"
	code, _, errOut = runCLI(t, bad, "--backend", "spacelift", "ls")
	if code != 1 || !strings.Contains(errOut, "unauthorized") || strings.Contains(errOut, "not-the-secret") {
		t.Errorf("wrong secret: exit %d, %q", code, errOut)
	}
}

func TestServeRefusesNonLoopback(t *testing.T) {
	isolate(t)
	code, _, errOut := runCLI(t, nil, "sandbox", "serve", "--addr", "0.0.0.0:8787")
	if code != 1 || !strings.Contains(errOut, "loopback") {
		t.Errorf("exit %d: %q", code, errOut)
	}
}
