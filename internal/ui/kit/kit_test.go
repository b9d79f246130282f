package kit

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/uitest"
)

func TestFitPadsAndCuts(t *testing.T) {
	for in, want := range map[string]string{"ab": "ab   ", "abcdef": "abcd…", "": "     "} {
		if got := Fit(in, 5); got != want {
			t.Errorf("Fit(%q, 5) = %q, want %q", in, got, want)
		}
	}
	if got := Block([]string{"x"}, 3, 2); got != "x  \n   " {
		t.Errorf("Block = %q", got)
	}
}

// TestWidthCountsCellsNotBytes: the ASCII fast path must agree with the
// grapheme count wherever it is taken, and step aside for everything else.
func TestWidthCountsCellsNotBytes(t *testing.T) {
	for _, s := range []string{"", "prod-payments-api", "~!@#$%^&*()_+{}|:<>?", "tab\there", "\x1b[31mred\x1b[0m",
		"✓ FINISHED", "├─ 漢字", "e\u0301", "👩‍💻 dev", "del\x7f"} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
	for _, s := range []string{"漢字漢字漢字", "✓ ok", "\x1b[1mbold\x1b[0m name"} {
		if got := ansi.StringWidth(Fit(s, 7)); got != 7 {
			t.Errorf("Fit(%q, 7) is %d cells wide", s, got)
		}
	}
}

func TestBesideKeepsTheRightColumnInPlace(t *testing.T) {
	left := Block([]string{"a", "漢"}, 4, 3)
	got := Beside(left, 4, "x\ny")
	want := "a    x\n漢   y\n     "
	if got != want {
		t.Errorf("Beside = %q, want %q", got, want)
	}
	if got := Beside("ab", 2, "1\n2"); got != "ab 1\n   2" {
		t.Errorf("a shorter left block = %q, want its missing lines blank", got)
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{-time.Second: "0s", 45 * time.Second: "45s", 3 * time.Minute: "3m",
		5 * time.Hour: "5h", 72 * time.Hour: "3d"} {
		if got := Age(d); got != want {
			t.Errorf("Age(%s) = %s, want %s", d, got, want)
		}
	}
}

func TestWrapLinesIndentsContinuations(t *testing.T) {
	lines := WrapLines([]string{"Lock       " + strings.Repeat("freeze ", 10)}, 30)
	if len(lines) < 3 {
		t.Fatalf("not wrapped: %q", lines)
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, strings.Repeat(" ", 11)) || ansi.StringWidth(l) > 30 {
			t.Errorf("continuation %q", l)
		}
	}
}

func TestInputEdits(t *testing.T) {
	km := keys.Default()
	in := Input{}
	for _, k := range uitest.Type("ab c") {
		in, _ = in.Key(km, k)
	}
	in, _ = in.Key(km, uitest.Press("backspace"))
	if in.Value != "ab " {
		t.Fatalf("after typing and erasing: %q", in.Value)
	}
	if _, ok := in.Key(km, uitest.Press("enter")); ok {
		t.Fatal("enter is the caller's, not text")
	}
	if in, _ = in.Key(km, uitest.Press("ctrl+u")); in.Value != "" {
		t.Fatalf("ctrl+u left %q", in.Value)
	}
	if got := in.Paste("x\ny  z").Value; got != "x y z" {
		t.Fatalf("paste = %q", got)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 10000: "10,000", 1234567: "1,234,567", -2300: "-2,300"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
