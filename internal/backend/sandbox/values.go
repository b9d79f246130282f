package sandbox

import (
	"crypto/sha1"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/stackview/stackview/internal/model"
)

// Values: the planner evaluates every attribute of the HCL it plans, so a
// plan says what changes from what to what. var.environment is the stack's
// environment; inside a module, var.* are the call's inputs (evaluated in
// the root) over the module's defaults; a reference to a resource or a
// module output is what the sandbox's state holds (a configured attribute's
// value, else a stable id drawn from the stack and address), unknown when
// the plan creates or replaces what it names. What cannot be evaluated
// (locals, data sources, an unknown function) is known after apply, never
// guessed.

// resourceScope is one resource of a configuration with what its
// expressions see.
type resourceScope struct {
	attrs  map[string]string    // attribute → source
	vars   map[string]cty.Value // var.*
	module string               // "module.x." inside a module call, "" at the root
}

// configScope is a whole configuration, root and module resources, ready
// to evaluate.
type configScope struct {
	stackID   string
	resources map[string]resourceScope // full address → scope
	modules   map[string]bool          // "module.x" of each call
	pending   map[string]bool          // addresses the plan creates or replaces: known after apply
	exprs     exprCache
}

// exprCache memoises parsed expressions by source: plans evaluate the same
// few attributes again and again. Parsed expressions are shared, read only.
type exprCache map[string]hclsyntax.Expression

func (c exprCache) parse(src string) hclsyntax.Expression {
	if x, ok := c[src]; ok {
		return x
	}
	x, diags := hclsyntax.ParseExpression([]byte(src), "attr.tf", hcl.InitialPos)
	if diags.HasErrors() {
		x = nil
	}
	c[src] = x
	return x
}

// scopeOf lays out cfg for evaluation in env, the stack's environment.
func (e *Engine) scopeOf(s *stack, cfg loadedConfig) *configScope {
	sc := &configScope{stackID: s.ID, resources: map[string]resourceScope{}, modules: map[string]bool{}, exprs: e.exprs}
	rootVars := map[string]cty.Value{}
	if env := envOf(s.Labels); env != "" {
		rootVars["environment"] = cty.StringVal(env)
	}
	for addr, attrs := range cfg.resources {
		sc.resources[addr] = resourceScope{attrs: attrs, vars: rootVars}
	}
	for name, m := range cfg.modules {
		prefix := "module." + name + "."
		sc.modules["module."+name] = true
		vars := map[string]cty.Value{}
		root := resourceScope{vars: rootVars}
		for v, def := range m.vars {
			if def != "" {
				vars[v] = sc.eval(root, def, 0)
			}
		}
		for in, src := range m.call.Inputs {
			vars[in] = sc.eval(root, src, 0)
		}
		for addr, attrs := range m.resources {
			sc.resources[prefix+addr] = resourceScope{attrs: attrs, vars: vars, module: prefix}
		}
	}
	return sc
}

func envOf(labels []string) string {
	for _, l := range labels {
		if env, ok := strings.CutPrefix(l, "env:"); ok {
			return env
		}
	}
	return ""
}

// maxRefDepth bounds references followed from attribute to attribute.
const maxRefDepth = 4

// attr evaluates one attribute of a resource; null when it is not set.
func (sc *configScope) attr(addr, name string) cty.Value {
	return sc.attrAt(addr, name, 0)
}

