package sandbox

import (
	"fmt"
	"net"
)

// ListenLoopback listens on addr for a dialect server. Only loopback
// addresses are accepted: the sandbox's made-up credentials must never be
// reachable from another machine. "" means 127.0.0.1 on a free port.
func ListenLoopback(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen address %q: only loopback addresses are allowed, the sandbox serves this machine only", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}
