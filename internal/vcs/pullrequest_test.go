package vcs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeGH puts a gh on PATH (and only it) that records its arguments, one
// per line, and prints a pull request URL.
func fakeGH(t *testing.T) (argsFile string) {
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "args")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> " + argsFile + "; done\necho https://github.com/acme/payments/pull/7\n"
	if err := os.WriteFile(filepath.Join(dir, "gh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return argsFile
}

func TestPullRequestThroughGH(t *testing.T) {
	argsFile := fakeGH(t)
	pr, err := OpenPullRequest(context.Background(), PullRequestRequest{
		RepoURL: "git@github.com:acme/payments.git", Base: "qa", Head: "dev", Title: "Promote payments dev → qa", Body: "2 commits",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Created || pr.URL != "https://github.com/acme/payments/pull/7" {
		t.Fatalf("pr = %+v", pr)
	}
	data, _ := os.ReadFile(argsFile)
	want := "pr\ncreate\n--repo\nacme/payments\n--base\nqa\n--head\ndev\n--title\nPromote payments dev → qa\n--body\n2 commits\n"
	if string(data) != want {
		t.Fatalf("gh got\n%s\nwant\n%s", data, want)
	}
}

func TestPullRequestWithoutGHGivesTheCompareURL(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	pr, err := OpenPullRequest(context.Background(), PullRequestRequest{RepoURL: "https://github.com/acme/payments.git", Base: "qa", Head: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if pr.Created || pr.URL != "https://github.com/acme/payments/compare/qa...dev?expand=1" || !strings.Contains(pr.Note, "gh is not installed") {
		t.Fatalf("pr = %+v", pr)
	}
}

func TestPullRequestOffGitHub(t *testing.T) {
	fakeGH(t)
	pr, err := OpenPullRequest(context.Background(), PullRequestRequest{RepoURL: "file:///srv/payments.git", Base: "qa", Head: "dev"})
	if err != nil || pr.Created || pr.URL != "" || !strings.Contains(pr.Note, "not on GitHub") {
		t.Fatalf("pr = %+v, %v", pr, err)
	}
}

func TestGitHubRepo(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/acme/payments.git":     "acme/payments",
		"https://github.com/acme/payments":         "acme/payments",
		"https://x-token@github.com/acme/payments": "acme/payments",
		"git@github.com:acme/payments.git":         "acme/payments",
		"ssh://git@github.com/acme/payments.git":   "acme/payments",
		"https://gitlab.com/acme/payments.git":     "",
		"file:///tmp/payments.git":                 "",
	} {
		o, r, ok := GitHubRepo(in)
		got := ""
		if ok {
			got = o + "/" + r
		}
		if got != want {
			t.Errorf("GitHubRepo(%q) = %q, want %q", in, got, want)
		}
	}
}
