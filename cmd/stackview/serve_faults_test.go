package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeInjectsFaults: `sandbox serve --faults 503` answers every API
// request 503 in both dialects, and says it does.
func TestServeInjectsFaults(t *testing.T) {
	isolate(t)
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := newSyncBuffer("serving until interrupted"), newSyncBuffer("")
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sandbox", "serve", "--addr", "127.0.0.1:0", "--tfc-addr", "127.0.0.1:0",
			"--faults", "503", "--fault-seed", "3", "--latency", "1ms"}, out, errOut, func(string) string { return "" })
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	}()
	select {
	case <-out.ready:
	case code := <-done:
		done <- code
		t.Fatalf("serve exited early (%d): %s", code, errOut.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve never got ready: %q", out.String())
	}
	if !strings.Contains(out.String(), "# injecting faults 503 (seed 3)") {
		t.Errorf("serve does not say it injects faults:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "# every API request answers 1ms late (--latency)") {
		t.Errorf("serve does not say it delays requests:\n%s", out.String())
	}
	env := map[string]string{}
	for _, m := range exportLine.FindAllStringSubmatch(out.String(), -1) {
		env[m[1]] = m[2]
	}
	for _, u := range []string{env["TFE_ADDRESS"] + "/api/v2/ping", env["SPACELIFT_API_KEY_ENDPOINT"] + "/graphql"} {
		resp, err := http.Post(u, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s answered %d, want 503", u, resp.StatusCode)
		}
	}
}

func TestServeRejectsABadFaultSpec(t *testing.T) {
	isolate(t)
	errOut := newSyncBuffer("")
	code := run(context.Background(), []string{"sandbox", "serve", "--faults", "rate=2"}, newSyncBuffer(""), errOut, func(string) string { return "" })
	if code == 0 || !strings.Contains(errOut.String(), "rate 2 is not between 0 and 1") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestLatencyOutOfRangeIsRefused(t *testing.T) {
	isolate(t)
	for _, v := range []string{"-1s", "1h"} {
		errOut := newSyncBuffer("")
		code := run(context.Background(), []string{"sandbox", "serve", "--latency", v}, newSyncBuffer(""), errOut, func(string) string { return "" })
		if code != 2 || !strings.Contains(errOut.String(), "--latency: want 0 to 10s") {
			t.Errorf("--latency %s: exit %d, stderr %q", v, code, errOut.String())
		}
	}
}
