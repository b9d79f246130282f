package model

import (
	"fmt"
	"time"
)

// RunKind is what a run does, independent of the backend's vocabulary:
// a Spacelift proposed run or TFC plan-only run is a plan, a tracked / normal
// run is a deploy, and a drift-detection proposed run or TFC refresh-only
// plan is a drift check. Destroy runs (Spacelift's, TFC's is-destroy) are
// tracked runs that tear down; Spacelift also has tasks (a command run on
// the stack) and module test cases; a type stackview does not know is
// RunOther, never passed off as a deploy.
type RunKind string

const (
	RunPlan       RunKind = "plan"
	RunDeploy     RunKind = "deploy"
	RunDriftCheck RunKind = "drift-check"
	RunDestroy    RunKind = "destroy"
	RunTask       RunKind = "task"
	RunTesting    RunKind = "testing"
	RunOther      RunKind = "other"
)

// Tracked reports a run that changes the stack's state through a plan and
// an apply: what dependency waves, promotion gates and "last deployed"
// follow. Plans, drift checks and tasks are not tracked runs.
func (k RunKind) Tracked() bool { return k == RunDeploy || k == RunDestroy }

// RunState is the one normalized run state. Values are spelled as Spacelift's
// RunState enum; other backends map onto them (the raw value is kept in
// Run.RawState). Stack states use the same type, with StateNone for a stack
// that never ran.
type RunState string

const (
	StateNone            RunState = "NONE"
	StateQueued          RunState = "QUEUED"
	StateReady           RunState = "READY"
	StatePreparing       RunState = "PREPARING"
	StateInitializing    RunState = "INITIALIZING"
	StatePlanning        RunState = "PLANNING"
	StatePendingReview   RunState = "PENDING_REVIEW"
	StateUnconfirmed     RunState = "UNCONFIRMED"
	StateConfirmed       RunState = "CONFIRMED"
	StatePreparingApply  RunState = "PREPARING_APPLY"
	StateApplying        RunState = "APPLYING"
	StatePerforming      RunState = "PERFORMING"
	StateDestroying      RunState = "DESTROYING"
	StateReplanRequested RunState = "REPLAN_REQUESTED"
	StatePreparingReplan RunState = "PREPARING_REPLAN"
	StateFinished        RunState = "FINISHED"
	StateFailed          RunState = "FAILED"
	StateDiscarded       RunState = "DISCARDED"
	StateCanceled        RunState = "CANCELED"
	StateStopped         RunState = "STOPPED"
	StateSkipped         RunState = "SKIPPED"
	StateUnknown         RunState = "UNKNOWN"
)

// Terminal reports whether a run in this state will not move again.
func (s RunState) Terminal() bool {
	switch s {
	case StateFinished, StateFailed, StateDiscarded, StateCanceled, StateStopped, StateSkipped:
		return true
	}
	return false
}

// Active reports whether a run in this state is queued or working.
func (s RunState) Active() bool {
	switch s {
	case StateQueued, StateReady, StatePreparing, StateInitializing, StatePlanning, StateConfirmed,
		StatePreparingApply, StateApplying, StatePerforming, StateDestroying, StateReplanRequested,
		StatePreparingReplan:
		return true
	}
	return false
}

// Waiting reports whether a run waits for a person (confirmation or review).
func (s RunState) Waiting() bool {
	return s == StateUnconfirmed || s == StatePendingReview
}

// Delta summarises a plan: resources to add, change and destroy.
type Delta struct {
	Add     int
	Change  int
	Destroy int
}

// String is a plan summary like "+1 ~2 -0".
func (d Delta) String() string { return fmt.Sprintf("+%d ~%d -%d", d.Add, d.Change, d.Destroy) }

// Empty reports a plan with no changes.
func (d Delta) Empty() bool { return d.Add == 0 && d.Change == 0 && d.Destroy == 0 }

// ChangeAction is what a plan does to one resource.
type ChangeAction string

const (
	ActionAdd     ChangeAction = "ADD"
	ActionChange  ChangeAction = "CHANGE"
	ActionDestroy ChangeAction = "DELETE"
	ActionReplace ChangeAction = "REPLACE"
)

// ResourceChange is one resource in a plan (or one drifted resource), with
// the attributes that change where the backend reports them and, where it
// gives them, their values: stackview never invents a value.
type ResourceChange struct {
	Address    string
	Action     ChangeAction
	Attributes []string
	// Values are the attributes before → after (for drift: recorded →
	// real), where ValuesFrom says the backend gave them; NoValues says
	// why there are none when it did not.
	Values     []AttributeChange
	ValuesFrom ValueSource
	NoValues   string
	// Reason is why the resource is replaced or deleted, in Terraform's
	// words (action_reason: ReasonText puts it in ours); ReplacePaths the
	// attributes that force a replacement.
	Reason       string
	ReplacePaths []string
}

// RunTransition is one step of a run's state timeline.
type RunTransition struct {
	State RunState
	At    time.Time
	Note  string
}

// Run is one plan, deploy, drift check or task of a stack.
type Run struct {
	ID          string
	StackID     string
	Kind        RunKind
	State       RunState
	RawState    string
	Commit      string
	Title       string // the run's message, or its commit's subject
	TriggeredBy string
	Delta       *Delta
	CreatedAt   time.Time
	UpdatedAt   time.Time
	History     []RunTransition
	URL         string
	// AutoApply: the run applies its plan without a confirmation
	// (Spacelift autodeploy, TFC auto-apply).
	AutoApply bool
	// SavedPlan: a plan kept to be applied later (TFC save-plan runs): it
	// waits UNCONFIRMED without blocking other runs.
	SavedPlan bool
	// Actions are the actions the backend says the run allows now, when it
	// says (TFC's actions flags); nil: the run's state decides.
	Actions *RunActions
	// NeedsApproval: an approval policy holds the run (QUEUED: it is not
	// scheduled; UNCONFIRMED: it cannot be confirmed) until it is approved.
	NeedsApproval bool
}

// RunActions are what a backend allows on a run at the moment it was read.
type RunActions struct {
	Confirm     bool
	Discard     bool
	Cancel      bool
	ForceCancel bool
	// ForceCancelAt is when a force-cancel becomes possible, after a
	// cancel that did not stop the run (zero: no cancel was sent).
	ForceCancelAt time.Time
}

// Newer orders runs newest first: by creation time, then by id (ULIDs sort
// by time), so runs merged from several lists keep one order.
func Newer(a, b Run) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.After(b.CreatedAt)
	}
	return a.ID > b.ID
}
