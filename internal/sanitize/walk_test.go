package sanitize

import (
	"testing"
	"time"
)

type state string

type inner struct {
	Name  string
	State state
	When  time.Time
	note  string
}

type outer struct {
	Items  []inner
	Pairs  [2]string
	Labels map[string]string
	Any    any
	Ptr    *inner
	Nil    *inner
	Count  int
	hidden string
}

type loop struct {
	Name string
	Next *loop
}

func TestStrings(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := outer{
		Items:  []inner{{Name: "a\x1b[1m", State: "OK\x1b[0m", When: when, note: "\x1b[1m"}, {Name: "clean"}},
		Pairs:  [2]string{"x", "y\a"},
		Labels: map[string]string{"k\x1b[2J": "v\x07", "ok": "ok"},
		Any:    inner{Name: "\x1b]0;t\x07any"},
		Ptr:    &inner{Name: "p\x1b[31m"},
		Count:  3, hidden: "\x1b[1m",
	}
	out := Strings(in, Line)
	if out.Items[0].Name != "a" || out.Items[0].State != "OK" || !out.Items[0].When.Equal(when) || out.Items[0].note != "\x1b[1m" ||
		out.Items[1].Name != "clean" || out.Pairs[1] != "y" || out.Labels["k"] != "v" || out.Labels["ok"] != "ok" ||
		out.Any.(inner).Name != "any" || out.Ptr.Name != "p" || out.Nil != nil || out.Count != 3 || out.hidden != "\x1b[1m" {
		t.Errorf("cleaned: %+v", out)
	}
	if in.Items[0].Name != "a\x1b[1m" || in.Ptr.Name != "p\x1b[31m" || in.Pairs[1] != "y\a" {
		t.Error("the input was modified")
	}
	same := outer{Items: []inner{{Name: "clean"}}}
	if got := Strings(same, Line); &got.Items[0] != &same.Items[0] {
		t.Error("a clean value was copied")
	}
	l := &loop{Name: "a\x1b[1m"}
	l.Next = l
	if got := Strings(l, Line); got.Name != "a" {
		t.Errorf("self-referencing value: %q", got.Name)
	}
}
