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
	"syscall"
	"time"

	"github.com/stackview/stackview/internal/sanitize"
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

// RunInput runs git with args, feeding stdin, and returns its stdout. When
// ctx ends or the timeout passes, git's whole process group is killed (a
// hook or ssh it started goes with it).
func (g Git) RunInput(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout())
	defer cancel()
	p, err := g.start(stdin, args)
	if err != nil {
		return nil, err
	}
	killed, err := p.wait(ctx.Done())
	if err != nil {
		if killed {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, p.failure(err)
	}
	return p.stdout.Bytes(), nil
}

func (g Git) timeout() time.Duration {
	if g.Timeout > 0 {
		return g.Timeout
	}
	return DefaultTimeout
}

// waitDelay bounds how long a finished or killed git may hold its output
// open through a child that left its process group.
const waitDelay = 5 * time.Second

// process is one git command started in its own process group: a terminal's
// ctrl+c (sent to the foreground group) does not reach it, and stopping it
// stops its hooks and ssh too.
type process struct {
	cmd            *exec.Cmd
	args           []string
	stdout, stderr bytes.Buffer
}

func (g Git) start(stdin io.Reader, args []string) (*process, error) {
	bin, err := exec.LookPath("git")
	if err != nil {
		return nil, ErrGitNotFound
	}
	p := &process{args: args}
	cmd := exec.Command(bin, args...)
	cmd.Dir = g.Dir
	cmd.Env = append(baseEnv(g.UserConfig), g.Env...)
	cmd.Stdin = stdin
	cmd.Stdout, cmd.Stderr = &p.stdout, &p.stderr
	if g.Stderr != nil {
		cmd.Stderr = io.MultiWriter(&p.stderr, g.Stderr)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = waitDelay
	p.cmd = cmd
	if err := cmd.Start(); err != nil {
		return nil, p.failure(err)
	}
	return p, nil
}

// wait waits for git to exit; when stop fires first it kills git's process
// group, waits for that, and says so.
func (p *process) wait(stop <-chan struct{}) (killed bool, err error) {
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		return false, err
	case <-stop:
		p.kill()
		return true, <-done
	}
}

func (p *process) kill() {
	// The group's id is git's pid (Setpgid with Pgid 0).
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
}

// failure is the *Error for a failed run: arguments without credentials,
// and git's stderr without credentials or terminal escapes (a remote's hook
// writes what it likes there).
func (p *process) failure(err error) error {
	return &Error{Args: redactAll(p.args), Stderr: sanitize.Text(redact(p.stderr.String())), Err: err}
}

// baseEnv is the environment of every git command, built from an allow
// list so that no credential of stackview's (API tokens and keys in its
// environment) reaches git, its hooks or ssh: the search path, never a
// prompt, SSH that fails instead of asking (with the agent's socket), the C
// locale and, unless userConfig, no global or system config (so results
// do not depend on the user's aliases, hooks or signing setup). With
// userConfig, what git needs to work as the user does on real remotes is
// kept too: HOME, XDG_CONFIG_HOME and GIT_CONFIG_* for its config, the user's SSH
// command, proxies and CA certificates, GnuPG for signing, Kerberos.
func baseEnv(userConfig bool) []string {
	env := []string{"GIT_TERMINAL_PROMPT=0", "LC_ALL=C"}
	sshSet := false
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if allowedEnv(k, userConfig) {
			env = append(env, kv)
			sshSet = sshSet || k == "GIT_SSH_COMMAND"
		}
	}
	if !sshSet {
		env = append(env, "GIT_SSH_COMMAND=ssh -o BatchMode=yes")
	}
	if !userConfig {
		env = append(env, "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	}
	return env
}

func allowedEnv(k string, userConfig bool) bool {
	switch k {
	case "PATH", "TMPDIR", "TZ", "SSH_AUTH_SOCK":
		return true
	case "HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM",
		"GIT_SSH_COMMAND", "GIT_SSH", "GIT_SSH_VARIANT",
		"http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
		"SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH",
		"GNUPGHOME", "GPG_TTY", "KRB5CCNAME":
		return userConfig
	}
	return false
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
