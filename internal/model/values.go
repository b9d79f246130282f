package model

import "strings"

// Value is one attribute's value on one side of a change, as the backend
// gave it. Text is Terraform's rendering ("web", 3600, ["a", "b"]); it is
// empty when the value is sensitive, unknown or null.
type Value struct {
	Text      string
	Sensitive bool // the backend hides it
	Unknown   bool // known after apply
	Null      bool // no value: before a create, after a delete, or null
}

// Known is a value with text.
func Known(text string) Value { return Value{Text: text} }

// String is the value as the plan views show it.
func (v Value) String() string {
	switch {
	case v.Sensitive:
		return "(sensitive)"
	case v.Unknown:
		return "(known after apply)"
	case v.Null:
		return "null"
	}
	return v.Text
}

// AttributeChange is one attribute of a resource, before → after. Path
// names nested attributes with dots ("tags.Name").
type AttributeChange struct {
	Path   string
	Before Value
	After  Value
}

// Changed reports whether the two sides differ (or may: a sensitive or
// unknown side is never taken as equal).
func (a AttributeChange) Changed() bool {
	return a.Before != a.After || a.Before.Sensitive || a.After.Sensitive || a.After.Unknown
}

// String is `name: "web" → "web-app"`.
func (a AttributeChange) String() string {
	return a.Path + ": " + a.Before.String() + " → " + a.After.String()
}

// ValueSource says where a change's values were read.
type ValueSource string

const (
	// ValuesNone: the backend gave no values (see ResourceChange.NoValues).
	ValuesNone ValueSource = ""
	// ValuesPlan: the plan's structured output (TFC's plan JSON, the
	// sandbox's own plan).
	ValuesPlan ValueSource = "plan"
	// ValuesLog: Terraform's human-readable plan in the run's log, parsed
	// (Spacelift's changesV3 carries no values).
	ValuesLog ValueSource = "log"
)

// HasValues reports a change whose values the backend gave.
func (c ResourceChange) HasValues() bool { return c.ValuesFrom != ValuesNone }

// Value is the change of the attribute at path, if the backend gave it.
func (c ResourceChange) Value(path string) (AttributeChange, bool) {
	for _, v := range c.Values {
		if v.Path == path {
			return v, true
		}
	}
	return AttributeChange{}, false
}

// ReasonText puts Terraform's action_reason in words ("" when none).
func ReasonText(reason string) string {
	switch reason {
	case "":
		return ""
	case "replace_because_cannot_update":
		return "an attribute that cannot be updated in place changed"
	case "replace_because_tainted":
		return "the resource is tainted"
	case "replace_by_request":
		return "replacement was requested (-replace)"
	case "replace_by_triggers":
		return "replace_triggered_by changed"
	case "delete_because_no_resource_config":
		return "its configuration was removed"
	case "delete_because_no_module":
		return "its module was removed"
	case "delete_because_wrong_repetition", "delete_because_count_index", "delete_because_each_key":
		return "its count or for_each no longer includes it"
	case "read_because_config_unknown", "read_because_dependency_pending":
		return "it is read during apply"
	}
	return strings.ReplaceAll(reason, "_", " ")
}
