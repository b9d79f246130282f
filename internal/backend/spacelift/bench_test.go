package spacelift

import (
	"context"
	"fmt"
	"testing"

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
	srv, err := spaceliftapi.New(fakeengine.New(n), spaceliftapi.Options{})
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
