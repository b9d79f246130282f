package tfc

import (
	"sort"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/model"
)

// runStates maps TFC run statuses (api-docs/run "Run States", run/states,
// and go-tfe's RunStatus constants) onto the normalized states:
//
//	pending, queuing                                   → QUEUED
//	plan_queued                                        → READY
//	fetching, fetching_completed, pre_plan_*           → PREPARING
//	planning, cost_estimating, policy_checking,
//	  post_plan_running                                → PLANNING
//	planned, cost_estimated, policy_checked,
//	  post_plan_completed                              → see pausable below
//	policy_override, post_plan_awaiting_decision       → PENDING_REVIEW (waits on someone)
//	confirmed                                          → CONFIRMED
//	apply_queued, queuing_apply, pre_apply_*           → PREPARING_APPLY
//	applying, post_apply_running, post_apply_completed → APPLYING
//	applied, planned_and_finished                      → FINISHED
//	planned_and_saved                                  → UNCONFIRMED while it can be applied
//	                                                     (is-confirmable), else FINISHED
//	errored, policy_soft_failed                        → FAILED
//	discarded                                          → DISCARDED
//	canceled, force_canceled                           → CANCELED, or STOPPED when the
//	                                                     run had started (its status-timestamps
//	                                                     show fetching, planning or applying)
//
// Anything else (a status newer than this table) is UNKNOWN, with the raw
// status kept in Run.RawState.
var runStates = map[tfe.RunStatus]model.RunState{
	tfe.RunPending: model.StateQueued, tfe.RunQueuing: model.StateQueued,
	tfe.RunPlanQueued: model.StateReady,
	tfe.RunFetching:   model.StatePreparing, tfe.RunFetchingCompleted: model.StatePreparing,
	tfe.RunPrePlanRunning: model.StatePreparing, tfe.RunPrePlanCompleted: model.StatePreparing,
	tfe.RunPlanning: model.StatePlanning, tfe.RunCostEstimating: model.StatePlanning,
	tfe.RunPolicyChecking: model.StatePlanning, tfe.RunPostPlanRunning: model.StatePlanning,
	tfe.RunPolicyOverride: model.StatePendingReview, tfe.RunPostPlanAwaitingDecision: model.StatePendingReview,
	tfe.RunConfirmed:   model.StateConfirmed,
	tfe.RunApplyQueued: model.StatePreparingApply, tfe.RunQueuingApply: model.StatePreparingApply,
	tfe.RunPreApplyRunning: model.StatePreparingApply, tfe.RunPreApplyCompleted: model.StatePreparingApply,
	tfe.RunApplying: model.StateApplying, tfe.RunPostApplyRunning: model.StateApplying,
	tfe.RunPostApplyCompleted: model.StateApplying,
	tfe.RunApplied:            model.StateFinished, tfe.RunPlannedAndFinished: model.StateFinished,
	tfe.RunErrored: model.StateFailed, tfe.RunPolicySoftFailed: model.StateFailed,
	tfe.RunDiscarded: model.StateDiscarded,
	tfe.RunCanceled:  model.StateCanceled, forceCanceled: model.StateCanceled,
}

// forceCanceled is documented (api-docs/run) but has no go-tfe constant.
const forceCanceled tfe.RunStatus = "force_canceled"

// pausable are the statuses in which a run stops for a confirmation only
// when TFC says it is confirmable; otherwise the run goes on by itself
// (auto-apply), is about to finish (plan-only), or still has checks to run.
var pausable = map[tfe.RunStatus]bool{
	tfe.RunPlanned: true, tfe.RunCostEstimated: true, tfe.RunPolicyChecked: true, tfe.RunPostPlanCompleted: true,
}

// runFlags is what, beside its status, decides a run's state.
type runFlags struct {
	confirmable bool // actions.is-confirmable
	planOnly    bool // plan-only (and refresh-only) runs never apply
	autoApply   bool
}

