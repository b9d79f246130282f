package keys

import (
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
	cases := map[string]map[string][]string{
		"unknown action":    {"frobnicate": {"x"}},
		"empty keys":        {"quit": {}},
		"v1 space":          {"detail": {" "}},
		"dup in tree":       {"down": {"q"}},
		"dup global/detail": {"close_detail": {"r"}},
	}
	for name, remap := range cases {
		t.Run(name, func(t *testing.T) {
			m := Default()
			if err := m.Apply(remap); err == nil {
				t.Fatalf("Apply(%v) = nil, want error", remap)
			}
		})
	}
}

func TestSameKeyInDifferentContextsIsFine(t *testing.T) {
	m := Default()
	// tab completes in the input line and switches environment elsewhere.
	if err := m.Apply(map[string][]string{"input_complete": {"tab"}, "next_env": {"tab"}}); err != nil {
		t.Fatal(err)
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
