package sandbox_test

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// planText is a run's log as plain text.
func planText(t *testing.T, e *sandbox.Engine, r model.Run) string {
	t.Helper()
	byState, err := e.RunLogsByState(bg, r.StackID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range byState {
		for _, line := range l.Lines {
			b.WriteString(line + "\n")
		}
	}
	return ansi.Strip(b.String())
}

func changeOf(t *testing.T, changes []model.ResourceChange, addr string) model.ResourceChange {
	t.Helper()
	for _, c := range changes {
		if c.Address == addr {
			return c
		}
	}
	t.Fatalf("no change of %s in %+v", addr, changes)
	return model.ResourceChange{}
}

// Issue 19: the planner evaluates the HCL it plans, so a rename says what
// the name was and what it becomes, in the changes and in the plan text.
func TestPlansCarryValuesBeforeAndAfter(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	before := listStacks(t, e)
	pushChange(t, before["dev-identity"].Repo, "dev", "terraform/main.tf", func(old string) string {
		old = strings.Replace(old, `name = "web"`, `name = "web-app"`, 1)
		return old + `
resource "aws_secretsmanager_secret_version" "client" {
  secret_id     = aws_cognito_user_pool_client.spa.id
  secret_string = "hunter2"
}

resource "aws_cognito_user_pool_client" "spa" {
  name         = "spa-${var.environment}"
  user_pool_id = aws_cognito_user_pool.main.id
}
`
	})
	if err := e.Sync(bg); err != nil {
		t.Fatal(err)
	}
	runs := newRuns(t, e, before)["dev-identity"]
	if len(runs) != 1 {
		t.Fatalf("runs after the push: %+v", runs)
	}
	r := settle(t, e, clock, "dev-identity", runs[0].ID)
	changes, err := e.RunChanges(bg, r.StackID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	web := changeOf(t, changes, "aws_cognito_user_pool_client.web")
	if v, ok := web.Value("name"); web.Action != model.ActionChange || !ok || v.String() != `name: "web" → "web-app"` || web.ValuesFrom != model.ValuesPlan {
		t.Errorf("rename: %+v", web)
	}
	spa := changeOf(t, changes, "aws_cognito_user_pool_client.spa")
	name, _ := spa.Value("name")
	pool, _ := spa.Value("user_pool_id")
	if spa.Action != model.ActionAdd || name.After.Text != `"spa-dev"` || !name.Before.Null ||
		pool.After.Unknown || !strings.HasPrefix(pool.After.Text, `"cognito-user-pool-`) {
		t.Errorf("create referencing a resource in the state: %+v", spa)
	}
	secret := changeOf(t, changes, "aws_secretsmanager_secret_version.client")
	id, _ := secret.Value("secret_id")
	str, _ := secret.Value("secret_string")
	if !id.After.Unknown || !str.After.Sensitive || str.After.Text != "" {
		t.Errorf("a reference to what the plan creates is known after apply, a secret sensitive: %+v", secret)
	}
	text := planText(t, e, r)
	for _, want := range []string{
		"# aws_cognito_user_pool_client.web will be updated in-place",
		`~ name = "web" -> "web-app"`,
		"+ secret_id     = (known after apply)",
		"+ secret_string = (sensitive value)",
		"Plan: 2 to add, 1 to change, 0 to destroy.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("plan text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "hunter2") {
		t.Error("the plan text shows a sensitive value")
	}
	// The legend names the actions this plan takes, as Terraform's does.
	if !strings.Contains(text, "~ update in-place") || strings.Contains(text, "destroy and then create replacement") || strings.Contains(text, "- destroy") {
		t.Errorf("the legend names actions the plan does not take:\n%s", text)
	}
}

// A change the provider cannot make in place replaces the resource, and
// says which attribute forces it; a resource taken out of the code is
// destroyed because its configuration is gone.
func TestReplacementsAndDeletionsSayWhy(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	before := listStacks(t, e)
	pushChange(t, before["dev-storefront"].Repo, "dev", "terraform/main.tf", func(old string) string {
		old = strings.Replace(old, `"acme-${var.environment}-storefront-assets"`, `"acme-${var.environment}-shop-assets"`, 1)
		i := strings.Index(old, `resource "aws_route53_record" "shop"`)
		return old[:i]
	})
	if err := e.Sync(bg); err != nil {
		t.Fatal(err)
	}
	r := settle(t, e, clock, "dev-storefront", newRuns(t, e, before)["dev-storefront"][0].ID)
	changes, err := e.RunChanges(bg, r.StackID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	bucket := changeOf(t, changes, "aws_s3_bucket.assets")
	if bucket.Action != model.ActionReplace || bucket.Reason != "replace_because_cannot_update" ||
		len(bucket.ReplacePaths) != 1 || bucket.ReplacePaths[0] != "bucket" {
		t.Errorf("replacement: %+v", bucket)
	}
	shop := changeOf(t, changes, "aws_route53_record.shop")
	if v, _ := shop.Value("name"); shop.Action != model.ActionDestroy || shop.Reason != "delete_because_no_resource_config" || v.Before.Text != `"shop"` || !v.After.Null {
		t.Errorf("deletion: %+v", shop)
	}
	if r.Delta == nil || *r.Delta != (model.Delta{Add: 1, Destroy: 2}) {
		t.Errorf("delta %+v: a replacement adds and destroys", r.Delta)
	}
	text := planText(t, e, r)
	for _, want := range []string{
		"# aws_s3_bucket.assets must be replaced",
		`-/+ resource "aws_s3_bucket" "assets" {`,
		`"acme-dev-storefront-assets" -> "acme-dev-shop-assets" # forces replacement`,
		"# (because aws_route53_record.shop is not in configuration)",
		`- name = "shop" -> null`,
		"-/+ destroy and then create replacement",
		"  - destroy",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("plan text lacks %q:\n%s", want, text)
		}
	}
}

// Drift: a check reads each drifted attribute's recorded value from the
// state and its real value; the deploy that reconciles puts it back.
func TestDriftHasRecordedAndRealValues(t *testing.T) {
	t.Parallel()
	e, clock := newEngine(t, sandbox.Options{})
	s := listStacks(t, e)["qa-storefront"]
	cdn := changeOf(t, s.Drift.Changes, "aws_cloudfront_distribution.cdn")
	ttl, ok := cdn.Value("default_ttl")
	if !ok || ttl.Before.Text != "3600" || ttl.After.Text != "86400" || cdn.ValuesFrom != model.ValuesPlan {
		t.Fatalf("drift of the CDN: %+v", cdn)
	}
	if scan, _ := cdn.Value("tags.LastScanned"); !scan.Before.Null || !strings.HasPrefix(scan.After.Text, `"20`) {
		t.Errorf("a tag added outside Terraform: %+v", scan)
	}
	check, err := e.RunChanges(bg, s.ID, s.Drift.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := changeOf(t, check, "aws_cloudfront_distribution.cdn").Value("default_ttl"); v != ttl {
		t.Errorf("the check's own changes: %+v", v)
	}
	checkRun, err := e.GetRun(bg, s.ID, s.Drift.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if text := planText(t, e, checkRun); !strings.Contains(text, "# aws_cloudfront_distribution.cdn has changed") ||
		!strings.Contains(text, "default_ttl = 3600 -> 86400") {
		t.Errorf("drift check log:\n%s", text)
	}
	d, err := e.Trigger(bg, s.ID, model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(30 * time.Second)
	back, err := e.RunChanges(bg, s.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := changeOf(t, back, "aws_cloudfront_distribution.cdn").Value("default_ttl"); v.Before.Text != "86400" || v.After.Text != "3600" {
		t.Errorf("the reconciling deploy: %+v", v)
	}
}
