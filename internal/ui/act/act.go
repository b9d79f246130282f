// Package act is the stack and run actions every screen that shows a stack
// offers (the tree, the detail, a run, the history, the drift screens, a
// promotion's waves): whether each applies and why not, the request it
// becomes, and the keys that open the stack's runs or its page. The
// mutations themselves go through the pipeline as screen.Propose.
package act

import (
	"fmt"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// Kind is a mutating action the user can ask for from a key.
type Kind int

// The mutating actions, in help order.
const (
	Plan Kind = iota
	Deploy
	Confirm
	Discard
	Retry
	Stop // stop a started run, cancel a queued one
	Review
	Lock // lock, or unlock a locked stack
	Sync
)

// Mutating lists every action key in help order.
var Mutating = []Kind{Plan, Deploy, Confirm, Discard, Retry, Stop, Review, Lock, Sync}

func (k Kind) String() string {
	return [...]string{"plan", "deploy", "confirm", "discard", "retry", "stop", "review", "lock", "sync"}[k]
}

// Key is the binding of the action.
func (k Kind) Key() keys.ID {
	return [...]keys.ID{keys.Plan, keys.Deploy, keys.Confirm, keys.Discard, keys.Retry, keys.Stop, keys.Review, keys.Lock, keys.Sync}[k]
}

// RunLevel reports actions that act on a run rather than the stack.
func (k Kind) RunLevel() bool {
	switch k {
	case Confirm, Discard, Retry, Stop, Review:
		return true
	}
	return false
}

// Target is what an action acts on: a stack, the run in view (the run
// view's, the history's selected one), and the stack's recent runs when
// loaded (a plan may have come after the deploy that waits).
type Target struct {
	Stack  *model.Stack
	Run    *model.Run
	Recent []model.Run
}

// Resolve turns an action on a target into an op, or says why it cannot be
// done. Read-only mode is checked before. Where the backend says which
// actions a run allows (TFC's actions flags), only those are offered; where
// it tells permissions apart, each action needs its own.
func Resolve(c *screen.Context, k Kind, t Target) (mutation.StackOp, string) {
	s, viewed := t.Stack, t.Run
	o := mutation.StackOp{StackID: s.ID, Name: s.Name, Env: s.Env, Commit: s.TrackedCommit, Lock: s.Lock}
	switch {
	case !s.CanWrite:
		return o, "you have no write access to " + s.Name
	case s.Disabled:
		return o, s.Name + " is disabled"
	}
	if why := permission(k, s); why != "" {
		return o, why
	}
	caps := c.Caps
	flags := false // the backend said which actions the run allows
	runOp := func(action string, want func(model.Run) bool, wantText string) (mutation.StackOp, string) {
		r := runMatching(t, want, action != "retry")
		if r == nil {
			return o, "no run " + wantText
		}
		o.Action, o.RunID, o.Commit, o.Delta, o.State = action, r.ID, r.Commit, r.Delta, r.State
		o.Kind, o.Approval, flags = r.Kind, r.NeedsApproval, r.Actions != nil
		return o, ""
	}
	switch k {
	case Plan:
		o.Action = "plan"
	case Deploy:
		o.IgnoredDrift = ignoredDrift(c, s)
		if viewed != nil && viewed.Kind == model.RunPlan && viewed.State == model.StateFinished {
			if !caps.Promote {
				return o, c.Info.Kind + " cannot deploy a preview; D in the tree deploys the tracked commit"
			}
			o.Action, o.RunID, o.Commit, o.Delta = "promote", viewed.ID, viewed.Commit, viewed.Delta
			return o, ""
		}
		o.Action = "deploy"
	case Confirm:
		o, why := runOp("confirm", confirmable, "waits for confirmation")
		if o.Kind.Tracked() {
			o.IgnoredDrift = ignoredDrift(c, s)
		}
		if why == "" && o.Approval {
			// An approval policy holds it: Spacelift refuses the
			// confirmation until someone approves (docs: approval policy).
			return o, fmt.Sprintf("run %s needs approval before it can be confirmed; %s approves or rejects it",
				o.RunID, c.Keys.Key(keys.Review))
		}
		return o, why
	case Discard:
		return runOp("discard", discardable, "can be discarded")
	case Retry:
		return runOp("retry", inState(model.StateFailed), "has failed")
	case Stop:
		o, why := runOp("stop", stoppable, "is queued or running")
		if why == "" && !flags {
			why = stopRefusal(o) // a backend that gives flags says itself what may stop
		}
		if why == "" && (!caps.Stop || notStarted(o.State)) {
			o.Action = "cancel"
		}
		return o, why
	case Review:
		if !caps.Review {
			if r := runMatching(t, inState(model.StatePendingReview), true); r != nil {
				return o, "waits on you in " + c.Info.Kind + ": decide there (a policy override or a run task's decision); " +
					c.Keys.Key(keys.Open) + " opens the run"
			}
			return o, c.Info.Kind + " has no run reviews"
		}
		return runOp("review", func(r model.Run) bool { return r.State == model.StatePendingReview || r.NeedsApproval },
			"waits for review or approval")
	case Lock:
		if !caps.Lock {
			return o, c.Info.Kind + " cannot lock stacks"
		}
		o.Action = "lock"
		if s.Locked() {
			if !s.Lock.Mine { // unknown holding counts as someone else's
				return o, foreignLock(s)
			}
			o.Action = "unlock"
		}
	case Sync:
		switch {
		case !caps.SyncCommit:
			return o, c.Info.Kind + " cannot move the tracked commit"
		case s.BranchHead == "" || s.TrackedCommit == s.BranchHead:
			return o, s.Name + " already tracks its branch head"
		}
		o.Action, o.Commit = "sync", s.BranchHead
	}
	return o, ""
}

// foreignLock says who holds a lock that is not the user's: only they
// unlock it.
func foreignLock(s *model.Stack) string {
	l := s.Lock
	holder := kit.Pick(l.Holder == "", "someone else", l.Holder)
	text := s.Name + " is locked by " + holder
	if l.Note != "" {
		text += " (“" + l.Note + "”)"
	}
	return text + ": only " + kit.Pick(l.Holder == "", "its holder", l.Holder) + " unlocks it"
}

// ignoredDrift are the stack's drifted resources (or attributes) its
// ignore rules hide, with each rule's reason: a deploy's plan reverts
// them like the rest.
func ignoredDrift(c *screen.Context, s *model.Stack) []string {
	var out []string
	for _, res := range c.Data.Drift.Reports[s.ID].Resources {
		if res.IgnoredBy != nil && (res.Attributes == nil || res.IgnoredBy.Attribute == "*") {
			out = append(out, res.Address+" — ignored: "+kit.OrDash(res.IgnoredBy.Reason))
			continue
		}
		for _, a := range res.Attributes {
			if a.IgnoredBy != nil {
				out = append(out, res.Address+" "+a.Name+" — ignored: "+kit.OrDash(a.IgnoredBy.Reason))
			}
		}
	}
	return out
}

// permission says why the credentials do not allow k on s, where the
// backend tells permissions apart (model.Permissions), or "".
func permission(k Kind, s *model.Stack) string {
	switch k {
	case Plan:
		if !s.CanPlan() {
			return "you may not queue plans on " + s.Name
		}
	case Deploy, Confirm, Discard, Retry, Stop, Review, Sync:
		if !s.CanApply() {
			return "you may not apply or decide runs on " + s.Name + " (you may queue plans only)"
		}
	case Lock:
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
func stopRefusal(o mutation.StackOp) string {
	switch o.State {
	case model.StateConfirmed, model.StatePreparingApply, model.StateApplying, model.StateDestroying:
		return fmt.Sprintf("run %s is %s: a run cannot be stopped while it applies changes", o.RunID, o.State)
	case model.StatePerforming:
		return fmt.Sprintf("run %s is %s: a task cannot be stopped once it runs its command", o.RunID, o.State)
	}
	return ""
}

// runMatching finds the run an action applies to: the run in view, else
// the stack's latest run or latest tracked run or, when scan is set, its newest recent run in the
// wanted state. Retry does not scan: an old failure that a newer run
// superseded is not worth retrying from the tree.
func runMatching(t Target, want func(model.Run) bool, scan bool) *model.Run {
	if t.Run != nil {
		if want(*t.Run) {
			return t.Run
		}
		return nil
	}
	for _, r := range []*model.Run{t.Stack.LatestRun, t.Stack.LatestTrackedRun} {
		if r != nil && want(*r) {
			return r
		}
	}
	if scan {
		for i := range t.Recent {
			if want(t.Recent[i]) {
				return &t.Recent[i]
			}
		}
	}
	return nil
}

// latestText names the run the user sees, so a refusal explains itself.
func latestText(t Target) string {
	r := t.Run
	if r == nil {
		r = t.Stack.LatestRun
	}
	if r == nil {
		return " (the stack has no runs)"
	}
	return fmt.Sprintf(" (this run is a %s %s)", r.Kind, r.State)
}

// Why is why k does nothing on t now: read-only mode, a mutation of the
// stack in flight, or why it does not apply; "" when it applies.
func Why(c *screen.Context, k Kind, t Target) string {
	switch {
	case c.ReadOnly():
		return "read-only mode"
	case t.Stack == nil:
		return "no stack selected"
	}
	if busy, ok := c.Ops.InFlight()[t.Stack.ID]; ok {
		return busy + " in flight"
	}
	_, why := Resolve(c, k, t)
	return why
}

// Propose is a mutating key pressed: refused in read-only mode, else the
// op on the target, or why it does not apply.
func Propose(c *screen.Context, k Kind, t Target) tea.Cmd {
	if err := c.Ops.Refuse(k.String()); err != nil {
		return c.Fail(err.Error())
	}
	if t.Stack == nil {
		return c.Fail("no stack selected")
	}
	if busy, ok := c.Ops.InFlight()[t.Stack.ID]; ok {
		return c.Fail(fmt.Sprintf("%s on %s was sent; waiting for the answer", busy, t.Stack.Name))
	}
	o, why := Resolve(c, k, t)
	if why != "" {
		if k.RunLevel() && o.RunID == "" {
			why += latestText(t)
		}
		return c.Fail(fmt.Sprintf("%s unavailable: %s", k, why))
	}
	return c.Ask(screen.Propose{Request: mutation.Stacks{Ops: []mutation.StackOp{o}, Radius: Radius(c, []mutation.StackOp{o})}})
}

// Radius is, when some of ops start runs other stacks follow (a deploy, a
// deploy preview, a confirm or retry of a tracked run), every stack those
// runs may reach, in waves from the stacks acted on, as loaded; nil when
// none does.
func Radius(c *screen.Context, ops []mutation.StackOp) [][]model.Stack {
	var ids []string
	for _, o := range ops {
		switch {
		case o.Action == "deploy" || o.Action == "promote":
		case (o.Action == "confirm" || o.Action == "retry") && o.Kind.Tracked():
		default:
			continue
		}
		ids = append(ids, o.StackID)
	}
	if len(ids) == 0 {
		return nil
	}
	waves, err := promotion.Reach(ids, c.Data.Stacks())
	if err != nil || len(waves) < 2 {
		return nil // a cycle has no order to show; a stack without dependents runs alone
	}
	out := make([][]model.Stack, len(waves))
	for i, wave := range waves {
		for _, id := range wave {
			if s := c.Data.Forest.Stack(id); s != nil {
				out[i] = append(out[i], *s)
			}
		}
	}
	return out
}

// Action is the key of k on t, with what it does here and why it may not.
func Action(c *screen.Context, k Kind, t Target, self screen.Screen) screen.Action {
	a := screen.Action{Key: k.Key(), Off: Why(c, k, t)}
	if t.Stack != nil {
		if o, why := Resolve(c, k, t); why == "" && o.Action != k.String() {
			a.Help = o.Action // unlock, cancel, promote…
			if o.Action == "promote" {
				a.Help = "deploy this preview"
			}
		}
	}
	a.Do = func() (screen.Screen, tea.Cmd) { return self, Propose(c, k, t) }
	return a
}

// Actions are the keys of kinds on t.
func Actions(c *screen.Context, t Target, self screen.Screen, kinds ...Kind) []screen.Action {
	out := make([]screen.Action, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, Action(c, k, t, self))
	}
	return out
}

// Nav are the keys that open the target's latest run (or the run in view),
// its history, its page in the browser, and copy that page's address.
func Nav(c *screen.Context, t Target, self screen.Screen) []screen.Action {
	latest := screen.Action{Key: keys.Latest, Do: func() (screen.Screen, tea.Cmd) { return self, OpenLatest(c, t) }}
	switch {
	case t.Stack == nil:
		latest.Off = "no stack selected"
	case t.Run == nil && t.Stack.LatestRun == nil:
		latest.Off = t.Stack.Name + " has no runs yet"
	}
	history := screen.Action{Key: keys.History, Do: func() (screen.Screen, tea.Cmd) {
		if t.Stack == nil {
			return self, c.Fail("no stack selected")
		}
		return self, c.Ask(screen.Navigate{To: screen.Target{Kind: screen.KindHistory, StackID: t.Stack.ID}})
	}}
	name, url := targetURL(t)
	open := screen.Action{Key: keys.Open, Off: webWhy(name, url), Do: func() (screen.Screen, tea.Cmd) {
		if why := webWhy(name, url); why != "" {
			return self, c.Fail(why)
		}
		return self, c.Ask(screen.OpenURL{Name: name, URL: url})
	}}
	cp := screen.Action{Key: keys.CopyURL, Do: func() (screen.Screen, tea.Cmd) {
		if url == "" {
			return self, c.Fail("no URL to copy")
		}
		return self, c.Ask(screen.Copy{What: "URL", Text: url})
	}}
	if url == "" {
		cp.Off = "no URL to copy"
	}
	if t.Stack == nil {
		history.Off = "no stack selected"
	}
	return []screen.Action{latest, history, open, cp}
}

// OpenLatest opens the run in view, else the stack's latest run.
func OpenLatest(c *screen.Context, t Target) tea.Cmd {
	switch {
	case t.Stack == nil:
		return c.Fail("no stack selected")
	case t.Run != nil:
		return c.Ask(screen.Navigate{To: screen.Target{Kind: screen.KindRun, StackID: t.Stack.ID, RunID: t.Run.ID, Run: t.Run}})
	case t.Stack.LatestRun == nil:
		return c.Fail(t.Stack.Name + " has no runs yet")
	}
	return c.Ask(screen.Navigate{To: screen.Target{Kind: screen.KindRun, StackID: t.Stack.ID, RunID: t.Stack.LatestRun.ID}})
}

// targetURL is the URL of what is in view: the run, else the stack.
func targetURL(t Target) (name, url string) {
	switch {
	case t.Stack == nil:
		return "", ""
	case t.Run != nil && t.Run.URL != "":
		return t.Stack.Name + " run " + t.Run.ID, t.Run.URL
	}
	return t.Stack.Name, t.Stack.URL
}

// webWhy says why a browser cannot show url, or "".
func webWhy(name, url string) string {
	switch {
	case name == "":
		return "no stack selected"
	case url == "":
		return name + " has no URL"
	case !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://"):
		return name + " has no web page (" + url + ")"
	}
	return ""
}

// Watch pins the run in view (or the stack's latest run), or unpins it.
func Watch(c *screen.Context, t Target) tea.Cmd {
	r := t.Run
	switch {
	case t.Stack == nil:
		return c.Fail("no stack selected")
	case r == nil:
		r = t.Stack.LatestRun
	}
	if r == nil {
		return c.Fail(t.Stack.Name + " has no run to watch")
	}
	return c.Ask(screen.ToggleWatch{Watch: screen.Watch{StackID: t.Stack.ID, RunID: r.ID, Name: t.Stack.Name}, State: string(r.State)})
}

// Many proposes one action on many targets (marked stacks or runs, an
// environment frozen): the review lists which it applies to and which are
// skipped, why.
func Many(c *screen.Context, action string, targets []Target, resolve func(Target) (mutation.StackOp, string)) tea.Cmd {
	var ops []mutation.StackOp
	var apply, skip []string
	for _, t := range targets {
		s := t.Stack
		o, why := resolve(t)
		if why != "" {
			what := s.Name
			if t.Run != nil {
				what += " run " + t.Run.ID
			}
			skip = append(skip, fmt.Sprintf("  – %s: %s", what, why))
			continue
		}
		ops = append(ops, o)
		line := fmt.Sprintf("  • %s (%s) %s", s.Name, kit.OrDash(s.Env), model.ShortSHA(o.Commit))
		if o.RunID != "" {
			line += " run " + o.RunID
		}
		apply = append(apply, line)
	}
	if len(ops) == 0 {
		reason := "nothing to act on"
		if len(skip) > 0 {
			reason = skip[0][len("  – "):]
		}
		return c.Fail(fmt.Sprintf("%s applies to none of the %d %s: %s", action, len(targets), kit.Plural(len(targets), "target"), reason))
	}
	lines := append([]string{fmt.Sprintf("Applies to %d:", len(ops))}, apply...)
	if len(skip) > 0 {
		lines = append(lines, "", fmt.Sprintf("Skipped %d:", len(skip)))
		lines = append(lines, skip...)
	}
	req := mutation.Stacks{Ops: ops, Bulk: true, Review: lines, Radius: Radius(c, ops)}
	if action != ops[0].Action { // :freeze is a lock of many
		req.Title = fmt.Sprintf("%s: %s %d %s?", mutation.TitleVerb(action), ops[0].Action, len(ops), kit.Plural(len(ops), "stack"))
	}
	return c.Ask(screen.Propose{Request: req})
}

// Stacks are targets of whole stacks.
func Stacks(stacks []*model.Stack) []Target {
	out := make([]Target, len(stacks))
	for i, s := range stacks {
		out[i] = Target{Stack: s}
	}
	return out
}

// InFlightSkip resolves k for a target of a bulk: skipped while something
// of its stack is in flight.
func InFlightSkip(c *screen.Context, k Kind) func(Target) (mutation.StackOp, string) {
	inflight := c.Ops.InFlight()
	return func(t Target) (mutation.StackOp, string) {
		if busy, ok := inflight[t.Stack.ID]; ok {
			return mutation.StackOp{}, busy + " already sent"
		}
		return Resolve(c, k, t)
	}
}

// ByName sorts stacks by name.
func ByName(stacks []*model.Stack) []*model.Stack {
	sort.Slice(stacks, func(i, j int) bool { return stacks[i].Name < stacks[j].Name })
	return stacks
}

// CheckDrift starts a drift check of s, saying plainly when it is not what
// the backend's own drift detection runs: on TFC a refresh-only plan (a
// health assessment cannot be started through the API), on Spacelift a
// proposed run (drift detection only runs on its schedule). Like every
// mutation it is sent once and audited; it changes nothing, so it needs no
// confirmation.
func CheckDrift(c *screen.Context, s *model.Stack) tea.Cmd {
	if err := c.Ops.Refuse("check for drift"); err != nil {
		return c.Fail(err.Error())
	}
	switch {
	case s == nil:
		return c.Fail("no stack selected")
	case !s.CanPlan():
		return c.Fail("you may not queue plans (a drift check is one) on " + s.Name)
	case s.Disabled:
		return c.Fail(s.Name + " is disabled")
	}
	action := "drift-check"
	if !c.Caps.DriftCheck {
		action = "plan"
	}
	return c.Ask(screen.Propose{Request: mutation.Stacks{NoConfirm: true,
		Ops: []mutation.StackOp{{Action: action, StackID: s.ID, Name: s.Name, Env: s.Env, Commit: s.TrackedCommit}}}})
}
