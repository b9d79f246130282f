package ui

import (
	"testing"

	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// feed sends keys to a dialog until it decides; the outcome is nil if it
// stays open.
func feed(t *testing.T, d dialog, names ...string) (dialog, *dialogOutcome) {
	t.Helper()
	km := keys.Default()
	var out *dialogOutcome
	for _, n := range names {
		if out != nil {
			t.Fatalf("dialog closed before %q", n)
		}
		d, out = d.update(uitest.Press(n), km.Dialog, km.Input)
	}
	return d, out
}

func TestDialogFocusStartsOnCancel(t *testing.T) {
	d := newDialog("Deploy x?", nil, nil, false, dialogButtons([]mutation.Button{{Label: "Deploy", Hotkey: mutation.HotkeyYes}})...)
	if _, out := feed(t, d, "enter"); out == nil || out.button != 0 {
		t.Fatalf("enter on a new dialog: %+v, want cancel", out)
	}
	if _, out := feed(t, d, "y"); out == nil || out.button != 1 {
		t.Fatalf("y: %+v, want the go button", out)
	}
	if _, out := feed(t, d, "n"); out == nil || out.button != 0 {
		t.Fatalf("n: %+v, want cancel", out)
	}
	if _, out := feed(t, d, "right", "enter"); out == nil || out.button != 1 {
		t.Fatalf("→ enter: %+v, want the go button", out)
	}
	if _, out := feed(t, d, "x", "q"); out != nil {
		t.Fatalf("unbound keys decided: %+v", out)
	}
}

func TestStrictDialogWantsTheNameTyped(t *testing.T) {
	d := newDialog("Discard?", nil, []mutation.Field{{Label: "type", Want: "prod-x"}}, true, dialogButtons([]mutation.Button{{Label: "Discard", Hotkey: mutation.HotkeyYes}})...)
	d, out := feed(t, d, "y", "n", "left", "enter")
	if out != nil || d.fields[0].Value != "yn" || d.err == "" {
		t.Fatalf("y, n, ← are text and a wrong name refuses: %+v %+v", out, d)
	}
	d, _ = feed(t, d, "ctrl+u")
	for _, k := range uitest.Type("prod-x") {
		d, _ = d.update(k, keys.Default().Dialog, keys.Default().Input)
	}
	if _, out := feed(t, d, "enter"); out == nil || out.button != 1 || out.values[0] != "prod-x" {
		t.Fatalf("typed name then enter: %+v", out)
	}
	d.focus = len(d.fields) // on the buttons, y and n still do nothing in a strict dialog
	if _, out := feed(t, d, "y", "n"); out != nil {
		t.Fatalf("hotkeys worked in a strict dialog: %+v", out)
	}
	if _, out := feed(t, d, "esc"); out == nil || out.button != 0 {
		t.Fatal("esc did not cancel")
	}
}

func TestDialogWithSeveralButtonsMovesToCancel(t *testing.T) {
	d := newDialog("Review?", nil, []mutation.Field{{Label: "note"}}, false,
		dialogButtons([]mutation.Button{{Label: "Reject", Hotkey: mutation.HotkeyReject}, {Label: "Approve", Hotkey: mutation.HotkeyApprove}})...)
	d, out := feed(t, d, "o", "k", "enter")
	if out != nil || d.focus != 1 {
		t.Fatalf("enter in the note: %+v, focus %d, want the Cancel button", out, d.focus)
	}
	if _, out := feed(t, d, "a"); out == nil || out.button != 2 || out.values[0] != "ok" {
		t.Fatalf("a: %+v, want approve with the note", out)
	}
	if _, out := feed(t, d, "r"); out == nil || out.button != 1 {
		t.Fatalf("r: %+v, want reject", out)
	}
}
