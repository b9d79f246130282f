package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/theme"
)

// dialog is the one confirmation every mutation goes through: it says what
// will happen, may ask for text (a lock note, a review note, the name to
// type in a protected environment) and offers buttons. It knows nothing of
// backends; the caller turns the pressed button into mutations.
//
// Safety rules (ux-anchors: k9s #1121, lazygit #792): the focus starts on
// Cancel when there is nothing to type; in a strict (protected) dialog y and
// n are plain text and only esc cancels; a field with a wanted value must be
// typed exactly before any button other than Cancel works.
type dialog struct {
	title   string
	lines   []string
	fields  []mutation.Field
	buttons []button // buttons[0] cancels
	focus   int      // < len(fields): a field; else button focus-len(fields)
	strict  bool
	err     string
}

type button struct {
	label  string
	hotkey func(keys.Dialog) key.Binding // nil: reachable by focus only
}

// dialogOutcome is what the user decided; nil while the dialog stays open.
type dialogOutcome struct {
	button int // 0 = cancelled
	values []string
}

func cancelButton() button { return button{"Cancel", func(k keys.Dialog) key.Binding { return k.No }} }

// dialogButtons are a mutation's buttons, with their hotkeys.
func dialogButtons(bs []mutation.Button) []button {
	out := make([]button, 0, len(bs))
	for _, b := range bs {
		var hotkey func(keys.Dialog) key.Binding
		switch b.Hotkey {
		case mutation.HotkeyYes:
			hotkey = func(k keys.Dialog) key.Binding { return k.Yes }
		case mutation.HotkeyApprove:
			hotkey = func(k keys.Dialog) key.Binding { return k.Approve }
		case mutation.HotkeyReject:
			hotkey = func(k keys.Dialog) key.Binding { return k.Reject }
		}
		out = append(out, button{label: b.Label, hotkey: hotkey})
	}
	return out
}

// newDialog builds a dialog with the focus on its first field, or on Cancel.
func newDialog(title string, lines []string, fields []mutation.Field, strict bool, buttons ...button) dialog {
	return dialog{title: title, lines: lines, fields: fields, strict: strict,
		buttons: append([]button{cancelButton()}, buttons...)}
}

// infoDialog shows results with a single button that closes it.
func infoDialog(title string, lines []string) dialog {
	return dialog{title: title, lines: lines, buttons: []button{{label: "OK"}}}
}

func (d dialog) onButtons() bool { return d.focus >= len(d.fields) }

// update handles one key. in edits the fields.
func (d dialog) update(msg tea.KeyPressMsg, k keys.Dialog, in keys.Input) (dialog, *dialogOutcome) {
	d.err = ""
	n := len(d.fields) + len(d.buttons)
	switch {
	case key.Matches(msg, k.Cancel):
		return d, &dialogOutcome{}
	case key.Matches(msg, k.Press):
		if !d.onButtons() {
			return d.enterInField()
		}
		return d.press(d.focus - len(d.fields))
	case key.Matches(msg, k.Next, k.Prev) || d.onButtons() && key.Matches(msg, k.Right, k.Left):
		if key.Matches(msg, k.Prev, k.Left) {
			d.focus = (d.focus - 1 + n) % n
		} else {
			d.focus = (d.focus + 1) % n
		}
		return d, nil
	}
	if d.onButtons() {
		if d.strict {
			return d, nil
		}
		for i, b := range d.buttons {
			if b.hotkey != nil && key.Matches(msg, b.hotkey(k)) {
				return d.press(i)
			}
		}
		return d, nil
	}
	fields := append([]mutation.Field(nil), d.fields...) // fields are shared with older values of d
	f := &fields[d.focus]
	switch {
	case key.Matches(msg, in.Erase):
		if r := []rune(f.Value); len(r) > 0 {
			f.Value = string(r[:len(r)-1])
		}
	case key.Matches(msg, in.Clear):
		f.Value = ""
	default:
		f.Value += msg.Text
	}
	d.fields = fields
	return d, nil
}

// paste types pasted text into the focused field.
func (d dialog) paste(text string) dialog {
	if d.onButtons() {
		return d
	}
	fields := append([]mutation.Field(nil), d.fields...)
	fields[d.focus].Value += strings.Join(strings.Fields(text), " ")
	d.fields = fields
	return d
}

