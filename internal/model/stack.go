package model

import (
	"strconv"
	"time"
)

// Layer is a stack's place in the environment tree.
type Layer string

const (
	LayerEnvironment    Layer = "environment"
	LayerBusinessUnit   Layer = "business-unit"
	LayerAdministrative Layer = "administrative"
)

// Environment is one deployment environment, tracking one git branch.
type Environment struct {
	Name      string
	Branch    string
	Protected bool
}

// Lock is who holds a stack's lock and why.
type Lock struct {
	Holder string
	Note   string
	At     time.Time
	// Mine: the credentials in use hold it (a :freeze of yours), as far
	// as the backend tells; false when it does not know whose it is, so a
	// lock of unknown holding counts as someone else's.
	Mine bool
}

// Drift is what the latest drift check found.
type Drift struct {
	Drifted   bool
	CheckedAt time.Time
	Resources []string // addresses of the drifted resources
	// Changes details Resources with the attributes that drifted, when the
	// backend reports them (nil otherwise; Resources is always filled).
	Changes []ResourceChange
	// RunID is the drift check (run or assessment) that found it, when known.
	RunID string
	// Unknown says why the backend could not tell: with Drifted false,
	// whether the stack drifted at all; with Drifted true, which resources
	// did. "" when nothing is missing.
	Unknown string
}

// Drift statuses, as `ls --json` prints them.
const (
	DriftNone    = "none"
	DriftDrifted = "drifted"
	DriftUnknown = "unknown"
)

// Status is DriftDrifted, DriftUnknown (the backend could not tell), or
// DriftNone.
func (d Drift) Status() string {
	switch {
	case d.Drifted:
		return DriftDrifted
	case d.Unknown != "":
		return DriftUnknown
	}
	return DriftNone
}

// Permissions are what the credentials may do to a stack, where the backend
// tells actions apart (TFC's can-queue-run, can-queue-apply, can-lock).
type Permissions struct {
	Plan  bool // queue plans (and drift checks)
	Apply bool // queue deploys; confirm, discard and cancel runs
	Lock  bool // lock and unlock
}

// Stack is one Spacelift stack or TFC workspace. Backends fill the raw
// fields; Env, BusinessUnit and Layer are assigned by Classify from the
// mapping rules.
type Stack struct {
	ID             string
	Name           string
	Description    string
	Space          string
	Labels         []string
	Repo           string     // the URL to clone the stack's code from, once derived
	Repository     Repository // the repository as the backend names it
	Branch         string
	ProjectRoot    string
	State          RunState
	TrackedCommit  string
	BranchHead     string
	CommitsBehind  int // how far TrackedCommit is behind BranchHead, when known
	DependsOn      []string
	Administrative bool
	Autodeploy     bool
	CanWrite       bool
	Disabled       bool
	Lock           *Lock
	Drift          Drift
	// LatestRun is the stack's newest run of any kind, for display;
	// LatestTrackedRun its newest tracked run (deploy or destroy), which
	// gates, waves and "last deployed" judge: a plan started since must
	// never hide the deploy a promotion follows.
	LatestRun        *Run
	LatestTrackedRun *Run
	// NeedsApproval: a run of the stack waits for an approval policy.
	NeedsApproval bool
	// StateSetAt is when State last changed, when the backend says
	// (Spacelift's stateSetAt): the age a lean listing can show without
	// reading the stack's runs.
	StateSetAt time.Time
	// Blocker is the unfinished tracked run (or task) holding the stack
	// (Spacelift's blocker): the head of its queue, what runs queued
	// behind it wait for. nil when none, or when the backend does not say.
	Blocker *Run
	// Pending are the stack's runs that have not ended — queued, working
	// or waiting on a person — oldest first, whatever their age: a plan
	// waiting for review stays here when newer runs come after it.
	// PendingKnown says the backend read them; until it has, what waits
	// is not known, which is never shown as "nothing".
	Pending      []Run
	PendingKnown bool
	// Unread lists the details a lean listing left for a later read
	// (backend.Detailer): until then they are unknown, or as an earlier
	// read left them.
	Unread Details
	// NotLoaded says why the stack's latest listing could not read it (its
	// page failed): everything shown of it is from an earlier read, and
	// its state counts as unknown, never as fine. "" when it was read.
	NotLoaded string
	// Problems are parts of the stack the backend could not read (e.g. one
	// field of a partial answer), said to the user instead of guessed.
	Problems []string
	URL      string

	// Permissions, when set, says which ways CanWrite allows; otherwise
	// CanWrite stands for every action.
	Permissions *Permissions

	Env          string
	BusinessUnit string
	Layer        Layer
}

// Details are the parts of a stack a lean listing may leave out, because
// they cost a request (or a large answer) per stack.
type Details uint8

const (
	// DetailRuns: LatestRun and LatestTrackedRun (Spacelift lists runs per
	// stack; its listing gives only the state and the blocker).
	DetailRuns Details = 1 << iota
	// DetailDependencies: DependsOn (TFC reads run triggers per workspace).
	DetailDependencies
	// DetailDrift: whether the stack drifted (TFC reads assessments per
	// workspace) and which resources (Drift.Resources, Drift.Changes).
	DetailDrift
)

// Has reports whether d includes every detail of o.
func (d Details) Has(o Details) bool { return d&o == o }

// Loaded reports whether the stack's latest listing read it.
func (s *Stack) Loaded() bool { return s.NotLoaded == "" }

// CanPlan, CanApply and CanLock report whether the credentials allow
// queueing plans, applying (deploys and run decisions) and locking.
func (s *Stack) CanPlan() bool  { return s.may(func(p *Permissions) bool { return p.Plan }) }
func (s *Stack) CanApply() bool { return s.may(func(p *Permissions) bool { return p.Apply }) }
func (s *Stack) CanLock() bool  { return s.may(func(p *Permissions) bool { return p.Lock }) }

func (s *Stack) may(f func(*Permissions) bool) bool {
	if s.Permissions != nil {
		return f(s.Permissions)
	}
	return s.CanWrite
}

// Locked reports whether someone holds the stack's lock.
func (s *Stack) Locked() bool { return s.Lock != nil }

// Behind says how far the tracked commit is behind the branch head: "↓N"
// when the backend counted, "↓" when it only knows they differ (Spacelift
// reports both commits but no count), "" when up to date or unknown.
func (s *Stack) Behind() string {
	switch {
	case s.CommitsBehind > 0:
		return "↓" + strconv.Itoa(s.CommitsBehind)
	case s.BranchHead != "" && s.TrackedCommit != "" && s.BranchHead != s.TrackedCommit:
		return "↓"
	}
	return ""
}
