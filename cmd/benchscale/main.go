// Command benchscale measures stackview at scale and prints a table: for
// each size, a sandbox of that many stacks is served on loopback (in a
// process of its own) and read through the Spacelift and TFC clients, then
// the UI is driven headless on each. It prints figures and never fails on a
// threshold; `make bench` runs it.
//
// With -soak DURATION it instead reads a sandbox of -n stacks (2000 unless
// given) served by `stackview sandbox serve` through the TFC client for that
// long, as the UI would, and prints requests per minute and the 429s the
// client received (see soak.go). It is not part of `make bench`.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchscale:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("benchscale", flag.ContinueOnError)
	sizes := fs.String("n", "1000,10000", "comma-separated `SIZES` (stacks)")
	width := fs.Int("width", 200, "terminal `COLUMNS` of the headless UI")
	height := fs.Int("height", 60, "terminal `LINES` of the headless UI")
	serveN := fs.Int("serve", 0, "internal: serve a sandbox of `N` stacks until stdin closes")
	profile := fs.String("cpuprofile", "", "write CPU profiles to `FILE` (this process) and FILE.serve (the sandbox server)")
	soakFor := fs.Duration("soak", 0, "soak the TFC client for `DURATION` against `stackview sandbox serve` instead of the table")
	bin := fs.String("stackview", "bin/stackview", "the stackview `BINARY` the soak serves the sandbox with (make build)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profile != "" {
		path := *profile
		if *serveN > 0 {
			path += ".serve"
		}
		stopProfile, err := startProfile(path)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	if *serveN > 0 {
		return serve(ctx, *serveN, stdin, stdout)
	}
	if *soakFor > 0 {
		n := 2000
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "n" {
				n, _ = strconv.Atoi(strings.Split(*sizes, ",")[0])
			}
		})
		if n <= 0 {
			return fmt.Errorf("-n: %q is not a positive number", *sizes)
		}
		home, err := os.MkdirTemp("", "benchscale-home-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(home)
		return soak(ctx, stdout, *bin, n, *soakFor, home)
	}
	var ns []int
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("-n: %q is not a positive number", f)
		}
		ns = append(ns, n)
	}
	home, err := os.MkdirTemp("", "benchscale-home-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	var results []result
	for _, n := range ns {
		r, err := measure(ctx, n, home, *width, *height, *profile)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	printTable(stdout, results, *width, *height)
	return nil
}

// result is everything measured at one size.
type result struct {
	n     int
	build time.Duration // the quickest of its sandbox builds
	loads []loadFigures
	uis   []uiFigures
}

func measure(ctx context.Context, n int, home string, width, height int, profile string) (result, error) {
	r := result{n: n}
	// Each measurement gets a sandbox of its own: a TFC client goes on
	// reading run triggers in the background after its first answer, and
	// one client's reads must not slow the next measurement down.
	withServer := func(f func(endpoints)) error {
		fmt.Fprintf(os.Stderr, "benchscale: %d stacks: building the sandbox…\n", n)
		srv, err := startServer(ctx, n, profile)
		if err != nil {
			return err
		}
		defer srv.stop()
		if r.build == 0 || srv.ep.Build < r.build {
			r.build = srv.ep.Build
		}
		f(srv.ep)
		return nil
	}
	for _, d := range dialects {
		// A failed measurement is a figure too: it goes in the table.
		var uf uiFigures
		var lf loadFigures
		err := withServer(func(ep endpoints) {
			fmt.Fprintf(os.Stderr, "benchscale: %d stacks: %s UI…\n", n, d.name)
			var err error
			uf, err = measureUI(ctx, d, ep, home, width, height)
			uf.err = err
		})
		if err == nil {
			err = withServer(func(ep endpoints) {
				fmt.Fprintf(os.Stderr, "benchscale: %d stacks: %s loads…\n", n, d.name)
				var err error
				lf, err = measureLoad(ctx, d, ep, home)
				lf.err = err
			})
		}
		if err != nil {
			return r, err
		}
		r.loads, r.uis = append(r.loads, lf), append(r.uis, uf)
	}
	return r, nil
}

// startProfile writes a CPU profile to path until the returned func runs.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
