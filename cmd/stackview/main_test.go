package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// isolate points HOME and the XDG directories at temporary ones so no test
// reads or writes the real ones.
func isolate(t *testing.T) {
	t.Helper()
	for _, k := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "TMPDIR"} {
		t.Setenv(k, t.TempDir())
	}
}

func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code = run(context.Background(), args, &out, &errb, getenv)
	return code, out.String(), errb.String()
}

// lsJSON runs ls --json on a fresh sandbox: its output and its decoding.
func lsJSON(t *testing.T) (string, lsOutput) {
	t.Helper()
	isolate(t)
	code, out, errOut := runCLI(t, nil, "ls", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got lsOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return out, got
}

func TestLsJSON(t *testing.T) {
	out, got := lsJSON(t)
	if got.Backend != "sandbox" {
		t.Errorf("backend = %q", got.Backend)
	}
	var names []string
	sha := regexp.MustCompile(`^[0-9a-f]{40}$`)
	for _, env := range got.Environments {
		names = append(names, env.Name)
		var envStack string
		units := 0
		for _, s := range env.Stacks {
			switch s.Layer {
			case "environment":
				if envStack != "" {
					t.Errorf("%s: two environment stacks %s and %s", env.Name, envStack, s.ID)
				}
				envStack = s.ID
				if s.BusinessUnit != nil {
					t.Errorf("%s: environment stack has business unit %q", s.ID, *s.BusinessUnit)
				}
			case "business-unit":
				units++
			case "administrative":
			default:
				t.Errorf("%s: layer %q", s.ID, s.Layer)
			}
			if !sha.MatchString(s.TrackedCommit) {
				t.Errorf("%s: tracked_commit %q is not a full sha", s.ID, s.TrackedCommit)
			}
			if s.LatestRun != nil {
				if _, err := time.Parse(time.RFC3339, s.LatestRun.CreatedAt); err != nil || !strings.HasSuffix(s.LatestRun.CreatedAt, "Z") {
					t.Errorf("%s: created_at %q is not RFC 3339 UTC", s.ID, s.LatestRun.CreatedAt)
				}
				if !documentedKinds[s.LatestRun.Kind] {
					t.Errorf("%s: kind %q is not documented", s.ID, s.LatestRun.Kind)
				}
			}
			if r := s.LatestTrackedRun; r != nil && r.Kind != "deploy" && r.Kind != "destroy" {
				t.Errorf("%s: latest tracked run is a %q", s.ID, r.Kind)
			}
			if s.ID == "prod-storefront" && !s.NeedsApproval {
				t.Errorf("prod-storefront's deploy waits for an approval; needs_approval is false")
			}
		}
		if envStack == "" {
			t.Fatalf("%s: no environment stack", env.Name)
		}
		if units < 4 {
			t.Errorf("%s: %d business-unit stacks, want at least 4", env.Name, units)
		}
		for _, s := range env.Stacks {
			if s.Layer == "business-unit" && !contains(s.DependsOn, envStack) {
				t.Errorf("%s does not depend on %s", s.ID, envStack)
			}
		}
	}
	if strings.Join(names, ",") != "dev,qa,prod" {
		t.Errorf("environments = %v", names)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []model.RunKind{model.RunPlan, model.RunDeploy, model.RunDriftCheck, model.RunDestroy, model.RunTask, model.RunTesting, model.RunOther} {
		if !documentedKinds[string(kind)] || !strings.Contains(string(readme), "`"+string(kind)+"`") {
			t.Errorf("run kind %q is not documented in README.md's ls --json section", kind)
		}
	}
	// Nullable fields are present as null, not missing.
	if !strings.Contains(out, `"business_unit": null`) {
		t.Error("business_unit null missing for the environment stack")
	}
}

// documentedKinds are the run kinds README.md documents for ls --json.
var documentedKinds = map[string]bool{"plan": true, "deploy": true, "drift-check": true, "destroy": true, "task": true, "testing": true, "other": true}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestLsJSONWaitingRuns: waiting_runs lists what waits on a person in the
// seeded sandbox, [] for a stack where nothing does, and README says so.
func TestLsJSONWaitingRuns(t *testing.T) {
	out, got := lsJSON(t)
	waiting := map[string][]lsWaiting{}
	for _, env := range got.Environments {
		for _, s := range env.Stacks {
			if s.WaitingRuns == nil {
				t.Errorf("%s: waiting_runs is null on the sandbox, which reads every run", s.ID)
			}
			waiting[s.ID] = s.WaitingRuns
		}
	}
	want := map[string]string{ // stack → kind/state/needs_approval of its one waiting run
		"prod-identity":      "plan/PENDING_REVIEW/false",
		"qa-payments-ledger": "deploy/UNCONFIRMED/false",
		"prod-storefront":    "deploy/UNCONFIRMED/true",
		"prod-analytics":     "task/QUEUED/true",
		"dev-network":        "",
	}
	for id, w := range want {
		var runs []string
		for _, r := range waiting[id] {
			runs = append(runs, fmt.Sprintf("%s/%s/%t", r.Kind, r.State, r.NeedsApproval))
		}
		if strings.Join(runs, " ") != w {
			t.Errorf("%s: waiting_runs %v, want %q", id, runs, w)
		}
	}
	if !strings.Contains(out, `"waiting_runs": []`) {
		t.Error("a stack with nothing waiting should show waiting_runs as [], not null")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "`waiting_runs`") {
		t.Error("README.md does not document waiting_runs")
	}
}

func TestLsGlobalFlagsAfterCommandAndEnvFilter(t *testing.T) {
	isolate(t)
	code, out, errOut := runCLI(t, nil, "ls", "--env", "prod", "--backend", "sandbox-direct")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "prod (branch main, protected)") || strings.Contains(out, "dev-network") {
		t.Errorf("unexpected listing:\n%s", out)
	}
	code, out, _ = runCLI(t, nil, "--backend", "sandbox-direct", "ls", "--json", "--env", "qa")
	if code != 0 || !strings.Contains(out, `"backend": "sandbox-direct"`) || strings.Contains(out, `"name": "dev"`) {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// Issue 19: ls --state filters as the tree's state: term does.
func TestLsState(t *testing.T) {
	isolate(t)
	code, out, errOut := runCLI(t, nil, "--backend", "sandbox-direct", "ls", "--json", "--state", "unconf,FAILED")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got lsOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, env := range got.Environments {
		for _, s := range env.Stacks {
			if s.State != "UNCONFIRMED" && s.State != "FAILED" {
				t.Errorf("%s is %s", s.Name, s.State)
			}
			names = append(names, s.Name)
		}
	}
	if !slices.Contains(names, "qa-payments-ledger") || !slices.Contains(names, "dev-analytics") || slices.Contains(names, "dev-network") {
		t.Errorf("ls --state unconf,FAILED listed %v", names)
	}
	code, out, _ = runCLI(t, nil, "--backend", "sandbox-direct", "ls", "--state", "failed")
	if code != 0 || !strings.Contains(out, "dev-analytics") || strings.Contains(out, "dev-identity") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, _, errOut = runCLI(t, nil, "--backend", "sandbox-direct", "ls", "--state", "broken")
	if code != 2 || !strings.Contains(errOut, `--state: state:broken names no state`) || !strings.Contains(errOut, "unconfirmed") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestBadInput(t *testing.T) {
	isolate(t)
	badConfig := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(badConfig, []byte("backend = \"sandbox\"\nrefresh = \"5s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A directory below a regular file cannot be created, even by root.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	unwritable := filepath.Join(blocker, "sandbox")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"unknown env", nil, []string{"ls", "--env", "staging"}, 2, `unknown environment "staging": configured are dev, qa, prod`},
		{"unknown command", nil, []string{"deploy-everything"}, 2, `unknown command "deploy-everything"`},
		{"unknown flag", nil, []string{"ls", "--colour"}, 2, "flag provided but not defined: -colour"},
		{"bad backend flag", nil, []string{"--backend", "aws", "ls"}, 2, `unknown backend "aws"`},
		{"missing config", nil, []string{"--config", "/nonexistent/c.toml", "ls"}, 1, "/nonexistent/c.toml: config file not found"},
		{"unknown config key", nil, []string{"--config", badConfig, "ls"}, 1, badConfig + `:2: key refresh: unknown key "refresh"`},
		{"extra argument", nil, []string{"ls", "prod"}, 2, `unexpected argument "prod"`},
		{"unwritable sandbox dir", nil, []string{"--sandbox-dir", unwritable, "ls"}, 1, unwritable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d containing %q", code, errOut, tt.code, tt.want)
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") > 1 || strings.Contains(errOut, "goroutine") {
				t.Errorf("want one clear line (plus a usage hint), got %q", errOut)
			}
		})
	}
}

func TestSandboxDirThatIsNotASandboxIsRefused(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, nil, "ls", "--sandbox-dir", dir)
	if code != 1 || !strings.Contains(errOut, dir) {
		t.Errorf("exit %d: %q", code, errOut)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the refused directory was changed: %v", entries)
	}
}

func TestSandboxDirIsKeptAndResumed(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "sv")
	code, first, errOut := runCLI(t, nil, "ls", "--json", "--sandbox-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("sandbox dir not kept: %v", err)
	}
	code, second, errOut := runCLI(t, nil, "ls", "--json", "--sandbox-dir", dir)
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errOut)
	}
	if ids(t, first) != ids(t, second) {
		t.Errorf("resumed sandbox lists other stacks")
	}
}

func ids(t *testing.T, out string) string {
	t.Helper()
	var got lsOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range got.Environments {
		for _, s := range e.Stacks {
			b.WriteString(s.ID + "@" + s.TrackedCommit + " ")
		}
	}
	return b.String()
}

func TestMissingGit(t *testing.T) {
	isolate(t)
	t.Setenv("PATH", t.TempDir())
	code, _, errOut := runCLI(t, nil, "ls")
	if code != 1 || !strings.Contains(errOut, "git") {
		t.Errorf("exit %d: %q", code, errOut)
	}
}

func TestHelpAndVersion(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{{"--help"}, {"-h"}, {"ls", "--help"}, {"--help", "ls"}, {"sandbox", "serve", "--help"}} {
		code, out, _ := runCLI(t, nil, args...)
		if code != 0 || !strings.Contains(out, "Usage") || !strings.Contains(out, "-backend") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
	_, out, _ := runCLI(t, nil, "ls", "--help")
	if !strings.Contains(out, "-json") || !strings.Contains(out, "-env") {
		t.Errorf("ls help lacks its flags:\n%s", out)
	}
	code, out, _ := runCLI(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "stackview ") {
		t.Errorf("--version: %d %q", code, out)
	}
}
