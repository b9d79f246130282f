// Package plantext reads what a run's log says about its plan: Terraform's
// human-readable plan (the text Spacelift's planning log and a TFC
// workspace with the console UI hold), with the values it shows, and
// Terraform's machine-readable UI (a TFC workspace with structured run
// output), which names resources and actions but no values. It reads
// what is there and marks the values as read from the log; it never fills
// in what the log does not say.
package plantext

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/model"
)

var (
	// "  # aws_x.y will be updated in-place"
	headerRE = regexp.MustCompile(`^\s*# (\S+) (will be created|will be updated in-place|will be destroyed|must be replaced|will be replaced, as requested|is tainted, so must be replaced|has changed|has been deleted|will be read during apply)$`)
	// "  # (because aws_x.y is not in configuration)"
	becauseRE = regexp.MustCompile(`^\s*# \((.+)\)$`)
	// "  ~ resource "aws_x" "y" {", "-/+ resource ..."
	blockRE = regexp.MustCompile(`^\s*(\+|~|-|-/\+|\+/-|<=)\s+(resource|data) "[^"]+" "[^"]+" \{$`)
	// "      ~ name = "a" -> "b"" (an unchanged line has no symbol)
	attrRE = regexp.MustCompile(`^\s*(\+|~|-)\s+("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.\-]+)\s*=\s*(.*)$`)
)

// Parse reads every resource of Terraform's human-readable plan in log
// (colour codes and all): the planned changes and, in a refresh-only plan,
// what changed outside Terraform (recorded -> real). Values are those the
// text shows; an attribute whose value spans lines is named without one,
// and its resource says so in NoValues.
func Parse(log string) []model.ResourceChange {
	var out []model.ResourceChange
	var cur *model.ResourceChange
	depth := 0    // braces open inside the resource block
	mapAttr := "" // the map attribute whose keys are being read
	skip := 0     // brackets of a value spanning lines
	var lines []string
	for _, l := range strings.Split(ansi.Strip(log), "\n") {
		lines = append(lines, strings.TrimRight(l, " \r"))
	}
	finish := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for _, l := range lines {
		if cur == nil || depth == 0 {
			if m := headerRE.FindStringSubmatch(l); m != nil {
				finish()
				cur = &model.ResourceChange{Address: m[1], Action: actionOf(m[2]), ValuesFrom: model.ValuesLog}
				continue
			}
			if cur == nil {
				continue
			}
			if m := becauseRE.FindStringSubmatch(l); m != nil {
				cur.Reason = m[1]
				continue
			}
			if blockRE.MatchString(l) {
				depth = 1
				continue
			}
			if strings.TrimSpace(l) != "" {
				finish()
			}
			continue
		}
		t := strings.TrimSpace(l)
		switch {
		case skip > 0:
			skip += strings.Count(t, "[") + strings.Count(t, "{") + strings.Count(t, "(") -
				strings.Count(t, "]") - strings.Count(t, "}") - strings.Count(t, ")")
			continue
		case t == "}" || t == "},":
			depth--
			if depth == 1 {
				mapAttr = ""
			}
			if depth == 0 {
				finish()
			}
			continue
		case strings.HasPrefix(t, "#"):
			continue // "(2 unchanged attributes hidden)"
		}
		m := attrRE.FindStringSubmatch(l)
		if m == nil {
			if strings.HasSuffix(t, "{") || strings.HasSuffix(t, "[") {
				depth++ // a nested block or an unchanged value opening
			}
			continue
		}
		name := strings.Trim(m[2], `"`)
		rest := m[3]
		if depth == 1 && (rest == "{" || strings.HasSuffix(rest, "-> {")) {
			mapAttr, depth = name, 2
			addAttribute(cur, name)
			continue
		}
		if opens := strings.Count(rest, "[") + strings.Count(rest, "{") + strings.Count(rest, "(") -
			strings.Count(rest, "]") - strings.Count(rest, "}") - strings.Count(rest, ")"); opens > 0 && !strings.HasSuffix(rest, "(known after apply)") {
			top := name
			if depth == 2 {
				top = mapAttr
			}
			addAttribute(cur, top)
			cur.NoValues = "some values span lines in the log and were not read"
			skip = opens
			continue
		}
		path := name
		if depth == 2 && mapAttr != "" {
			path = mapAttr + "." + name
		} else {
			addAttribute(cur, name)
		}
		ch, forces := sides(m[1], rest)
		ch.Path = path
		cur.Values = append(cur.Values, ch)
		if forces {
			cur.ReplacePaths = append(cur.ReplacePaths, strings.SplitN(path, ".", 2)[0])
		}
	}
	finish()
	return out
}

