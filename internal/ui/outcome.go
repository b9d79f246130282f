package ui

import (
	"github.com/stackview/stackview/internal/backend"
)

// lostAnswerHint is said when a mutation failed without a refusal (a dropped
// connection, a 5xx, a garbled answer): the server may have applied it, so
// sending it again could do it twice. The stack reloads after every
// mutation; the user reads the outcome there first.
const lostAnswerHint = "its answer was lost, so it may have been applied: the stack is reloading — check its runs before sending it again"

// mutationHint is what to do after a mutation failed.
func mutationHint(err error) string {
	if backend.AnswerLost(err) {
		return lostAnswerHint
	}
	return backend.Hint(err)
}
