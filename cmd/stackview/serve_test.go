package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
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

var (
	exportLine  = regexp.MustCompile(`(?m)^export (\w+)=(\S+)$`)
	commentLine = regexp.MustCompile(`(?m)^# (\w+)=(\S+)$`)
)

// serveSandbox starts `stackview sandbox serve` and returns the variables
// it printed.
func serveSandbox(t *testing.T, extra ...string) map[string]string {
	t.Helper()
	env, stop := startServe(t, extra...)
	t.Cleanup(stop)
	return env
}

// startServe starts `stackview sandbox serve` with extra arguments and
// returns the variables it printed and a func that stops it (once).
func startServe(t *testing.T, extra ...string) (map[string]string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := newSyncBuffer("serving until interrupted"), newSyncBuffer("")
	done := make(chan int, 1)
	args := append([]string{"sandbox", "serve", "--addr", "127.0.0.1:0", "--tfc-addr", "127.0.0.1:0"}, extra...)
	go func() {
		done <- run(ctx, args, out, errOut, func(string) string { return "" })
	}()
	stop := sync.OnceFunc(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	})
	select {
	case <-out.ready:
	case code := <-done:
		done <- code // for stop
		t.Cleanup(stop)
		t.Fatalf("serve exited early (%d): %s", code, errOut.String())
	case <-time.After(30 * time.Second):
		t.Cleanup(stop)
		t.Fatalf("serve printed no credentials: %q", out.String())
	}
	env := map[string]string{}
	for _, m := range exportLine.FindAllStringSubmatch(out.String(), -1) {
		env[m[1]] = m[2]
	}
	for _, m := range commentLine.FindAllStringSubmatch(out.String(), -1) {
		env["#"+m[1]] = m[2] // the values serve prints as comments
	}
	for _, k := range []string{"SPACELIFT_API_KEY_ENDPOINT", "SPACELIFT_API_KEY_ID", "SPACELIFT_API_KEY_SECRET", "TFE_ADDRESS", "TFE_TOKEN", "TF_CLOUD_ORGANIZATION"} {
		if env[k] == "" {
			t.Fatalf("serve did not print %s:\n%s", k, out.String())
		}
	}
	if !strings.Contains(out.String(), "# SPACELIFT_API_TOKEN=") {
		t.Errorf("serve did not print the raw token comment")
	}
	return env, stop
}

// shape is what must agree between backends: per stack name, its
// environment, layer, business unit, state, tracked commit and dependencies
// (as names, since ids differ between dialects).
func shape(t *testing.T, out string) map[string]string {
	t.Helper()
	var got lsOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	names := map[string]string{}
	for _, e := range got.Environments {
		for _, s := range e.Stacks {
			names[s.ID] = s.Name
		}
	}
	m := map[string]string{}
	for _, e := range got.Environments {
		for _, s := range e.Stacks {
			bu := "<nil>"
			if s.BusinessUnit != nil {
				bu = *s.BusinessUnit
			}
			var deps []string
			for _, d := range s.DependsOn {
				deps = append(deps, names[d])
			}
			m[s.Name] = strings.Join([]string{e.Name, s.Layer, bu, s.State, s.TrackedCommit, strings.Join(deps, ",")}, "|")
		}
	}
	return m
}

func sameShape(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("%s: %d stacks, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %s is %q, want %q", what, name, got[name], w)
		}
	}
}

