package uitest

import (
	"context"
	"errors"
	"testing"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// TestLocksNameTheirHolder covers what the contract leaves to each
// backend and the UI reads: the fake's locks are the user's own (Mine), and
// a refusal over someone else's lock is a LockedError naming them, for a
// deploy as for an unlock.
func TestLocksNameTheirHolder(t *testing.T) {
	ctx := context.Background()
	f := NewFake()
	s, err := f.Lock(ctx, "dev-network", "why")
	if err != nil || s.Lock == nil || s.Lock.Holder != You || !s.Lock.Mine {
		t.Fatalf("Lock: %+v, %v", s.Lock, err)
	}
	var locked *backend.LockedError
	if _, err := f.Unlock(ctx, "prod-search"); !errors.As(err, &locked) || locked.Lock.Holder != "alice" {
		t.Errorf("unlocking alice's lock: %v", err)
	}
	if _, err := f.Trigger(ctx, "prod-search", model.RunDeploy); !errors.As(err, &locked) || locked.Lock.Holder != "alice" {
		t.Errorf("deploying under alice's lock: %v", err)
	}
}