// normalize maps a status, and for the statuses whose meaning depends on
// them the run's flags, onto the normalized state.
func normalize(s tfe.RunStatus, f runFlags) model.RunState {
	switch {
	case pausable[s] && f.confirmable:
		return model.StateUnconfirmed
	case pausable[s] && f.planOnly:
		return model.StatePlanning // planned_and_finished comes next
	case pausable[s] && f.autoApply:
		return model.StatePreparingApply // applies without anyone
	case pausable[s]:
		return model.StatePlanning // checks still to run before a confirmation is possible
	case s == tfe.RunPlannedAndSaved && f.confirmable:
		return model.StateUnconfirmed // a saved plan waits to be applied
	case s == tfe.RunPlannedAndSaved:
		return model.StateFinished // no longer applicable
	}
	if st, ok := runStates[s]; ok {
		return st
	}
	return model.StateUnknown
}

// stateAt normalizes a status, telling a run stopped while it worked from
// one canceled in the queue.
func stateAt(status tfe.RunStatus, f runFlags, ts *tfe.RunStatusTimestamps) model.RunState {
	s := normalize(status, f)
	if s == model.StateCanceled && started(ts) {
		return model.StateStopped
	}
	return s
}

func started(ts *tfe.RunStatusTimestamps) bool {
	return ts != nil && (!ts.FetchingAt.IsZero() || !ts.PrePlanRunningAt.IsZero() || !ts.PlanningAt.IsZero() ||
		!ts.ApplyingAt.IsZero())
}

// history turns status-timestamps into the run's timeline, oldest first.
// Past statuses are read as the run passed them: a planned run that now
// applies on its own was not waiting for anyone then either.
func history(ts *tfe.RunStatusTimestamps, f runFlags) []model.RunTransition {
	if ts == nil {
		return nil
	}
	stamps := []struct {
		at     time.Time
		status tfe.RunStatus
	}{
		{ts.PlanQueueableAt, tfe.RunPending}, {ts.QueuingAt, tfe.RunQueuing}, {ts.PlanQueuedAt, tfe.RunPlanQueued},
		{ts.FetchingAt, tfe.RunFetching}, {ts.FetchedAt, tfe.RunFetchingCompleted},
		{ts.PrePlanRunningAt, tfe.RunPrePlanRunning}, {ts.PrePlanCompletedAt, tfe.RunPrePlanCompleted},
		{ts.PlanningAt, tfe.RunPlanning}, {ts.PlannedAt, tfe.RunPlanned},
		{ts.CostEstimatingAt, tfe.RunCostEstimating}, {ts.CostEstimatedAt, tfe.RunCostEstimated},
		{ts.PolicyCheckedAt, tfe.RunPolicyChecked}, {ts.PolicySoftFailedAt, tfe.RunPolicySoftFailed},
		{ts.PostPlanRunningAt, tfe.RunPostPlanRunning}, {ts.PostPlanCompletedAt, tfe.RunPostPlanCompleted},
		{ts.ConfirmedAt, tfe.RunConfirmed}, {ts.ApplyQueuedAt, tfe.RunApplyQueued},
		{ts.ApplyingAt, tfe.RunApplying}, {ts.AppliedAt, tfe.RunApplied},
		{ts.PlannedAndFinishedAt, tfe.RunPlannedAndFinished}, {ts.PlannedAndSavedAt, tfe.RunPlannedAndSaved},
		{ts.DiscardedAt, tfe.RunDiscarded}, {ts.ErroredAt, tfe.RunErrored},
		{ts.CanceledAt, tfe.RunCanceled}, {ts.ForceCanceledAt, forceCanceled},
	}
	var out []model.RunTransition
	for _, s := range stamps {
		if s.at.IsZero() {
			continue
		}
		// A pause that ended was a pause only if the run was confirmed
		// after it; the current one follows the run's own flags.
		past := f
		past.confirmable = past.confirmable || !ts.ConfirmedAt.IsZero()
		out = append(out, model.RunTransition{State: stateAt(s.status, past, ts), At: s.at, Note: string(s.status)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}
