// Package vcs runs the git CLI for stackview: non-interactively, with a
// deadline, isolated from the user's global and system git configuration
// unless asked otherwise, and with errors that carry git's own message but
// never credentials.
package vcs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// ErrGitNotFound is returned when no git binary is on PATH.
var ErrGitNotFound = errors.New("git not found on PATH: install git")

// DefaultTimeout bounds one git command when the context has no earlier deadline.
const DefaultTimeout = 30 * time.Second

// Git runs git commands in one directory.
type Git struct {
	// Dir is the working directory (a work tree or a bare repository).
	Dir string
	// Env is added to the environment of every command, e.g. author identity.
	Env []string
	// Timeout bounds each command; zero means DefaultTimeout.
	Timeout time.Duration
	// Stderr, when set, also receives what git writes to stderr as it
	// writes it (e.g. --progress lines); errors still carry all of it.
	Stderr io.Writer
	// UserConfig keeps the user's global and system git configuration
	// (credential helpers, SSH command, URL rewrites) for work on the user's
	// own remotes. Off by default, so results never depend on it.
	UserConfig bool
}

// Error is a failed git command: its arguments (credentials removed), exit
// status and what git wrote to stderr.
type Error struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *Error) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("git %s: %s", strings.Join(e.Args, " "), msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Run runs git with args and returns its stdout.
func (g Git) Run(ctx context.Context, args ...string) (string, error) {
	out, err := g.RunInput(ctx, nil, args...)
	return string(out), err
}

// RunInput runs git with args, feeding stdin, and returns its stdout.
func (g Git) RunInput(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	bin, err := exec.LookPath("git")
	if err != nil {
		return nil, ErrGitNotFound
	}
	timeout := g.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = g.Dir
	cmd.Env = append(baseEnv(g.UserConfig), g.Env...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if g.Stderr != nil {
		cmd.Stderr = io.MultiWriter(&stderr, g.Stderr)
	}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, &Error{Args: redactAll(args), Stderr: redact(stderr.String()), Err: err}
	}
	return stdout.Bytes(), nil
}

// baseEnv is the process environment made safe for unattended git: never a
// prompt, SSH that fails instead of asking and, unless userConfig, no global
// or system config (so results do not depend on the user's aliases, hooks
// or signing setup).
func baseEnv(userConfig bool) []string {
	drop := map[string]bool{"GIT_DIR": true, "GIT_WORK_TREE": true, "GIT_INDEX_FILE": true, "GIT_TERMINAL_PROMPT": true}
	if !userConfig {
		drop["GIT_CONFIG_GLOBAL"], drop["GIT_CONFIG_NOSYSTEM"], drop["GIT_SSH_COMMAND"] = true, true, true
	}
	var env []string
	sshSet := false
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
			sshSet = sshSet || k == "GIT_SSH_COMMAND"
		}
	}
	env = append(env, "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	if !sshSet {
		env = append(env, "GIT_SSH_COMMAND=ssh -o BatchMode=yes")
	}
	if !userConfig {
		env = append(env, "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	}
	return env
}

// userinfo matches credentials embedded in URLs (https://user:token@host).
var userinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@`)

func redact(s string) string { return userinfo.ReplaceAllString(s, "${1}***@") }

func redactAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = redact(a)
	}
	return out
}
