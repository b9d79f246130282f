package sanitize

import "reflect"

// maxWalkDepth stops Strings on a value nested deeper than any model type
// (or one that points back at itself).
const maxWalkDepth = 32

// Strings returns v with clean applied to every string it holds: exported
// struct fields, elements of slices and arrays, map keys and values, and
// what pointers and interfaces point at, so fields added to a type later
// are covered too. v itself is not modified: only what changes is copied,
// and a value with nothing to clean comes back as it was, without copying.
func Strings[T any](v T, clean func(string) string) T {
	out, changed := walk(reflect.ValueOf(&v).Elem(), clean, 0)
	if !changed {
		return v
	}
	return out.Interface().(T)
}

func walk(v reflect.Value, clean func(string) string, depth int) (reflect.Value, bool) {
	if depth > maxWalkDepth {
		return v, false
	}
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		c := clean(s)
		if c == s {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.SetString(c)
		return out, true
	case reflect.Struct:
		var out reflect.Value
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			f, changed := walk(v.Field(i), clean, depth+1)
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(v.Type()).Elem()
				out.Set(v)
			}
			out.Field(i).Set(f)
		}
		return orig(v, out)
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		e, changed := walk(v.Elem(), clean, depth+1)
		if !changed {
			return v, false
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(e)
		return p, true
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		e, changed := walk(v.Elem(), clean, depth+1)
		if !changed {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(e)
		return out, true
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return v, false
		}
		var out reflect.Value
		for i := range v.Len() {
			e, changed := walk(v.Index(i), clean, depth+1)
			if !changed {
				continue
			}
			if !out.IsValid() {
				if v.Kind() == reflect.Slice {
					out = reflect.MakeSlice(v.Type(), v.Len(), v.Len())
					reflect.Copy(out, v)
				} else {
					out = reflect.New(v.Type()).Elem()
					out.Set(v)
				}
			}
			out.Index(i).Set(e)
		}
		return orig(v, out)
	case reflect.Map:
		if v.IsNil() {
			return v, false
		}
		type entry struct{ k, v reflect.Value }
		var entries []entry
		changed := false
		for it := v.MapRange(); it.Next(); {
			k, kc := walk(it.Key(), clean, depth+1)
			e, ec := walk(it.Value(), clean, depth+1)
			changed = changed || kc || ec
			entries = append(entries, entry{k, e})
		}
		if !changed {
			return v, false
		}
		out := reflect.MakeMapWithSize(v.Type(), len(entries))
		for _, en := range entries {
			out.SetMapIndex(en.k, en.v)
		}
		return out, true
	}
	return v, false
}

// orig returns out when something was copied, else v unchanged.
func orig(v, out reflect.Value) (reflect.Value, bool) {
	if out.IsValid() {
		return out, true
	}
	return v, false
}
