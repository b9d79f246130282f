package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/ui/dialog"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// TestPrintableDialogKeysFailNew: [keys] dialog_press = ["e"] would press
// a dialog's button at the first e of a lock note or an override reason;
// the UI refuses it, naming the action.
func TestPrintableDialogKeysFailNew(t *testing.T) {
	_, err := New(Options{Backend: uitest.NewFake(), Keys: map[string][]string{"dialog_press": {"e"}}})
	if err == nil || !strings.Contains(err.Error(), `action "dialog_press": "e" types a character`) {
		t.Fatalf("New: %v", err)
	}
}

// TestDialogFieldKeysAreDeclaredLiveWhileTyping: every key a dialog takes
// while one of its fields has the focus is one keys.Map keeps printable
// keys from, so a remapping cannot steal text from the field.
func TestDialogFieldKeysAreDeclaredLiveWhileTyping(t *testing.T) {
	d := newDriver(t, 120, 30)
	d.press("L") // lock dev-network: the note field has the focus
	dlg, ok := d.top().(dialog.Dialog)
	if !ok || !dlg.TypingText(d.ctx()) {
		t.Fatalf("no dialog with a field in focus:\n%s", d.screen())
	}
	for _, g := range dlg.Keys(d.ctx()) {
		for _, a := range g.Actions {
			if !keys.LiveWhileTyping(a.Key) {
				t.Errorf("%s is live in a dialog's field but not declared live while typing", keys.Decls[a.Key].Name)
			}
		}
	}
	d.typeText("yes, a note")
	d.requireScreen("> yes, a note█")
}

// typer is a screen with a field in focus whose key table (wrongly) binds
// a printable key: the root gives the text to the field all the same.
type typer struct {
	text   *string
	action *int
}

func (s typer) Update(_ *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		*s.text += k.Text
	}
	return s, nil
}
func (s typer) View(*screen.Context, int, int) string { return "typing: " + *s.text }
func (s typer) Title(*screen.Context) []string        { return []string{"typer"} }
func (s typer) Modal(*screen.Context) bool            { return true }
func (s typer) TypingText(*screen.Context) bool       { return true }
func (s typer) Keys(*screen.Context) []screen.Group {
	return []screen.Group{{Actions: []screen.Action{{Key: keys.Message, Do: func() (screen.Screen, tea.Cmd) {
		*s.action++
		return s, nil
	}}}}}
}

// TestTypedTextGoesToTheFieldWhateverIsBound: e is bound to an action of
// the screen on top, but its field has the focus: e is text.
func TestTypedTextGoesToTheFieldWhateverIsBound(t *testing.T) {
	d := newDriver(t, 120, 30)
	var text string
	var actions int
	d.send(screen.Push{Screen: typer{text: &text, action: &actions}})
	d.typeText("see e!")
	if text != "see e!" || actions != 0 {
		t.Fatalf("the field got %q and the action ran %d times", text, actions)
	}
	d.press("ctrl+c") // not text: keys still work
	if !d.Quit {
		t.Fatal("ctrl+c did not quit")
	}
}
