package driftview

import (
	"testing"

	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// TestIgnoreAsksForTheSelectedAttribute: i on an attribute line asks the
// pipeline to ignore that attribute in the stack's environment; a line
// already ignored says so.
func TestIgnoreAsksForTheSelectedAttribute(t *testing.T) {
	c, _ := uitest.Context(t, uitest.NewFake())
	rule := &drift.Rule{Address: "aws_iam_role.api", Attribute: "tags", Reason: "noise", Source: "config"}
	c.Data.Drift.Reports = map[string]drift.Report{"prod-payments-api": {
		Drift: model.Drift{Drifted: true},
		Resources: []drift.Resource{{Address: "aws_security_group.api", Attributes: []drift.Attribute{{Name: "ingress"}}},
			{Address: "aws_iam_role.api", Attributes: []drift.Attribute{{Name: "tags", IgnoredBy: rule}}}},
	}}
	m := OpenStack("prod-payments-api")
	m.cursor = 1 // ingress
	m.ignore(c)
	p, ok := (*c.Asks)[0].(screen.Propose)
	if !ok {
		t.Fatalf("asked %+v", *c.Asks)
	}
	if r := p.Request.(mutation.Ignore).Rule; r.Address != "aws_security_group.api" || r.Attribute != "ingress" || r.Environment != "prod" {
		t.Fatalf("rule %+v", r)
	}
	m.cursor = 3 // tags, ignored already
	if off := m.ignoreOff(c); off != "already ignored" {
		t.Fatalf("off = %q", off)
	}
}
