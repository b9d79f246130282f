package drift

import (
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/model"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "aws_s3_bucket.assets", true},
		{"aws_s3_bucket.*", "aws_s3_bucket.assets", true},
		{"aws_s3_bucket.*", "aws_s3_bucketx.assets", false},
		{"module.vpc.*", `module.vpc.aws_subnet.private["a"]`, true},
		{`aws_instance.web["a"]`, `aws_instance.web["a"]`, true},
		{`aws_instance.web["?"]`, `aws_instance.web["b"]`, true},
		{"tags.*", "tags.LastScanned", true},
		{"tags.*", "tags", false},
		{"*.private", "module.vpc.aws_subnet.private", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"", "", true},
	}
	for _, tt := range tests {
		if got := Glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestParseIgnoreFile(t *testing.T) {
	rules, err := ParseIgnoreFile([]byte(`
[[ignore]]
address = "*"
attribute = "tags.LastScanned"
reason = "scanner"

[[ignore]]
address = "aws_security_group.shared"
attribute = "*"
environment = "qa"
`), "environment:.stackview/drift-ignore.toml")
	if err != nil || len(rules) != 2 {
		t.Fatalf("rules = %+v, %v", rules, err)
	}
	if rules[0].Reason != "scanner" || rules[1].Environment != "qa" || rules[1].Source != "environment:.stackview/drift-ignore.toml" {
		t.Errorf("rules = %+v", rules)
	}
	for body, want := range map[string]string{
		"[[ignore]]\nattribute = \"x\"\n":             "entry 1: address is empty",
		"[[ignore]]\naddress = \"x\"\n":               "entry 1: attribute is empty",
		"[[ignore]]\naddress = \"x\"\nattr = \"y\"\n": `unknown key "ignore.attr"`,
		"[[ignore]\n": "f.toml",
	} {
		if _, err := ParseIgnoreFile([]byte(body), "f.toml"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to mention %q", body, err, want)
		}
	}
	// A rule written by Format reads back the same.
	r := Rule{Address: `aws_instance.web["a"]`, Attribute: "ami", Environment: "prod", Reason: `said "ok"`}
	back, err := ParseIgnoreFile([]byte(r.Format("ignore")), "x")
	if err != nil || len(back) != 1 || back[0].Address != r.Address || back[0].Reason != r.Reason || back[0].Environment != "prod" {
		t.Errorf("round trip = %+v, %v", back, err)
	}
}

func change(addr string, attrs ...string) model.ResourceChange {
	return model.ResourceChange{Address: addr, Action: model.ActionChange, Attributes: attrs}
}

func TestEvaluateCountsOnlyWhatIsNotIgnored(t *testing.T) {
	d := model.Drift{Drifted: true, RunID: "run-1",
		Resources: []string{"aws_security_group.shared", "module.vpc.aws_subnet.private", "aws_cloudfront_distribution.cdn"},
		Changes: []model.ResourceChange{
			change("aws_security_group.shared", "ingress"),
			change("module.vpc.aws_subnet.private", "tags.LastScanned"),
			change("aws_cloudfront_distribution.cdn", "default_ttl", "tags.LastScanned"),
		}}
	rules := []Rule{{Address: "*", Attribute: "tags.LastScanned", Source: "repo"}}
	rep := Evaluate(d, "prod", rules)
	if rep.Counted() != 2 || rep.Ignored() != 1 {
		t.Fatalf("counted %d ignored %d, want 2 and 1: %+v", rep.Counted(), rep.Ignored(), rep.Resources)
	}
	if sub := rep.Resources[1]; !sub.Ignored() || sub.IgnoredBy.Source != "repo" {
		t.Errorf("subnet = %+v, want ignored by the repo rule", sub)
	}
	cdn := rep.Resources[2]
	if cdn.Ignored() || cdn.Attributes[0].IgnoredBy != nil || cdn.Attributes[1].IgnoredBy == nil {
		t.Errorf("cdn = %+v, want default_ttl counted and the tag ignored", cdn)
	}
	eff := rep.Effective()
	if !eff.Drifted || len(eff.Resources) != 2 || eff.RunID != "run-1" || len(eff.Changes[1].Attributes) != 1 {
		t.Errorf("effective = %+v", eff)
	}

	// Everything ignored: not drifted any more.
	rules = append(rules, Rule{Address: "aws_*", Attribute: "*"})
	if eff := Evaluate(d, "prod", rules).Effective(); eff.Drifted || len(eff.Resources) != 0 {
		t.Errorf("all ignored, effective = %+v", eff)
	}
	// An environment-scoped rule leaves other environments alone.
	scoped := []Rule{{Address: "*", Attribute: "*", Environment: "qa"}}
	if n := Evaluate(d, "prod", scoped).Counted(); n != 3 {
		t.Errorf("qa-only rule in prod: counted %d, want 3", n)
	}
	if n := Evaluate(d, "QA", scoped).Counted(); n != 0 {
		t.Errorf("qa-only rule in qa: counted %d, want 0", n)
	}
}

func TestEvaluateWithoutAttributes(t *testing.T) {
	// Backends that only name resources: attribute rules cannot match,
	// whole-resource rules can.
	d := model.Drift{Drifted: true, Resources: []string{"aws_s3_bucket.assets", "aws_iam_role.app"}}
	rules := []Rule{{Address: "*", Attribute: "tags.*"}, {Address: "aws_iam_role.*", Attribute: "*"}}
	rep := Evaluate(d, "dev", rules)
	if rep.Counted() != 1 || rep.Resources[0].Attributes != nil || !rep.Resources[1].Ignored() {
		t.Errorf("report = %+v", rep.Resources)
	}
	// Drifted with no resources named stays drifted.
	if eff := Evaluate(model.Drift{Drifted: true}, "dev", rules).Effective(); !eff.Drifted {
		t.Error("a drifted stack without resources lost its drift")
	}
}
