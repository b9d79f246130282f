package tfmod

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseSource(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want Source
	}{
		{"spacelift.io/acme/vpc/aws", Source{Kind: KindSpacelift, Host: SpaceliftHost, Namespace: "acme", Name: "vpc", Provider: "aws"}},
		{"app.terraform.io/acme/vpc/aws//modules/x", Source{Kind: KindTFC, Host: TFCHost, Namespace: "acme", Name: "vpc", Provider: "aws", Subdir: "modules/x"}},
		{"terraform-aws-modules/vpc/aws", Source{Kind: KindRegistry, Host: PublicHost, Namespace: "terraform-aws-modules", Name: "vpc", Provider: "aws"}},
		{"registry.example.com/acme/vpc/aws", Source{Kind: KindRegistry, Host: "registry.example.com", Namespace: "acme", Name: "vpc", Provider: "aws"}},
		{"git::https://github.com/acme/vpc.git?ref=v1.2.3", Source{Kind: KindGit, Repo: "https://github.com/acme/vpc.git", Ref: "v1.2.3", TagPrefix: "v", RefVersion: "1.2.3"}},
		{"git::ssh://git@github.com/acme/m.git//vpc?ref=vpc/v1.2.3", Source{Kind: KindGit, Repo: "ssh://git@github.com/acme/m.git", Subdir: "vpc", Ref: "vpc/v1.2.3", TagPrefix: "vpc/v", RefVersion: "1.2.3"}},
		{"github.com/acme/vpc?ref=1.2.3", Source{Kind: KindGit, Repo: "github.com/acme/vpc", Ref: "1.2.3", RefVersion: "1.2.3"}},
		{"git@github.com:acme/vpc.git?ref=main", Source{Kind: KindGit, Repo: "git@github.com:acme/vpc.git", Ref: "main"}},
		{"../modules/vpc", Source{Kind: KindLocal}},
		{"s3::https://s3.amazonaws.com/bucket/vpc.zip", Source{Kind: KindOther}},
		{"https://example.com/vpc.zip", Source{Kind: KindOther}},
	} {
		tc.want.Raw = tc.raw
		if got := ParseSource(tc.raw); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSource(%q)\n got %+v\nwant %+v", tc.raw, got, tc.want)
		}
	}
}

func TestParseFilesReportsProblemsAndGoesOn(t *testing.T) {
	files := map[string][]byte{
		"stacks/api/main.tf":   []byte("module \"service\" {\n  source  = \"spacelift.io/acme/ecs-service/aws\"\n  version = \"~> 2.0\"\n}\n"),
		"stacks/api/broken.tf": []byte("module \"x\" {\n  source = \"a\"\n\n  oops = \n}\n"),
		"stacks/db/main.tf": []byte("resource \"x\" \"y\" {}\n\nmodule \"db\" {\n  source  = \"spacelift.io/acme/rds/aws\"\n  version = var.v\n}\n" +
			"module \"net\" {\n  source = \"git::https://git.example/net.git?ref=v2.0.0\"\n}\n"),
		"README.md": []byte("module \"not terraform\" {"),
	}
	calls, problems := ParseFiles(files)
	var got []string
	for _, c := range calls {
		got = append(got, c.Dir+"|"+c.File+":"+strconv.Itoa(c.Line)+"|"+c.Name+"|"+string(c.Source.Kind)+"|"+c.Spec())
	}
	want := []string{"stacks/api|stacks/api/main.tf:1|service|spacelift|~> 2.0", "stacks/db|stacks/db/main.tf:7|net|git|2.0.0"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
	if len(problems) != 2 || problems[0].File != "stacks/api/broken.tf" || problems[0].Line != 4 ||
		problems[1].File != "stacks/db/main.tf" || problems[1].Line != 3 || !strings.Contains(problems[1].Message, `module "db": version is not a literal string`) {
		t.Errorf("problems = %+v", problems)
	}
}

func TestAddress(t *testing.T) {
	for raw, want := range map[string]string{
		"spacelift.io/acme/vpc/aws//modules/x":                  "spacelift.io/acme/vpc/aws",
		"terraform-aws-modules/vpc/aws":                         "terraform-aws-modules/vpc/aws",
		"registry.terraform.io/terraform-aws-modules/vpc/aws":   "registry.terraform.io/terraform-aws-modules/vpc/aws",
		"git::https://github.com/acme/vpc.git?ref=v1.2.3":       "https://github.com/acme/vpc.git",
		"github.com/acme/terraform-modules//vpc?ref=vpc/v1.2.0": "github.com/acme/terraform-modules//vpc",
		"github.com/acme/terraform-modules//rds?ref=rds/v3.0.0": "github.com/acme/terraform-modules//rds",
		"./modules/local": "./modules/local",
	} {
		if got := ParseSource(raw).Address(); got != want {
			t.Errorf("Address(%q) = %q, want %q", raw, got, want)
		}
	}
}
