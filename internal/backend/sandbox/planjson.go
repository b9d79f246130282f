package sandbox

import (
	"context"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/stackview/stackview/internal/model"
)

// PlanResource is one resource of a run's plan as Terraform's plan JSON
// holds it (`terraform show -json`): every attribute before and after, not
// only those that change, sensitive values in the clear and marked in
// before_sensitive / after_sensitive, unknown ones null and marked in
// after_unknown. Before or After is nil when that side does not exist.
type PlanResource struct {
	Address                         string
	Before, After                   map[string]any
	BeforeSensitive, AfterSensitive map[string]any
	AfterUnknown                    map[string]any
}

// PlanJSON returns the resources of a run's plan as wholes, in the order of
// its changes; nil while it has not planned. The TFC dialect's plan JSON
// writes them.
func (e *Engine) PlanJSON(ctx context.Context, stackID, runID string) ([]PlanResource, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return nil, err
	}
	r, err := e.run(stackID, runID)
	if err != nil || r.plan == nil || r.plan.failure != nil || r.Delta == nil {
		return nil, err
	}
	return e.planResources(ctx, r), nil
}

// planResources rebuilds a planned run's resources from the configurations
// it compared (the parse cache keeps that cheap), with its changes' values
// laid over them: a drift check's real values, a reconciling deploy's.
func (e *Engine) planResources(ctx context.Context, r *run) []PlanResource {
	s := r.stack
	oldCfg, _ := e.loadConfig(ctx, s, r.plan.base)
	newCfg, _ := e.loadConfig(ctx, s, r.Commit)
	before, after := e.scopeOf(s, oldCfg), e.scopeOf(s, newCfg)
	after.pending = map[string]bool{}
	for _, c := range r.changes {
		if c.Action == model.ActionAdd || c.Action == model.ActionReplace {
			after.pending[c.Address] = true
		}
	}
	for mod := range after.modules {
		if !before.modules[mod] {
			after.pending[mod] = true
		}
	}
	out := make([]PlanResource, 0, len(r.changes))
	for _, c := range r.changes {
		addr := c.Address
		if i := strings.IndexByte(addr, '['); i >= 0 {
			addr = addr[:i]
		}
		var b, a map[string]cty.Value
		if c.Action != model.ActionAdd {
			b = before.object(addr)
			overlay(b, c.Values, func(v model.AttributeChange) model.Value { return v.Before })
		}
		switch {
		case c.Action == model.ActionDestroy || r.Kind == model.RunDestroy:
		case r.Kind == model.RunDriftCheck:
			a = before.object(addr)
		default:
			a = after.object(addr)
		}
		overlay(a, c.Values, func(v model.AttributeChange) model.Value { return v.After })
		pr := PlanResource{Address: c.Address}
		pr.Before, pr.BeforeSensitive, _ = jsonObject(b)
		pr.After, pr.AfterSensitive, pr.AfterUnknown = jsonObject(a)
		out = append(out, pr)
	}
	return out
}

// object is every attribute of the resource at addr evaluated, with the id
// the state holds (unknown while the plan creates it); nil when absent.
func (sc *configScope) object(addr string) map[string]cty.Value {
	r, ok := sc.resources[addr]
	if !ok {
		return nil
	}
	out := map[string]cty.Value{"id": sc.reference(addr, "id", maxRefDepth)}
	for a := range r.attrs {
		out[a] = sc.attr(addr, a)
	}
	return out
}

// overlay lays a change's values (one side, chosen by side) over obj.
// Sensitive and unknown values keep what the configuration says.
func overlay(obj map[string]cty.Value, values []model.AttributeChange, side func(model.AttributeChange) model.Value) {
	if obj == nil {
		return
	}
	for _, ch := range values {
		v := side(ch)
		if v.Sensitive || v.Unknown {
			continue
		}
		val := cty.NullVal(cty.DynamicPseudoType)
		if !v.Null {
			val = literal(v.Text)
		}
		attr, key, nested := strings.Cut(ch.Path, ".")
		if !nested {
			obj[attr] = val
			continue
		}
		m := map[string]cty.Value{}
		if cur := obj[attr]; mapLike(cur) && !cur.IsNull() {
			m = cur.AsValueMap()
		}
		if val.IsNull() {
			delete(m, key)
		} else {
			m[key] = val
		}
		obj[attr] = cty.ObjectVal(m)
	}
}

