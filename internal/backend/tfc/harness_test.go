package tfc_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi/tfcapitest"
	"github.com/stackview/stackview/internal/backend/tfc"
)

// harness is a TFC client talking over HTTP to the sandbox's TFC dialect,
// served over an in-memory fake backend.
type harness struct {
	client *tfc.Client
	fake   *tfcapitest.Fake
	server *tfcapi.Server
	url    string
}

type harnessOpts struct {
	stacks  int
	wrap    func(http.Handler) http.Handler // middleware in front of the API
	timeout time.Duration
	reader  bool // use the token of the user without admin rights
}

// virtualTime is a clock for the client's request scheduler that does not
// sleep: tests that are not about pacing run at full speed.
func virtualTime() *sandbox.ManualClock {
	return sandbox.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newHarness(t testing.TB, o harnessOpts) *harness {
	t.Helper()
	if o.stacks == 0 {
		o.stacks = 9
	}
	fake := tfcapitest.New(o.stacks)
	srv := tfcapi.New(fake, tfcapi.Options{})
	h := srv.Handler()
	if o.wrap != nil {
		h = o.wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	token := srv.Token()
	if o.reader {
		token = srv.ReaderToken()
	}
	c, err := tfc.New(ctxFor(t), tfc.Config{
		Address: ts.URL, Organization: srv.Organization(), HomeDir: t.TempDir(),
		Env: envOf(map[string]string{"TFE_TOKEN": token}), RegistryHost: "app.terraform.io",
		Timeout: o.timeout, Clock: virtualTime(),
	})
	if err != nil {
		t.Fatalf("tfc.New: %v", err)
	}
	return &harness{client: c, fake: fake, server: srv, url: ts.URL}
}
