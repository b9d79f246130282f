package spacelift

import (
	"context"
	"testing"

	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi/fakeengine"
)

// BenchmarkListStacksOverHTTP lists 2000 stacks through the Spacelift
// dialect: 40 pages of 50. (The fake engine stands in until the sandbox's
// scale mode exists.)
func BenchmarkListStacksOverHTTP(b *testing.B) {
	ctx := context.Background()
	eng := fakeengine.New(2000)
	srv, err := spaceliftapi.New(eng, spaceliftapi.Options{})
	if err != nil {
		b.Fatal(err)
	}
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	env := map[string]string{"SPACELIFT_API_KEY_ENDPOINT": base, "SPACELIFT_API_KEY_ID": srv.APIKeyID(), "SPACELIFT_API_KEY_SECRET": srv.APIKeySecret()}
	c, err := New(ctx, Config{Env: func(k string) string { return env[k] }, HomeDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		stacks, err := c.ListStacks(ctx)
		if err != nil || len(stacks) != 2000 {
			b.Fatalf("%d stacks, %v", len(stacks), err)
		}
	}
}
