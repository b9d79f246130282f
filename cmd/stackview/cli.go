package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// globals are the flags every command accepts, before or after its name.
type globals struct {
	configPath string
	backend    string
	readOnly   bool
	sandboxDir string
	sandboxN   int
	latency    time.Duration
	noColor    bool
	debugPath  string
	help       bool
	version    bool
}

func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.configPath, "config", "", "read the config from `PATH` (default $XDG_CONFIG_HOME/stackview/config.toml)")
	fs.StringVar(&g.backend, "backend", "", "backend `NAME`: sandbox, sandbox-direct, spacelift or tfc (default from config, else sandbox)")
	fs.BoolVar(&g.readOnly, "read-only", false, "refuse every mutation (runs, confirmations, locks, pushes)")
	fs.StringVar(&g.sandboxDir, "sandbox-dir", "", "keep the sandbox's git repositories and state in `DIR` (resumed as it was left when it holds a sandbox)")
	fs.IntVar(&g.sandboxN, "sandbox-stacks", 0, "generate a sandbox of about `N` stacks instead of the demo organisation (for trying scale)")
	fs.DurationVar(&g.latency, "latency", 0, "make the served sandbox answer every API request `DURATION` late, like a remote API (e.g. 200ms)")
	fs.BoolVar(&g.noColor, "no-color", false, "disable colours (also when NO_COLOR is set)")
	fs.StringVar(&g.debugPath, "debug", "", "write API requests, timings and decisions to `FILE`, with every secret redacted")
	fs.BoolVar(&g.help, "help", false, "show help")
	fs.BoolVar(&g.help, "h", false, "show help")
	fs.BoolVar(&g.version, "version", false, "print the version and exit")
}

// command is one subcommand: its words, a summary and its own flags.
type command struct {
	path    []string // e.g. {"sandbox", "serve"}
	usage   string   // arguments after the path
	summary string
	flags   func(fs *flag.FlagSet)
	run     func(a *app) error
}

// errUsage marks errors that get the usage hint and exit code 2.
var errUsage = errors.New("usage")

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Unwrap() error { return errUsage }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// parse splits args into the command and its flags. Global flags are parsed
// first up to the first word; that word (and the next, for nested commands)
// picks the command, whose flag set holds the globals again so they may also
// follow the command.
func parse(cmds []*command, args []string, g *globals) (*command, []string, error) {
	top := flag.NewFlagSet("stackview", flag.ContinueOnError)
	top.SetOutput(io.Discard)
	g.register(top)
	if err := top.Parse(args); err != nil {
		return nil, nil, usagef("%v", err)
	}
	rest := top.Args()
	cmd, n := match(cmds, rest)
	if cmd == nil {
		if len(rest) > 0 {
			return nil, nil, usagef("unknown command %q", strings.Join(rest, " "))
		}
		return nil, nil, nil
	}
	fs := flag.NewFlagSet(strings.Join(cmd.path, " "), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// Share the top-level flag values: registering g again would reset what
	// was already parsed before the command.
	top.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	if err := fs.Parse(rest[n:]); err != nil {
		return cmd, nil, usagef("%s: %v", strings.Join(cmd.path, " "), err)
	}
	return cmd, fs.Args(), nil
}

// match finds the longest command path that prefixes words.
func match(cmds []*command, words []string) (*command, int) {
	var best *command
	for _, c := range cmds {
		if len(c.path) <= len(words) && (best == nil || len(c.path) > len(best.path)) {
			ok := true
			for i, p := range c.path {
				if words[i] != p {
					ok = false
					break
				}
			}
			if ok {
				best = c
			}
		}
	}
	if best == nil {
		return nil, 0
	}
	return best, len(best.path)
}

func printHelp(w io.Writer, cmds []*command, cmd *command) {
	g := &globals{}
	if cmd == nil {
		fmt.Fprint(w, `stackview — a terminal UI for Terraform stacks on Spacelift and HCP Terraform / TFC.

Usage:
  stackview [flags]              open the UI (the embedded sandbox when nothing is configured)
  stackview [flags] COMMAND [flags]

Commands:
`)
		for _, c := range cmds {
			fmt.Fprintf(w, "  %-22s %s\n", strings.Join(c.path, " "), c.summary)
		}
		fmt.Fprint(w, "\nGlobal flags (before or after the command):\n")
		fs := flag.NewFlagSet("stackview", flag.ContinueOnError)
		g.register(fs)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fmt.Fprint(w, "\nRun 'stackview COMMAND --help' for a command's flags. Keys in the UI: press ? there.\n")
		return
	}
	fmt.Fprintf(w, "Usage: stackview %s [flags] %s\n\n%s\n\nFlags:\n", strings.Join(cmd.path, " "), cmd.usage, cmd.summary)
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, "\nGlobal flags:\n")
	gs := flag.NewFlagSet("", flag.ContinueOnError)
	g.register(gs)
	gs.SetOutput(w)
	gs.PrintDefaults()
}
