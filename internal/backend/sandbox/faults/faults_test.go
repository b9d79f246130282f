package faults

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// serve starts in's middleware over a handler that counts the requests it
// applies and answers a small GraphQL-shaped document.
func serve(t *testing.T, in *Injector) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var applied atomic.Int32
	ts := httptest.NewServer(in.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		applied.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":{"viewer":{"id":"u"},"stacks":[{"id":"a"},{"id":"b"}]}}`)
	})))
	t.Cleanup(ts.Close)
	return ts, &applied
}

func get(t *testing.T, url string, auth bool) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader("{}"))
	if auth {
		req.Header.Set("Authorization", "Bearer tok")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestEachKind(t *testing.T) {
	var delayed []time.Duration
	delay := func(_ context.Context, d time.Duration) { delayed = append(delayed, d) }
	for _, tc := range []struct {
		kind    Kind
		dialect Dialect
		check   func(t *testing.T, resp *http.Response, body []byte, err error, applied int32)
	}{
		{Latency, Spacelift, func(t *testing.T, resp *http.Response, body []byte, err error, applied int32) {
			if err != nil || resp.StatusCode != 200 || applied != 1 || len(delayed) != 1 || delayed[0] != 250*time.Millisecond {
				t.Fatalf("err=%v applied=%d delayed=%v", err, applied, delayed)
			}
		}},
		{Status502, TFC, func(t *testing.T, resp *http.Response, body []byte, err error, applied int32) {
			if err != nil || resp.StatusCode != 502 || applied != 0 || !strings.Contains(string(body), `"status":"502"`) {
				t.Fatalf("err=%v status=%v applied=%d body=%s", err, resp.StatusCode, applied, body)
			}
		}},
		{RateLimit, Spacelift, func(t *testing.T, resp *http.Response, body []byte, err error, applied int32) {
			if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || applied != 0 {
				t.Fatalf("err=%v status=%v headers=%v applied=%d", err, resp.StatusCode, resp.Header, applied)
			}
		}},
		{RateLimit, TFC, func(t *testing.T, resp *http.Response, body []byte, err error, applied int32) {
			if err != nil || resp.StatusCode != 429 || resp.Header.Get("X-RateLimit-Reset") != "1.000" || applied != 0 {
				t.Fatalf("err=%v status=%v headers=%v applied=%d", err, resp.StatusCode, resp.Header, applied)
			}
		}},
		{Drop, Spacelift, func(t *testing.T, resp *http.Response, body []byte, err error, applied int32) {
			if err == nil || applied != 1 {
				t.Fatalf("a dropped answer read cleanly (err=%v, applied=%d)", err, applied)
			}
		}},
		{Malformed, TFC, func(t *testing.T, resp *http.Response, body []byte, err error, applied int32) {
			if err != nil || applied != 1 || json.Valid(body) {
				t.Fatalf("err=%v applied=%d body=%q", err, applied, body)
			}
		}},
		{Partial, Spacelift, func(t *testing.T, resp *http.Response, body []byte, err error, applied int32) {
			want := `{"data":{"stacks":null,"viewer":{"id":"u"}},"errors":[{"message":"injected fault: internal error resolving stacks","path":["stacks"]}]}`
			if err != nil || applied != 1 || string(body) != want {
				t.Fatalf("err=%v applied=%d body=%s", err, applied, body)
			}
		}},
		{Expire, Spacelift, func(t *testing.T, resp *http.Response, body []byte, err error, applied int32) {
			if err != nil || resp.StatusCode != 401 || applied != 0 {
				t.Fatalf("err=%v status=%v applied=%d", err, resp.StatusCode, applied)
			}
		}},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			delayed = nil
			in := New(Options{Dialect: tc.dialect, Delay: delay})
			ts, applied := serve(t, in)
			if err := in.Set(map[Kind]float64{tc.kind: 1}); err != nil {
				t.Fatal(err)
			}
			resp, body, err := get(t, ts.URL, true)
			tc.check(t, resp, body, err, applied.Load())
			if in.Injected(tc.kind) != 1 {
				t.Fatalf("injected %d, want 1", in.Injected(tc.kind))
			}
			in.Off()
			if resp, _, err := get(t, ts.URL, true); err != nil || resp.StatusCode != 200 {
				t.Fatalf("after Off: %v", err)
			}
		})
	}
}