// TestRealClientsAgainstServedSandbox: both clients read the served
// sandbox as the engine itself has it. The engine is read from the same
// directory once serve stopped: a sandbox's commits are dated from the day
// it was made, so two sandboxes made either side of midnight would differ.
func TestRealClientsAgainstServedSandbox(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "sandbox")
	env, stop := startServe(t, "--sandbox-dir", dir)
	t.Cleanup(stop)
	code, viaAPI, errOut := runCLI(t, env, "--backend", "spacelift", "ls", "--json")
	if code != 0 {
		t.Fatalf("spacelift ls: exit %d: %s", code, errOut)
	}
	code, viaTFC, errOut := runCLI(t, env, "--backend", "tfc", "ls", "--json")
	if code != 0 {
		t.Fatalf("tfc ls: exit %d: %s", code, errOut)
	}
	sameShape(t, "tfc dialect", shape(t, viaTFC), shape(t, viaAPI))

	bad := map[string]string{}
	for k, v := range env {
		bad[k] = v
	}
	bad["SPACELIFT_API_KEY_SECRET"] = "not-the-secret"
	bad["TFE_TOKEN"] = "not-the-token"
	code, _, errOut = runCLI(t, bad, "--backend", "spacelift", "ls")
	if code != 1 || !strings.Contains(errOut, "unauthorized") || strings.Contains(errOut, "not-the-secret") {
		t.Errorf("wrong secret: exit %d, %q", code, errOut)
	}
	code, _, errOut = runCLI(t, bad, "--backend", "tfc", "ls")
	if code != 1 || !strings.Contains(errOut, "unauthorized") || !strings.Contains(errOut, "TFE_TOKEN") ||
		strings.Contains(errOut, "not-the-token") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("wrong token: exit %d, %q", code, errOut)
	}
	stop()
	code, direct, errOut := runCLI(t, nil, "--backend", "sandbox-direct", "--sandbox-dir", dir, "ls", "--json")
	if code != 0 {
		t.Fatalf("sandbox-direct ls: exit %d: %s", code, errOut)
	}
	sameShape(t, "spacelift dialect", shape(t, viaAPI), shape(t, direct))
}

func TestServeRefusesNonLoopback(t *testing.T) {
	isolate(t)
	code, _, errOut := runCLI(t, nil, "sandbox", "serve", "--addr", "0.0.0.0:8787")
	if code != 1 || !strings.Contains(errOut, "loopback") {
		t.Errorf("exit %d: %q", code, errOut)
	}
}

// Issue 15: with the token of a user without workspace-admin rights, `ls`
// lists every workspace the admin's token lists, drift known where the API
// lets that user read it: drifted, with the resources unknown and why.
func TestReaderTokenListsEveryWorkspace(t *testing.T) {
	isolate(t)
	env := serveSandbox(t)
	for _, k := range []string{"#TFE_TOKEN_READER", "#TFE_HOSTNAME", "#TFE_ORGANIZATION"} {
		if env[k] == "" {
			t.Fatalf("serve did not print %s", k)
		}
	}
	code, admin, errOut := runCLI(t, env, "--backend", "tfc", "ls", "--json")
	if code != 0 {
		t.Fatalf("admin ls: exit %d: %s", code, errOut)
	}
	reader := map[string]string{"TFE_ADDRESS": env["TFE_ADDRESS"], "TFE_TOKEN": env["#TFE_TOKEN_READER"],
		"TFE_ORGANIZATION": env["#TFE_ORGANIZATION"]} // read after TF_CLOUD_ORGANIZATION, which is unset here
	code, read, errOut := runCLI(t, reader, "--backend", "tfc", "ls", "--json")
	if code != 0 {
		t.Fatalf("reader ls: exit %d: %s", code, errOut)
	}
	statuses := func(out string) map[string]lsStack {
		var got lsOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		m := map[string]lsStack{}
		for _, e := range got.Environments {
			for _, s := range e.Stacks {
				m[s.Name] = s
			}
		}
		return m
	}
	a, r := statuses(admin), statuses(read)
	if len(a) == 0 || len(a) != len(r) {
		t.Fatalf("admin lists %d workspaces, the reader %d", len(a), len(r))
	}
	drifted := 0
	for name, as := range a {
		rs, ok := r[name]
		switch {
		case !ok:
			t.Errorf("the reader does not see %s", name)
		case as.DriftStatus == "drifted":
			drifted++
			if as.DriftUnknown != nil || rs.DriftStatus != "drifted" || rs.DriftUnknown == nil ||
				!strings.Contains(*rs.DriftUnknown, "admin access") {
				t.Errorf("%s: admin %s %v, reader %s %v", name, as.DriftStatus, as.DriftUnknown, rs.DriftStatus, rs.DriftUnknown)
			}
		case rs.DriftStatus != as.DriftStatus:
			t.Errorf("%s: drift %s for the admin, %s for the reader", name, as.DriftStatus, rs.DriftStatus)
		}
	}
	if drifted == 0 {
		t.Error("no drifted workspace to compare")
	}
}
