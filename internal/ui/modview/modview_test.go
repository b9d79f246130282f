package modview

import (
	"testing"

	"github.com/stackview/stackview/internal/tfmod"
)

func TestCellText(t *testing.T) {
	call := func(v string) tfmod.Usage {
		return tfmod.Usage{Call: tfmod.Call{Source: tfmod.ParseSource("spacelift.io/acme/vpc/aws"), Version: v}}
	}
	s := state{
		inv:    tfmod.Inventory{Usages: []tfmod.Usage{call("1.0.0"), call("1.2.0"), call("2.0.0"), call("9.9.9")}},
		status: []tfmod.Status{{Current: "1.0.0", Behind: 3, Major: true}, {Current: "1.2.0", Behind: 1, Major: true}, {Current: "2.0.0"}, {Current: "9.9.9"}},
		avail:  map[string][]string{"spacelift.io/acme/vpc/aws": {"1.0.0", "1.2.0", "2.0.0"}},
	}
	for _, tc := range []struct {
		uses []int
		want string
	}{
		{nil, "—"},
		{[]int{0, 1}, "1.0.0…1.2.0 ↓3 ⚠"},
		{[]int{2}, "2.0.0 ✓"},
		{[]int{3}, "9.9.9 ✗"},
	} {
		if got := s.cellText(tc.uses); got != tc.want {
			t.Errorf("cellText(%v) = %q, want %q", tc.uses, got, tc.want)
		}
	}
}
