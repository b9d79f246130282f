package dialog

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/theme"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// feed sends keys to a dialog as the root does (its key table first, then
// Update) until it answers; the answer is nil while it stays open.
func feed(t *testing.T, d Dialog, names ...string) (Dialog, *mutation.Answer) {
	t.Helper()
	c := &screen.Context{Keys: keys.Default(), Styles: theme.New(true, false, theme.DefaultPalette())}
	var got *mutation.Answer
	d.onAnswer = func(a mutation.Answer) tea.Msg { got = &a; return nil }
	for _, n := range names {
		if got != nil {
			t.Fatalf("dialog answered before %q", n)
		}
		msg := uitest.Press(n)
		var next screen.Screen
		if a, ok := screen.Match(c.Keys, d.Keys(c), msg); ok {
			next, _ = a.Do()
		} else {
			next, _ = d.Update(c, msg)
		}
		d = next.(Dialog)
	}
	return d, got
}

func yes(label string) []mutation.Button {
	return []mutation.Button{{Label: label, Hotkey: mutation.HotkeyYes}}
}

func TestDialogFocusStartsOnCancel(t *testing.T) {
	d := New("Deploy x?", nil, nil, false, yes("Deploy"), nil)
	if _, out := feed(t, d, "enter"); out == nil || out.Button != 0 {
		t.Fatalf("enter on a new dialog: %+v, want cancel", out)
	}
	if _, out := feed(t, d, "y"); out == nil || out.Button != 1 {
		t.Fatalf("y: %+v, want the go button", out)
	}
	if _, out := feed(t, d, "n"); out == nil || out.Button != 0 {
		t.Fatalf("n: %+v, want cancel", out)
	}
	if _, out := feed(t, d, "right", "enter"); out == nil || out.Button != 1 {
		t.Fatalf("→ enter: %+v, want the go button", out)
	}
	if _, out := feed(t, d, "x", "q"); out != nil {
		t.Fatalf("unbound keys decided: %+v", out)
	}
}

func TestStrictDialogWantsTheNameTyped(t *testing.T) {
	d := New("Discard?", nil, []mutation.Field{{Label: "type", Want: "prod-x"}}, true, yes("Discard"), nil)
	d, out := feed(t, d, "y", "n", "left", "enter")
	if out != nil || d.fields[0].Value != "yn" || d.err == "" {
		t.Fatalf("y, n, ← are text and a wrong name refuses: %+v %+v", out, d)
	}
	d, _ = feed(t, d, "ctrl+u")
	d, _ = feed(t, d, "p", "r", "o", "d", "-", "x")
	if _, out := feed(t, d, "enter"); out == nil || out.Button != 1 || out.Values[0] != "prod-x" {
		t.Fatalf("typed name then enter: %+v", out)
	}
	d.focus = len(d.fields) // on the buttons, y and n still do nothing in a strict dialog
	if _, out := feed(t, d, "y", "n"); out != nil {
		t.Fatalf("hotkeys worked in a strict dialog: %+v", out)
	}
	if _, out := feed(t, d, "esc"); out == nil || out.Button != 0 {
		t.Fatal("esc did not cancel")
	}
}

func TestDialogWithSeveralButtonsMovesToCancel(t *testing.T) {
	d := New("Review?", nil, []mutation.Field{{Label: "note"}}, false,
		[]mutation.Button{{Label: "Reject", Hotkey: mutation.HotkeyReject}, {Label: "Approve", Hotkey: mutation.HotkeyApprove}}, nil)
	d, out := feed(t, d, "o", "k", "enter")
	if out != nil || d.focus != 1 {
		t.Fatalf("enter in the note: %+v, focus %d, want the Cancel button", out, d.focus)
	}
	if _, out := feed(t, d, "a"); out == nil || out.Button != 2 || out.Values[0] != "ok" {
		t.Fatalf("a: %+v, want approve with the note", out)
	}
	if _, out := feed(t, d, "r"); out == nil || out.Button != 1 {
		t.Fatalf("r: %+v, want reject", out)
	}
}
