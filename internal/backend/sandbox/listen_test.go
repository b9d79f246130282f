package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stackview/stackview/internal/backend/sandbox"
)

// TestLoopbackHosts: requests addressed to a loopback name pass; one
// addressed to any other name (a DNS rebinding page) is refused.
func TestLoopbackHosts(t *testing.T) {
	h := sandbox.LoopbackHosts(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	for host, want := range map[string]int{
		"127.0.0.1:8787": http.StatusNoContent, "localhost:8787": http.StatusNoContent, "LOCALHOST": http.StatusNoContent,
		"[::1]:8788": http.StatusNoContent, "127.1.2.3:80": http.StatusNoContent,
		"evil.example:8787": http.StatusMisdirectedRequest, "localhost.evil.example": http.StatusMisdirectedRequest,
		"10.0.0.1:8787": http.StatusMisdirectedRequest, "": http.StatusMisdirectedRequest,
	} {
		r := httptest.NewRequest("POST", "/graphql", nil)
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Host %q: %d, want %d", host, w.Code, want)
		}
	}
}
