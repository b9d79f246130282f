package tfc_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stackview/stackview/internal/model"
)

// TestPendingRunsFromTheOrganisationsRunList: one read of the
// organisation's non-final runs gives every workspace its pending runs, on
// every listing (not per workspace); when that read is refused they are
// unknown, never "none".
func TestPendingRunsFromTheOrganisationsRunList(t *testing.T) {
	var orgReads, refuse atomic.Int32
	h := newHarness(t, harnessOpts{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/runs") && strings.Contains(r.URL.Path, "/organizations/") {
				orgReads.Add(1)
				if r.URL.Query().Get("filter[status_group]") != "non_final" {
					t.Errorf("the organisation's runs were read without the non_final filter: %s", r.URL.RawQuery)
				}
				if refuse.Load() > 0 {
					http.Error(w, `{"errors":[{"status":"403","title":"forbidden"}]}`, http.StatusForbidden)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}})
	ctx := ctxFor(t)
	stacks, err := h.client.ListStacks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := orgReads.Load(); n != 1 {
		t.Fatalf("%d reads of the organisation's runs for %d workspaces, want 1", n, len(stacks))
	}
	id := stacks[0].ID
	run, err := h.client.Trigger(ctx, id, model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	stacks, err = h.client.ListStacks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stacks {
		if !s.PendingKnown {
			t.Fatalf("%s: pending runs unknown after a good read", s.ID)
		}
		if s.ID == id && (len(s.Pending) != 1 || s.Pending[0].ID != run.ID) {
			t.Fatalf("%s: pending %+v, want the deploy just queued", s.ID, s.Pending)
		}
	}
	refuse.Store(1)
	if _, err := h.client.Trigger(ctx, id, model.RunPlan); err != nil { // forgets what was read
		t.Fatal(err)
	}
	stacks, err = h.client.ListStacks(ctx)
	if err != nil {
		t.Fatalf("a refused run list must not fail the listing: %v", err)
	}
	for _, s := range stacks {
		if w, known := s.Waiting(); known || s.PendingKnown {
			t.Fatalf("%s: pending runs known (%+v) after the read was refused", s.ID, w)
		}
	}
}
