package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/stackview/stackview/internal/model"
)

// actionKind is a mutating action the user can ask for from a key.
type actionKind int

const (
	actPlan actionKind = iota
	actDeploy
	actConfirm
	actDiscard
	actRetry
	actStop // stop a started run, cancel a queued one
	actReview
	actLock // lock, or unlock a locked stack
	actSync
)

// mutatingActions lists every action key in help order.
var mutatingActions = []actionKind{actPlan, actDeploy, actConfirm, actDiscard, actRetry, actStop, actReview, actLock, actSync}

func (k actionKind) String() string {
	return [...]string{"plan", "deploy", "confirm", "discard", "retry", "stop", "review", "lock", "sync"}[k]
}

func (m Model) binding(k actionKind) key.Binding {
	a := m.keys.Actions
	return [...]key.Binding{a.Plan, a.Deploy, a.Confirm, a.Discard, a.Retry, a.Stop, a.Review, a.Lock, a.Sync}[k]
}

// op is one mutation for one target, with everything the command needs
// copied out of the model.
type op struct {
	action  string // audit and message verb: plan, deploy, promote, confirm, discard, retry, cancel, stop, approve, reject, lock, unlock, sync
	stackID string
	name    string
	env     string
	runID   string
	commit  string
	delta   *model.Delta   // the plan of the run acted on, when known
	state   model.RunState // the run's state when the action was chosen
	kind    model.RunKind  // the run's kind, when the op acts on a run
	// approval: an approval policy holds the run (review approves it)
	approval bool
	// flags: the backend said which actions the run allows (Run.Actions)
	flags bool
	note  string
}

// target is what the audit log names: the run for run-level actions.
func (o op) target() string {
	if o.runID != "" {
		return o.runID
	}
	return o.stackID
}

// resolve turns an action on a stack (and the run in view, if any) into an
// op, or says why it cannot be done. Read-only mode is checked before.
// Where the backend says which actions a run allows (TFC's actions flags),
// only those are offered; where it tells permissions apart, each action
// needs its own.
func (m Model) resolve(k actionKind, s *model.Stack, viewed *model.Run) (op, string) {
	o := op{stackID: s.ID, name: s.Name, env: s.Env, commit: s.TrackedCommit}
	switch {
	case !s.CanWrite:
		return o, "you have no write access to " + s.Name
	case s.Disabled:
		return o, s.Name + " is disabled"
	}
	if why := permission(k, s); why != "" {
		return o, why
	}
	caps := m.backend.Capabilities()
	runOp := func(action string, want func(model.Run) bool, wantText string) (op, string) {
		r := m.runMatching(s, viewed, want, action != "retry")
		if r == nil {
			return o, "no run " + wantText
		}
		o.action, o.runID, o.commit, o.delta, o.state = action, r.ID, r.Commit, r.Delta, r.State
		o.kind, o.approval, o.flags = r.Kind, r.NeedsApproval, r.Actions != nil
		return o, ""
	}
	switch k {
	case actPlan:
		o.action = "plan"
	case actDeploy:
		if viewed != nil && viewed.Kind == model.RunPlan && viewed.State == model.StateFinished {
			if !caps.Promote {
				return o, m.info.Kind + " cannot deploy a preview; D in the tree deploys the tracked commit"
			}
			o.action, o.runID, o.commit, o.delta = "promote", viewed.ID, viewed.Commit, viewed.Delta
			return o, ""
		}
		o.action = "deploy"
	case actConfirm:
		o, why := runOp("confirm", confirmable, "waits for confirmation")
		if why == "" && o.approval {
			// An approval policy holds it: Spacelift refuses the
			// confirmation until someone approves (docs: approval policy).
			return o, fmt.Sprintf("run %s needs approval before it can be confirmed; %s approves or rejects it",
				o.runID, m.binding(actReview).Help().Key)
		}
		return o, why
	case actDiscard:
		return runOp("discard", discardable, "can be discarded")
	case actRetry:
		return runOp("retry", inState(model.StateFailed), "has failed")
	case actStop:
		o, why := runOp("stop", stoppable, "is queued or running")
		if why == "" && !o.flags {
			why = stopRefusal(o) // a backend that gives flags says itself what may stop
		}
		if why == "" && (!caps.Stop || notStarted(o.state)) {
			o.action = "cancel"
		}
		return o, why
	case actReview:
		if !caps.Review {
			if r := m.runMatching(s, viewed, inState(model.StatePendingReview), true); r != nil {
				return o, "waits on you in " + m.info.Kind + ": decide there (a policy override or a run task's decision); " +
					m.keys.Actions.Open.Help().Key + " opens the run"
			}
			return o, m.info.Kind + " has no run reviews"
		}
		return runOp("review", func(r model.Run) bool { return r.State == model.StatePendingReview || r.NeedsApproval },
			"waits for review or approval")
	case actLock:
		if !caps.Lock {
			return o, m.info.Kind + " cannot lock stacks"
		}
		o.action = "lock"
		if s.Locked() {
			o.action = "unlock"
		}
	case actSync:
		switch {
		case !caps.SyncCommit:
			return o, m.info.Kind + " cannot move the tracked commit"
		case s.BranchHead == "" || s.TrackedCommit == s.BranchHead:
			return o, s.Name + " already tracks its branch head"
		}
		o.action, o.commit = "sync", s.BranchHead
	}
	return o, ""
}

