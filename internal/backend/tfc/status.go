package tfc

import (
	"sort"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/model"
)

// runStates maps TFC run statuses onto the normalized states:
//
//	pending, queuing                                 → QUEUED
//	plan_queued                                      → READY
//	fetching, fetching_completed, pre_plan_*         → PREPARING
//	planning, cost_estimating, policy_checking,
//	  post_plan_running                              → PLANNING
//	planned, cost_estimated, policy_checked,
//	  post_plan_completed                            → UNCONFIRMED (waits for confirmation)
//	policy_override, post_plan_awaiting_decision     → PENDING_REVIEW
//	confirmed                                        → CONFIRMED
//	apply_queued, queuing_apply, pre_apply_*         → PREPARING_APPLY
//	applying, post_apply_running, post_apply_completed → APPLYING
//	applied, planned_and_finished, planned_and_saved → FINISHED
//	errored, policy_soft_failed                      → FAILED
//	discarded                                        → DISCARDED
//	canceled, force_canceled                         → CANCELED, or STOPPED when
//	                                                   the run had started (its
//	                                                   status-timestamps show fetching,
//	                                                   planning or applying)
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
	tfe.RunPlanned: model.StateUnconfirmed, tfe.RunCostEstimated: model.StateUnconfirmed,
	tfe.RunPolicyChecked: model.StateUnconfirmed, tfe.RunPostPlanCompleted: model.StateUnconfirmed,
	tfe.RunPolicyOverride: model.StatePendingReview, tfe.RunPostPlanAwaitingDecision: model.StatePendingReview,
	tfe.RunConfirmed:   model.StateConfirmed,
	tfe.RunApplyQueued: model.StatePreparingApply, tfe.RunQueuingApply: model.StatePreparingApply,
	tfe.RunPreApplyRunning: model.StatePreparingApply, tfe.RunPreApplyCompleted: model.StatePreparingApply,
	tfe.RunApplying: model.StateApplying, tfe.RunPostApplyRunning: model.StateApplying,
	tfe.RunPostApplyCompleted: model.StateApplying,
	tfe.RunApplied:            model.StateFinished, tfe.RunPlannedAndFinished: model.StateFinished,
	tfe.RunPlannedAndSaved: model.StateFinished,
	tfe.RunErrored:         model.StateFailed, tfe.RunPolicySoftFailed: model.StateFailed,
	tfe.RunDiscarded: model.StateDiscarded,
	tfe.RunCanceled:  model.StateCanceled, "force_canceled": model.StateCanceled,
}

func normalize(s tfe.RunStatus) model.RunState {
	if st, ok := runStates[s]; ok {
		return st
	}
	return model.StateUnknown
}

// runState normalizes a run's status, telling a run stopped while it worked
// from one canceled in the queue.
func runState(r *tfe.Run) model.RunState {
	return stateAt(r.Status, r.StatusTimestamps)
}

func stateAt(status tfe.RunStatus, ts *tfe.RunStatusTimestamps) model.RunState {
	s := normalize(status)
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
func history(ts *tfe.RunStatusTimestamps) []model.RunTransition {
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
		{ts.CanceledAt, tfe.RunCanceled}, {ts.ForceCanceledAt, "force_canceled"},
	}
	var out []model.RunTransition
	for _, s := range stamps {
		if !s.at.IsZero() {
			out = append(out, model.RunTransition{State: stateAt(s.status, ts), At: s.at, Note: string(s.status)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}
