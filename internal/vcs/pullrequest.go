package vcs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// PullRequestRequest asks for a pull request of Head into Base.
type PullRequestRequest struct {
	RepoURL    string // the repository's remote URL
	Base, Head string // branch names
	Title      string
	Body       string
}

// PullRequest is what OpenPullRequest did: a created pull request (URL is
// the pull request), or a compare page for a person to open one (Created
// false), or neither when the forge is unknown (URL empty, Note says why).
type PullRequest struct {
	URL     string
	Created bool
	Note    string
}

// ghTimeout bounds one gh call.
const ghTimeout = time.Minute

// OpenPullRequest opens a pull request with the GitHub CLI when it is
// installed and the remote is on GitHub; otherwise it returns the page
// where a person can open one.
func OpenPullRequest(ctx context.Context, req PullRequestRequest) (PullRequest, error) {
	owner, repo, ok := GitHubRepo(req.RepoURL)
	if !ok {
		return PullRequest{Note: fmt.Sprintf("%s is not on GitHub: push %s and open a pull request into %s with your forge",
			redact(req.RepoURL), req.Head, req.Base)}, nil
	}
	compare := fmt.Sprintf("https://github.com/%s/%s/compare/%s...%s?expand=1", owner, repo, url.PathEscape(req.Base), url.PathEscape(req.Head))
	gh, err := exec.LookPath("gh")
	if err != nil {
		return PullRequest{URL: compare, Note: "gh is not installed: open the pull request on this page"}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, ghTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, gh, "pr", "create", "--repo", owner+"/"+repo,
		"--base", req.Base, "--head", req.Head, "--title", req.Title, "--body", req.Body)
	cmd.Env = append(ghEnv(), "GH_PROMPT_DISABLED=1", "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		if ctx.Err() != nil {
			err = errors.Join(ctx.Err(), err)
		}
		return PullRequest{URL: compare}, fmt.Errorf("gh pr create for %s/%s (%s → %s): %s: %w", owner, repo, req.Head, req.Base, redact(msg), err)
	}
	return PullRequest{URL: lastLine(stdout.String()), Created: true}, nil
}

// ghEnv is git's environment for real remotes plus gh's own settings and
// its GitHub token (gh needs it to act for the user); stackview's other
// credentials stay out.
func ghEnv() []string {
	env := baseEnv(true)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "GH_"), k == "GITHUB_TOKEN", k == "GITHUB_ENTERPRISE_TOKEN",
			k == "XDG_STATE_HOME", k == "XDG_DATA_HOME", k == "XDG_CACHE_HOME":
			env = append(env, kv)
		}
	}
	return env
}

// githubURL matches the usual GitHub remote forms: https://github.com/o/r,
// git@github.com:o/r and ssh://git@github.com/o/r, with or without .git.
var githubURL = regexp.MustCompile(`^(?:https?://(?:[^@/]+@)?github\.com/|ssh://git@github\.com/|git@github\.com:)([^/]+)/([^/]+?)(?:\.git)?/?$`)

// GitHubRepo returns the owner and name of a GitHub remote URL.
func GitHubRepo(remote string) (owner, repo string, ok bool) {
	m := githubURL.FindStringSubmatch(remote)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
