package sandbox

import (
	"fmt"
	"net"
	"net/http"
	"strings"
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

// LoopbackHosts refuses requests whose Host header is not a loopback name
// (localhost, 127.0.0.0/8, ::1): a web page the user opens could otherwise
// reach the sandbox's loopback servers through a domain that resolves to
// 127.0.0.1 (DNS rebinding) and act with the credentials it prints.
func LoopbackHosts(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			http.Error(w, "this sandbox answers only requests addressed to localhost or a loopback address", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
