package tfc_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/backend/backendtest"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/scheduler"
	"github.com/stackview/stackview/internal/backend/tfc"
)

// TestContract runs the backend contract for the TFC client against the
// sandbox engine served in the TFC dialect over HTTP.
func TestContract(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backendtest.Harness {
		w := sandboxClient(t, sandboxOpts{})
		return backendtest.Harness{Backend: w.c, Advance: w.clock.Advance}
	})
}

// sandboxOpts vary sandboxClient.
type sandboxOpts struct {
	reader    bool                            // use the reader's token
	rateLimit bool                            // the server enforces TFC's limits
	wrap      func(http.Handler) http.Handler // middleware in front of the API
	serveGit  bool                            // serve the repositories over http
	// realPacing paces the client on the engine's clock (which its waits
	// then move), instead of a clock of its own.
	realPacing bool
}

// world is the seeded sandbox engine served in the TFC dialect, with a
// client connected to it.
type world struct {
	c      *tfc.Client
	clock  *sandbox.ManualClock // the engine's
	engine *sandbox.Engine
	srv    *tfcapi.Server
	url    string
}

// api is a bare go-tfe client of the world's admin, for what stackview
// does not do itself (saved plans, destroy runs).
func (w *world) api(t *testing.T) *tfe.Client {
	t.Helper()
	api, err := tfe.NewClient(&tfe.Config{Address: w.url, Token: w.srv.Token()})
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// sandboxClient serves the seeded sandbox engine in the TFC dialect and
// connects a client to it.
func sandboxClient(t *testing.T, o sandboxOpts) *world {
	t.Helper()
	clock := sandbox.NewManualClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))
	engine, err := sandbox.New(context.Background(), sandbox.Options{Dir: t.TempDir(), Seed: 7, Clock: clock})
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	t.Cleanup(func() { engine.Close() })
	if o.serveGit {
		if _, err := engine.ServeGit(); err != nil {
			t.Fatal(err)
		}
	}
	srv := tfcapi.New(engine, tfcapi.Options{RateLimit: o.rateLimit})
	var h http.Handler = srv.Handler()
	if o.wrap != nil {
		h = o.wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	token := srv.Token()
	if o.reader {
		token = srv.ReaderToken()
	}
	var pace scheduler.Clock = virtualTime()
	if o.realPacing {
		pace = clock
	}
	c, err := tfc.New(ctxFor(t), tfc.Config{
		Address: ts.URL, Organization: srv.Organization(), HomeDir: t.TempDir(),
		Env: envOf(map[string]string{"TFE_TOKEN": token}), Clock: pace,
	})
	if err != nil {
		t.Fatalf("tfc.New: %v", err)
	}
	return &world{c: c, clock: clock, engine: engine, srv: srv, url: ts.URL}
}
