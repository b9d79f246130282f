package bounds

import "bytes"

// TOML checks a TOML document before it is decoded: its size, how deeply
// arrays and inline tables nest, and how many parts a dotted key or table
// header has (the decoder is quadratic in both). It follows TOML's lexical
// rules for strings and comments, so brackets, braces and dots inside
// them do not count.
func TOML(name string, data []byte) error {
	if err := Size(name, int64(len(data)), MaxTOMLFile); err != nil {
		return err
	}
	var stack []byte // open '[' (arrays) and '{' (inline tables)
	line := 1
	// inKey is true where a key is read: at the start of a top-level line,
	// in a table header, after '{' or ',' in an inline table.
	inKey, parts := true, 1
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '\n':
			line++
			if len(stack) == 0 {
				inKey, parts = true, 1
			}
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			var n int
			n, line = skipString(data, i, line)
			i += n - 1
		case '=':
			inKey = false
		case '.':
			if inKey {
				if parts++; parts > MaxTOMLKeyParts {
					return &Error{File: name, Line: line, Msg: "a key with more than 32 dotted parts: refusing to parse it"}
				}
			}
		case '[':
			if inKey && len(stack) == 0 {
				continue // a table header: its dots are key parts
			}
			stack = append(stack, '[')
		case '{':
			stack = append(stack, '{')
			inKey, parts = true, 1
		case ']':
			if len(stack) > 0 && stack[len(stack)-1] == '[' {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 {
				inKey = false // after a header or a top-level value
			}
		case '}':
			if len(stack) > 0 && stack[len(stack)-1] == '{' {
				stack = stack[:len(stack)-1]
				inKey = false
			}
		case ',':
			if len(stack) > 0 && stack[len(stack)-1] == '{' {
				inKey, parts = true, 1
			}
		}
		if len(stack) > MaxTOMLDepth {
			return deep(name, line, MaxTOMLDepth, "arrays or inline tables")
		}
	}
	return nil
}

// skipString returns the length of the string starting at data[i] (basic
// or literal, single- or multi-line) and the line it ends on. An
// unterminated one-line string ends at the newline, as the decoder's error
// will say.
func skipString(data []byte, i, line int) (int, int) {
	q := data[i]
	delim := []byte{q, q, q}
	if bytes.HasPrefix(data[i:], delim) {
		j := i + 3
		for j < len(data) {
			switch {
			case q == '"' && data[j] == '\\':
				if j+1 < len(data) && data[j+1] == '\n' {
					line++
				}
				j += 2
				continue
			case bytes.HasPrefix(data[j:], delim):
				j += 3
				// Up to two more quotes belong to the content.
				for k := 0; k < 2 && j < len(data) && data[j] == q; k++ {
					j++
				}
				return j - i, line
			case data[j] == '\n':
				line++
			}
			j++
		}
		return len(data) - i, line
	}
	j := i + 1
	for j < len(data) && data[j] != '\n' {
		switch {
		case q == '"' && data[j] == '\\' && j+1 < len(data) && data[j+1] != '\n':
			j++
		case data[j] == q:
			return j + 1 - i, line
		}
		j++
	}
	return j - i, line
}