// enterInField moves to the next field; from the last one it presses the
// only way forward, or moves to the buttons (on Cancel) when there are
// several.
func (d dialog) enterInField() (dialog, *dialogOutcome) {
	if d.focus < len(d.fields)-1 {
		d.focus++
		return d, nil
	}
	if len(d.buttons) == 2 {
		return d.press(1)
	}
	d.focus = len(d.fields)
	return d, nil
}

// press activates button i once every wanted value is typed.
func (d dialog) press(i int) (dialog, *dialogOutcome) {
	if i == 0 {
		return d, &dialogOutcome{}
	}
	values := make([]string, len(d.fields))
	for j, f := range d.fields {
		if f.Want != "" && f.Value != f.Want {
			d.focus = j
			d.err = "type " + f.Want + " exactly to go ahead (esc cancels)"
			return d, nil
		}
		if f.Required && strings.TrimSpace(f.Value) == "" {
			d.focus = j
			d.err = "this cannot be left blank (esc cancels)"
			return d, nil
		}
		values[j] = f.Value
	}
	return d, &dialogOutcome{button: i, values: values}
}

// view draws the dialog as a bordered box at most w wide and h high. A
// long bulk list is cut in the middle so the fields and buttons stay.
func (d dialog) view(st *theme.Styles, w, h int) string {
	inner := min(w-4, 76)
	var body []string
	for _, l := range d.lines {
		body = append(body, wrapLines([]string{l}, inner)...)
	}
	fixed := 2 + 3*len(d.fields) + 3 + 2 + st.PaneBorder.GetVerticalFrameSize()
	if d.err != "" {
		fixed += 2
	}
	if room := max(1, h-fixed); len(body) > room {
		cut := len(body) - room + 1
		body = append(body[:room-1], st.Subtle.Render(fmt.Sprintf("… %d more %s", cut, plural(cut, "line"))))
	}
	lines := append([]string{st.Title.Render(d.title), ""}, body...)
	for i, f := range d.fields {
		value := f.Value
		if i == d.focus {
			value += "█"
		}
		lines = append(lines, "", st.Label.Render(f.Label), "> "+value)
	}
	if d.err != "" {
		lines = append(lines, "", st.StatusError.Render("✗ "+d.err))
	}
	var bs []string
	for i, b := range d.buttons {
		label := "[ " + b.label + " ]"
		if d.focus == len(d.fields)+i {
			label = st.Selected.Render("[>" + b.label + "<]")
		}
		bs = append(bs, label)
	}
	lines = append(lines, "", strings.Join(bs, "  "), st.Subtle.Render(d.hint()))
	return st.PaneBorder.Width(inner + st.PaneBorder.GetHorizontalFrameSize()).Render(strings.Join(lines, "\n"))
}

// keys are the dialog's live keys, for the hint line and help: button
// hotkeys only where they work.
func (d dialog) keys(k keys.Dialog) []key.Binding {
	var out []key.Binding
	if !d.strict {
		for _, b := range d.buttons {
			if b.hotkey != nil {
				out = append(out, b.hotkey(k))
			}
		}
	}
	return append(out, k.Press, k.Next, k.Prev, k.Right, k.Left, k.Cancel)
}

func (d dialog) hint() string {
	switch {
	case len(d.buttons) == 1:
		return "enter or esc closes"
	case d.strict:
		return "type, then enter · tab moves · only esc cancels"
	case !d.onButtons():
		return "type, then enter · tab moves · esc cancels"
	case len(d.buttons) == 2:
		return "y goes ahead · n or esc cancels · enter presses the focused button"
	}
	return "tab/←/→ move · enter presses · esc cancels"
}

// overlay puts box in the middle of a w×h body, over what is behind it.
func overlay(body, box string, w, h int) string {
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max(0, (w-bw)/2), max(0, (h-bh)/3)
	bodyLines := strings.Split(body, "\n")
	boxLines := strings.Split(box, "\n")
	for i, bl := range boxLines {
		row := y + i
		if row >= len(bodyLines) {
			break
		}
		bodyLines[row] = fit(strings.Repeat(" ", x)+bl, w)
	}
	return strings.Join(bodyLines, "\n")
}
