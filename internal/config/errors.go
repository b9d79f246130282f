package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/stackview/stackview/internal/bounds"
	"github.com/stackview/stackview/internal/sanitize"
)

// Error is a problem in a config file, located by line and key.
type Error struct {
	Path string
	Line int // 0 when unknown
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, ": key %s", e.Key)
	}
	b.WriteString(": ")
	b.WriteString(sanitize.Clip(e.Msg, maxMessage))
	return b.String()
}

// A config file may hold a value of megabytes; an error quotes at most this
// much of its message, and of each value in it.
const (
	maxMessage = 300
	maxValue   = 60
)

// errorf builds an Error for a dotted key path such as "mapping.use_space".
// Values quoted in the message are clipped.
func (c *Config) errorf(key, format string, args ...any) error {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = sanitize.Clip(s, maxValue)
		}
	}
	return &Error{Path: c.Path, Line: c.Locate(key), Key: sanitize.Clip(key, maxValue), Msg: fmt.Sprintf(format, args...)}
}

// KeyError reports a bad value found after loading (for example a [keys]
// action the UI does not know), located in the file like any other error.
func (c *Config) KeyError(key string, err error) error {
	if c.Path == "" {
		return err
	}
	return c.errorf(key, "%v", err)
}

// refused turns a bounds refusal (a file too large or too deeply nested to
// parse) into an *Error.
func refused(err error) error {
	var be *bounds.Error
	if errors.As(err, &be) {
		return &Error{Path: be.File, Line: be.Line, Msg: be.Msg}
	}
	return err
}

var mismatch = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// decodeError turns the TOML library's errors into an *Error.
func (c *Config) decodeError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &Error{Path: c.Path, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message}
	}
	if m := mismatch.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Path: c.Path, Line: line, Key: m[2], Msg: m[3]}
	}
	return &Error{Path: c.Path, Msg: err.Error()}
}

var tableHeader = regexp.MustCompile(`^\s*\[\[?\s*([^\]]+?)\s*\]\]?`)

// Locate returns the 1-based line where a dotted key is set, or 0. It reads
// table headers so that "sandbox.dir" is found under [sandbox]; keys inside
// [[environments]] are found under any of its entries.
func (c *Config) Locate(key string) int {
	parts := strings.Split(key, ".")
	table, leaf := strings.Join(parts[:len(parts)-1], "."), parts[len(parts)-1]
	current := ""
	for i, line := range c.lines {
		if m := tableHeader.FindStringSubmatch(line); m != nil {
			current = strings.ReplaceAll(m[1], " ", "")
			if current == key {
				return i + 1
			}
			continue
		}
		name, _, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		name = strings.Trim(strings.TrimSpace(name), `"'`)
		if name == leaf && current == table {
			return i + 1
		}
	}
	return 0
}
