package backend

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors, matched with errors.Is. Backends wrap them with detail.
var (
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: the credentials work but may not do this (a
	// permission, not an expired session).
	ErrForbidden   = errors.New("permission denied")
	ErrNotFound    = errors.New("not found")
	ErrRateLimited = errors.New("rate limited")
	ErrConflict    = errors.New("conflict")
	ErrUnsupported = errors.New("not supported by this backend")
)

// RateLimitError carries how long to wait, when the server says.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("rate limited: retry in %s", e.RetryAfter.Round(time.Second))
	}
	return "rate limited"
}

func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// Conflictf reports an operation that does not fit the current state, e.g.
// confirming a run that is not UNCONFIRMED.
func Conflictf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrConflict, fmt.Sprintf(format, args...))
}

// NotFoundf reports an unknown stack, run or module.
func NotFoundf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}

// Hint says what the user can do about err, for the UI's status line.
func Hint(err error) string { return hint(err, true) }

// HeadlessHint is Hint for a command without the UI (stackview ls), where
// there is no key to press.
func HeadlessHint(err error) string { return hint(err, false) }

func hint(err error, ui bool) string {
	pick := func(inUI, headless string) string {
		if ui {
			return inUI
		}
		return headless
	}
	switch {
	case errors.Is(err, ErrUnauthorized):
		return "check your credentials (API key, token or profile) and that they have not expired"
	case errors.Is(err, ErrForbidden):
		return "your session is valid but lacks the permission; ask an admin of the stack's space for write access"
	case errors.Is(err, ErrRateLimited):
		return pick("the API is rate limiting requests; stackview will retry, or press r later",
			"the API is rate limiting requests; try again later")
	case errors.Is(err, ErrNotFound):
		return pick("it may have been deleted or you may lack access; press r to refresh",
			"it may have been deleted or you may lack access")
	case errors.Is(err, ErrConflict):
		return pick("its state changed; press r to refresh and try again", "its state changed; try again")
	case errors.Is(err, ErrUnsupported):
		return "this backend cannot do that"
	}
	return pick("check the endpoint and your network, then press r to retry", "check the endpoint and your network, then try again")
}
