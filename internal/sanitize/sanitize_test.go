package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	cases := map[string]string{
		"plain subject":                                 "plain subject",
		"\x1b[31mred\x1b[0m author":                     "red author",
		"hidden\x1b[8m text":                            "hidden text",
		"a\x1b]0;new title\x07b":                        "ab",
		"a\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\": "alink",
		"erase\x1b[2J\x1b[H":                            "erase",
		"back\bspace\x7f":                               "backspace",
		"bell\a":                                        "bell",
		"two\nlines\r\tand tab":                         "two lines  and tab",
		"c1 \u009b31m csi":                              "c1 31m csi",
		"bidi \u202eevil\u202c":                         "bidi evil",
		"isolate \u2067x\u2069":                         "isolate x",
		"bad \xff utf8":                                 "bad \ufffd utf8",
		"dcs \x1bPq#0;2;0;0;0\x1b\\ end":                "dcs  end",
		"charset \x1b(0 switch":                         "charset  switch",
		"lone esc at end \x1b":                          "lone esc at end ",
		"unterminated \x1b]0;title":                     "unterminated ",
		"ünïcødé ✓ 日本":                                  "ünïcødé ✓ 日本",
	}
	for in, want := range cases {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	cases := map[string]string{
		"line 1\nline 2\n":                 "line 1\nline 2\n",
		"crlf\r\nnext":                     "crlf\nnext",
		"progress 10%\rprogress 100%":      "progress 10%\nprogress 100%",
		"\x1b[1mbold\x1b[0m\ttab":          "bold\ttab",
		"osc ends at newline \x1b]0;x\nok": "osc ends at newline \nok",
	}
	for in, want := range cases {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTextSGRKeepsColourOnly(t *testing.T) {
	cases := map[string]string{
		"\x1b[32m+ create\x1b[0m":           "\x1b[32m+ create\x1b[0m",
		"\x1b[38;2;255;0;0mrgb\x1b[m":       "\x1b[38;2;255;0;0mrgb\x1b[m",
		"\x1b[38:5:196mcolon\x1b[0m":        "\x1b[38:5:196mcolon\x1b[0m",
		"\x1b[2J\x1b[1;1Hmoved":             "moved",
		"\x1b[?25lhidden cursor":            "hidden cursor",
		"\x1b[>4mprivate sgr":               "private sgr",
		"\x1b]8;;http://x\x07link\x1b[31m!": "link\x1b[31m!",
	}
	for in, want := range cases {
		if got := TextSGR(in); got != want {
			t.Errorf("TextSGR(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCleanTextIsUntouched: the common case allocates nothing.
func TestCleanTextIsUntouched(t *testing.T) {
	s := strings.Repeat("resource \"aws_s3_bucket\" \"logs\" { ✓ }\n", 10)
	if n := testing.AllocsPerRun(10, func() { _ = Text(s) }); n != 0 {
		t.Errorf("Text allocated %v times on clean input", n)
	}
}

// FuzzSanitize: whatever goes in, what comes out holds no ESC, no control
// character but the mode's own, and is valid UTF-8; cleaning twice changes
// nothing.
func FuzzSanitize(f *testing.F) {
	f.Add("\x1b[31mred\x1b[0m\n\x1b]0;t\x07\u009b\u202e")
	f.Add("plain")
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct {
			name string
			fn   func(string) string
			ok   func(rune) bool
		}{
			{"Line", Line, func(r rune) bool { return false }},
			{"Text", Text, func(r rune) bool { return r == '\n' || r == '\t' }},
		} {
			out := c.fn(s)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: invalid UTF-8", c.name, s, out)
			}
			for _, r := range out {
				if (r < 0x20 || r == 0x7f || dropRune(r)) && !c.ok(r) {
					t.Fatalf("%s(%q) = %q keeps %U", c.name, s, out, r)
				}
			}
			if again := c.fn(out); again != out {
				t.Fatalf("%s is not idempotent on %q: %q then %q", c.name, s, out, again)
			}
		}
		out := TextSGR(s)
		for i := 0; i < len(out); i++ {
			if out[i] == esc {
				n, sgr := escapeLen(out[i:])
				if !sgr {
					t.Fatalf("TextSGR(%q) = %q keeps a non-SGR escape at %d", s, out, i)
				}
				i += n - 1
			}
		}
	})
}
