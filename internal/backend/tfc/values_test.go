package tfc_test

import (
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/model"
)

// Issue 19: an admin reads a plan's values from its JSON; a reader, whom
// HCP Terraform answers 404 for the plan JSON, sees the resources the
// structured log names, without values, and why.
func TestPlanValuesForAdminsResourcesForReaders(t *testing.T) {
	for _, reader := range []bool{false, true} {
		w := sandboxClient(t, sandboxOpts{reader: reader})
		ledger := byName(t, w.c)["qa-payments-ledger"]
		if ledger.LatestRun == nil || ledger.LatestRun.State != model.StateUnconfirmed {
			t.Fatalf("qa-payments-ledger's latest run: %+v", ledger.LatestRun)
		}
		changes, err := w.c.RunChanges(ctxFor(t), ledger.ID, ledger.LatestRun.ID)
		if err != nil {
			t.Fatalf("reader %v: %v", reader, err)
		}
		var queue model.ResourceChange
		for _, c := range changes {
			if c.Address == "aws_sqs_queue.ledger_events" {
				queue = c
			}
		}
		if queue.Action != model.ActionChange {
			t.Fatalf("reader %v: changes %+v", reader, changes)
		}
		v, ok := queue.Value("visibility_timeout_seconds")
		switch {
		case !reader && (!ok || v.String() != "visibility_timeout_seconds: 30 → 60" || queue.ValuesFrom != model.ValuesPlan):
			t.Errorf("admin: %+v", queue)
		case reader && (queue.HasValues() || len(queue.Values) > 0 || !strings.Contains(queue.NoValues, "admin access") ||
			!strings.Contains(queue.NoValues, "404")):
			t.Errorf("reader: %+v", queue)
		}
	}
}

// A drifted attribute shows its recorded and its real value on TFC.
func TestDriftShowsRecordedAndRealValues(t *testing.T) {
	w := sandboxClient(t, sandboxOpts{})
	d := byName(t, w.c)["qa-storefront"].Drift
	for _, c := range d.Changes {
		if c.Address != "aws_cloudfront_distribution.cdn" {
			continue
		}
		if v, ok := c.Value("default_ttl"); !ok || v.String() != "default_ttl: 3600 → 86400" {
			t.Fatalf("drifted default_ttl: %+v", c)
		}
		return
	}
	t.Fatalf("qa-storefront drift: %+v", d)
}
