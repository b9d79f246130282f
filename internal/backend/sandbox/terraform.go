package sandbox

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/stackview/stackview/internal/bounds"
	"github.com/stackview/stackview/internal/vcs"
)

// attr is one attribute of a generated block; Expr is HCL source.
type attr struct{ Name, Expr string }

// tfResource is a resource block the seed writes.
type tfResource struct {
	Type, Name string
	Attrs      []attr
}

// tfModuleCall is a module block pointing at the sandbox registry.
type tfModuleCall struct {
	Name, Module, Version string
	Inputs                []attr
}

// tfConfig is the generated content of one project root's main.tf.
type tfConfig struct {
	Modules   []tfModuleCall
	Resources []tfResource
}

func (c tfConfig) render(org string) []byte {
	var b strings.Builder
	for _, m := range c.Modules {
		fmt.Fprintf(&b, "module %q {\n  source  = %q\n  version = %q\n", m.Name, registrySource(org, m.Module), m.Version)
		writeAttrs(&b, m.Inputs)
		b.WriteString("}\n\n")
	}
	for _, r := range c.Resources {
		fmt.Fprintf(&b, "resource %q %q {\n", r.Type, r.Name)
		writeAttrs(&b, r.Attrs)
		b.WriteString("}\n\n")
	}
	return []byte(strings.TrimRight(b.String(), "\n") + "\n")
}

func writeAttrs(b *strings.Builder, attrs []attr) {
	for _, a := range attrs {
		fmt.Fprintf(b, "  %s = %s\n", a.Name, a.Expr)
	}
}

// registrySource is the address users write for a sandbox registry module.
func registrySource(org, module string) string { return "spacelift.io/" + org + "/" + module + "/aws" }

// parsedConfig is what a plan needs from a directory of .tf files: every
// resource's attributes (as source text, evaluated by values.go), every
// module call, and the defaults of declared variables.
type parsedConfig struct {
	Resources map[string]map[string]string // address → attribute → source
	Modules   map[string]moduleCall        // module name → call
	Variables map[string]string            // variable name → default's source ("" without one)
}

type moduleCall struct {
	Source, Version string
	Inputs          map[string]string
	Pos             hcl.Pos
	File            string
}

// parseCache memoises parsed files by name and content: most plans read
// files (module releases, unchanged roots) that earlier plans parsed.
// Parsed results are shared and must not be modified.
type parseCache map[string]parsedFile

type parsedFile struct {
	cfg   parsedConfig
	diags hcl.Diagnostics
}

// parseDir parses the .tf files directly inside dir (a tree's path → content map).
func (c parseCache) parseDir(files map[string][]byte, dir string) (parsedConfig, hcl.Diagnostics) {
	cfg := newParsedConfig()
	var diags hcl.Diagnostics
	names := make([]string, 0, len(files))
	for p := range files {
		if strings.HasSuffix(p, ".tf") && path.Dir(p) == path.Clean(dir) {
			names = append(names, p)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		key := path.Base(name) + "@" + blobID(files[name])
		if files[name] == nil {
			key += " unread" // not the empty file it hashes like
		}
		f, ok := c[key]
		if !ok {
			f.cfg, f.diags = parseFile(path.Base(name), files[name])
			c[key] = f
		}
		diags = append(diags, f.diags...)
		maps.Copy(cfg.Resources, f.cfg.Resources)
		maps.Copy(cfg.Modules, f.cfg.Modules)
		maps.Copy(cfg.Variables, f.cfg.Variables)
	}
	return cfg, diags
}

func newParsedConfig() parsedConfig {
	return parsedConfig{Resources: map[string]map[string]string{}, Modules: map[string]moduleCall{}, Variables: map[string]string{}}
}

func parseFile(name string, src []byte) (parsedConfig, hcl.Diagnostics) {
	cfg := newParsedConfig()
	// A pushed file can be built to overflow the parser's stack: refuse it
	// first, so the plan fails instead of the engine.
	err := bounds.HCL(name, src)
	if src == nil { // vcs.ReadBlobs left it unread: too large
		err = bounds.NotRead(name, vcs.MaxBlobSize)
	}
	var be *bounds.Error
	if errors.As(err, &be) {
		pos := hcl.Pos{Line: max(be.Line, 1), Column: 1}
		return cfg, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unparseable file", Detail: be.Msg,
			Subject: &hcl.Range{Filename: name, Start: pos, End: pos}}}
	}
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return cfg, diags
	}
	for _, blk := range f.Body.(*hclsyntax.Body).Blocks {
		switch {
		case blk.Type == "resource" && len(blk.Labels) == 2:
			cfg.Resources[blk.Labels[0]+"."+blk.Labels[1]] = bodyAttrs(blk.Body, src)
		case blk.Type == "module" && len(blk.Labels) == 1:
			inputs := bodyAttrs(blk.Body, src)
			call := moduleCall{Source: unquote(inputs["source"]), Version: unquote(inputs["version"]),
				Inputs: inputs, Pos: blk.DefRange().Start, File: name}
			delete(inputs, "source")
			delete(inputs, "version")
			cfg.Modules[blk.Labels[0]] = call
		case blk.Type == "variable" && len(blk.Labels) == 1:
			cfg.Variables[blk.Labels[0]] = bodyAttrs(blk.Body, src)["default"]
		}
	}
	return cfg, diags
}

// bodyAttrs maps each attribute and nested block of a body to its source text.
func bodyAttrs(body *hclsyntax.Body, src []byte) map[string]string {
	out := map[string]string{}
	for name, a := range body.Attributes {
		out[name] = string(a.Expr.Range().SliceBytes(src))
	}
	for _, nb := range body.Blocks {
		out[nb.Type] += string(nb.Range().SliceBytes(src))
	}
	return out
}

func unquote(expr string) string { return strings.Trim(strings.TrimSpace(expr), `"`) }
