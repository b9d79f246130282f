package bounds

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestHostileHCL: each input would overflow the parser's stack or keep it
// busy for minutes; the check refuses it with the line where the nesting
// went too deep, and every refused input is one hclsyntax would otherwise
// be asked to parse.
func TestHostileHCL(t *testing.T) {
	// 10^6 levels for the case, 10^5 (far past any stack) for the
	// rest, to keep the suite quick.
	const n = 100_000
	cases := []struct {
		name, src string
		line      int
	}{
		{"lists at 10^6 levels", "locals {\n  x = " + strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000) + "\n}\n", 2},
		{"objects", "locals {\n  x = " + strings.Repeat("{a=", n) + "1" + strings.Repeat("}", n) + "\n}\n", 2},
		{"blocks", strings.Repeat("a {\n", n), MaxHCLDepth + 1},
		{"calls", "x = " + strings.Repeat("f(", n), 1},
		{"templates", "x = " + strings.Repeat(`"${`, n/2), 1},
		{"template ifs", "x = \"" + strings.Repeat("%{if a}", n/10) + "\"\n", 1},
		{"template ifs with strip markers", "x = \"" + strings.Repeat("%{~if a~}", n/10) + "\"\n", 1},
		{"unary", "x = " + strings.Repeat("!", n) + "true\n", 1},
		{"negation", "x = " + strings.Repeat("-", n) + "1\n", 1},
		{"conditionals", "x = " + strings.Repeat("a ? b : ", n/10) + "c\n", 1},
		{"conditionals over lines in parentheses", "x = (" + strings.Repeat("a ? b :\n", n/10) + "c)\n", MaxHCLDepth},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := HCL("main.tf", []byte(c.src))
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("not refused: %v", err)
			}
			if be.File != "main.tf" || be.Line != c.line {
				t.Errorf("refused at %s:%d, want main.tf:%d (%v)", be.File, be.Line, c.line, err)
			}
		})
	}
}

// TestHCLAcceptsRealConfigurations: ordinary Terraform, long but flat
// chains and brackets inside strings are not refused.
func TestHCLAcceptsRealConfigurations(t *testing.T) {
	ok := []string{
		"module \"vpc\" {\n  source  = \"spacelift.io/acme/vpc/aws\"\n  version = \"~> 1.2\"\n  tags = { a = [1, [2, {b = 3}]] }\n}\n",
		"x = 1" + strings.Repeat(" + 1", 10000) + "\n",
		"x = a" + strings.Repeat(".b", 10000) + "\n",
		"x = \"" + strings.Repeat("[{(", 10000) + "\"\n",
		"# " + strings.Repeat("[", 10000) + "\nx = 1\n",
		"x = [" + strings.Repeat("a ? b : c, ", 1000) + "]\n",
		"locals {\n" + strings.Repeat("  y = a ? b : c\n  z = a ? b : c\n", 1) + "}\n",
		"x = [\n" + strings.Repeat("  a ? b : c,\n", 1000) + "]\n",
		"x = \"" + strings.Repeat("%{if a}b%{endif}", 1000) + "\"\n",
		"x = <<EOT\n" + strings.Repeat("${a}\n", 1000) + "EOT\n",
		"x = " + strings.Repeat("[", MaxHCLDepth) + strings.Repeat("]", MaxHCLDepth) + "\n",
		"x = a - -1\n",
	}
	for _, src := range ok {
		if err := HCL("main.tf", []byte(src)); err != nil {
			t.Errorf("refused %.60q: %v", src, err)
		}
		if _, diags := hclsyntax.ParseConfig([]byte(src), "main.tf", hcl.InitialPos); diags.HasErrors() {
			t.Errorf("the case itself does not parse: %.60q: %v", src, diags)
		}
	}
}

// TestStrayClosersDoNotHideDepth: a closer of the wrong kind is a parse
// error, but must not lower the count while the parser keeps recursing.
func TestStrayClosersDoNotHideDepth(t *testing.T) {
	src := "x = " + strings.Repeat("[)", 200) + "\n"
	if err := HCL("main.tf", []byte(src)); err == nil {
		t.Fatal("not refused")
	}
}

