package spacelift

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/faults"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi/fakeengine"
)

// BenchmarkListStacksOverHTTP compares listing strategies through the
// Spacelift dialect: ListStacks (one unpaginated stacks query, decoded with
// encoding/json) against paging searchStacks 50 or 100 at a time with the
// GraphQL client's decoder, as spacectl does. It is how the strategy was
// chosen; docs/BENCHMARKS.md has the figures.
func BenchmarkListStacksOverHTTP(b *testing.B) {
	for _, n := range []int{2000, 10000} {
		c := benchClient(b, n)
		b.Run(fmt.Sprintf("stacks/%d", n), func(b *testing.B) {
			for b.Loop() {
				stacks, err := c.ListStacks(context.Background())
				if err != nil || len(stacks) != n {
					b.Fatalf("%d stacks, %v", len(stacks), err)
				}
			}
		})
		for _, first := range []int{50, 100} {
			b.Run(fmt.Sprintf("searchStacks-%d/%d", first, n), func(b *testing.B) {
				for b.Loop() {
					if got, err := searchAll(c, first); err != nil || got != n {
						b.Fatalf("%d stacks, %v", got, err)
					}
				}
			})
		}
	}
}

func benchClient(b *testing.B, n int) *Client {
	return serveForBench(b, fakeengine.New(n), spaceliftapi.Options{})
}

// serveForBench serves engine in the Spacelift dialect and returns a client
// of it.
func serveForBench(b *testing.B, engine spaceliftapi.Engine, opts spaceliftapi.Options) *Client {
	srv, err := spaceliftapi.New(engine, opts)
	if err != nil {
		b.Fatal(err)
	}
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	env := map[string]string{"SPACELIFT_API_KEY_ENDPOINT": base, "SPACELIFT_API_KEY_ID": srv.APIKeyID(), "SPACELIFT_API_KEY_SECRET": srv.APIKeySecret()}
	c, err := New(context.Background(), Config{Env: func(k string) string { return env[k] }, HomeDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// searchAll pages searchStacks as ListStacks did before it read the
// unpaginated list, and counts the stacks.
func searchAll(c *Client, first int) (int, error) {
	type page struct {
		SearchStacks struct {
			PageInfo struct {
				EndCursor   *string `graphql:"endCursor"`
				HasNextPage bool    `graphql:"hasNextPage"`
			} `graphql:"pageInfo"`
			Edges []struct {
				Node stackNode `graphql:"node"`
			} `graphql:"edges"`
		} `graphql:"searchStacks(input: $input)"`
	}
	n := 0
	var after *string
	for {
		var q page
		if err := c.query(context.Background(), "StacksPage", &q, map[string]any{"input": SearchInput{First: &first, After: after}}); err != nil {
			return n, err
		}
		for _, e := range q.SearchStacks.Edges {
			_ = c.toStack(e.Node)
			n++
		}
		if !q.SearchStacks.PageInfo.HasNextPage {
			return n, nil
		}
		after = q.SearchStacks.PageInfo.EndCursor
	}
}

// BenchmarkLeanListingStrategies is how PageStacks' strategy was chosen
// (docs/BENCHMARKS.md): against the sandbox in scale mode, served with
// every request 200 ms late (BENCH_LATENCY to change it), it lists every
// stack with the lean selection three ways and reports the time to the
// first page (first-ms) and to the last (ns/op), and the requests:
//
//   - pages: searchStacks 50 at a time, one cursor after the other;
//   - spaces: one such cursor per space (dev, qa, prod and the rest), in
//     parallel, as a client that knew the spaces would;
//   - first+lean: the first page of 50, then one lean stacks query (what
//     PageStacks does).
func BenchmarkLeanListingStrategies(b *testing.B) {
	const n = 2000
	latency := 200 * time.Millisecond
	if v := os.Getenv("BENCH_LATENCY"); v != "" {
		var err error
		if latency, err = time.ParseDuration(v); err != nil {
			b.Fatal(err)
		}
	}
	eng, err := sandbox.New(context.Background(), sandbox.Options{Dir: b.TempDir(), Stacks: n})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { eng.Close() })
	c := serveForBench(b, eng, spaceliftapi.Options{Middleware: faults.New(faults.Options{Every: latency}).Wrap})
	all, err := eng.ListStacks(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	spaces := []string{"dev", "qa", "prod"}
	strategies := []struct {
		name string
		list func(first func()) (stacks, requests int, err error)
	}{
		{"pages", func(first func()) (int, int, error) { return searchLean(ctx, c, nil, first) }},
		{"spaces", func(first func()) (int, int, error) {
			var mu sync.Mutex
			var once sync.Once
			total, requests := 0, 0
			g, gctx := errgroup.WithContext(ctx)
			for i := range len(spaces) + 1 {
				p := searchPredicate{Field: "space", Constraint: fieldConstraint{StringMatches: spaces}, Exclude: true} // the rest
				if i < len(spaces) {
					p = searchPredicate{Field: "space", Constraint: fieldConstraint{StringMatches: spaces[i : i+1]}}
				}
				g.Go(func() error {
					got, reqs, err := searchLean(gctx, c, []searchPredicate{p}, func() { once.Do(first) })
					mu.Lock()
					total, requests = total+got, requests+reqs
					mu.Unlock()
					return err
				})
			}
			err := g.Wait()
			return total, requests, err
		}},
		{"first+lean", func(first func()) (int, int, error) {
			if _, err := c.firstPage(ctx); err != nil {
				return 0, 1, err
			}
			first()
			stacks, _, err := c.leanAll(ctx)
			return len(stacks), 2, err
		}},
	}
	for _, s := range strategies {
		b.Run(s.name, func(b *testing.B) {
			var firstAt time.Duration
			var requests int
			for b.Loop() {
				start := time.Now()
				got, reqs, err := s.list(func() { firstAt = time.Since(start) })
				if err != nil || got != len(all) {
					b.Fatalf("%d stacks of %d, %v", got, len(all), err)
				}
				requests = reqs
			}
			b.ReportMetric(float64(firstAt.Milliseconds()), "first-ms")
			b.ReportMetric(float64(requests), "requests")
		})
	}
}

// searchLean pages searchStacks with the lean selection, 50 at a time,
// calling first after the first page.
func searchLean(ctx context.Context, c *Client, predicates []searchPredicate, first func()) (stacks, requests int, err error) {
	size := firstPageSize
	in := SearchInput{First: &size, Predicates: predicates}
	for {
		var q stackSearch
		requests++
		if _, err := c.queryList(ctx, "StackPage", &q, map[string]any{"input": in}); err != nil {
			return stacks, requests, err
		}
		if requests == 1 {
			first()
		}
		stacks += len(c.searchNodes(q.SearchStacks, nil, "searchStacks"))
		if !q.SearchStacks.PageInfo.HasNextPage {
			return stacks, requests, nil
		}
		in.After = q.SearchStacks.PageInfo.EndCursor
	}
}
