package bounds

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// HCL checks a native-syntax HCL file (a .tf file) before hclsyntax parses
// it: its size, then how deep the parser would recurse. It reads the
// lexer's tokens, which come from an iterative scanner, so brackets inside
// strings do not count and nothing here recurses. Counted as one level
// each: an open bracket, brace, parenthesis, quote, heredoc or template
// sequence; a template if/for block; each operator of a run of unary ! or
// -; each ? of a conditional chain within one list item.
func HCL(name string, src []byte) error {
	if err := Size(name, int64(len(src)), MaxTerraformFile); err != nil {
		return err
	}
	toks, _ := hclsyntax.LexConfig(src, name, hcl.InitialPos)
	type frame struct {
		close hclsyntax.TokenType
		ifs   int // conditionals in the current item
	}
	stack := []frame{{}} // the file's top level
	templateBlocks, unary := 0, 0
	afterControl := false
	for _, t := range toks {
		top := &stack[len(stack)-1]
		switch t.Type {
		case hclsyntax.TokenOBrace:
			stack = append(stack, frame{close: hclsyntax.TokenCBrace})
		case hclsyntax.TokenOBrack:
			stack = append(stack, frame{close: hclsyntax.TokenCBrack})
		case hclsyntax.TokenOParen:
			stack = append(stack, frame{close: hclsyntax.TokenCParen})
		case hclsyntax.TokenOQuote:
			stack = append(stack, frame{close: hclsyntax.TokenCQuote})
		case hclsyntax.TokenOHeredoc:
			stack = append(stack, frame{close: hclsyntax.TokenCHeredoc})
		case hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			stack = append(stack, frame{close: hclsyntax.TokenTemplateSeqEnd})
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCQuote,
			hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
			// Only a matching closer pops: a stray one is a parse error
			// anyway, and must not let the count fall below the parser's.
			if len(stack) > 1 && top.close == t.Type {
				stack = stack[:len(stack)-1]
			}
		case hclsyntax.TokenQuestion:
			top.ifs++
		case hclsyntax.TokenComma:
			top.ifs = 0
		case hclsyntax.TokenNewline:
			// Newlines end an item at the top level and in blocks and
			// objects; inside parentheses and lists the parser skips them.
			if top.close == hclsyntax.TokenCBrace || len(stack) == 1 {
				top.ifs = 0
			}
		case hclsyntax.TokenIdent:
			if afterControl {
				switch string(t.Bytes) {
				case "if", "for":
					templateBlocks++
				case "endif", "endfor":
					templateBlocks = max(0, templateBlocks-1)
				}
			}
		}
		if t.Type == hclsyntax.TokenBang || t.Type == hclsyntax.TokenMinus {
			unary++
		} else {
			unary = 0
		}
		afterControl = t.Type == hclsyntax.TokenTemplateControl || afterControl && t.Type == hclsyntax.TokenBitwiseNot
		depth := len(stack) - 1 + stack[len(stack)-1].ifs + templateBlocks + unary
		if depth > MaxHCLDepth {
			return deep(name, t.Range.Start.Line, MaxHCLDepth, "expressions or blocks")
		}
	}
	return nil
}
