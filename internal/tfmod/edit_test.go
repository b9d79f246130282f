package tfmod

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBumpGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sel    func(Call) bool
		target string
		edits  []string // "name from→to"
	}{
		{"registry", func(c Call) bool { return c.Source.Name == "vpc" }, "1.4.0", []string{
			"vpc 1.2.0→1.4.0", "edge_vpc ~> 1.2→~> 1.4", "legacy_vpc ~> 1.2.0→~> 1.4.0", "tfc_vpc = 1.2.0→= 1.4.0",
			"ranged_vpc >= 1.2.0, < 2.0.0→>= 1.4.0, < 2.0.0"}},
		{"git", func(c Call) bool { return c.Source.Kind == KindGit && c.Source.RefVersion != "" }, "v1.4.0", []string{
			"vpc_v 1.2.0→1.4.0", "vpc_plain 1.2.0→1.4.0", "vpc_monorepo 1.2.0→1.4.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := read(t, tc.name+".before.tf")
			got, edits, err := BumpFile("main.tf", before, tc.sel, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if want := read(t, tc.name+".after.tf"); string(got) != string(want) {
				t.Errorf("bumped file differs from %s.after.tf:\n%s", tc.name, got)
			}
			var summary []string
			for _, e := range edits {
				summary = append(summary, e.Call.Name+" "+e.From+"→"+e.To)
			}
			if strings.Join(summary, "|") != strings.Join(tc.edits, "|") {
				t.Errorf("edits = %q, want %q", summary, tc.edits)
			}
			again, edits, err := BumpFile("main.tf", got, tc.sel, tc.target)
			if err != nil || len(edits) != 0 || string(again) != string(got) {
				t.Errorf("bumping again changed something: %d edits, %v", len(edits), err)
			}
		})
	}
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "bump", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestBumpRefusals(t *testing.T) {
	for _, tc := range []struct{ name, src, target, want string }{
		{"local", "module \"m\" {\n  source = \"./m\"\n}\n", "1.0.0", "local source"},
		{"branch ref", "module \"m\" {\n  source = \"git::https://x.example/m.git?ref=main\"\n}\n", "1.0.0", `git ref "main" is not a version`},
		{"beyond range", "module \"m\" {\n  source  = \"acme/m/aws\"\n  version = \">= 1.0.0, < 2.0.0\"\n}\n", "2.1.0", "edit the constraint by hand"},
		{"interpolated", "module \"m\" {\n  source  = \"acme/m/aws\"\n  version = \"${var.v}\"\n}\n", "2.1.0", "not a literal string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := BumpFile("main.tf", []byte(tc.src), func(Call) bool { return true }, tc.target)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestBumpAddsAMissingVersion(t *testing.T) {
	src := "module \"m\" {\n  source = \"acme/m/aws\" # latest\n}\n"
	got, edits, err := BumpFile("main.tf", []byte(src), func(Call) bool { return true }, "1.4.0")
	if err != nil || len(edits) != 1 {
		t.Fatalf("edits %v, err %v", edits, err)
	}
	want := "module \"m\" {\n  source = \"acme/m/aws\" # latest\n  version = \"1.4.0\"\n}\n"
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
