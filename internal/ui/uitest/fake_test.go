package uitest

import (
	"context"
	"errors"
	"testing"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// TestFakeClaimsMatchBehaviour: what the fake's capabilities claim works
// (locks: taken by You, shown by ListStacks, someone else's refused with
// its holder), and the optional operations it does not claim say so.
func TestFakeClaimsMatchBehaviour(t *testing.T) {
	ctx := context.Background()
	f := NewFake()
	caps := f.Capabilities()
	if !caps.Lock || caps.Review || caps.Promote || caps.SyncCommit || caps.Stop || caps.DriftCheck {
		t.Fatalf("capabilities %+v: this test checks Lock and the absence of the rest", caps)
	}
	s, err := f.Lock(ctx, "dev-network", "why")
	if err != nil || s.Lock == nil || s.Lock.Holder != You || !s.Lock.Mine || s.Lock.Note != "why" {
		t.Fatalf("Lock: %+v, %v", s.Lock, err)
	}
	if _, err := f.Lock(ctx, "dev-network", "again"); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("locking a locked stack: %v", err)
	}
	listed := func(id string) *model.Lock {
		ss, err := f.ListStacks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ss {
			if s.ID == id {
				return s.Lock
			}
		}
		t.Fatalf("no %s", id)
		return nil
	}
	if l := listed("dev-network"); l == nil || l.Holder != You {
		t.Errorf("ListStacks does not show the lock: %+v", l)
	}
	if s, err := f.Unlock(ctx, "dev-network"); err != nil || s.Lock != nil || listed("dev-network") != nil {
		t.Errorf("Unlock: %+v, %v", s.Lock, err)
	}
	var locked *backend.LockedError
	if _, err := f.Unlock(ctx, "prod-search"); !errors.As(err, &locked) || locked.Lock.Holder != "alice" {
		t.Errorf("unlocking alice's lock: %v", err)
	}
	if _, err := f.Lock(ctx, "nope", ""); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("an unknown stack: %v", err)
	}
	for name, call := range map[string]func() error{
		"Review":     func() error { _, err := f.Review(ctx, "dev-network", "r", true, ""); return err },
		"Promote":    func() error { _, err := f.Promote(ctx, "dev-network", "r"); return err },
		"SyncCommit": func() error { _, err := f.SyncCommit(ctx, "dev-network"); return err },
		"Stop":       func() error { _, err := f.Stop(ctx, "dev-network", "r"); return err },
		"DriftCheck": func() error { _, err := f.Trigger(ctx, "dev-network", model.RunDriftCheck); return err },
	} {
		if err := call(); !errors.Is(err, backend.ErrUnsupported) {
			t.Errorf("%s, not claimed: %v, want ErrUnsupported", name, err)
		}
	}
}
