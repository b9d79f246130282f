// Package faults injects API failures into the sandbox servers: added
// latency, 5xx answers, rate limiting in either dialect's headers, dropped
// connections, malformed bodies, GraphQL errors with partial data and tokens
// that expire early. It is HTTP middleware driven by a seeded generator, so
// a run of requests fails the same way every time.
package faults

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/sanitize"
)

// Kind is one sort of injected failure.
type Kind string

const (
	Latency   Kind = "latency"   // the request waits Options.Latency, then is served
	Status500 Kind = "500"       // answered 500 before reaching the server
	Status502 Kind = "502"       // answered 502 before reaching the server
	Status503 Kind = "503"       // answered 503 before reaching the server
	RateLimit Kind = "rate"      // answered 429 with the dialect's rate-limit headers
	Drop      Kind = "drop"      // served, then the connection closes mid-response
	Malformed Kind = "malformed" // served, then the body is cut short and garbled
	Partial   Kind = "partial"   // served, then a GraphQL error is added and the data nulled (Spacelift)
	Expire    Kind = "expire"    // a request with a bearer token is refused 401, as if it expired
)

// Kinds lists every kind in the order the generator weighs them.
var Kinds = []Kind{Latency, Status500, Status502, Status503, RateLimit, Drop, Malformed, Partial, Expire}

// Dialect decides the shape of injected error bodies and rate-limit headers.
type Dialect int

const (
	Spacelift Dialect = iota // GraphQL errors, Retry-After
	TFC                      // JSON:API errors, X-RateLimit-Reset
)

// Options configure an Injector. Zero values take the defaults.
type Options struct {
	Dialect Dialect
	Seed    uint64
	// Latency is what a latency fault adds (default 250ms).
	Latency time.Duration
	// Every is a wait before every request, with or without a fault: the
	// round trip of a remote API (`--latency`). It waits like a latency
	// fault, and a latency fault adds Latency to it.
	Every time.Duration
	// Delay waits d or until ctx ends; tests inject one that does not sleep.
	Delay func(ctx context.Context, d time.Duration)
	// RetryAfter is the wait a 429 asks for (default 1s).
	RetryAfter time.Duration
}

// Injector decides, request by request, whether and how to fail.
type Injector struct {
	opts Options

	mu       sync.Mutex
	rng      *rand.Rand
	rates    map[Kind]float64
	injected map[Kind]int
}

// New returns an injector with every fault off.
func New(opts Options) *Injector {
	if opts.Latency <= 0 {
		opts.Latency = 250 * time.Millisecond
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = time.Second
	}
	if opts.Delay == nil {
		opts.Delay = sleep
	}
	return &Injector{opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, 0x5eed)), injected: map[Kind]int{}}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// Set switches faults on with the given per-request probabilities (a rate
// of 1 fails every request); it replaces what was set before. Rates must
// be within [0, 1] and sum to at most 1.
func (in *Injector) Set(rates map[Kind]float64) error {
	sum := 0.0
	for k, r := range rates {
		if !slices.Contains(Kinds, k) {
			return fmt.Errorf("unknown fault kind %q (have %s)", k, kindNames())
		}
		if !(r >= 0 && r <= 1) { // NaN fails both
			return fmt.Errorf("fault %s: rate %v is not between 0 and 1", k, r)
		}
		sum += r
	}
	if sum > 1+1e-9 {
		return fmt.Errorf("fault rates add up to %v, more than 1", sum)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rates = rates
	return nil
}

// Off switches every fault off.
func (in *Injector) Off() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rates = nil
}

// Injected is how many requests got fault k so far.
func (in *Injector) Injected(k Kind) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.injected[k]
}

// pick draws the fault for one request, or "" for none. One draw per
// request keeps the sequence a function of the seed and the request count.
func (in *Injector) pick(r *http.Request) Kind {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.rates) == 0 {
		return ""
	}
	u, acc := in.rng.Float64(), 0.0
	for _, k := range Kinds {
		acc += in.rates[k]
		if u < acc {
			if k == Expire && r.Header.Get("Authorization") == "" {
				return "" // nothing to expire: e.g. the API key exchange
			}
			in.injected[k]++
			return k
		}
	}
	return ""
}

// Parse reads a fault spec such as "rate=0.2,drop=0.05,latency": kinds
// with optional rates (a bare kind means every request). Empty items and
// rates that are not finite numbers are refused; Set checks their range.
func Parse(spec string) (map[Kind]float64, error) {
	rates := map[Kind]float64{}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("empty item in %q: write kinds separated by commas, such as 503=0.05,drop=0.01", sanitize.Clip(spec, 60))
		}
		name, val, hasRate := strings.Cut(part, "=")
		rate := 1.0
		if hasRate {
			var err error
			rate, err = strconv.ParseFloat(strings.TrimSpace(val), 64)
			if err != nil || math.IsNaN(rate) || math.IsInf(rate, 0) {
				return nil, fmt.Errorf("fault %s: rate %q is not a number", sanitize.Clip(name, 30), sanitize.Clip(val, 30))
			}
		}
		k := Kind(strings.TrimSpace(name))
		if !slices.Contains(Kinds, k) {
			return nil, fmt.Errorf("unknown fault kind %q (have %s)", sanitize.Clip(string(k), 30), kindNames())
		}
		rates[k] = rate
	}
	return rates, nil
}

func kindNames() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
