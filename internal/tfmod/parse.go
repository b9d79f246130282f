package tfmod

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/stackview/stackview/internal/bounds"
)

// Call is one module block.
type Call struct {
	Name   string // the block's label
	File   string // path of the .tf file in the repository
	Line   int    // line of the block's header
	Dir    string // the file's directory: the project root it belongs to
	Source Source
	// Version is the version attribute as written: an exact pin ("1.2.0",
	// "= 1.2.0"), "~> 1.2", a range (">= 1.0, < 2.0"), or "" (git, local).
	Version string
}

// Spec is what the call asks for: the version attribute, or for git sources
// the version in the ref (an exact pin).
func (c Call) Spec() string {
	if c.Source.Kind == KindGit {
		return c.Source.RefVersion
	}
	return c.Version
}

// Problem is a file (or block) that could not be read; it is skipped.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) Error() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message) }

// IsTerraform reports whether a path is a Terraform file ParseFiles reads.
func IsTerraform(path string) bool { return strings.HasSuffix(path, ".tf") }

// ParseFiles lists the module blocks of every .tf file in files (path →
// content), sorted by file and line. Files that do not parse or are too
// large or deep to parse (nil content: too large to be read), and module
// blocks whose source or version is not a plain string, are reported as
// problems and skipped.
func ParseFiles(files map[string][]byte) ([]Call, []Problem) {
	names := make([]string, 0, len(files))
	for p := range files {
		if IsTerraform(p) {
			names = append(names, p)
		}
	}
	sort.Strings(names)
	var calls []Call
	var problems []Problem
	for _, name := range names {
		c, p := parseFile(name, files[name])
		calls, problems = append(calls, c...), append(problems, p...)
	}
	return calls, problems
}

func parseFile(name string, src []byte) ([]Call, []Problem) {
	err := bounds.HCL(name, src)
	if src == nil { // vcs.ReadBlobs left it unread: too large
		err = bounds.NotRead(name, bounds.MaxTerraformFile)
	}
	if err != nil {
		var be *bounds.Error
		errors.As(err, &be)
		// A whole file refused (its size) is reported at its first line.
		return nil, []Problem{{File: name, Line: max(be.Line, 1), Message: be.Msg}}
	}
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		var out []Problem
		for _, d := range diags {
			if d.Severity != hcl.DiagError {
				continue
			}
			p := Problem{File: name, Message: d.Summary}
			if d.Detail != "" {
				p.Message += ": " + d.Detail
			}
			if d.Subject != nil {
				p.Line = d.Subject.Start.Line
			}
			out = append(out, p)
		}
		return nil, out
	}
	var calls []Call
	var problems []Problem
	for _, blk := range f.Body.(*hclsyntax.Body).Blocks {
		if blk.Type != "module" || len(blk.Labels) != 1 {
			continue
		}
		line := blk.DefRange().Start.Line
		call := Call{Name: blk.Labels[0], File: name, Line: line, Dir: path.Dir(name)}
		src, ok, err := stringAttr(blk.Body, "source")
		if err == "" && !ok {
			err = "no source"
		}
		if err != "" {
			problems = append(problems, Problem{File: name, Line: line, Message: fmt.Sprintf("module %q: source %s", call.Name, err)})
			continue
		}
		call.Source = ParseSource(src)
		if call.Version, _, err = stringAttr(blk.Body, "version"); err != "" {
			problems = append(problems, Problem{File: name, Line: line, Message: fmt.Sprintf("module %q: version %s", call.Name, err)})
			continue
		}
		calls = append(calls, call)
	}
	return calls, problems
}

// stringAttr reads an attribute that must be a literal string. Only a
// quoted string of literal parts is evaluated: other expressions (a chain
// of a million "+" operands) would be walked recursively.
func stringAttr(body *hclsyntax.Body, name string) (val string, ok bool, problem string) {
	a, ok := body.Attributes[name]
	if !ok {
		return "", false, ""
	}
	tmpl, isTemplate := a.Expr.(*hclsyntax.TemplateExpr)
	if !isTemplate || !tmpl.IsStringLiteral() {
		return "", true, "is not a literal string"
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.Type().Equals(cty.String) || v.IsNull() || !v.IsKnown() {
		return "", true, "is not a literal string"
	}
	return v.AsString(), true, ""
}
