package tfcapi

import (
	"strings"

	"github.com/stackview/stackview/internal/model"
)

// tfcStatus maps the engine's normalized state onto TFC's run status. The
// TFC client maps back with the inverse table, so the round trip keeps every
// state a UI distinguishes:
//
//	QUEUED                           → pending
//	READY                            → plan_queued
//	PREPARING, INITIALIZING          → fetching
//	PLANNING, REPLAN_*               → planning
//	PENDING_REVIEW                   → policy_override
//	UNCONFIRMED                      → planned
//	CONFIRMED                        → confirmed
//	PREPARING_APPLY                  → apply_queued
//	APPLYING, PERFORMING, DESTROYING → applying
//	FINISHED                         → applied (deploy with changes), else planned_and_finished
//	FAILED                           → errored
//	DISCARDED, SKIPPED               → discarded
//	CANCELED, STOPPED                → canceled (STOPPED runs have started:
//	                                   their status-timestamps show planning)
func tfcStatus(r model.Run) string {
	switch r.State {
	case model.StateReady:
		return "plan_queued"
	case model.StatePreparing, model.StateInitializing:
		return "fetching"
	case model.StatePlanning, model.StateReplanRequested, model.StatePreparingReplan:
		return "planning"
	case model.StatePendingReview:
		return "policy_override"
	case model.StateUnconfirmed:
		return "planned"
	case model.StateConfirmed:
		return "confirmed"
	case model.StatePreparingApply:
		return "apply_queued"
	case model.StateApplying, model.StatePerforming, model.StateDestroying:
		return "applying"
	case model.StateFinished:
		if r.Kind == model.RunDeploy && (r.Delta == nil || !r.Delta.Empty()) {
			return "applied"
		}
		return "planned_and_finished"
	case model.StateFailed:
		return "errored"
	case model.StateDiscarded, model.StateSkipped:
		return "discarded"
	case model.StateCanceled, model.StateStopped:
		return "canceled"
	}
	return "pending"
}

// planStatus is the plan's own status: finished once the engine has a delta.
func planStatus(r model.Run) string {
	switch {
	case r.Delta != nil:
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
func applyStatus(r model.Run) string {
	switch r.State {
	case model.StateConfirmed, model.StatePreparingApply:
		return "queued"
	case model.StateApplying, model.StatePerforming, model.StateDestroying:
		return "running"
	case model.StateFinished:
		if tfcStatus(r) == "applied" {
			return "finished"
		}
	case model.StateFailed:
		if r.Delta != nil && r.Kind == model.RunDeploy && wasConfirmed(r) {
			return "errored"
		}
	}
	return "unreachable"
}

func wasConfirmed(r model.Run) bool {
	for _, h := range r.History {
		if h.State == model.StateConfirmed || h.State == model.StateApplying {
			return true
		}
	}
	return false
}

// timestampKey names the status-timestamps entry for a state, e.g.
// planned_and_finished → planned-and-finished-at.
func timestampKey(r model.Run, s model.RunState) string {
	status := tfcStatus(model.Run{State: s, Kind: r.Kind, Delta: r.Delta})
	if status == "pending" {
		return "plan-queueable-at"
	}
	return strings.ReplaceAll(status, "_", "-") + "-at"
}
