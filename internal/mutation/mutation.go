// Package mutation is the one shape every change stackview makes takes:
// backend actions on stacks and runs, freezes, promotions, module bumps,
// predicted plans and drift ignores alike. A screen asks for a Request;
// internal/ops prepares it into a Mutation (in-flight keys, the dialog's
// title, lines and fields, the send and its audit detail) and carries it
// out; the UI confirms it in between and shows the Outcome. This package
// is data only: no git, no audit log, no terminal.
package mutation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
)

// Request is what a screen asks for: one of the request types below.
type Request interface{ verb() string }

// Verb names a request in refusals: "plan", "promotion", "bump", …
func Verb(r Request) string { return r.verb() }

// Mutation is a request prepared: what the confirmation says, the keys
// that stop it being sent twice, and the send (set by ops).
type Mutation struct {
	Action string   // the verb of messages and of the audit log
	Keys   []string // in-flight keys: while one is held, nothing else with it is sent
	// The confirmation: title, what will happen, text to type, buttons
	// after Cancel. Strict (a protected environment) makes y and n text.
	Title   string
	Lines   []string
	Fields  []Field
	Strict  bool
	Buttons []Button
	// Confirm is false for what changes nothing a person must review first
	// (a drift check, predicted plans, an ignore rule): it is sent at once.
	Confirm bool
	// Bulk outcomes are shown per target in a dialog.
	Bulk bool
	// Sending is what the status line says while it is sent; Cancelled
	// what it says when the person cancels.
	Sending, Cancelled string
	// Send does the work and records it in the audit log. Only
	// ops.Pipeline.Send calls it, after its checks.
	Send func(ctx context.Context, a Answer) Outcome
}

// Field is text the confirmation asks for.
type Field struct {
	Label    string
	Value    string // prefilled
	Want     string // when set, the value must equal it (a protected name)
	Required bool   // a blank value is refused (an override reason)
}

// Hotkey is the dialog key that presses a button.
type Hotkey int

// Hotkeys of buttons; HotkeyNone is reachable by focus only.
const (
	HotkeyNone Hotkey = iota
	HotkeyYes
	HotkeyApprove
	HotkeyReject
)

// Button is a way forward of the confirmation.
type Button struct {
	Label  string
	Hotkey Hotkey
}

// Answer is what the person chose: Button 0 is Cancel, Values the fields.
type Answer struct {
	Button int
	Values []string
}

// Outcome is what a sent mutation did; one of its parts is set.
type Outcome struct {
	Stacks    []StackResult
	Promotion *PromotionResult
	Bump      *BumpResult
	Predicted []PredictedPlan
	Ignore    *IgnoreResult
}

// StackOp is one backend action on one stack or run, with everything the
// send needs copied out of the screen.
type StackOp struct {
	Action  string // plan, deploy, drift-check, promote, confirm, discard, retry, cancel, stop, approve, reject, lock, unlock, sync
	StackID string
	Name    string
	Env     string
	RunID   string
	Commit  string
	Delta   *model.Delta   // the plan of the run acted on, when known
	State   model.RunState // the run's state when the action was chosen
	Kind    model.RunKind  // the run's kind, when the op acts on a run
	// Approval: an approval policy holds the run (review approves it).
	Approval bool
	Note     string
	// Lock is the stack's lock when the action was chosen: the
	// confirmation names its holder and note before anything is typed.
	Lock *model.Lock
	// IgnoredDrift, for a deploy (a reconcile) or its confirm, are the
	// drifted resources ignore rules hide on the stack: its plan reverts
	// them too, which the confirmation says ("address attr: reason").
	IgnoredDrift []string
}

// Target is what the audit log names: the run for run-level actions.
func (o StackOp) Target() string {
	if o.RunID != "" {
		return o.RunID
	}
	return o.StackID
}

// Stacks asks for backend actions: one op, or a bulk (marked stacks, a
// freeze) with the review lines of what applies and what is skipped.
type Stacks struct {
	Ops    []StackOp
	Bulk   bool
	Review []string // bulk: the stacks it applies to and those skipped, why
	Title  string   // overrides the title made from the action (":freeze" is a lock of many)
	// NoConfirm sends at once: a drift check changes nothing.
	NoConfirm bool
	// Radius is, for actions that start runs others follow (a deploy, a
	// confirm or retry of one), every stack those runs may reach, in
	// waves from the stacks acted on, as the UI knows them: the
	// confirmation lists them with what stands in their way.
	Radius [][]model.Stack
}

func (s Stacks) verb() string {
	if len(s.Ops) == 0 {
		return "nothing"
	}
	return s.Ops[0].Action
}

