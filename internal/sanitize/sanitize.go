// Package sanitize makes text from outside (API answers, commit subjects and
// authors, repository files, hook output) safe to print on a terminal:
// escape sequences and control characters are removed, so a commit subject
// cannot recolour, move the cursor, retitle the window, hide the text after
// it or plant a hyperlink. Only SGR colour can be kept, where a caller shows
// coloured output on purpose (run logs).
package sanitize

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line is s as one line: escape sequences, control characters and bidi
// overrides removed; tabs and line breaks become spaces.
func Line(s string) string { return clean(s, modeLine) }

// Text is s with its lines kept: escape sequences, control characters and
// bidi overrides removed; tabs kept; a carriage return (which would let a
// line overwrite itself) ends the line.
func Text(s string) string { return clean(s, modeText) }

// TextSGR is Text that keeps SGR sequences (colours and text attributes,
// ESC [ … m with numeric parameters) and nothing else.
func TextSGR(s string) string { return clean(s, modeSGR) }

// Clip shortens s to max runes for a message, saying how long it was: a
// file or answer may hold a value of megabytes.
func Clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return fmt.Sprintf("%s… (%d bytes in all)", string(r[:max]), len(s))
}

type mode int

const (
	modeLine mode = iota
	modeText
	modeSGR
)

const esc = 0x1b

func clean(s string, m mode) string {
	if safe(s, m) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == esc:
			n, sgr := escapeLen(s[i:])
			if sgr && m == modeSGR {
				b.WriteString(s[i : i+n])
			}
			i += n
			continue
		case c == '\t' || c == '\n':
			if m == modeLine {
				b.WriteByte(' ')
			} else {
				b.WriteByte(c)
			}
		case c == '\r':
			switch {
			case m == modeLine:
				b.WriteByte(' ')
			case i+1 < len(s) && s[i+1] == '\n':
				// CRLF: the LF writes the line break.
			default:
				b.WriteByte('\n')
			}
		case c < 0x20 || c == 0x7f:
			// other C0 controls: bell, backspace, form feed, shift in/out…
		case c < utf8.RuneSelf:
			b.WriteByte(c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b.WriteRune(utf8.RuneError)
			case dropRune(r):
			default:
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		i++
	}
	return b.String()
}

// safe reports whether clean would return s unchanged, without allocating.
func safe(s string, m mode) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == esc || c == '\r' || c == 0x7f || c < 0x20 && (m == modeLine || c != '\t' && c != '\n') {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || dropRune(r) {
			return false
		}
		i += size
	}
	return true
}

// dropRune is true for C1 controls (U+0080–U+009F: 8-bit CSI, OSC, DCS…)
// and the bidi embeddings, overrides and isolates that reorder what is
// shown ("Trojan Source").
func dropRune(r rune) bool {
	return r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// escapeLen is the length of the escape sequence at the start of s (which
// starts with ESC), and whether it is SGR. An unterminated string sequence
// (OSC, DCS, SOS, PM, APC) ends at a line break, so it cannot swallow the
// rest of a log.
func escapeLen(s string) (n int, sgr bool) {
	if len(s) < 2 {
		return len(s), false
	}
	switch s[1] {
	case '[': // CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, final 0x40–0x7E
		i := 2
		numeric := true
		for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
			numeric = numeric && (s[i] >= '0' && s[i] <= '9' || s[i] == ';' || s[i] == ':')
			i++
		}
		inter := i
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
			return i + 1, s[i] == 'm' && numeric && inter == i
		}
		return i, false // malformed: drop what was read
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: a string up to ST or BEL
		for i := 2; i < len(s); i++ {
			switch {
			case s[i] == 0x07:
				return i + 1, false
			case s[i] == esc && i+1 < len(s) && s[i+1] == '\\':
				return i + 2, false
			case s[i] == '\n':
				return i, false
			}
		}
		return len(s), false
	}
	// Other escapes: intermediates 0x20–0x2F, then one final byte.
	i := 1
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i, false
}
