// Command stackview is a terminal UI for Terraform stacks on Spacelift and
// HCP Terraform / TFC, with an embedded sandbox for trying it out.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/config"
	"github.com/stackview/stackview/internal/debuglog"
	"github.com/stackview/stackview/internal/ui"
	"github.com/stackview/stackview/internal/vcs"
)

// version is set at build time by the Makefile.
var version = "dev"

// app is what a command runs with: parsed flags, config and streams.
type app struct {
	ctx    context.Context
	g      globals
	args   []string
	cfg    *config.Config
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// repoFiles reads files of stacks' repositories (drift ignore files)
	// through the clone cache; set by openBackend.
	repoFiles ui.RepoFiles
	// sandboxDir is where the running sandbox keeps its repositories, and
	// sandboxGit the base URL it serves them at over http.
	sandboxDir, sandboxGit string
	// debug is the --debug log; nil (logging nothing) without the flag.
	debug *debuglog.Log
	// sig is the process's signals (nil in tests); pushes follows the git
	// pushes of promotions and bumps, so quitting waits for them.
	sig    *interrupts
	pushes *vcs.Pushes
}

func main() {
	ctx, sig := watchSignals(context.Background())
	code := runWith(ctx, sig, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	sig.stop()
	os.Exit(code)
}

// commands lists every subcommand; the UI runs when none is given.
func commands() []*command {
	return []*command{lsCommand(), serveCommand()}
}

// run is main without the process: tests call it with their own streams.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return runWith(ctx, nil, args, stdout, stderr, getenv)
}

// runWith is run with the process's signals (nil: none).
func runWith(ctx context.Context, sig *interrupts, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{ctx: ctx, sig: sig, stdout: stdout, stderr: stderr, getenv: getenv}
	cmds := commands()
	cmd, rest, err := parse(cmds, args, &a.g)
	switch {
	case err != nil:
		return fail(stderr, err)
	case a.g.help:
		printHelp(stdout, cmds, cmd)
		return 0
	case a.g.version:
		fmt.Fprintf(stdout, "stackview %s\n", version)
		return 0
	}
	a.args = rest
	if err := a.g.expandPaths(); err != nil {
		return fail(stderr, err)
	}
	runner := runUI
	if cmd != nil {
		runner = cmd.run
	} else if len(rest) > 0 {
		return fail(stderr, usagef("unexpected argument %q", rest[0]))
	}
	if err := a.loadConfig(); err != nil {
		return fail(stderr, err)
	}
	if a.g.debugPath != "" {
		if a.debug, err = debuglog.Open(a.g.debugPath); err != nil {
			return fail(stderr, err)
		}
		defer a.debug.Close()
		for _, k := range []string{"SPACELIFT_API_KEY_SECRET", "SPACELIFT_API_TOKEN", "TFE_TOKEN"} {
			a.debug.Secret(getenv(k))
		}
		a.debug.Printf("stackview %s: backend %s", version, a.cfg.Backend)
	}
	if err := runner(a); err != nil {
		a.debug.Printf("exit: %v", err)
		if errors.Is(err, syscall.EPIPE) {
			return exitBrokenPipe // the reader went away (| head): nothing to say
		}
		if code := sig.exitCode(); code != 0 && errors.Is(err, context.Canceled) {
			return code // stopped by a signal, cleaned up: nothing to explain
		}
		return fail(stderr, err)
	}
	return 0
}

// exitBrokenPipe is the status a shell reports for a process killed by
// SIGPIPE, which scripts with pipefail expect from `stackview ls | head`.
const exitBrokenPipe = 128 + int(syscall.SIGPIPE)

// fail prints one line for err and picks the exit code: 2 for usage, else 1.
func fail(stderr io.Writer, err error) int {
	if errors.Is(err, errUsage) {
		fmt.Fprintf(stderr, "stackview: %v\nRun 'stackview --help' for usage.\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "stackview: %v\n", err)
	return 1
}

// loadConfig reads the config and lays the flags over it: flags win.
func (a *app) loadConfig() error {
	cfg, err := config.Load(a.g.configPath)
	if err != nil {
		return err
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(a.stderr, "stackview: warning: %s\n", w)
	}
	if a.g.backend != "" {
		if err := config.ValidateBackend(a.g.backend); err != nil {
			return usagef("--backend: %v", err)
		}
		cfg.Backend = a.g.backend
	}
	if a.g.readOnly {
		cfg.ReadOnly = true
	}
	if a.g.sandboxDir != "" {
		cfg.Sandbox.Dir = a.g.sandboxDir
	}
	switch {
	case a.g.sandboxN < 0 || a.g.sandboxN > sandbox.MaxStacks:
		return usagef("--sandbox-stacks: want 0 to %d, got %d", sandbox.MaxStacks, a.g.sandboxN)
	case a.g.sandboxN > 0:
		cfg.Sandbox.Stacks = a.g.sandboxN
	case cfg.Sandbox.Stacks > sandbox.MaxStacks:
		return cfg.KeyError("sandbox.stacks", fmt.Errorf("want 0 to %d stacks, got %d", sandbox.MaxStacks, cfg.Sandbox.Stacks))
	}
	if a.g.latency < 0 || a.g.latency > maxLatency {
		return usagef("--latency: want 0 to %s, got %s", maxLatency, a.g.latency)
	}
	a.cfg = cfg
	return nil
}

// maxLatency bounds --latency: slower than any real API, short enough that
// a mistyped value (5m for 5ms) is refused rather than waited out.
const maxLatency = 10 * time.Second

// expandPaths expands a leading ~ in the path flags: written --flag=~/x,
// no shell does it.
func (g *globals) expandPaths() error {
	for _, p := range []struct {
		flag string
		v    *string
	}{{"--config", &g.configPath}, {"--sandbox-dir", &g.sandboxDir}, {"--debug", &g.debugPath}} {
		v, err := config.ExpandHome(*p.v)
		if err != nil {
			return usagef("%s: %v", p.flag, err)
		}
		*p.v = v
	}
	return nil
}

// noColor follows --no-color and the NO_COLOR convention (any non-empty value).
func (a *app) noColor() bool {
	return a.g.noColor || a.getenv("NO_COLOR") != ""
}
