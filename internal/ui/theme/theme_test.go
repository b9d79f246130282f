package theme

import (
	"strings"
	"testing"
)

func TestDarkAndLightDiffer(t *testing.T) {
	p := DefaultPalette()
	dark, light := New(true, false, p), New(false, false, p)
	if !dark.Dark || light.Dark {
		t.Fatal("Dark flag not kept")
	}
	if dark.OK.GetForeground() == light.OK.GetForeground() {
		t.Fatal("dark and light use the same OK colour")
	}
}

func TestNoColorKeepsAttributesOnly(t *testing.T) {
	st := New(true, true, DefaultPalette())
	for name, out := range map[string]string{
		"ok": st.OK.Render("x"), "fail": st.Fail.Render("x"), "selected": st.Selected.Render("x"),
		"tab": st.TabActive.Render("x"), "border": st.PaneBorder.Render("x"),
	} {
		if strings.Contains(out, "38;") || strings.Contains(out, "48;") {
			t.Errorf("%s emits a colour with NoColor: %q", name, out)
		}
	}
	if !st.Selected.GetReverse() {
		t.Error("the selection must stay visible without colour (reverse video)")
	}
}
