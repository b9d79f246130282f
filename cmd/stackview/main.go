// Command stackview is a terminal UI for Terraform stacks on Spacelift and
// HCP Terraform / TFC, with an embedded sandbox for trying it out.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/stackview/stackview/internal/config"
	"github.com/stackview/stackview/internal/debuglog"
	"github.com/stackview/stackview/internal/ui"
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
	// debug is the --debug log; nil (logging nothing) without the flag.
	debug *debuglog.Log
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// commands lists every subcommand; the UI runs when none is given.
func commands() []*command {
	return []*command{lsCommand(), serveCommand()}
}

// run is main without the process: tests call it with their own streams.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{ctx: ctx, stdout: stdout, stderr: stderr, getenv: getenv}
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
		return fail(stderr, err)
	}
	return 0
}

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
	case a.g.sandboxN < 0:
		return usagef("--sandbox-stacks: want 0 or more, got %d", a.g.sandboxN)
	case a.g.sandboxN > 0:
		cfg.Sandbox.Stacks = a.g.sandboxN
	}
	a.cfg = cfg
	return nil
}

// noColor follows --no-color and the NO_COLOR convention (any non-empty value).
func (a *app) noColor() bool {
	return a.g.noColor || a.getenv("NO_COLOR") != ""
}
