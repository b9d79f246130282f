// Package bounds checks input from outside (config files, repository files,
// state files) against size and nesting limits before a parser sees it. The
// parsers stackview uses (hclsyntax, BurntSushi/toml) recurse once per
// nesting level, and some take quadratic time on long dotted keys or nested
// templates: a small hostile file overflows the goroutine stack, which Go
// cannot recover from, or hangs the program. A refused input is an *Error
// with the file and line, reported like any file that does not parse.
package bounds

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Limits. Real files stay far below them: Terraform nests a dozen levels at
// most, a stackview config three.
const (
	// MaxTerraformFile is the largest .tf file read (generated files
	// included).
	MaxTerraformFile = 4 << 20
	// MaxHCLDepth bounds brackets, templates, unary operators and
	// conditionals nested in one HCL expression or block.
	MaxHCLDepth = 100
	// MaxTOMLFile is the largest TOML file read: the config and
	// repository drift-ignore files.
	MaxTOMLFile = 1 << 20
	// MaxTOMLDepth bounds nested arrays and inline tables.
	MaxTOMLDepth = 32
	// MaxTOMLKeyParts bounds the parts of one dotted key or table header.
	MaxTOMLKeyParts = 32
)

// Error is input refused before parsing: too large or too deeply nested.
type Error struct {
	File string
	Line int // 0 when the whole file is refused (its size)
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Size refuses data longer than max bytes.
func Size(name string, n, max int64) error {
	if n <= max {
		return nil
	}
	return &Error{File: name, Msg: fmt.Sprintf("the file is %s, more than the %s stackview reads", human(n), human(max))}
}

// NotRead is the refusal of a file that was too large to be read at all
// (a repository blob over the limit, whose size the reader did not keep).
func NotRead(name string, max int64) error {
	return &Error{File: name, Msg: fmt.Sprintf("the file is more than the %s stackview reads: not read", human(max))}
}

// ReadFile reads path, refusing (without reading it all) a file larger
// than max bytes.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		n := int64(len(data))
		if fi, err := f.Stat(); err == nil && fi.Size() > n {
			n = fi.Size()
		}
		return nil, Size(path, n, max)
	}
	return data, nil
}

// IsRefused reports whether err is a refusal by this package.
func IsRefused(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

func human(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func deep(name string, line, max int, what string) error {
	return &Error{File: name, Line: line, Msg: fmt.Sprintf("%s nested more than %d levels deep: refusing to parse it", what, max)}
}
