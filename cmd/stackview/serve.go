package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"syscall"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox/faults"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
)

type serveFlags struct {
	addr      string
	tfcAddr   string
	faults    string
	faultSeed uint64
}

func serveCommand() *command {
	f := &serveFlags{}
	return &command{
		path:    []string{"sandbox", "serve"},
		summary: "serve the sandbox on loopback in the Spacelift and TFC API dialects and print credentials for clients",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.addr, "addr", "", "loopback `ADDR` (host:port) for the Spacelift GraphQL API (default "+defaultSpaceliftAddr+", or a free port when it is taken; port 0 picks a free one)")
			fs.StringVar(&f.tfcAddr, "tfc-addr", "", "loopback `ADDR` for the TFC / TFE JSON:API (default "+defaultTFCAddr+", or a free port when it is taken)")
			fs.StringVar(&f.faults, "faults", "", "inject API faults: `SPEC` such as rate=0.1,drop=0.05,latency=0.2 (kinds: latency, 500, 502, 503, rate, drop, malformed, partial, expire)")
			fs.Uint64Var(&f.faultSeed, "fault-seed", 1, "`SEED` of the fault sequence (same seed, same faults for the same requests)")
		},
		run: func(a *app) error { return a.serve(f) },
	}
}

// serve runs the sandbox servers until interrupted. The credentials it
// prints are made up by the sandbox for loopback use: the one place
// stackview prints a secret.
func (a *app) serve(f *serveFlags) error {
	if len(a.args) > 0 {
		return usagef("sandbox serve: unexpected argument %q", a.args[0])
	}
	slWrap, tfcWrap, err := faultMiddleware(f, a.g.latency)
	if err != nil {
		return err
	}
	eng, err := a.startSandbox()
	if err != nil {
		return err
	}
	defer eng.Close()
	srv, err := spaceliftapi.New(eng, spaceliftapi.Options{Middleware: slWrap})
	if err != nil {
		return err
	}
	if err := startOn(f.addr, defaultSpaceliftAddr, srv.Start); err != nil {
		return err
	}
	defer srv.Close()
	tsrv := tfcapi.New(eng, tfcapi.Options{Middleware: tfcWrap, RateLimit: true})
	if err := startOn(f.tfcAddr, defaultTFCAddr, tsrv.Start); err != nil {
		return err
	}
	defer tsrv.Close()
	exports, err := srv.ShellExports()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "# stackview sandbox: Spacelift GraphQL API at %s/graphql\n", srv.BaseURL())
	fmt.Fprint(a.stdout, exports)
	fmt.Fprintf(a.stdout, "# TFC / TFE API at %s/api/v2 (rate limited as HCP Terraform: 30 requests/s per user, run lists 30/min)\n", tsrv.BaseURL())
	fmt.Fprint(a.stdout, tsrv.ShellExports())
	git, err := eng.ServeGit() // startSandbox started it: this names its address
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "# git repositories at %s/<org>/<name>.git (clone and push over http)\n", git)
	if f.faults != "" {
		fmt.Fprintf(a.stdout, "# injecting faults %s (seed %d)\n", f.faults, f.faultSeed)
	}
	if a.g.latency > 0 {
		fmt.Fprintf(a.stdout, "# every API request answers %s late (--latency)\n", a.g.latency)
	}
	fmt.Fprintln(a.stdout, "# serving until interrupted (ctrl+c)")
	<-a.ctx.Done()
	return nil
}

// The ports serve prefers, so clients set up once keep working.
const (
	defaultSpaceliftAddr = "127.0.0.1:8787"
	defaultTFCAddr       = "127.0.0.1:8788"
)

// startOn starts a server on addr when one was given (failing when it is
// taken), else on preferred, else, when that is taken, on a free port.
func startOn(addr, preferred string, start func(string) (string, error)) error {
	if addr != "" {
		_, err := start(addr)
		return err
	}
	_, err := start(preferred)
	if errors.Is(err, syscall.EADDRINUSE) {
		_, err = start("127.0.0.1:0")
	}
	return err
}

// faultMiddleware builds one injector per dialect from --faults and
// --latency, or none.
func faultMiddleware(f *serveFlags, latency time.Duration) (spacelift, tfc func(http.Handler) http.Handler, err error) {
	if f.faults == "" && latency == 0 {
		return nil, nil, nil
	}
	rates := map[faults.Kind]float64{}
	if f.faults != "" {
		if rates, err = faults.Parse(f.faults); err != nil {
			return nil, nil, usagef("sandbox serve --faults: %v", err)
		}
	}
	wraps := make([]func(http.Handler) http.Handler, 2)
	for i, d := range []faults.Dialect{faults.Spacelift, faults.TFC} {
		in := faults.New(faults.Options{Dialect: d, Seed: f.faultSeed, Every: latency})
		if err := in.Set(rates); err != nil {
			return nil, nil, usagef("sandbox serve --faults: %v", err)
		}
		wraps[i] = in.Wrap
	}
	return wraps[0], wraps[1], nil
}

// latencyMiddleware makes every request of the served sandbox wait
// --latency (nil when it is 0): the fault middleware's wait, alone.
func latencyMiddleware(latency time.Duration) func(http.Handler) http.Handler {
	if latency == 0 {
		return nil
	}
	return faults.New(faults.Options{Dialect: faults.Spacelift, Every: latency}).Wrap
}
