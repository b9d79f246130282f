package tfc_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi/tfcapitest"
	"github.com/stackview/stackview/internal/backend/tfc"
)

func newServer(t *testing.T) (*tfcapi.Server, string) {
	t.Helper()
	srv := tfcapi.New(tfcapitest.New(3), tfcapi.Options{})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return srv, ts.URL
}

func TestMissingTokenIsOneLineNamingWhereStackviewLooked(t *testing.T) {
	srv, url := newServer(t)
	home := t.TempDir()
	_, err := tfc.New(ctxFor(t), tfc.Config{Address: url, Organization: srv.Organization(), HomeDir: home,
		Env: envOf(nil)})
	if !errors.Is(err, backend.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	msg := err.Error()
	for _, want := range []string{"TFE_TOKEN", filepath.Join(home, ".terraform.d", "credentials.tfrc.json"),
		filepath.Join(home, ".terraformrc"), "terraform login"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans lines: %q", msg)
	}
}

func TestRejectedTokenNamesItsSourceNotItsValue(t *testing.T) {
	srv, url := newServer(t)
	const wrong = "wrong.atlasv1.secret-value-123"
	home := t.TempDir()
	_, err := tfc.New(ctxFor(t), tfc.Config{Address: url, Organization: srv.Organization(), HomeDir: home,
		Env: envOf(map[string]string{"TFE_TOKEN": wrong})})
	if !errors.Is(err, backend.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if !strings.Contains(err.Error(), "from TFE_TOKEN") || strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q: want one line naming TFE_TOKEN and not the token", err)
	}

	creds := filepath.Join(home, ".terraform.d", "credentials.tfrc.json")
	if err := os.MkdirAll(filepath.Dir(creds), 0o700); err != nil {
		t.Fatal(err)
	}
	body := `{"credentials": {"` + strings.TrimPrefix(url, "http://") + `": {"token": "` + wrong + `"}}}`
	if err := os.WriteFile(creds, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = tfc.New(ctxFor(t), tfc.Config{Address: url, Organization: srv.Organization(), HomeDir: home, Env: envOf(nil)})
	if !errors.Is(err, backend.ErrUnauthorized) || !strings.Contains(err.Error(), creds) || strings.Contains(err.Error(), wrong) {
		t.Errorf("error %v: want ErrUnauthorized naming %s and not the token", err, creds)
	}
}

func TestUnknownOrganization(t *testing.T) {
	srv, url := newServer(t)
	_, err := tfc.New(ctxFor(t), tfc.Config{Address: url, Organization: "nope", HomeDir: t.TempDir(),
		Env: envOf(map[string]string{"TFE_TOKEN": srv.Token()})})
	if !errors.Is(err, backend.ErrNotFound) || !strings.Contains(err.Error(), "nope") || strings.Contains(err.Error(), srv.Token()) {
		t.Errorf("err = %v, want ErrNotFound naming the organisation", err)
	}
}

func TestOrganizationAndAddressFromEnvironment(t *testing.T) {
	srv, url := newServer(t)
	c, err := tfc.New(ctxFor(t), tfc.Config{HomeDir: t.TempDir(), Env: envOf(map[string]string{
		"TFE_TOKEN": srv.Token(), "TFE_ADDRESS": url, "TF_CLOUD_ORGANIZATION": srv.Organization(),
	})})
	if err != nil {
		t.Fatal(err)
	}
	if info := c.Info(); info.Endpoint != url || info.Account != srv.Organization() {
		t.Errorf("info = %+v", info)
	}
}

func TestRateLimitsAreRetriedThenReported(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := ctxFor(t)
	h.server.RateLimitNext(2, 10*time.Millisecond)
	if _, err := h.client.ListModules(ctx); err != nil {
		t.Fatalf("two 429s should be retried by go-tfe: %v", err)
	}
	h.server.RateLimitNext(1<<30, 2*time.Second)
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	_, err := h.client.ListModules(short)
	var rl *backend.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, backend.ErrRateLimited) {
		t.Fatalf("err = %v, want a RateLimitError", err)
	}
	if rl.RetryAfter != 2*time.Second {
		t.Errorf("RetryAfter = %s, want the server's X-RateLimit-Reset of 2s", rl.RetryAfter)
	}
	if strings.Contains(err.Error(), h.server.Token()) {
		t.Errorf("error %q holds the token", err)
	}
	h.server.RateLimitNext(0, 0)
}

func TestNewGivesUpWithItsContext(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // a server that never answers
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(ts.Close)
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := tfc.New(ctx, tfc.Config{Address: ts.URL, Organization: "o", HomeDir: t.TempDir(),
		Env: envOf(map[string]string{"TFE_TOKEN": "t0ken-value"})})
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "t0ken-value") {
		t.Errorf("err = %v, want the context's deadline", err)
	}
}
