package plantext

import (
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/model"
)

// A plan as Terraform writes it with colour, in the shapes the parser meets:
// an update with a map, a create with unknown and sensitive values, a
// replacement, a deletion with its reason, a value spanning lines.
const plan = "\x1b[0m\nTerraform will perform the following actions:\n\n" +
	"  \x1b[1m# aws_cognito_user_pool_client.web\x1b[0m will be updated in-place\n" +
	"  \x1b[33m~\x1b[0m resource \"aws_cognito_user_pool_client\" \"web\" {\n" +
	"        id           = \"abc\"\n" +
	"      \x1b[33m~\x1b[0m name         = \"web\" \x1b[33m->\x1b[0m \"web-app\"\n" +
	"      ~ tags         = {\n" +
	"          ~ \"ModuleVersion\" = \"1.1.0\" -> \"2.0.0\"\n" +
	"          + \"Team\"          = \"a -> b\"\n" +
	"            # (1 unchanged element hidden)\n" +
	"        }\n" +
	"        # (3 unchanged attributes hidden)\n" +
	"    }\n\n" +
	"  # aws_secretsmanager_secret_version.client will be created\n" +
	"  + resource \"aws_secretsmanager_secret_version\" \"client\" {\n" +
	"      + secret_id     = (known after apply)\n" +
	"      + secret_string = (sensitive value)\n" +
	"      + policy        = jsonencode(\n" +
	"            {\n" +
	"              + Version = \"2012-10-17\"\n" +
	"            }\n" +
	"        )\n" +
	"    }\n\n" +
	"  # aws_s3_bucket.assets must be replaced\n" +
	"-/+ resource \"aws_s3_bucket\" \"assets\" {\n" +
	"      ~ bucket = \"old\" -> \"new\" # forces replacement\n" +
	"    }\n\n" +
	"  # aws_route53_record.shop will be destroyed\n" +
	"  # (because aws_route53_record.shop is not in configuration)\n" +
	"  - resource \"aws_route53_record\" \"shop\" {\n" +
	"      - name = \"shop\" -> null\n" +
	"    }\n\n" +
	"\x1b[1mPlan:\x1b[0m 2 to add, 1 to change, 2 to destroy.\n"

func TestParseReadsValuesFromThePlanText(t *testing.T) {
	got := map[string]model.ResourceChange{}
	for _, c := range Parse(plan) {
		got[c.Address] = c
		if c.ValuesFrom != model.ValuesLog {
			t.Errorf("%s: values from %q, want the log", c.Address, c.ValuesFrom)
		}
	}
	if len(got) != 4 {
		t.Fatalf("parsed %d resources: %+v", len(got), got)
	}
	values := func(addr string) []string {
		var out []string
		for _, v := range got[addr].Values {
			out = append(out, v.String())
		}
		return out
	}
	for _, tc := range []struct {
		addr   string
		action model.ChangeAction
		attrs  string
		values []string
	}{
		{"aws_cognito_user_pool_client.web", model.ActionChange, "name tags",
			[]string{`name: "web" → "web-app"`, `tags.ModuleVersion: "1.1.0" → "2.0.0"`, `tags.Team: null → "a -> b"`}},
		{"aws_secretsmanager_secret_version.client", model.ActionAdd, "secret_id secret_string policy",
			[]string{"secret_id: null → (known after apply)", "secret_string: null → (sensitive)"}},
		{"aws_s3_bucket.assets", model.ActionReplace, "bucket", []string{`bucket: "old" → "new"`}},
		{"aws_route53_record.shop", model.ActionDestroy, "name", []string{`name: "shop" → null`}},
	} {
		c := got[tc.addr]
		if c.Action != tc.action || strings.Join(c.Attributes, " ") != tc.attrs || strings.Join(values(tc.addr), "|") != strings.Join(tc.values, "|") {
			t.Errorf("%s: %s %v %q, want %s %s %q", tc.addr, c.Action, c.Attributes, values(tc.addr), tc.action, tc.attrs, tc.values)
		}
	}
	if c := got["aws_secretsmanager_secret_version.client"]; c.NoValues == "" {
		t.Error("a value spanning lines is not said to be unread")
	}
	if c := got["aws_s3_bucket.assets"]; len(c.ReplacePaths) != 1 || c.ReplacePaths[0] != "bucket" {
		t.Errorf("replace paths %v", c.ReplacePaths)
	}
	if c := got["aws_route53_record.shop"]; c.Reason != "because aws_route53_record.shop is not in configuration" {
		t.Errorf("reason %q", c.Reason)
	}
}

func TestParseReadsDriftAndNothingElse(t *testing.T) {
	drift := "Note: Objects have changed outside of Terraform\n\n" +
		"  # aws_cloudfront_distribution.cdn has changed\n" +
		"  ~ resource \"aws_cloudfront_distribution\" \"cdn\" {\n" +
		"      ~ default_ttl = 3600 -> 86400\n" +
		"    }\n\nThis is a refresh-only plan\n"
	got := Parse(drift)
	if len(got) != 1 || got[0].Action != model.ActionChange || len(got[0].Values) != 1 || got[0].Values[0].String() != "default_ttl: 3600 → 86400" {
		t.Fatalf("drift: %+v", got)
	}
	for _, log := range []string{"", "Initializing...\nNo changes. Your infrastructure matches the configuration.", "# not a header\n}"} {
		if got := Parse(log); len(got) != 0 {
			t.Errorf("Parse(%q) = %+v", log, got)
		}
	}
}

func TestParseJSONNamesResourcesWithoutValues(t *testing.T) {
	log := "Terraform v1.9.8\n" +
		`{"@level":"info","@message":"Terraform 1.9.8","type":"version"}` + "\n" +
		`{"@level":"info","@message":"aws_x.y: Plan to update","type":"planned_change","change":{"resource":{"addr":"aws_x.y"},"action":"update"}}` + "\n" +
		`{"@level":"info","@message":"aws_b.c: Plan to replace","type":"planned_change","change":{"resource":{"addr":"aws_b.c"},"action":"replace","reason":"cannot_update"}}` + "\n" +
		`{"@level":"info","@message":"data.x.y: Plan to read","type":"planned_change","change":{"resource":{"addr":"data.x.y"},"action":"read"}}` + "\n" +
		`{"@level":"info","@message":"Plan: 0 to add, 1 to change, 0 to destroy.","type":"change_summary"}`
	got := ParseJSON(log)
	if len(got) != 2 || got[0].Address != "aws_x.y" || got[0].Action != model.ActionChange || got[0].HasValues() ||
		got[1].Action != model.ActionReplace || got[1].Reason != "replace_because_cannot_update" {
		t.Fatalf("planned changes: %+v", got)
	}
	if msg, ok := JSONMessage(`{"@message":"Plan: 1 to add","type":"change_summary"}`); !ok || msg != "Plan: 1 to add" {
		t.Errorf("message %q %v", msg, ok)
	}
	if _, ok := JSONMessage("{ not json"); ok {
		t.Error("a line that is not a UI message read as one")
	}
}
