package sandbox

import (
	"github.com/stackview/stackview/internal/model"
)

// Approvals: the sandbox's prod stacks carry an approval policy like the
// examples of Spacelift's approval-policy documentation: a tracked run that
// reaches UNCONFIRMED needs one approval before it can be confirmed, and a
// task needs one before it is scheduled (it waits QUEUED). A rejection fails
// the run at once. The administrative stack has no such policy.

// needsApproval reports whether r, entering state on stack s, is held by
// the stack's approval policy.
func needsApproval(s *stack, r *run, state model.RunState) bool {
	if s.Administrative || !hasLabel(s.Labels, "env:prod") {
		return false
	}
	switch {
	case r.Kind.Tracked():
		return state == model.StateUnconfirmed
	case r.Kind == model.RunTask:
		return state == model.StateQueued
	}
	return false
}

// awaitingApproval reports whether any run of the stack that is not over
// waits for an approval (Spacelift's Stack.needsApproval).
func (s *stack) awaitingApproval() bool {
	for i := len(s.runs) - 1; i >= 0; i-- {
		if r := s.runs[i]; r.NeedsApproval && !r.State.Terminal() {
			return true
		}
	}
	return false
}
