package kit

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/theme"
)

// ChangeView says how ChangeLines draws: folded cuts a long value to one
// line ("…"), else it wraps whole; Drift reads the sides as recorded →
// real.
type ChangeView struct {
	Width  int
	Folded bool
	Drift  bool
}

// FoldAt is how long a value may be before folding cuts it.
const FoldAt = 60

// ActionSymbol is a change's symbol and style: + ~ - ±.
func ActionSymbol(a model.ChangeAction, st *theme.Styles) (string, lipgloss.Style) {
	switch a {
	case model.ActionAdd:
		return "+", st.OK
	case model.ActionDestroy:
		return "-", st.Fail
	case model.ActionReplace:
		return "±", st.Fail
	}
	return "~", st.Warn
}

// ValuesNote is the one line that says where the values of changes come
// from, or why there are none, when every change shares it; "" when each
// says its own.
func ValuesNote(changes []model.ResourceChange, drift bool) string {
	if len(changes) == 0 {
		return ""
	}
	from, why := changes[0].ValuesFrom, changes[0].NoValues
	for _, c := range changes[1:] {
		if c.ValuesFrom != from || c.NoValues != why {
			return ""
		}
	}
	sides := "before → after"
	if drift {
		sides = "recorded → real"
	}
	switch {
	case from == model.ValuesLog:
		return "values (" + sides + ") read from the plan in the run's log"
	case from == model.ValuesPlan && why == "":
		return "values: " + sides
	case from == model.ValuesNone && why == "":
		return "values not available"
	case from == model.ValuesNone:
		return "values not available: " + why
	}
	return ""
}

// ChangeLines draws resources with their values: a line per resource
// (symbol, address, why it is replaced or deleted), a line per attribute
// (`name: "web" → "web-app"`; one side for a create or a delete), and
// "values not available" where the backend gave none. Nothing is made up:
// what the backend did not say is said to be missing.
func ChangeLines(changes []model.ResourceChange, st *theme.Styles, v ChangeView) []string {
	shared := ValuesNote(changes, v.Drift) != ""
	var lines []string
	for _, c := range changes {
		sym, style := ActionSymbol(c.Action, st)
		head := style.Render(sym + " " + c.Address)
		if why := model.ReasonText(c.Reason); why != "" {
			head += st.Subtle.Render("  " + reasonVerb(c.Action) + why)
		}
		lines = append(lines, head)
		lines = append(lines, valueLines(c, st, v)...)
		switch {
		case !c.HasValues() && !shared:
			why := "values not available"
			if c.NoValues != "" {
				why += ": " + c.NoValues
			}
			if len(c.Attributes) > 0 {
				lines = append(lines, st.Subtle.Render("    "+strings.Join(c.Attributes, ", ")))
			}
			lines = append(lines, st.Subtle.Render("    ("+why+")"))
		case !c.HasValues() && len(c.Attributes) > 0:
			lines = append(lines, st.Subtle.Render("    "+strings.Join(c.Attributes, ", ")))
		case c.HasValues() && c.NoValues != "" && !shared:
			lines = append(lines, st.Subtle.Render("    ("+c.NoValues+")"))
		}
	}
	return lines
}

func reasonVerb(a model.ChangeAction) string {
	switch a {
	case model.ActionReplace:
		return "replaced: "
	case model.ActionDestroy:
		return "destroyed: "
	}
	return ""
}

// valueLines are one resource's attributes.
func valueLines(c model.ResourceChange, st *theme.Styles, v ChangeView) []string {
	var out []string
	for _, a := range c.Values {
		text := ValueText(c.Action, a)
		if contains(c.ReplacePaths, strings.SplitN(a.Path, ".", 2)[0]) {
			text += "  (forces replacement)"
		}
		const indent = "    "
		if v.Folded && ansi.StringWidth(text) > max(FoldAt, v.Width-len(indent)) {
			out = append(out, indent+ansi.Truncate(text, max(FoldAt, v.Width-len(indent))-1, "")+"…")
			continue
		}
		if v.Width <= len(indent)+8 {
			out = append(out, indent+text)
			continue
		}
		for i, part := range strings.Split(ansi.Hardwrap(text, v.Width-len(indent)-2, true), "\n") {
			if i > 0 {
				part = "  " + part
			}
			out = append(out, indent+part)
		}
	}
	return out
}

// ValueText is one attribute as the change views show it: `name: "web" →
// "web-app"`, or one side for a create (`name: "web"`) or a delete
// (`name: "shop" → (removed)`).
func ValueText(action model.ChangeAction, a model.AttributeChange) string {
	switch {
	case action == model.ActionAdd || (a.Before.Null && !a.After.Null && action != model.ActionChange):
		return a.Path + ": " + a.After.String()
	case action == model.ActionDestroy:
		return a.Path + ": " + a.Before.String() + " → (removed)"
	case a.Before.Null:
		return a.Path + ": (not set) → " + a.After.String()
	case a.After.Null:
		return a.Path + ": " + a.Before.String() + " → (not set)"
	}
	return a.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
