package vcs

import (
	"errors"
	"strings"
	"testing"
)

// TestGitErrorSaysWhatGitSaid: git's own words when it wrote any, else how
// it ended.
func TestGitErrorSaysWhatGitSaid(t *testing.T) {
	exit := errors.New("exit status 128")
	if got := (&Error{Args: []string{"fetch"}, Stderr: "\nfatal: no such remote\n", Err: exit}).Error(); got != "git fetch: fatal: no such remote" {
		t.Errorf("with stderr: %q", got)
	}
	if got := (&Error{Args: []string{"fetch", "origin"}, Err: exit}).Error(); got != "git fetch origin: exit status 128" {
		t.Errorf("without: %q", got)
	}
}

// TestSSHNeverPrompts: git's ssh runs in batch mode unless the user's own
// GIT_SSH_COMMAND is passed on (real remotes only), which is then the only one.
func TestSSHNeverPrompts(t *testing.T) {
	t.Setenv("GIT_SSH_COMMAND", "ssh -i ~/.ssh/deploy")
	ssh := func(env []string) []string {
		var out []string
		for _, kv := range env {
			if strings.HasPrefix(kv, "GIT_SSH_COMMAND=") {
				out = append(out, kv)
			}
		}
		return out
	}
	if got := ssh(baseEnv(true)); len(got) != 1 || got[0] != "GIT_SSH_COMMAND=ssh -i ~/.ssh/deploy" {
		t.Errorf("with the user's config: %q", got)
	}
	if got := ssh(baseEnv(false)); len(got) != 1 || got[0] != "GIT_SSH_COMMAND=ssh -o BatchMode=yes" {
		t.Errorf("without: %q", got)
	}
}

func TestShortSHA(t *testing.T) {
	for in, want := range map[string]string{"0123456789abcdef": "0123456", "0123456": "0123456", "abc": "abc", "": ""} {
		if got := ShortSHA(in); got != want {
			t.Errorf("ShortSHA(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRemoteWords: of a refused push's stderr, what the remote said is
// kept (its hook's words, the rejection, git's error), without git's own
// progress or blank remote lines; with none of those, all of it.
func TestRemoteWords(t *testing.T) {
	stderr := "To https://git.example/acme/payments.git\nremote: \nremote: Protected branch: push refused\n" +
		" ! [remote rejected] abc -> qa (pre-receive hook declined)\nerror: failed to push some refs to 'https://git.example/acme/payments.git'\n"
	want := "Protected branch: push refused; ! [remote rejected] abc -> qa (pre-receive hook declined); " +
		"error: failed to push some refs to 'https://git.example/acme/payments.git'"
	if got := remoteWords(stderr); got != want {
		t.Errorf("remoteWords =\n%q\nwant\n%q", got, want)
	}
	if got := remoteWords("\nfatal: unable to access the remote\n"); got != "fatal: unable to access the remote" {
		t.Errorf("without the remote's words: %q", got)
	}
}