func TestExpireSparesRequestsWithoutAToken(t *testing.T) {
	in := New(Options{})
	ts, applied := serve(t, in)
	_ = in.Set(map[Kind]float64{Expire: 1})
	if resp, _, err := get(t, ts.URL, false); err != nil || resp.StatusCode != 200 || applied.Load() != 1 {
		t.Fatalf("the key exchange was refused: %v", err)
	}
}

// TestSameSeedSameFaults: the sequence of faults is a function of the seed.
func TestSameSeedSameFaults(t *testing.T) {
	seq := func(seed uint64) string {
		in := New(Options{Seed: seed})
		_ = in.Set(map[Kind]float64{Status500: 0.3, RateLimit: 0.3})
		var b strings.Builder
		r := httptest.NewRequest("GET", "/", nil)
		for range 40 {
			b.WriteString(string(in.pick(r)) + ".")
		}
		return b.String()
	}
	if a, b := seq(7), seq(7); a != b {
		t.Fatalf("seed 7 gave %s then %s", a, b)
	}
	if seq(7) == seq(8) {
		t.Fatal("seeds 7 and 8 gave the same faults")
	}
}

func TestParse(t *testing.T) {
	got, err := Parse("rate=0.2, drop=0.05,latency")
	if err != nil || got[RateLimit] != 0.2 || got[Drop] != 0.05 || got[Latency] != 1 || len(got) != 3 {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"nope", "rate=x"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	in := New(Options{})
	if err := in.Set(map[Kind]float64{RateLimit: 0.7, Drop: 0.7}); err == nil {
		t.Error("rates adding up past 1 accepted")
	}
}

// TestHostileFaultSpecs: NaN, infinities and empty items are refused
// with a message that says what was wrong, whether they reach Parse or
// Set.
func TestHostileFaultSpecs(t *testing.T) {
	for spec, want := range map[string]string{
		"503=NaN":          `rate "NaN" is not a number`,
		"503=nan,drop=0.1": `rate "nan" is not a number`,
		"drop=+Inf":        `rate "+Inf" is not a number`,
		",":                "empty item",
		"503,,drop":        "empty item",
		"":                 "empty item",
		"503=1e400":        "is not a number",
	} {
		if _, err := Parse(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", spec, err, want)
		}
	}
	in := New(Options{})
	for _, r := range []float64{math.NaN(), math.Inf(1), -0.1} {
		if err := in.Set(map[Kind]float64{Status503: r}); err == nil {
			t.Errorf("Set accepted a rate of %v", r)
		}
	}
}

// TestEveryRequestWaits: Options.Every delays every request, with no fault
// set and before a drawn fault, through the same wait as a latency fault.
func TestEveryRequestWaits(t *testing.T) {
	var mu sync.Mutex
	var delayed []time.Duration
	delay := func(_ context.Context, d time.Duration) { mu.Lock(); delayed = append(delayed, d); mu.Unlock() }
	in := New(Options{Dialect: TFC, Delay: delay, Every: 200 * time.Millisecond})
	ts, applied := serve(t, in)
	if resp, _, err := get(t, ts.URL, true); err != nil || resp.StatusCode != 200 {
		t.Fatalf("no fault set: %v", err)
	}
	if err := in.Set(map[Kind]float64{Latency: 1}); err != nil {
		t.Fatal(err)
	}
	if resp, _, err := get(t, ts.URL, true); err != nil || resp.StatusCode != 200 {
		t.Fatalf("with a latency fault: %v", err)
	}
	want := []time.Duration{200 * time.Millisecond, 200 * time.Millisecond, 250 * time.Millisecond}
	if !slices.Equal(delayed, want) || applied.Load() != 2 {
		t.Fatalf("delays %v (want %v), applied %d", delayed, want, applied.Load())
	}
}