// permission says why the credentials do not allow k on s, where the
// backend tells permissions apart (model.Permissions), or "".
func permission(k actionKind, s *model.Stack) string {
	switch k {
	case actPlan:
		if !s.CanPlan() {
			return "you may not queue plans on " + s.Name
		}
	case actDeploy, actConfirm, actDiscard, actRetry, actStop, actReview, actSync:
		if !s.CanApply() {
			return "you may not apply or decide runs on " + s.Name + " (you may queue plans only)"
		}
	case actLock:
		if !s.CanLock() {
			return "you may not lock " + s.Name
		}
	}
	return ""
}

// confirmable: the backend's actions flags say so, or, where it gives none,
// the run waits for confirmation.
func confirmable(r model.Run) bool {
	if r.Actions != nil {
		return r.Actions.Confirm
	}
	return r.State == model.StateUnconfirmed
}

func discardable(r model.Run) bool {
	if r.Actions != nil {
		return r.Actions.Discard
	}
	switch r.State {
	case model.StateUnconfirmed, model.StatePendingReview, model.StateQueued, model.StateReady:
		return true
	}
	return false
}

// stoppable: cancel is for runs that are queued or working (planning,
// applying); a force-cancel only once the backend offers it, after a cancel.
func stoppable(r model.Run) bool {
	if r.Actions != nil {
		return r.Actions.Cancel || r.Actions.ForceCancel
	}
	return r.State.Active()
}

func notStarted(st model.RunState) bool { return st == model.StateQueued || st == model.StateReady }

func inState(want model.RunState) func(model.Run) bool {
	return func(r model.Run) bool { return r.State == want }
}

// stopRefusal says why a started run must not be stopped: Spacelift's
// documentation says tracked runs cannot be stopped while they apply
// changes, nor tasks once they run their command; stackview refuses those
// for every backend rather than interrupt an apply.
func stopRefusal(o op) string {
	switch o.state {
	case model.StateConfirmed, model.StatePreparingApply, model.StateApplying, model.StateDestroying:
		return fmt.Sprintf("run %s is %s: a run cannot be stopped while it applies changes", o.runID, o.state)
	case model.StatePerforming:
		return fmt.Sprintf("run %s is %s: a task cannot be stopped once it runs its command", o.runID, o.state)
	}
	return ""
}

// runMatching finds the run an action applies to: the run on screen in the
// run view and history, else the stack's latest run or, when loaded and
// scan is set, its newest run in the wanted state (a plan may have come
// after the deploy that waits). Retry does not scan: an old failure that a
// newer run superseded is not worth retrying from the tree.
func (m Model) runMatching(s *model.Stack, viewed *model.Run, want func(model.Run) bool, scan bool) *model.Run {
	if viewed != nil {
		if want(*viewed) {
			return viewed
		}
		return nil
	}
	for _, r := range []*model.Run{s.LatestRun, s.LatestTrackedRun} {
		if r != nil && want(*r) {
			return r
		}
	}
	if scan && m.runsFor == s.ID {
		for i := range m.runs {
			if want(m.runs[i]) {
				return &m.runs[i]
			}
		}
	}
	return nil
}

// runLevel reports actions that act on a run rather than the stack.
func (k actionKind) runLevel() bool {
	switch k {
	case actConfirm, actDiscard, actRetry, actStop, actReview:
		return true
	}
	return false
}

// latestText names the run the user sees, so a refusal explains itself.
func (m Model) latestText(s *model.Stack, viewed *model.Run) string {
	r := viewed
	if r == nil {
		r = s.LatestRun
	}
	if r == nil {
		return " (the stack has no runs)"
	}
	return fmt.Sprintf(" (this run is a %s %s)", r.Kind, r.State)
}

// protected reports whether env needs its names typed before a mutation.
func (m Model) protected(env string) bool {
	for _, e := range m.envs {
		if e.Name == env {
			return e.Protected
		}
	}
	return false
}

// describe is the dialog's account of one op: action, stack, environment,
// commit and run.
func (m Model) describe(o op) []string {
	env := orDash(o.env)
	if m.protected(o.env) {
		env += " (protected)"
	}
	lines := []string{
		"Action       " + actionText(o.action),
		"Stack        " + o.name,
		"Environment  " + env,
		"Commit       " + orDash(shortSHA(o.commit)),
	}
	if o.runID != "" {
		run := o.runID + " (" + string(o.state) + ")"
		if o.kind != "" {
			run = o.runID + " (" + string(o.kind) + ", " + string(o.state) + ")"
		}
		lines = append(lines, "Run          "+run)
	}
	if o.approval {
		lines = append(lines, "Approval     an approval policy holds this run until it is approved")
	}
	if o.delta != nil {
		plan := deltaText(o.delta)
		if o.delta.Destroy > 0 {
			plan += fmt.Sprintf("  ⚠ destroys %d %s", o.delta.Destroy, plural(o.delta.Destroy, "resource"))
		}
		lines = append(lines, "Plan         "+plan)
	}
	return lines
}

// actionText explains an action in the words of the product (ux-anchors §0:
// "deploy preview" is Spacelift's promotion, not an environment move).
func actionText(action string) string {
	switch action {
	case "plan":
		return "plan (a proposed run: nothing is applied)"
	case "deploy":
		return "deploy (a tracked run: plan, then apply)"
	case "promote":
		return "deploy preview (a tracked run of this plan's commit)"
	case "sync":
		return "sync the tracked commit to the branch head"
	}
	return action
}

// titleVerb capitalises an action for a button or title.
func titleVerb(action string) string {
	switch action {
	case "promote":
		return "Deploy preview"
	case "sync":
		return "Sync commit"
	}
	return strings.ToUpper(action[:1]) + action[1:]
}
