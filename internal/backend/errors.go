package backend

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
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

// LockedError is a mutation refused because someone else holds the stack's
// lock. It is a conflict (errors.Is ErrConflict) that no refresh resolves:
// the holder is who to ask. Err is what the service answered, if anything.
type LockedError struct {
	Stack string
	Lock  model.Lock
	Err   error
}

func (e *LockedError) Error() string {
	s := fmt.Sprintf("stack %s is locked by %s", e.Stack, e.Lock.Holder)
	if note := strings.TrimSpace(e.Lock.Note); note != "" {
		s += ": " + note
	}
	return s
}

// Unwrap keeps both the kind (ErrConflict) and the service's own error.
func (e *LockedError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrConflict}
	}
	return []error{ErrConflict, e.Err}
}

// Fold puts a service's error text on one line, for the status line:
// JSON:API's "title\n\ndetail" (as go-tfe writes it) becomes "title: detail",
// and every other run of white space (line breaks included) one space.
func Fold(text string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(text, "\n\n", ": ")), " ")
}

// OneLine is err with its text folded (Fold); errors.Is and errors.As still
// reach err and what it wraps.
func OneLine(err error) error {
	if err == nil || !strings.ContainsAny(err.Error(), "\n\r\t") {
		return err
	}
	return oneLineError{err}
}

type oneLineError struct{ err error }

func (e oneLineError) Error() string { return Fold(e.err.Error()) }
func (e oneLineError) Unwrap() error { return e.err }

// AnswerLost reports a failed mutation that no one refused: the
// connection dropped, the request timed out, the service answered 5xx or
// garbage after it was sent. The service may have applied it, so its
// outcome is unknown (audited so) and it must be checked before it is
// sent again. A refusal (credentials, permission, rate limit, not found,
// conflict, unsupported) applied nothing.
func AnswerLost(err error) bool {
	if err == nil {
		return false
	}
	for _, refused := range []error{ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrNotFound, ErrConflict, ErrUnsupported} {
		if errors.Is(err, refused) {
			return false
		}
	}
	return true
}

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
	var locked *LockedError
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
	case errors.As(err, &locked):
		// Refreshing does not unlock it: only its holder can.
		return "ask " + locked.Lock.Holder + " to unlock it, or wait until they do"
	case errors.Is(err, ErrConflict):
		// A mutation's stack reloads after it: pressing r adds nothing.
		return "its state changed since it was shown: check it, then try again if it still applies"
	case errors.Is(err, ErrUnsupported):
		return "this backend cannot do that"
	}
	return pick("check the endpoint and your network, then press r to retry", "check the endpoint and your network, then try again")
}
