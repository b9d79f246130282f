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

	"github.com/stackview/stackview/internal/model"
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
	latency := fs.Duration("latency", 200*time.Millisecond, "every API request of the sandbox answers `DURATION` late, as a remote API does")
	coldUpTo := fs.Int("cold", 10000, "read every TFC dependency from the API (the cold figure) at sizes up to `N` stacks")
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
		return serve(ctx, *serveN, *latency, stdin, stdout)
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
	o := options{home: home, width: *width, height: *height, profile: *profile, latency: *latency, coldUpTo: *coldUpTo}
	for _, n := range ns {
		r, err := measure(ctx, n, o)
		if err != nil {
			return err
		}
		results = append(results, r)
		if len(results) < len(ns) {
			// A long run stopped early keeps what it measured.
			fmt.Fprintln(os.Stderr, "benchscale: the figures so far:")
			printTable(os.Stderr, results, o)
		}
	}
	printTable(stdout, results, o)
	return nil
}

// result is everything measured at one size.
type result struct {
	n        int
	build    time.Duration // the quickest of its sandbox builds
	listings []listingFigures
	steady   []steadyFigures
	uis      []uiFigures
}

func measure(ctx context.Context, n int, o options) (result, error) {
	r := result{n: n}
	// Each measurement gets a sandbox of its own: a TFC client goes on
	// reading details in the background after a listing, and one client's
	// reads must not slow the next measurement down.
	withServer := func(what string, f func(*server)) error {
		fmt.Fprintf(os.Stderr, "benchscale: %d stacks: building the sandbox for %s…\n", n, what)
		srv, err := startServer(ctx, n, o.profile, o.latency)
		if err != nil {
			return err
		}
		defer srv.stop()
		if r.build == 0 || srv.ep.Build < r.build {
			r.build = srv.ep.Build
		}
		f(srv)
		return nil
	}
	for _, d := range dialects {
		// A failed measurement is a figure too: it goes in the table.
		var lf listingFigures
		var sf steadyFigures
		var uf uiFigures
		cacheDir, err := os.MkdirTemp(o.home, "cache-")
		if err != nil {
			return r, err
		}
		// Refreshes follow the listing on the same server: a TFC client
		// then starts from the disk cache the listing wrote (keyed by the
		// server's address and token), as a second start does.
		err = withServer(d.name+" listing and refreshes", func(srv *server) {
			lf, lf.err = measureListing(ctx, d, srv, o.home, cacheDir, o.cold(n), model.DefaultEnvironments())
			if lf.err == nil {
				sf, sf.err = measureSteady(ctx, d, srv, o.home, cacheDir)
			} else {
				sf.err = lf.err
			}
		})
		if err == nil {
			err = withServer(d.name+" keystrokes", func(srv *server) {
				uf, uf.err = measureUI(ctx, d, srv, o.home, o.width, o.height)
			})
		}
		if err != nil {
			return r, err
		}
		r.listings, r.steady, r.uis = append(r.listings, lf), append(r.steady, sf), append(r.uis, uf)
	}
	return r, nil
}

// options are what every measurement shares.
type options struct {
	home          string
	width, height int
	profile       string
	latency       time.Duration
	coldUpTo      int
}

// cold says whether the TFC cold figure is measured at size n.
func (o options) cold(n int) bool { return n <= o.coldUpTo }

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
