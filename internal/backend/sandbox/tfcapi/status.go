package tfcapi

import (
	"strings"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// tfcStatus maps the engine's state, with the run's extras, onto TFC's run
// status (api-docs/run "Run States", run/states):
//
//	QUEUED                           → pending
//	READY                            → plan_queued
//	PREPARING, INITIALIZING          → fetching
//	PLANNING                         → planning, then planned once Terraform's plan is
//	                                   done and the checks after it run (RunExtra.PlannedAt)
//	PENDING_REVIEW                   → policy_override (a soft-failed policy waits for an
//	                                   override); a plan-only run's is final: policy_soft_failed
//	UNCONFIRMED                      → planned (is-confirmable); a saved plan: planned_and_saved
//	CONFIRMED                        → confirmed
//	PREPARING_APPLY                  → apply_queued
//	APPLYING, PERFORMING, DESTROYING → applying
//	FINISHED                         → applied (a run that applied changes), else planned_and_finished
//	FAILED                           → errored
//	DISCARDED, SKIPPED               → discarded
//	CANCELED, STOPPED                → canceled; force_canceled when a force-cancel ended it
//
// So a run that applies on its own shows planned with is-confirmable false,
// and a plan-only run planned before planned_and_finished, as on TFC.
func tfcStatus(r model.Run, x sandbox.RunExtra) string {
	switch r.State {
	case model.StateReady:
		return "plan_queued"
	case model.StatePreparing, model.StateInitializing:
		return "fetching"
	case model.StatePlanning, model.StateReplanRequested, model.StatePreparingReplan:
		if !x.PlannedAt.IsZero() {
			return "planned"
		}
		return "planning"
	case model.StatePendingReview:
		if !r.Kind.Tracked() {
			return "policy_soft_failed"
		}
		return "policy_override"
	case model.StateUnconfirmed:
		if r.SavedPlan {
			return "planned_and_saved"
		}
		return "planned"
	case model.StateConfirmed:
		return "confirmed"
	case model.StatePreparingApply:
		return "apply_queued"
	case model.StateApplying, model.StatePerforming, model.StateDestroying:
		return "applying"
	case model.StateFinished:
		if r.Kind.Tracked() && (r.Delta == nil || !r.Delta.Empty()) {
			return "applied"
		}
		return "planned_and_finished"
	case model.StateFailed:
		return "errored"
	case model.StateDiscarded, model.StateSkipped:
		return "discarded"
	case model.StateCanceled:
		return "canceled"
	case model.StateStopped:
		if x.ForceCanceled {
			return "force_canceled"
		}
		return "canceled"
	}
	return "pending"
}

// runActions are the actions flags: what the run allows now, by its state
// alone (permissions are separate). Cancel is for runs that are queued or
// working and not canceled yet; force-cancel only after a cancel and its
// cool-off; discard for runs waiting (pending, for confirmation, or for a
// policy override).
func runActions(r model.Run, x sandbox.RunExtra, now time.Time) map[string]bool {
	active := r.State.Active()
	canceled := !x.CanceledAt.IsZero()
	return map[string]bool{
		"is-confirmable": r.State == model.StateUnconfirmed && !x.Stale,
		"is-discardable": r.State == model.StateQueued || r.State == model.StateUnconfirmed ||
			(r.State == model.StatePendingReview && r.Kind.Tracked()),
		"is-cancelable":       active && !canceled,
		"is-force-cancelable": active && canceled && !now.Before(x.ForceCancelAt),
	}
}

// planDone reports a run whose Terraform plan is over.
func planDone(r model.Run, x sandbox.RunExtra) bool {
	if r.Delta == nil {
		return false
	}
	if !x.PlannedAt.IsZero() {
		return true
	}
	for _, h := range r.History {
		switch h.State {
		case model.StateUnconfirmed, model.StatePendingReview, model.StateConfirmed, model.StatePreparingApply,
			model.StateApplying, model.StateFinished:
			return true
		}
	}
	return false
}

// planStatus is the plan's own status: finished once Terraform's plan is.
func planStatus(r model.Run, x sandbox.RunExtra) string {
	switch {
	case planDone(r, x):
		return "finished"
	case r.State == model.StateFailed:
		return "errored"
	case r.State == model.StateCanceled || r.State == model.StateStopped:
		return "canceled"
	case r.State == model.StateDiscarded || r.State == model.StateSkipped:
		return "unreachable"
	case r.State == model.StatePlanning || r.State == model.StatePreparing || r.State == model.StateInitializing:
		return "running"
	}
	return "pending"
}

// applyStatus is the apply's status; runs that never apply stay unreachable.
func applyStatus(r model.Run, x sandbox.RunExtra) string {
	switch r.State {
	case model.StateConfirmed, model.StatePreparingApply:
		return "queued"
	case model.StateApplying, model.StatePerforming, model.StateDestroying:
		return "running"
	case model.StateFinished:
		if tfcStatus(r, x) == "applied" {
			return "finished"
		}
	case model.StateFailed, model.StateStopped:
		if r.Kind.Tracked() && applying(r) {
			if r.State == model.StateStopped {
				return "canceled"
			}
			return "errored"
		}
	}
	if r.Kind.Tracked() && r.State.Waiting() {
		return "pending"
	}
	return "unreachable"
}

// applying reports a run that got as far as its apply phase.
func applying(r model.Run) bool {
	for _, h := range r.History {
		if h.State == model.StateConfirmed || h.State == model.StatePreparingApply || h.State == model.StateApplying {
			return true
		}
	}
	return false
}

// statusTimestamps are the run's status-timestamps: "<status>-at" for each
// status it passed, at the time it first reached it (+00:00, as TFC's
// samples show them).
func statusTimestamps(r model.Run, x sandbox.RunExtra) map[string]any {
	out := map[string]any{}
	put := func(status string, at time.Time) {
		key := "plan-queueable-at"
		if status != "pending" {
			key = strings.ReplaceAll(status, "_", "-") + "-at"
		}
		if _, ok := out[key]; !ok && !at.IsZero() {
			out[key] = offsetTime(at)
		}
	}
	for _, h := range r.History {
		step := r
		step.State = h.State
		put(tfcStatus(step, sandbox.RunExtra{ForceCanceled: x.ForceCanceled}), h.At)
		if h.State == model.StatePlanning && !x.PlannedAt.IsZero() {
			put("planned", x.PlannedAt)
		}
	}
	return out
}
