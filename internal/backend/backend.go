// Package backend defines the one interface every stack backend (the
// sandbox, Spacelift, TFC) implements, the typed errors the UI explains, and
// the capabilities a backend may lack. The contract suite in backendtest
// holds every implementation to the same behaviour.
package backend

import (
	"context"

	"github.com/stackview/stackview/internal/model"
)

// Backend is the task-shaped boundary between stackview and a stack service.
// Every call takes a context that carries a deadline; implementations must
// return promptly when it is done.
//
// Run-level calls take the stack id as well as the run id because Spacelift
// addresses runs within their stack.
type Backend interface {
	// Info describes the backend for the header and the audit log.
	Info() Info
	// Capabilities says which optional operations the backend supports.
	Capabilities() Capabilities

	// ListStacks returns every stack the credentials can see, each with its
	// latest run (of any kind) and drift summary. Env, BusinessUnit and Layer
	// are left for model.BuildForest.
	ListStacks(ctx context.Context) ([]model.Stack, error)
	// ListRuns returns one page of a stack's runs, newest first, plans
	// included. An empty cursor asks for the first page; the returned cursor
	// is empty on the last page.
	ListRuns(ctx context.Context, stackID, cursor string) ([]model.Run, string, error)
	// GetRun returns one run with its state history.
	GetRun(ctx context.Context, stackID, runID string) (model.Run, error)
	// RunLogs returns the next chunk of a run's log after token ("" = start).
	RunLogs(ctx context.Context, stackID, runID, token string) (LogChunk, error)
	// RunChanges returns the resources a run's plan changes.
	RunChanges(ctx context.Context, stackID, runID string) ([]model.ResourceChange, error)

	// Trigger starts a plan (RunPlan) or a deploy (RunDeploy) of the stack's
	// tracked commit.
	Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error)
	// Confirm applies an UNCONFIRMED run.
	Confirm(ctx context.Context, stackID, runID string) (model.Run, error)
	// Discard drops an UNCONFIRMED (or not yet started) run.
	Discard(ctx context.Context, stackID, runID string) (model.Run, error)
	// Retry starts a new run of a FAILED run's commit and kind.
	Retry(ctx context.Context, stackID, runID string) (model.Run, error)
	// Cancel stops a queued or running run.
	Cancel(ctx context.Context, stackID, runID string) (model.Run, error)
	// Stop stops a run that has started (Spacelift runStop, TFC
	// force-cancel); Cancel is the gentler call for runs not yet started.
	// Backends without it return ErrUnsupported (Capabilities.Stop).
	Stop(ctx context.Context, stackID, runID string) (model.Run, error)
	// Review approves or rejects a PENDING_REVIEW run with a note
	// (Capabilities.Review).
	Review(ctx context.Context, stackID, runID string, approve bool, note string) (model.Run, error)
	// Promote deploys a finished plan's commit as a tracked run: Spacelift's
	// run promotion, "Deploy preview" in the UI (Capabilities.Promote).
	Promote(ctx context.Context, stackID, runID string) (model.Run, error)
	// SyncCommit moves the stack's tracked commit to its branch head
	// (Spacelift stackSyncCommit; Capabilities.SyncCommit).
	SyncCommit(ctx context.Context, stackID string) (model.Stack, error)
	// Lock takes the stack's lock with a note; Unlock releases it.
	Lock(ctx context.Context, stackID, note string) (model.Stack, error)
	Unlock(ctx context.Context, stackID string) (model.Stack, error)

	// ListModules returns the registry's modules; ListModuleVersions one
	// module's versions, newest first.
	ListModules(ctx context.Context) ([]model.Module, error)
	ListModuleVersions(ctx context.Context, moduleID string) ([]model.ModuleVersion, error)
}

// Info names a backend and the account it talks to. It never holds secrets.
type Info struct {
	Kind     string // "sandbox", "sandbox-direct", "spacelift", "tfc"
	Endpoint string // base URL, or "in-process"
	Account  string // organisation / account name
	Sandbox  bool   // the embedded demo organisation
}

// CommitPlanner is a backend that can start a proposed run (a plan, nothing
// applied) of a commit other than the stack's tracked one, as Spacelift's
// runTrigger does with commitSha. Promotions use it for predicted plans: the
// target stacks planned at the commit about to be promoted. It is optional;
// a backend without it cannot predict them.
type CommitPlanner interface {
	PlanCommit(ctx context.Context, stackID, commit string) (model.Run, error)
}

// Capabilities lists operations that not every backend offers. The UI shows
// an action disabled, with a reason, when its capability is false.
type Capabilities struct {
	// DriftCheck: a drift check can be started through the API. TFC cannot
	// start a health assessment, so there it is a refresh-only plan.
	DriftCheck bool
	Review     bool // runs can be approved or rejected (approval policies)
	Lock       bool // stacks can be locked
	Stop       bool // a started run can be stopped (not just a queued one canceled)
	Promote    bool // a finished plan can be deployed as is (TFC: no)
	SyncCommit bool // the tracked commit can be moved to the branch head
}

// LogChunk is one page of a run's log.
type LogChunk struct {
	Text string // may hold several lines
	Next string // token for the next call
	// Done is true when the run is terminal (or waits for a person) and
	// every line has been returned, so a follower can stop polling.
	Done bool
	// Expired: the backend no longer keeps this part of the log
	// (retention); Missing: it has none for a state the run went through.
	Expired bool
	Missing bool
}
