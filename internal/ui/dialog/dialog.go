// Package dialog is the one confirmation every mutation goes through, and
// the form and result boxes built like it: it says what will happen, may
// ask for text (a lock note, a review note, the name to type in a protected
// environment, a target version) and offers buttons. It knows nothing of
// backends; whoever opened it gets the Answer.
//
// Safety rules (ux-anchors: k9s #1121, lazygit #792): the focus starts on
// Cancel when there is nothing to type; in a strict (protected) dialog y and
// n are plain text and only esc cancels; a field with a wanted value must be
// typed exactly before any button other than Cancel works.
package dialog

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// Dialog is a box over the screen below.
type Dialog struct {
	title   string
	lines   []string
	fields  []mutation.Field
	buttons []mutation.Button // after Cancel; none: an OK box
	focus   int               // < len(fields): a field; else button focus-len(fields)
	strict  bool
	err     string
	scroll  int // first line of a body too tall to show whole
	// onAnswer turns the answer into what happens next (nil: nothing).
	onAnswer func(mutation.Answer) tea.Msg
}

// New builds a dialog with the focus on its first field, or on Cancel.
func New(title string, lines []string, fields []mutation.Field, strict bool, buttons []mutation.Button,
	onAnswer func(mutation.Answer) tea.Msg) Dialog {
	return Dialog{title: title, lines: lines, fields: fields, strict: strict, buttons: buttons, onAnswer: onAnswer}
}

// Info shows results with a single button that closes it.
func Info(title string, lines []string) Dialog { return Dialog{title: title, lines: lines} }

// For is the confirmation of a prepared mutation.
func For(m mutation.Mutation, onAnswer func(mutation.Answer) tea.Msg) Dialog {
	return New(m.Title, m.Lines, m.Fields, m.Strict, m.Buttons, onAnswer)
}

// labels are every button's label, Cancel first ("OK" alone in an info box).
func (d Dialog) labels() []string {
	if len(d.buttons) == 0 {
		return []string{"OK"}
	}
	out := []string{"Cancel"}
	for _, b := range d.buttons {
		out = append(out, b.Label)
	}
	return out
}

func (d Dialog) onButtons() bool { return d.focus >= len(d.fields) }

// Modal implements screen.Modal: a dialog takes every key.
func (d Dialog) Modal(*screen.Context) bool { return true }

// TypingText implements screen.TextEntry: a field has the focus.
func (d Dialog) TypingText(*screen.Context) bool { return !d.onButtons() }

// Overlay implements screen.Overlay.
func (d Dialog) Overlay() bool { return true }

// Title implements screen.Screen.
func (d Dialog) Title(*screen.Context) []string { return nil }

// Name implements screen.Named.
func (d Dialog) Name() string { return "dialog" }

// Keys implements screen.Screen: the live keys, button hotkeys only where
// they work.
func (d Dialog) Keys(c *screen.Context) []screen.Group {
	if len(d.buttons) == 0 { // a box to read: enter or esc closes it
		close := func() (screen.Screen, tea.Cmd) { return d.close(c, 0) }
		return []screen.Group{{Title: "Dialog", Actions: []screen.Action{
			{Key: keys.DialogPress, Help: "close", Do: close}, {Key: keys.DialogCancel, Help: "close", Do: close}}}}
	}
	var acts []screen.Action
	if d.onButtons() && !d.strict && len(d.buttons) > 0 {
		acts = append(acts, screen.Action{Key: keys.DialogNo, Do: func() (screen.Screen, tea.Cmd) { return d.close(c, 0) }})
		for i, b := range d.buttons {
			id, ok := hotkey(b.Hotkey)
			if !ok {
				continue
			}
			acts = append(acts, screen.Action{Key: id, Help: strings.ToLower(b.Label), Do: func() (screen.Screen, tea.Cmd) { return d.press(c, i+1) }})
		}
	}
	acts = append(acts,
		screen.Action{Key: keys.DialogPress, Do: func() (screen.Screen, tea.Cmd) {
			if !d.onButtons() {
				return d.enterInField(c)
			}
			return d.press(c, d.focus-len(d.fields))
		}},
		screen.Action{Key: keys.DialogNext, Do: func() (screen.Screen, tea.Cmd) { return d.move(1), nil }},
		screen.Action{Key: keys.DialogPrev, Do: func() (screen.Screen, tea.Cmd) { return d.move(-1), nil }},
	)
	if d.onButtons() {
		acts = append(acts,
			screen.Action{Key: keys.DialogRight, Do: func() (screen.Screen, tea.Cmd) { return d.move(1), nil }},
			screen.Action{Key: keys.DialogLeft, Do: func() (screen.Screen, tea.Cmd) { return d.move(-1), nil }})
	} else {
		acts = append(acts,
			screen.Action{Key: keys.InputErase, Do: func() (screen.Screen, tea.Cmd) { return d.edit(c, keys.InputErase), nil }},
			screen.Action{Key: keys.InputClear, Do: func() (screen.Screen, tea.Cmd) { return d.edit(c, keys.InputClear), nil }})
	}
	acts = append(acts, screen.Action{Key: keys.DialogCancel, Do: func() (screen.Screen, tea.Cmd) { return d.close(c, 0) }})
	if most := d.maxScroll(c); most > 0 { // a long body reads whole before anything is typed
		acts = append(acts,
			screen.Action{Key: keys.DialogScrollDown, Off: screen.OffIf(d.scroll >= most, "at the end"),
				Do: func() (screen.Screen, tea.Cmd) { d.scroll = min(d.scroll+1, most); return d, nil }},
			screen.Action{Key: keys.DialogScrollUp, Off: screen.OffIf(d.scroll == 0, "at the top"),
				Do: func() (screen.Screen, tea.Cmd) { d.scroll = max(d.scroll-1, 0); return d, nil }})
	}
	return []screen.Group{{Title: "Dialog", Actions: acts}}
}

