package main

import (
	"flag"
	"fmt"

	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
)

type serveFlags struct {
	addr    string
	tfcAddr string
}

func serveCommand() *command {
	f := &serveFlags{}
	return &command{
		path:    []string{"sandbox", "serve"},
		summary: "serve the sandbox on loopback in the Spacelift and TFC API dialects and print credentials for clients",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.addr, "addr", "127.0.0.1:8787", "loopback `ADDR` (host:port) for the Spacelift GraphQL API; port 0 picks a free one")
			fs.StringVar(&f.tfcAddr, "tfc-addr", "127.0.0.1:8788", "loopback `ADDR` for the TFC / TFE JSON:API")
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
	eng, err := a.startSandbox()
	if err != nil {
		return err
	}
	defer eng.Close()
	srv, err := spaceliftapi.New(eng, spaceliftapi.Options{})
	if err != nil {
		return err
	}
	if _, err := srv.Start(f.addr); err != nil {
		return err
	}
	defer srv.Close()
	tsrv := tfcapi.New(eng, tfcapi.Options{})
	if _, err := tsrv.Start(f.tfcAddr); err != nil {
		return err
	}
	defer tsrv.Close()
	exports, err := srv.ShellExports()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "# stackview sandbox: Spacelift GraphQL API at %s/graphql\n", srv.BaseURL())
	fmt.Fprint(a.stdout, exports)
	fmt.Fprintf(a.stdout, "# TFC / TFE API at %s/api/v2\n", tsrv.BaseURL())
	fmt.Fprint(a.stdout, tsrv.ShellExports())
	fmt.Fprintln(a.stdout, "# serving until interrupted (ctrl+c)")
	<-a.ctx.Done()
	return nil
}