// literal reads a value the planner rendered (HCL); unreadable text stays
// a string.
func literal(text string) cty.Value {
	x, diags := hclsyntax.ParseExpression([]byte(text), "value", hcl.InitialPos)
	if !diags.HasErrors() {
		if v, diags := x.Value(nil); !diags.HasErrors() {
			return v
		}
	}
	return cty.StringVal(text)
}

// jsonObject writes obj as plan JSON does: the values (unknown ones null),
// the sensitive marks and the unknown marks, each an object of the
// attributes that have one.
func jsonObject(obj map[string]cty.Value) (values, sensitive, unknown map[string]any) {
	if obj == nil {
		return nil, nil, nil
	}
	values, sensitive, unknown = map[string]any{}, map[string]any{}, map[string]any{}
	for k, v := range obj {
		val, unk := jsonValue(v)
		values[k] = val
		if unk != nil {
			unknown[k] = unk
		}
		if sensitiveAttrs[k] && !v.IsNull() {
			sensitive[k] = true
		}
	}
	return values, sensitive, unknown
}

// jsonValue converts v; unknown is true, or a structure of marks, where v
// holds unknown parts.
func jsonValue(v cty.Value) (value, unknown any) {
	switch {
	case !v.IsKnown():
		return nil, true
	case v.IsNull():
		return nil, nil
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString(), nil
	case t == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			i, _ := bf.Int(new(big.Int))
			return i.Int64(), nil
		}
		f, _ := bf.Float64()
		return f, nil
	case t == cty.Bool:
		return v.True(), nil
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		list, marks := []any{}, []any{}
		partly := false
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			val, unk := jsonValue(e)
			list = append(list, val)
			marks = append(marks, unk != nil)
			partly = partly || unk != nil
		}
		if partly {
			return list, marks
		}
		return list, nil
	case t.IsMapType() || t.IsObjectType():
		m := map[string]any{}
		marks := map[string]any{}
		for k, e := range v.AsValueMap() {
			val, unk := jsonValue(e)
			m[k] = val
			if unk != nil {
				marks[k] = unk
			}
		}
		if len(marks) > 0 {
			return m, marks
		}
		return m, nil
	}
	return nil, true
}

// PlanResourceOf is a change's resource from its values alone (the
// attributes that change), for engines that keep no configuration.
func PlanResourceOf(c model.ResourceChange) PlanResource {
	var b, a map[string]cty.Value
	if c.Action != model.ActionAdd {
		b = map[string]cty.Value{}
	}
	if c.Action != model.ActionDestroy {
		a = map[string]cty.Value{}
	}
	overlay(b, c.Values, func(v model.AttributeChange) model.Value { return v.Before })
	overlay(a, c.Values, func(v model.AttributeChange) model.Value { return v.After })
	pr := PlanResource{Address: c.Address}
	pr.Before, pr.BeforeSensitive, _ = jsonObject(b)
	pr.After, pr.AfterSensitive, pr.AfterUnknown = jsonObject(a)
	for _, a := range c.Attributes {
		if _, ok := c.Value(a); !ok && len(c.Values) == 0 && pr.AfterUnknown != nil {
			pr.AfterUnknown[a] = true // changes without values: known after apply
		}
	}
	for _, v := range c.Values {
		top, _, _ := strings.Cut(v.Path, ".")
		if v.After.Unknown && pr.AfterUnknown != nil {
			pr.AfterUnknown[top] = true
		}
		if v.Before.Sensitive && pr.BeforeSensitive != nil {
			pr.BeforeSensitive[top] = true
		}
		if v.After.Sensitive && pr.AfterSensitive != nil {
			pr.AfterSensitive[top] = true
		}
	}
	return pr
}