// body is the dialog's lines wrapped to its inner width at a terminal w
// wide; room is how many of them fit at h high.
func (d Dialog) body(w int) []string {
	inner := min(w-4, 76)
	var body []string
	for _, l := range d.lines {
		body = append(body, kit.WrapLines([]string{l}, inner)...)
	}
	return body
}

func (d Dialog) room(c *screen.Context, h int) int {
	fixed := 2 + 3*len(d.fields) + 3 + 2 + c.Styles.PaneBorder.GetVerticalFrameSize()
	if d.err != "" {
		fixed += 2
	}
	return max(1, h-fixed)
}

// maxScroll is how far the body scrolls: until its last line shows.
func (d Dialog) maxScroll(c *screen.Context) int {
	body, room := d.body(c.Width), d.room(c, c.Height-screen.ChromeLines)
	if len(body) <= room {
		return 0
	}
	return len(body) - room + 1
}

func hotkey(h mutation.Hotkey) (keys.ID, bool) {
	switch h {
	case mutation.HotkeyYes:
		return keys.DialogYes, true
	case mutation.HotkeyApprove:
		return keys.DialogApprove, true
	case mutation.HotkeyReject:
		return keys.DialogReject, true
	}
	return 0, false
}

// Update implements screen.Screen: typed text and pastes go to the field
// with the focus.
func (d Dialog) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		d.err = ""
		if !d.onButtons() && kit.Typed(msg) {
			return d.typed(msg.Text), nil
		}
	case tea.PasteMsg:
		if !d.onButtons() {
			return d.typed(strings.Join(strings.Fields(msg.Content), " ")), nil
		}
	}
	return d, nil
}

func (d Dialog) typed(text string) Dialog {
	fields := append([]mutation.Field(nil), d.fields...) // fields are shared with older values of d
	fields[d.focus].Value += text
	d.fields = fields
	return d
}

func (d Dialog) edit(c *screen.Context, id keys.ID) Dialog {
	fields := append([]mutation.Field(nil), d.fields...)
	f := &fields[d.focus]
	switch id {
	case keys.InputErase:
		if r := []rune(f.Value); len(r) > 0 {
			f.Value = string(r[:len(r)-1])
		}
	case keys.InputClear:
		f.Value = ""
	}
	d.fields, d.err = fields, ""
	return d
}

func (d Dialog) move(by int) Dialog {
	n := len(d.fields) + len(d.labels())
	d.focus = (d.focus + by + n) % n
	d.err = ""
	return d
}

// enterInField moves to the next field; from the last one it presses the
// only way forward, or moves to the buttons (on Cancel) when there are
// several.
func (d Dialog) enterInField(c *screen.Context) (screen.Screen, tea.Cmd) {
	d.err = ""
	if d.focus < len(d.fields)-1 {
		d.focus++
		return d, nil
	}
	if len(d.buttons) == 1 {
		return d.press(c, 1)
	}
	d.focus = len(d.fields)
	return d, nil
}

// press activates button i once every wanted value is typed.
func (d Dialog) press(c *screen.Context, i int) (screen.Screen, tea.Cmd) {
	if i == 0 || len(d.buttons) == 0 {
		return d.close(c, 0)
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
	return d.answer(c, mutation.Answer{Button: i, Values: values})
}

func (d Dialog) close(c *screen.Context, button int) (screen.Screen, tea.Cmd) {
	return d.answer(c, mutation.Answer{Button: button})
}

// answer closes the dialog, then hands the answer on.
func (d Dialog) answer(c *screen.Context, a mutation.Answer) (screen.Screen, tea.Cmd) {
	var then tea.Msg
	if d.onAnswer != nil {
		then = d.onAnswer(a)
	}
	return d, c.Ask(screen.Pop{Then: then})
}

// View implements screen.Screen: the box, at most w wide and h high. A long
// bulk list is cut in the middle so the fields and buttons stay.
func (d Dialog) View(c *screen.Context, w, h int) string {
	st := c.Styles
	inner := min(w-4, 76)
	body := d.body(w)
	if room := d.room(c, h); len(body) > room {
		top := min(d.scroll, len(body)-room+1)
		below := len(body) - top - (room - 1)
		more := fmt.Sprintf("… %d more %s (%s scrolls)", below, kit.Plural(below, "line"), c.Keys.Key(keys.DialogScrollDown))
		if below <= 0 {
			more = fmt.Sprintf("… %d %s above (%s scrolls back)", top, kit.Plural(top, "line"), c.Keys.Key(keys.DialogScrollUp))
		}
		body = append(append([]string(nil), body[top:top+room-1]...), st.Subtle.Render(more))
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
	for i, label := range d.labels() {
		text := "[ " + label + " ]"
		if d.focus == len(d.fields)+i {
			text = st.Selected.Render("[>" + label + "<]")
		}
		bs = append(bs, text)
	}
	lines = append(lines, "", strings.Join(bs, "  "), st.Subtle.Render(d.hint()))
	return st.PaneBorder.Width(inner + st.PaneBorder.GetHorizontalFrameSize()).Render(strings.Join(lines, "\n"))
}

func (d Dialog) hint() string {
	switch {
	case len(d.buttons) == 0:
		return "enter or esc closes"
	case d.strict:
		return "type, then enter · tab moves · only esc cancels"
	case !d.onButtons():
		return "type, then enter · tab moves · esc cancels"
	case len(d.buttons) == 1:
		return "y goes ahead · n or esc cancels · enter presses the focused button"
	}
	return "tab/←/→ move · enter presses · esc cancels"
}
