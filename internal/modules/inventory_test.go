package modules_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/modules"
	"github.com/stackview/stackview/internal/promote/promotetest"
	"github.com/stackview/stackview/internal/tfmod"
)

// TestScanSkipsBrokenFilesAndReadsGitTags: an unparseable file is reported
// with file and line while the rest is listed, and a git source's versions
// come from its remote's tags.
func TestScanSkipsBrokenFilesAndReadsGitTags(t *testing.T) {
	ctx := context.Background()
	w := promotetest.New(t)
	identity := w.Stack("dev-identity").Repo
	vpcRepo := "file://" + filepath.Join(w.E.Dir(), "repos", "modules", "terraform-aws-vpc.git")
	w.Push(identity, "dev", "terraform/main.tf", func(old string) string {
		return old + "\nmodule \"edge\" {\n  source = \"git::" + vpcRepo + "?ref=v1.1.0\"\n}\n\nmodule \"broken\" {\n  source = \n}\n"
	})
	cl, err := w.Cache.Open(ctx, identity)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := modules.Scan(ctx, cl, []string{"dev", "qa", "no-such-branch"}, w.Stacks())
	cl.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Problems) != 1 || inv.Problems[0].Branch != "dev" || inv.Problems[0].File != "terraform/main.tf" || inv.Problems[0].Line == 0 {
		t.Fatalf("problems = %+v", inv.Problems)
	}
	// The broken file hides dev's blocks; qa's are read.
	if uses := inv.Of("spacelift.io/acme/iam-role/aws"); len(uses) != 1 || uses[0].Branch != "qa" || uses[0].StackID != "qa-identity" || uses[0].Call.Spec() != "1.0.1" {
		t.Fatalf("iam-role uses = %v", uses)
	}

	versions := &modules.Versions{Backend: w.E, Cache: w.Cache}
	edge := tfmod.Call{Name: "edge", Source: tfmod.ParseSource("git::" + vpcRepo + "?ref=v1.1.0")}
	st, err := versions.Status(ctx, edge)
	if err != nil {
		t.Fatal(err)
	}
	if st.Current != "1.1.0" || st.Newest != "1.3.0" || st.Major || !st.Outdated() {
		t.Fatalf("git source status = %+v", st)
	}
	role := tfmod.Call{Name: "roles", Source: tfmod.ParseSource("spacelift.io/acme/iam-role/aws"), Version: "~> 1.0.0"}
	if st, err := versions.Status(ctx, role); err != nil || st.Current != "1.0.1" || st.NewestAllowed != "1.0.1" || st.Newest != "1.1.0" {
		t.Fatalf("registry status = %+v, %v", st, err)
	}
	if _, err := versions.Status(ctx, tfmod.Call{Source: tfmod.ParseSource("spacelift.io/acme/nope/aws")}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("unknown module: err = %v", err)
	}
}
