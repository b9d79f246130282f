// Package privfile creates the files stackview writes for its user alone
// (a debug log, a saved run log): mode 0600 whatever was there, never
// through a symbolic link (one planted in /tmp would have the file written
// where its owner chose), a regular file only.
package privfile

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrExists refuses to overwrite a file that is there.
var ErrExists = errors.New("the file exists")

// Create opens path for writing, empty. Without overwrite an existing file
// is refused with ErrExists.
func Create(path string, overwrite bool) (*os.File, error) {
	flags := os.O_WRONLY | os.O_CREATE | syscall.O_NOFOLLOW | syscall.O_NONBLOCK
	if !overwrite {
		flags |= os.O_EXCL
	}
	f, err := os.OpenFile(path, flags, 0o600)
	switch {
	case errors.Is(err, syscall.ELOOP):
		return nil, fmt.Errorf("%s is a symbolic link: give the path of a regular file", path)
	case errors.Is(err, os.ErrExist):
		return nil, fmt.Errorf("%s: %w", path, ErrExists)
	case err != nil:
		return nil, err
	}
	fail := func(err error) (*os.File, error) {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if fi, err := f.Stat(); err != nil {
		return fail(err)
	} else if !fi.Mode().IsRegular() {
		return fail(errors.New("not a regular file"))
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if err := f.Truncate(0); err != nil {
		return fail(err)
	}
	return f, nil
}
