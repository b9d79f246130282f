package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/faults"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi/fakeengine"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi/tfcapitest"
	"github.com/stackview/stackview/internal/backend/spacelift"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/debuglog"
)

// Known secret values: whatever goes wrong, none may show up anywhere a
// user or a log could read it.
const (
	secretKey      = "sv-api-key-secret-7f3a9c"
	secretWrongKey = "sv-wrong-key-secret-0d1e2f"
	secretTFE      = "tfe-token-secret.atlasv1.9b8a7c"
	secretWrongTFE = "tfe-wrong-token.atlasv1.6e5d4c"
)

// exposure collects every text a secret could leak into.
type exposure struct {
	texts   []string
	secrets []string
}

func (x *exposure) add(what, text string) { x.texts = append(x.texts, what+":\n"+text) }

func (x *exposure) addErr(what string, err error) {
	if err != nil {
		x.add(what, err.Error())
	}
}

func (x *exposure) check(t *testing.T) {
	t.Helper()
	if testing.Verbose() {
		for _, text := range x.texts {
			t.Log(text)
		}
	}
	for _, text := range x.texts {
		for _, s := range x.secrets {
			// Tokens are checked whole and by their distinctive tail, so a
			// truncated token on a narrow screen is caught too.
			if strings.Contains(text, s) || strings.Contains(text, s[len(s)-12:]) {
				t.Errorf("secret %q… leaked in %s", s[:6], text)
			}
		}
	}
}

// drive runs the UI over b through every fault the injector can produce,
// refreshing and sending a plan under each, and records the screens and
// the audit log.
func driveThroughFaults(t *testing.T, x *exposure, b backend.Backend, in *faults.Injector, stack string) {
	rec := &audit.Memory{}
	d := newDriverOn(t, b, func() time.Time { return uitest0 }, 120, 30, func(o *testOptions) { o.Audit = rec })
	x.add("start", d.screen())
	for _, k := range faults.Kinds {
		if err := in.Set(map[faults.Kind]float64{k: 1}); err != nil {
			t.Fatal(err)
		}
		d.press("r")
		x.add(string(k)+" refresh", d.screen())
		d.typeText(":stack " + stack)
		d.press("enter")
		d.press("p", "y")
		x.add(string(k)+" plan", d.screen())
		d.fireTimers()
		x.add(string(k)+" later", d.screen())
		in.Off()
		d.press("r")
		x.add(string(k)+" recovered", d.screen())
	}
	for _, e := range rec.Entries() {
		x.add("audit", fmt.Sprintf("%+v", e))
	}
}

var uitest0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestSecretsNeverShowSpacelift(t *testing.T) {
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"} {
		t.Setenv(v, t.TempDir())
	}
	in := faults.New(faults.Options{Dialect: faults.Spacelift, Seed: 1, Delay: func(context.Context, time.Duration) {}, RetryAfter: time.Millisecond})
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	srv, err := spaceliftapi.New(fakeengine.New(5), spaceliftapi.Options{BaseURL: base, APIKeySecret: secretKey})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = in.Wrap(srv.Handler())
	ts.Start()
	t.Cleanup(ts.Close)
	jwt, err := srv.MintToken()
	if err != nil {
		t.Fatal(err)
	}
	x := &exposure{secrets: []string{secretKey, secretWrongKey, jwt}}
	var debug strings.Builder // a --debug log, with no secret registered: nothing may need redacting
	hc := &http.Client{Transport: debuglog.New(&debug, nil).Transport(nil), Timeout: 10 * time.Second}
	client := func(vars map[string]string) (*spacelift.Client, error) {
		return spacelift.New(context.Background(), spacelift.Config{Env: func(k string) string { return vars[k] },
			HomeDir: t.TempDir(), RetryBaseDelay: time.Millisecond, HTTPClient: hc})
	}
	keyVars := func(secret string) map[string]string {
		return map[string]string{"SPACELIFT_API_KEY_ENDPOINT": base, "SPACELIFT_API_KEY_ID": srv.APIKeyID(), "SPACELIFT_API_KEY_SECRET": secret}
	}

	_, err = client(keyVars(secretWrongKey))
	x.addErr("wrong secret", err)
	for _, k := range faults.Kinds {
		_ = in.Set(map[faults.Kind]float64{k: 1})
		_, err = client(keyVars(secretKey))
		x.addErr("new under "+string(k), err)
	}
	in.Off()

	withKey, err := client(keyVars(secretKey))
	if err != nil {
		t.Fatal(err)
	}
	driveThroughFaults(t, x, withKey, in, "stack-003")
	withToken, err := client(map[string]string{"SPACELIFT_API_TOKEN": jwt})
	if err != nil {
		t.Fatal(err)
	}
	driveThroughFaults(t, x, withToken, in, "stack-004")

	srv.RevokeKey() // the key and every token minted from it stop working
	for name, c := range map[string]*spacelift.Client{"key": withKey, "token": withToken} {
		_, err := c.ListStacks(context.Background())
		x.addErr("revoked "+name, err)
		d := newDriverOn(t, c, func() time.Time { return uitest0 }, 120, 30)
		x.add("revoked "+name+" screen", d.screen())
	}
	if !strings.Contains(debug.String(), "http POST") {
		t.Errorf("the debug log recorded no request:\n%s", debug.String())
	}
	x.add("debug log", debug.String())
	x.check(t)
}

func TestSecretsNeverShowTFC(t *testing.T) {
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"} {
		t.Setenv(v, t.TempDir())
	}
	in := faults.New(faults.Options{Dialect: faults.TFC, Seed: 1, Delay: func(context.Context, time.Duration) {}, RetryAfter: time.Millisecond})
	srv := tfcapi.New(tfcapitest.New(6), tfcapi.Options{Token: secretTFE})
	ts := httptest.NewServer(in.Wrap(srv.Handler()))
	t.Cleanup(ts.Close)
	x := &exposure{secrets: []string{secretTFE, secretWrongTFE}}
	var debug strings.Builder
	hc := &http.Client{Transport: debuglog.New(&debug, nil).Transport(nil)}
	client := func(token string) (*tfc.Client, error) {
		return tfc.New(context.Background(), tfc.Config{Address: ts.URL, Organization: srv.Organization(), HomeDir: t.TempDir(), HTTPClient: hc,
			Env: func(k string) string { return map[string]string{"TFE_TOKEN": token}[k] }, Timeout: time.Second,
			Clock: sandbox.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))}) // paced in virtual time
	}
	_, err := client(secretWrongTFE)
	x.addErr("wrong token", err)
	for _, k := range faults.Kinds {
		_ = in.Set(map[faults.Kind]float64{k: 1})
		_, err = client(secretTFE)
		x.addErr("new under "+string(k), err)
	}
	in.Off()
	c, err := client(secretTFE)
	if err != nil {
		t.Fatal(err)
	}
	stacks, err := c.ListStacks(context.Background())
	if err != nil || len(stacks) < 2 {
		t.Fatalf("stacks: %v", err)
	}
	driveThroughFaults(t, x, c, in, stacks[1].Name)
	if !strings.Contains(debug.String(), "http POST") {
		t.Errorf("the debug log recorded no request:\n%s", debug.String())
	}
	x.add("debug log", debug.String())
	x.check(t)
}
