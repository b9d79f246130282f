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
		fmt.Fprintf(stderr, "stackview: %v\nRun 'stackview --help' for usage.\n", err)
		return 2
	case a.g.help:
		printHelp(stdout, cmds, cmd)
		return 0
	case a.g.version:
		fmt.Fprintf(stdout, "stackview %s\n", version)
		return 0
	}
	a.args = rest
	if err := a.loadConfig(); err != nil {
		fmt.Fprintf(stderr, "stackview: %v\n", err)
		return 1
	}
	runner := runUI
	if cmd != nil {
		runner = cmd.run
	} else if len(rest) > 0 {
		fmt.Fprintf(stderr, "stackview: unexpected argument %q\nRun 'stackview --help' for usage.\n", rest[0])
		return 2
	}
	if err := runner(a); err != nil {
		fmt.Fprintf(stderr, "stackview: %v\n", err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

// loadConfig reads the config and lays the flags over it: flags win.
func (a *app) loadConfig() error {
	cfg, err := config.Load(a.g.configPath)
	if err != nil {
		return err
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
	a.cfg = cfg
	return nil
}

// noColor follows --no-color and the NO_COLOR convention (any non-empty value).
func (a *app) noColor() bool {
	return a.g.noColor || a.getenv("NO_COLOR") != ""
}