func TestHostileTOML(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
	}{
		{"arrays at 10^6 levels", "a = " + strings.Repeat("[", 1_000_000), 1},
		{"closed arrays", "[x]\n\na = " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n", 3},
		{"inline tables", "a = " + strings.Repeat("{b=", 100_000) + "1" + strings.Repeat("}", 100_000), 1},
		{"arrays over lines", "a = [\n" + strings.Repeat("[\n", 100), 1 + MaxTOMLDepth},
		{"dotted key", "a" + strings.Repeat(".b", 100_000) + " = 1\n", 1},
		{"table header", "x = 1\n[a" + strings.Repeat(".b", 100_000) + "]\n", 2},
		{"array of tables header", "[[a" + strings.Repeat(".b", 100_000) + "]]\n", 1},
		{"dotted key in an inline table", "t = { x = 1, a" + strings.Repeat(".b", 100) + " = 1 }\n", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := TOML("config.toml", []byte(c.src))
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("not refused: %v", err)
			}
			if be.File != "config.toml" || be.Line != c.line {
				t.Errorf("refused at %s:%d, want config.toml:%d (%v)", be.File, be.Line, c.line, err)
			}
		})
	}
}

// TestTOMLAcceptsRealFiles: strings and comments full of brackets and
// dots, multi-line strings, floats and dates pass, and each also decodes.
func TestTOMLAcceptsRealFiles(t *testing.T) {
	ok := []string{
		"backend = \"sandbox\"\n[sandbox]\ndir = \"~/a.b.c.d.e\"\n[[environments]]\nname = \"dev\"\nbranch = \"dev\"\n",
		"a = \"" + strings.Repeat("[{.", 1000) + "\"\n",
		"a = '" + strings.Repeat("[{.", 1000) + "'\n",
		"a = \"\"\"\n" + strings.Repeat("[[[ \"\" ]]]\n", 100) + "\"\"\"\n",
		"a = '''" + strings.Repeat("[{.\n", 100) + "''''\n",
		"a = \"\"\"x\"\"\"\"\nb = [1]\n",
		"# " + strings.Repeat("[{.", 1000) + "\nb = 1\n",
		"a = [" + strings.Repeat("1.5, ", 1000) + "]\n",
		"when = 1979-05-27T07:32:00Z\nf = 3.14159\n",
		"\"a.b.c.d\" = 1\n'x.y' = 2\n",
		"a = \"esc \\\" [[[\"\n",
		"t = { a = { b = [1, { c = 2 }] } }\n",
		"[a.b.c]\nd = 1\n",
	}
	for _, src := range ok {
		if err := TOML("c.toml", []byte(src)); err != nil {
			t.Errorf("refused %.60q: %v", src, err)
		}
		var v map[string]any
		if _, err := toml.Decode(src, &v); err != nil {
			t.Errorf("the case itself does not decode: %.60q: %v", src, err)
		}
	}
}

// TestTOMLLinesCountInsideStrings: the line of a refusal is right after
// multi-line strings.
func TestTOMLLinesCountInsideStrings(t *testing.T) {
	src := "a = \"\"\"\none\\\ntwo\n\"\"\"\nb = '''\nx\n'''\nc = " + strings.Repeat("[", 40) + "\n"
	err := TOML("c.toml", []byte(src))
	var be *Error
	if !errors.As(err, &be) || be.Line != 8 {
		t.Fatalf("got %v, want a refusal at line 8", err)
	}
}

func TestReadFileRefusesLargeFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, make([]byte, 5000), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path, 4096); !IsRefused(err) || !strings.Contains(err.Error(), "4.9 KiB, more than the 4.0 KiB") {
		t.Fatalf("got %v", err)
	}
	data, err := ReadFile(path, 5000)
	if err != nil || len(data) != 5000 {
		t.Fatalf("got %d bytes, %v", len(data), err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v", err)
	}
}

func TestSizeLimits(t *testing.T) {
	if err := HCL("big.tf", make([]byte, MaxTerraformFile+1)); !IsRefused(err) || !strings.HasPrefix(err.Error(), "big.tf: the file is 4.0 MiB") {
		t.Errorf("got %v", err)
	}
	if err := TOML("big.toml", make([]byte, MaxTOMLFile+1)); !IsRefused(err) {
		t.Errorf("got %v", err)
	}
}
