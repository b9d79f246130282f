package sandbox_test

import (
	"context"
	"testing"

	"github.com/stackview/stackview/internal/backend/sandbox"
)

// TestResourceCountIsWhatEntitiesList: the count a TFC listing gives
// (resource-count) is the number of resources StackEntities lists, tens to
// a few hundred for a stack that has applied, none for one that has not.
func TestResourceCountIsWhatEntitiesList(t *testing.T) {
	e, _ := newEngine(t, sandbox.Options{Seed: 7})
	ctx := context.Background()
	stacks, err := e.ListStacks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stacks {
		n, err := e.ResourceCount(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		ens, err := e.StackEntities(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(ens) {
			t.Errorf("%s: resource count %d, entities %d", s.ID, n, len(ens))
		}
		if n != 0 && (n < 20 || n > 300) {
			t.Errorf("%s manages %d resources, want 20 to 300", s.ID, n)
		}
	}
}
