package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/model"
)

// TestConflictHints: no conflict says "press r": a stack's view reloads
// after a mutation, and a lock is resolved by its holder, not by a refresh.
// A lock conflict names the holder and keeps the service's error.
func TestConflictHints(t *testing.T) {
	cause := errors.New("409 from the service")
	locked := fmt.Errorf("tfc: apply run-1: %w", &LockedError{Stack: "prod-api", Lock: model.Lock{Holder: "maria.chen", Note: "Change freeze"}, Err: cause})
	if !errors.Is(locked, ErrConflict) || !errors.Is(locked, cause) {
		t.Errorf("a lock conflict lost its kind or its cause: %v", locked)
	}
	if got := locked.Error(); got != "tfc: apply run-1: stack prod-api is locked by maria.chen: Change freeze" {
		t.Errorf("text %q", got)
	}
	for _, err := range []error{locked, Conflictf("run 1 is FINISHED, not UNCONFIRMED")} {
		for _, h := range []string{Hint(err), HeadlessHint(err)} {
			if strings.Contains(h, "press r") || h == "" {
				t.Errorf("hint for %v: %q", err, h)
			}
		}
	}
	if h := Hint(locked); !strings.Contains(h, "ask maria.chen to unlock it") {
		t.Errorf("lock hint %q", h)
	}
}

// TestOneLine: a service's multi-line error reads on one line and is
// still the same error underneath.
func TestOneLine(t *testing.T) {
	cause := errors.New("conflict\n\nRun was not paused for confirmation; apply not allowed.\nunprocessable\n\n  two  spaces")
	err := OneLine(cause)
	if got := err.Error(); got != "conflict: Run was not paused for confirmation; apply not allowed. unprocessable: two spaces" {
		t.Errorf("folded %q", got)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause is lost")
	}
	if plain := errors.New("one line"); OneLine(plain) != plain {
		t.Error("a one-line error was wrapped")
	}
}

func TestAnswerLost(t *testing.T) {
	for _, err := range []error{ErrUnauthorized, ErrForbidden, &RateLimitError{}, NotFoundf("x"), Conflictf("x"),
		&LockedError{Lock: model.Lock{Holder: "alice"}}, fmt.Errorf("x: %w", ErrUnsupported), nil} {
		if AnswerLost(err) {
			t.Errorf("%v: a refusal (or nothing) called a lost answer", err)
		}
	}
	for _, err := range []error{errors.New("no answer: EOF"), context.DeadlineExceeded, errors.New("HTTP 502")} {
		if !AnswerLost(err) {
			t.Errorf("%v: not called a lost answer", err)
		}
	}
}
