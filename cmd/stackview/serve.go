package main

import "fmt"

func serveCommand() *command {
	return &command{
		path:    []string{"sandbox", "serve"},
		summary: "serve the sandbox over loopback in the Spacelift dialect and print credentials",
		run:     func(a *app) error { return fmt.Errorf("not built yet") },
	}
}