// StackResult is the answer to one op.
type StackResult struct {
	Op  StackOp
	Run *model.Run // the run the backend returned, for run-level answers
	Err error
}

// Promotion asks to move a repository's target branch as planned.
type Promotion struct {
	Plan  promotion.Plan
	Gates []promotion.Gate
	Label string // the repository as the board names it
	// Radius is every stack the promotion's runs may reach, in waves, as
	// the UI knows them (see Stacks.Radius).
	Radius [][]model.Stack
}

func (Promotion) verb() string { return "promotion" }

// PromotionKey is the in-flight key of a repository's promotion.
func PromotionKey(repo string) string { return "promotion " + repo }

// PromotionResult is what a promotion did.
type PromotionResult struct {
	Plan     promotion.Plan
	Label    string // the repository as the board names it
	Strategy promotion.Strategy
	New      string // what the branch moved to; "" when nothing was pushed
	UpToDate bool   // the branch already was at the commit
	// A pull-request promotion's page.
	PullRequestURL     string
	PullRequestCreated bool
	PullRequestNote    string
	At                 time.Time // when it was sent: the promotion's runs start after
	Err                error     // refused, nothing moved; or, with Unknown, a push whose outcome nobody saw
	// Unknown: the branch may or may not have moved (Err names the ref to
	// check); audited as unknown.
	Unknown  bool
	AuditErr error
}

// Bump asks to move every use of a module in scope to a version, one
// commit per repository on Branch.
type Bump struct {
	Address string // the module: tfmod.Source.Address()
	Name    string // its short name ("vpc")
	Target  string
	Repos   []string
	Roots   map[string][]string // per repository, the project roots in scope; nil = all
	Branch  string
	Env     string   // the environment of Branch
	Lines   []string // the files it edits, for the confirmation
}

func (Bump) verb() string { return "bump" }

// ModuleKey is the in-flight key of a module's bump.
func ModuleKey(address string) string { return "module " + address }

// BumpResult is what a bump did, per repository.
type BumpResult struct {
	Bump        Bump
	PullRequest bool
	Repos       []RepoBump
	Err         error // nothing could be tried
}

// RepoBump is one repository's part of a bump.
type RepoBump struct {
	Repo   string
	Commit string   // "" when nothing changed
	Dirs   []string // the project roots edited
	Text   string   // the outcome in a line
	Err    error
}

// Predict asks for a proposed run of the promoted commit on every affected
// target stack: nothing is applied.
type Predict struct{ Plan promotion.Plan }

func (Predict) verb() string { return "predicted plans" }

// PredictedPlan is one affected stack's proposed run.
type PredictedPlan struct {
	StackID string
	Run     *model.Run
	Err     error
}

// Ignore asks to ignore a drifted attribute (or resource): for this session
// and, where the UI can save, in the user config. The confirmation asks
// why (Rule.Reason): an ignore hides drift from everyone who reads it.
type Ignore struct {
	Rule drift.Rule
	What string // "aws_x.y attr in qa", for messages
}

func (Ignore) verb() string { return "ignoring drift" }

// Unignore asks to remove an ignore rule of the user config (or of this
// session): its drift counts again. A repository's rule is removed by
// editing its file, never from here.
type Unignore struct {
	Rule drift.Rule
	What string
}

func (Unignore) verb() string { return "removing a drift ignore rule" }

// IgnoreResult says what became of a rule: added (and whether it reached
// the config file), or, Removed, taken out.
type IgnoreResult struct {
	Rule    drift.Rule
	What    string
	Removed bool  // an Unignore's answer
	Saved   bool  // the config file holds (or no longer holds) it; false: this session only
	Err     error // the config file could not be changed
}

// Note is an audit entry that is not a mutation sent: the runs a
// promotion started, once they all did.
type Note struct {
	Action, Environment, Target, Detail string
}

// ReadOnlyError refuses a mutation in read-only mode.
type ReadOnlyError struct{ Verb string }

func (e *ReadOnlyError) Error() string {
	if e.Verb == (Ignore{}).verb() || e.Verb == (Unignore{}).verb() {
		return "read-only mode: " + e.Verb + " writes the config: refused, nothing was written"
	}
	return fmt.Sprintf("read-only mode: %s refused, nothing was sent (started with --read-only or read_only = true)", e.Verb)
}

// BusyError refuses a mutation while another with the same key waits for
// its answer.
type BusyError struct{ Text string }

func (e *BusyError) Error() string { return e.Text }

// TitleVerb capitalises an action for a button or title.
func TitleVerb(action string) string {
	switch action {
	case "promote":
		return "Deploy preview"
	case "sync":
		return "Sync commit"
	case "":
		return ""
	}
	return strings.ToUpper(action[:1]) + action[1:]
}