func addAttribute(c *model.ResourceChange, name string) {
	for _, a := range c.Attributes {
		if a == name {
			return
		}
	}
	c.Attributes = append(c.Attributes, name)
}

func actionOf(verb string) model.ChangeAction {
	switch verb {
	case "will be created":
		return model.ActionAdd
	case "will be destroyed", "has been deleted":
		return model.ActionDestroy
	case "must be replaced", "will be replaced, as requested", "is tainted, so must be replaced":
		return model.ActionReplace
	}
	return model.ActionChange
}

// sides reads `"a" -> "b"`, `"a"` (one side, by the line's symbol) and
// the "# forces replacement" note.
func sides(symbol, rest string) (model.AttributeChange, bool) {
	forces := false
	if i := strings.Index(rest, " # forces replacement"); i >= 0 {
		rest, forces = rest[:i], true
	}
	var ch model.AttributeChange
	before, after, both := cutArrow(rest)
	switch {
	case both:
		ch.Before, ch.After = value(before), value(after)
	case symbol == "+":
		ch.Before, ch.After = model.Value{Null: true}, value(rest)
	case symbol == "-":
		ch.Before, ch.After = value(rest), model.Value{Null: true}
	default: // "~ password = (sensitive value)"
		ch.Before, ch.After = value(rest), value(rest)
	}
	return ch, forces
}

// cutArrow splits at the " -> " outside quotes.
func cutArrow(s string) (string, string, bool) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted && strings.HasPrefix(s[i:], " -> "):
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+4:]), true
		}
	}
	return s, "", false
}

func value(text string) model.Value {
	switch strings.TrimSpace(text) {
	case "(sensitive value)", "(sensitive)":
		return model.Value{Sensitive: true}
	case "(known after apply)":
		return model.Value{Unknown: true}
	case "null":
		return model.Value{Null: true}
	}
	return model.Known(strings.TrimSpace(text))
}

// uiMessage is one line of Terraform's machine-readable UI (`-json`).
type uiMessage struct {
	Message string `json:"@message"`
	Type    string `json:"type"`
	Change  *struct {
		Resource struct {
			Addr string `json:"addr"`
		} `json:"resource"`
		Action string `json:"action"`
		Reason string `json:"reason"`
	} `json:"change"`
}

// JSONMessage is the human message of a machine-readable UI line, and
// whether the line is one.
func JSONMessage(line string) (string, bool) {
	if !strings.HasPrefix(line, "{") {
		return "", false
	}
	var m uiMessage
	if json.Unmarshal([]byte(line), &m) != nil || m.Type == "" {
		return "", false
	}
	return m.Message, true
}

// ParseJSON reads the planned_change (and, in a refresh-only plan,
// resource_drift) messages of a machine-readable UI log: each resource and
// its action, never values (Terraform writes them only in the plan JSON).
func ParseJSON(log string) []model.ResourceChange {
	var out []model.ResourceChange
	for _, l := range strings.Split(log, "\n") {
		var m uiMessage
		if !strings.HasPrefix(l, "{") || json.Unmarshal([]byte(l), &m) != nil || m.Change == nil ||
			(m.Type != "planned_change" && m.Type != "resource_drift") {
			continue
		}
		var action model.ChangeAction
		switch m.Change.Action {
		case "create":
			action = model.ActionAdd
		case "update":
			action = model.ActionChange
		case "delete":
			action = model.ActionDestroy
		case "replace":
			action = model.ActionReplace
		default:
			continue // read, noop, move, import: not changes
		}
		reason := m.Change.Reason
		switch reason {
		case "cannot_update", "tainted", "requested":
			reason = map[string]string{"cannot_update": "replace_because_cannot_update", "tainted": "replace_because_tainted",
				"requested": "replace_by_request"}[reason]
		}
		out = append(out, model.ResourceChange{Address: m.Change.Resource.Addr, Action: action, Reason: reason})
	}
	return out
}
