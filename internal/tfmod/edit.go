package tfmod

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Edit is one module block a bump rewrote: its spec before and after
// (version attribute, or the git ref).
type Edit struct {
	Call     Call
	From, To string
}

// BumpFile rewrites the module blocks of one file that sel picks so that
// they ask for target: the version attribute of registry modules (a
// constraint stays a constraint of the same form, see RewriteSpec), the
// ref of git sources (keeping its tag prefix). Only the string literal
// changes; every comment, blank line and alignment stays as written. Blocks
// already at target produce no edit; a selected block that cannot be bumped
// (a local path, a source that is not a literal) is an error and nothing is
// returned.
func BumpFile(name string, src []byte, sel func(Call) bool, target string) ([]byte, []Edit, error) {
	calls, problems := parseFile(name, src)
	if len(problems) > 0 {
		return nil, nil, problems[0]
	}
	f, diags := hclwrite.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, nil, fmt.Errorf("%s: %s", name, diags.Error())
	}
	blocks := map[string]*hclwrite.Block{}
	for _, b := range f.Body().Blocks() {
		if b.Type() == "module" && len(b.Labels()) == 1 {
			blocks[b.Labels()[0]] = b
		}
	}
	var edits []Edit
	for _, c := range calls {
		if !sel(c) {
			continue
		}
		b, ok := blocks[c.Name]
		if !ok {
			// hclwrite reads some labels (e.g. with "$" escapes) differently
			// from hclsyntax; an unmatched block is refused, not guessed.
			return nil, nil, fmt.Errorf("%s:%d: module %q: cannot locate the block to edit", c.File, c.Line, c.Name)
		}
		e, err := bumpBlock(b.Body(), c, target)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: module %q: %w", c.File, c.Line, c.Name, err)
		}
		if e.From != e.To {
			edits = append(edits, e)
		}
	}
	if len(edits) == 0 {
		return src, nil, nil
	}
	// Not f.Bytes(): that formats the whole file, and the user's alignment
	// is theirs to keep.
	return f.BuildTokens(nil).Bytes(), edits, nil
}

func bumpBlock(body *hclwrite.Body, c Call, target string) (Edit, error) {
	e := Edit{Call: c}
	switch c.Source.Kind {
	case KindGit:
		if c.Source.RefVersion == "" {
			return e, fmt.Errorf("git ref %q is not a version", c.Source.Ref)
		}
		e.From, e.To = c.Source.RefVersion, strings.TrimPrefix(target, "v")
		if e.From == e.To {
			return e, nil
		}
		return e, setLiteral(body, "source", c.Source.withRef(e.To))
	case KindSpacelift, KindTFC, KindRegistry:
		e.From = c.Version
		if c.Version == "" {
			e.To = target
			addVersion(body, target)
			return e, nil
		}
		to, err := RewriteSpec(c.Version, target)
		if err != nil {
			return e, err
		}
		e.To = to
		if e.From == e.To {
			return e, nil
		}
		return e, setLiteral(body, "version", to)
	}
	return e, fmt.Errorf("a %s source (%s) has no version to bump", c.Source.Kind, c.Source.Raw)
}

// setLiteral replaces the text of a one-literal string attribute in place,
// leaving the tokens around it (spacing, comments) untouched.
func setLiteral(body *hclwrite.Body, name, value string) error {
	a := body.GetAttribute(name)
	if a == nil {
		return fmt.Errorf("no %s attribute", name)
	}
	toks := a.Expr().BuildTokens(nil)
	if len(toks) != 3 || toks[0].Type != hclsyntax.TokenOQuote || toks[1].Type != hclsyntax.TokenQuotedLit || toks[2].Type != hclsyntax.TokenCQuote {
		return fmt.Errorf("%s is not a plain string literal", name)
	}
	lit := hclwrite.TokensForValue(cty.StringVal(value))
	toks[1].Bytes = lit[1].Bytes
	return nil
}

// addVersion adds a version attribute after source, indented like it.
func addVersion(body *hclwrite.Body, v string) {
	indent := 2
	if src := body.GetAttribute("source"); src != nil {
		if toks := src.BuildTokens(nil); len(toks) > 0 {
			indent = toks[0].SpacesBefore
		}
	}
	a := body.SetAttributeValue("version", cty.StringVal(v))
	toks := a.BuildTokens(nil)
	for i, t := range toks {
		switch {
		case i == 0:
			t.SpacesBefore = indent
		case t.Type == hclsyntax.TokenEqual || t.Type == hclsyntax.TokenOQuote:
			t.SpacesBefore = 1
		}
	}
}