func (sc *configScope) attrAt(addr, name string, depth int) cty.Value {
	r, ok := sc.resources[addr]
	if !ok {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	src, ok := r.attrs[name]
	if !ok {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return sc.eval(r, src, depth)
}

// eval evaluates src in r's scope. A nested block (its source starts with
// its type) is shown as written, on one line.
func (sc *configScope) eval(r resourceScope, src string, depth int) cty.Value {
	x := sc.exprs.parse(src)
	if x == nil {
		return cty.StringVal(strings.Join(strings.Fields(src), " "))
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: functions}
	tree := map[string]map[string]map[string]cty.Value{}
	for _, tr := range x.Variables() {
		root := tr.RootName()
		if root == "var" {
			continue
		}
		name, attr, ok := refParts(tr)
		if !ok {
			return cty.DynamicVal
		}
		var v cty.Value
		switch root {
		case "module":
			v = sc.moduleOutput("module."+name, attr)
		case "data", "local", "path", "terraform", "count", "each", "self":
			return cty.DynamicVal
		default:
			v = sc.reference(r.module+root+"."+name, attr, depth)
		}
		if tree[root] == nil {
			tree[root] = map[string]map[string]cty.Value{}
		}
		if tree[root][name] == nil {
			tree[root][name] = map[string]cty.Value{}
		}
		tree[root][name][attr] = v
	}
	ctx.Variables["var"] = cty.ObjectVal(r.vars)
	for root, names := range tree {
		objs := map[string]cty.Value{}
		for name, attrs := range names {
			objs[name] = cty.ObjectVal(attrs)
		}
		ctx.Variables[root] = cty.ObjectVal(objs)
	}
	v, diags := x.Value(ctx)
	if diags.HasErrors() {
		return cty.DynamicVal
	}
	return v
}

// refParts reads root.name.attr from a traversal; anything else (indexes,
// splats, whole objects) is not followed.
func refParts(tr hcl.Traversal) (name, attr string, ok bool) {
	if len(tr) != 3 {
		return "", "", false
	}
	n, ok1 := tr[1].(hcl.TraverseAttr)
	a, ok2 := tr[2].(hcl.TraverseAttr)
	if !ok1 || !ok2 {
		return "", "", false
	}
	return n.Name, a.Name, true
}

// reference is attr of the resource at addr as the state holds it.
func (sc *configScope) reference(addr, attr string, depth int) cty.Value {
	if sc.pending[addr] {
		return cty.UnknownVal(cty.String)
	}
	r, ok := sc.resources[addr]
	if !ok {
		return cty.DynamicVal // a resource the configuration lacks: Terraform refuses it
	}
	if _, set := r.attrs[attr]; set && depth < maxRefDepth {
		return sc.attrAt(addr, attr, depth+1)
	}
	return cty.StringVal(stateID(sc.stackID, addr, attr))
}

// moduleOutput is a module call's output: unknown while the plan creates
// the call, else a stable id.
func (sc *configScope) moduleOutput(mod, output string) cty.Value {
	if !sc.modules[mod] || sc.pending[mod] {
		return cty.UnknownVal(cty.String)
	}
	return cty.StringVal(stateID(sc.stackID, mod, output))
}

// stateID is a computed attribute (an id, an ARN) as the sandbox's state
// has it: stable for a stack, address and attribute, shaped like AWS's.
func stateID(stackID, addr, attr string) string {
	h := sha1.Sum([]byte(stackID + "\x00" + addr + "\x00" + attr))
	typ, _ := resourceTypeName(addr)
	prefix := strings.TrimPrefix(strings.ReplaceAll(typ, "_", "-"), "aws-")
	if strings.HasPrefix(addr, "module.") && strings.Count(addr, ".") == 1 {
		prefix = strings.TrimSuffix(attr, "_id")
	}
	if strings.HasSuffix(attr, "arn") {
		return "arn:aws:" + prefix + ":eu-west-1:" + hex.EncodeToString(h[:6]) + ":" + addr
	}
	return prefix + "-" + hex.EncodeToString(h[:])[:17]
}

// functions are the Terraform functions the sandbox's configurations may
// call; another is an error (the attribute is known after apply).
var functions = map[string]function.Function{
	"merge": stdlib.MergeFunc, "lookup": stdlib.LookupFunc, "concat": stdlib.ConcatFunc,
	"format": stdlib.FormatFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc,
	"upper": stdlib.UpperFunc, "replace": stdlib.ReplaceFunc, "split": stdlib.SplitFunc,
	"trimspace": stdlib.TrimSpaceFunc, "coalesce": stdlib.CoalesceFunc, "length": stdlib.LengthFunc,
	"keys": stdlib.KeysFunc, "values": stdlib.ValuesFunc, "jsonencode": stdlib.JSONEncodeFunc,
	"min": stdlib.MinFunc, "max": stdlib.MaxFunc, "tostring": stdlib.MakeToFunc(cty.String),
	"tonumber": stdlib.MakeToFunc(cty.Number), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	"tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
}

// sensitiveAttrs are attributes the AWS provider's schemas mark sensitive:
// a plan shows neither side.
var sensitiveAttrs = map[string]bool{
	"password": true, "master_password": true, "secret_string": true, "client_secret": true,
	"private_key": true, "token": true, "auth_token": true, "secret": true,
}

// forceNew are the attributes whose change replaces the resource (the AWS
// provider's ForceNew), by resource type.
var forceNew = map[string][]string{
	"aws_s3_bucket":             {"bucket"},
	"aws_sqs_queue":             {"name"},
	"aws_lb":                    {"name", "internal"},
	"aws_db_instance":           {"identifier"},
	"aws_route53_zone":          {"name"},
	"aws_route53_record":        {"name", "type"},
	"aws_kms_key":               {"customer_master_key_spec"},
	"aws_glue_catalog_database": {"name"},
}

// attributeChanges lists what changes between two values of one attribute:
// one entry, or, for maps and objects, one per key that changed
// ("tags.Name"). Sensitive attributes show neither side.
func attributeChanges(path string, before, after cty.Value, sensitive bool) []model.AttributeChange {
	if before.IsWhollyKnown() && after.IsWhollyKnown() && before.RawEquals(after) {
		return nil
	}
	if !sensitive && !strings.Contains(path, ".") && mapLike(before) && mapLike(after) {
		keys := map[string]bool{}
		for _, v := range []cty.Value{before, after} {
			if !v.IsNull() {
				for k := range v.AsValueMap() {
					keys[k] = true
				}
			}
		}
		var out []model.AttributeChange
		for _, k := range sortedKeys(keys) {
			out = append(out, attributeChanges(path+"."+k, member(before, k), member(after, k), false)...)
		}
		if len(out) > 0 || (before.IsNull() != after.IsNull()) && len(keys) > 0 {
			return out
		}
	}
	ch := model.AttributeChange{Path: path, Before: valueOf(before), After: valueOf(after)}
	if sensitive {
		ch.Before = model.Value{Sensitive: !before.IsNull(), Null: before.IsNull()}
		ch.After = model.Value{Sensitive: !after.IsNull(), Null: after.IsNull()}
	}
	return []model.AttributeChange{ch}
}

// mapLike is a known map or object, or null (a side that does not exist).
func mapLike(v cty.Value) bool {
	if v.IsNull() {
		return true
	}
	if !v.IsWhollyKnown() {
		return false
	}
	t := v.Type()
	return t.IsMapType() || t.IsObjectType()
}

func member(v cty.Value, k string) cty.Value {
	if v.IsNull() {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	if m := v.AsValueMap(); m != nil {
		if x, ok := m[k]; ok {
			return x
		}
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

// valueOf renders a value as Terraform's plan does.
func valueOf(v cty.Value) model.Value {
	switch {
	case !v.IsKnown():
		return model.Value{Unknown: true}
	case v.IsNull():
		return model.Value{Null: true}
	}
	return model.Known(render(v))
}

// render writes a value in HCL: strings quoted, collections inline,
// unknown parts "(known after apply)".
func render(v cty.Value) string {
	switch {
	case !v.IsKnown():
		return "(known after apply)"
	case v.IsNull():
		return "null"
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return strconv.Quote(v.AsString())
	case t == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			i, _ := bf.Int(nil)
			return i.String()
		}
		return bf.Text('g', -1)
	case t == cty.Bool:
		return strconv.FormatBool(v.True())
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		parts := []string{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			parts = append(parts, render(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case t.IsMapType() || t.IsObjectType():
		m := v.AsValueMap()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + " = " + render(m[k])
		}
		if len(parts) == 0 {
			return "{}"
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	return "(known after apply)"
}
