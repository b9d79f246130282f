package tfmod

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestHostileTerraform: files built to overflow or hang the HCL parser are
// skipped as problems with their file and line, like any broken file, and
// the module blocks of the other files are still found.
func TestHostileTerraform(t *testing.T) {
	const n = 1_000_000
	good := "module \"vpc\" {\n  source  = \"spacelift.io/acme/vpc/aws\"\n  version = \"1.2.0\"\n}\n"
	files := map[string][]byte{
		"a/deep.tf":   []byte("locals {\n  x = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n}\n"),
		"a/unary.tf":  []byte("locals {\n  y = " + strings.Repeat("!", n/10) + "true\n}\n"),
		"a/huge.tf":   []byte("# " + strings.Repeat("x", 5<<20) + "\n"),
		"a/chain.tf":  []byte("module \"m\" {\n  source = \"a\"" + strings.Repeat(" + \"a\"", 50_000) + "\n}\n"),
		"a/main.tf":   []byte(good),
		"a/unread.tf": nil, // too large for vcs to read
	}
	calls, problems := ParseFiles(files)
	if len(calls) != 1 || calls[0].Name != "vpc" {
		t.Errorf("calls = %+v", calls)
	}
	want := map[string]string{
		"a/deep.tf:2":   "nested more than 100 levels deep",
		"a/unary.tf:2":  "nested more than 100 levels deep",
		"a/huge.tf:1":   "the file is 5.0 MiB, more than the 4.0 MiB stackview reads",
		"a/chain.tf:1":  "source is not a literal string",
		"a/unread.tf:1": "more than the 4.0 MiB stackview reads: not read",
	}
	for _, p := range problems {
		at := p.File + ":" + strconv.Itoa(p.Line)
		if w, ok := want[at]; !ok || !strings.Contains(p.Message, w) {
			t.Errorf("problem %s: %s", at, p.Message)
		}
		delete(want, at)
	}
	for at, w := range want {
		t.Errorf("no problem %s %q", at, w)
	}
	deep := "locals {\n  x = " + strings.Repeat("[", n/100) + "\n}\n"
	_, _, err := BumpFile("a/deep.tf", []byte(deep), func(Call) bool { return true }, "1.3.0")
	var p Problem
	if !errors.As(err, &p) || p.Line != 2 {
		t.Errorf("BumpFile on the deep file: %v", err)
	}
}
