package keys

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestDefaultsHaveNoDuplicatesOrV1Space(t *testing.T) {
	m := Default()
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for id, d := range Decls {
		if d.Name == "" || d.Desc == "" || len(d.Keys) == 0 || len(d.Contexts) == 0 {
			t.Errorf("binding %d is not declared whole: %+v", id, d)
		}
		if names[d.Name] {
			t.Errorf("%s is declared twice", d.Name)
		}
		names[d.Name] = true
		for _, k := range m.Get(ID(id)).Keys() {
			if k == " " {
				t.Errorf("%s binds %q; v2 spells it \"space\"", d.Name, k)
			}
		}
	}
}

func TestApplyRemaps(t *testing.T) {
	m := Default()
	if err := m.Apply(map[string][]string{"refresh": {"ctrl+r", "f5"}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.Get(Refresh).Keys(), ","); got != "ctrl+r,f5" {
		t.Fatalf("refresh keys = %s", got)
	}
	if m.Key(Refresh) != "ctrl+r/f5" {
		t.Fatalf("help key not updated: %q", m.Key(Refresh))
	}
}

func TestApplyErrors(t *testing.T) {
	cases := map[string]struct {
		remap map[string][]string
		want  string // in the error
	}{
		"unknown action":    {map[string][]string{"frobnicate": {"x"}}, `action "frobnicate": unknown action`},
		"empty keys":        {map[string][]string{"quit": {}}, `action "quit": no keys given`},
		"v1 space":          {map[string][]string{"detail": {" "}}, `action "detail": use "space" for the space bar`},
		"dup in tree":       {map[string][]string{"down": {"q"}}, `"q" is bound to both "quit" and "down" (in the tree screen)`},
		"dup global/detail": {map[string][]string{"close_detail": {"r"}}, `"r" is bound to both "refresh" and "close_detail" (in the detail screen)`},
	}
	for name, tt := range cases {
		t.Run(name, func(t *testing.T) {
			m := Default()
			err := m.Apply(tt.remap)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Apply(%v) = %v, want an error saying %s", tt.remap, err, tt.want)
			}
		})
	}
}

// TestPrintableKeysAreRefusedWhereTextIsTyped: an action live while a
// text field has the focus (a dialog's field, a filter, a search) may not
// take a key that types a character; the buttons' hotkeys, live only on
// the buttons, may.
func TestPrintableKeysAreRefusedWhereTextIsTyped(t *testing.T) {
	for action, k := range map[string]string{"dialog_press": "e", "dialog_next": "space", "dialog_cancel": "?",
		"dialog_scroll_down": "J", "input_submit": "x", "input_erase": "é", "interrupt": "Q"} {
		m := Default()
		err := m.Apply(map[string][]string{action: {"ctrl+o", k}})
		var ae *ActionError
		if !errors.As(err, &ae) || ae.Action != action || !strings.Contains(ae.Msg, fmt.Sprintf("%q types a character", k)) {
			t.Errorf("%s = %q: %v", action, k, err)
		}
	}
	m := Default()
	if err := m.Apply(map[string][]string{"dialog_yes": {"Y"}, "dialog_reject": {"R"}, "dialog_press": {"ctrl+s", "enter"}}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[ID]string{DialogYes: "Y", DialogReject: "R", DialogPress: "ctrl+s,enter", DialogNo: "n"} {
		if got := strings.Join(m.Get(id).Keys(), ","); got != want {
			t.Errorf("%s keys = %s, want %s", Decls[id].Name, got, want)
		}
	}
	for id := range Decls {
		for _, k := range Decls[id].Keys {
			if LiveWhileTyping(ID(id)) && Printable(k) {
				t.Errorf("the default %q of %s types a character where text is typed", k, Decls[id].Name)
			}
		}
	}
}

func TestSameKeyInDifferentContextsIsFine(t *testing.T) {
	m := Default()
	// tab completes in the input line and switches environment elsewhere.
	if err := m.Apply(map[string][]string{"input_complete": {"tab"}, "next_env": {"tab"}}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []ID{InputComplete, NextEnv} {
		if got := strings.Join(m.Get(id).Keys(), ","); got != "tab" {
			t.Errorf("%s keys = %s, want tab", Decls[id].Name, got)
		}
	}
	if m.Key(InputComplete) != "tab" || m.Key(NextEnv) != "tab" {
		t.Errorf("help keys %q, %q", m.Key(InputComplete), m.Key(NextEnv))
	}
}

func TestActionsSorted(t *testing.T) {
	a := Actions()
	for i := 1; i < len(a); i++ {
		if a[i-1] >= a[i] {
			t.Fatalf("not sorted or duplicated: %q, %q", a[i-1], a[i])
		}
	}
}
