package spaceliftapi

import (
	"context"
	"errors"
	"slices"
	"strings"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

type stackResolver struct {
	s  *Server
	st model.Stack
}

func (r *stackResolver) ID() graphql.ID       { return graphql.ID(r.st.ID) }
func (r *stackResolver) Name() string         { return r.st.Name }
func (r *stackResolver) Description() *string { return optional(r.st.Description) }
func (r *stackResolver) Labels() []string     { return append([]string{}, r.st.Labels...) }
func (r *stackResolver) Branch() string       { return r.st.Branch }
func (r *stackResolver) ProjectRoot() *string { return optional(r.st.ProjectRoot) }
func (r *stackResolver) IsDisabled() bool     { return r.st.Disabled }
func (r *stackResolver) IsDrifted() bool      { return r.st.Drift.Drifted }
func (r *stackResolver) Administrative() bool { return r.st.Administrative }
func (r *stackResolver) Autodeploy() bool     { return r.st.Autodeploy }
func (r *stackResolver) CanWrite() bool       { return r.st.CanWrite }
func (r *stackResolver) NeedsApproval() bool  { return r.st.NeedsApproval }

// The settings the Terraform provider reads, as the sandbox's stacks have
// them: no hooks, the public worker pool, Terraform with Spacelift's state.
func (r *stackResolver) Autoretry() bool             { return false }
func (r *stackResolver) Deleting() bool              { return false }
func (r *stackResolver) GithubActionDeploy() bool    { return true }
func (r *stackResolver) LocalPreviewEnabled() bool   { return false }
func (r *stackResolver) ManagesStateFile() bool      { return true }
func (r *stackResolver) ProtectFromDeletion() bool   { return r.st.Administrative }
func (r *stackResolver) RunnerImage() *string        { return nil }
func (r *stackResolver) TerraformVersion() *string   { return &terraformVersion }
func (r *stackResolver) WorkerPool() *workerPool     { return nil }
func (r *stackResolver) VendorConfig() *vendorConfig { return &vendorConfig{} }
func (r *stackResolver) AfterApply() []string        { return []string{} }
func (r *stackResolver) AfterDestroy() []string      { return []string{} }
func (r *stackResolver) AfterInit() []string         { return []string{} }
func (r *stackResolver) AfterPerform() []string      { return []string{} }
func (r *stackResolver) AfterPlan() []string         { return []string{} }
func (r *stackResolver) AfterRun() []string          { return []string{} }
func (r *stackResolver) BeforeApply() []string       { return []string{} }
func (r *stackResolver) BeforeDestroy() []string     { return []string{} }
func (r *stackResolver) BeforeInit() []string        { return []string{} }
func (r *stackResolver) BeforePerform() []string     { return []string{} }
func (r *stackResolver) BeforePlan() []string        { return []string{} }

// terraformVersion is what the sandbox's plans claim to run.
var terraformVersion = "1.5.7"

type workerPool struct {
	ID   graphql.ID
	Name string
}

// vendorConfig is the StackConfigVendor union; every sandbox stack is
// Terraform.
type vendorConfig struct{}

func (v *vendorConfig) ToStackConfigVendorTerraform() (*terraformConfig, bool) {
	return &terraformConfig{Version: &terraformVersion}, true
}

type terraformConfig struct {
	Version                    *string
	Workspace                  *string
	UseSmartSanitization       bool
	ExternalStateAccessEnabled bool
}

// Provider, Namespace, Repository, RepositoryURL and APIHost name the
// stack's repository as Spacelift does: the repository field is a name, not
// a URL; only a raw Git stack (provider GIT) has a URL, in repositoryURL,
// and no API host (there is no forge's API behind it).
func (r *stackResolver) Provider() string       { return vcsProvider(r.st.Repository.Provider) }
func (r *stackResolver) Namespace() string      { return r.st.Repository.Namespace }
func (r *stackResolver) Repository() string     { return r.st.Repository.Name }
func (r *stackResolver) RepositoryURL() *string { return optional(r.st.Repository.URL) }
func (r *stackResolver) APIHost() *string {
	if r.Provider() == "GIT" {
		return nil
	}
	return optional(r.st.Repository.Host)
}

// vcsProvider spells a model provider as Spacelift's VCSProvider enum.
func vcsProvider(p string) string {
	if p == "" {
		return "GIT"
	}
	return strings.ToUpper(strings.ReplaceAll(p, "-", "_"))
}

// Space is the space id; stacks without one live in "root".
func (r *stackResolver) Space() graphql.ID {
	if r.st.Space == "" {
		return "root"
	}
	return graphql.ID(r.st.Space)
}

// State is the stack state; NONE for a stack that never ran.
func (r *stackResolver) State() string {
	if r.st.State == "" {
		return string(model.StateNone)
	}
	return enumOr(string(r.st.State), stackStates)
}

// StateSetAt is when the stack's state last changed: the last transition
// of the tracked run it follows; null for a stack that never ran.
func (r *stackResolver) StateSetAt() *int32 {
	if r.st.LatestTrackedRun == nil {
		return nil
	}
	return unix(r.st.LatestTrackedRun.UpdatedAt)
}

func (r *stackResolver) TrackedCommit() *commit     { return newCommit(r.st.TrackedCommit) }
func (r *stackResolver) TrackedBranchHead() *commit { return newCommit(r.st.BranchHead) }

// LockedBy names the lock's holder; the sandbox's own user (who took the
// locks sent through this API) is the API's viewer, as on Spacelift a lock
// you took names you.
func (r *stackResolver) LockedBy() *string {
	switch {
	case r.st.Lock == nil:
		return nil
	case r.st.Lock.Holder == sandbox.You:
		return &r.s.viewer
	}
	return &r.st.Lock.Holder
}

func (r *stackResolver) LockedAt() *int32 {
	if r.st.Lock == nil {
		return nil
	}
	return unix(r.st.Lock.At)
}

func (r *stackResolver) LockNote() *string {
	if r.st.Lock == nil {
		return nil
	}
	return optional(r.st.Lock.Note)
}

// Blocked and Blocker describe the run holding the stack: its oldest
// unfinished tracked run or task, which the runs queued after it wait for.
func (r *stackResolver) Blocked() bool { return r.st.Blocker != nil }

func (r *stackResolver) Blocker() *runResolver {
	b := r.st.Blocker
	if b == nil {
		return nil
	}
	return &runResolver{s: r.s, stackID: r.st.ID, run: *b}
}

type stackDependency struct {
	ID               graphql.ID
	StackID          graphql.ID
	DependsOnStackID graphql.ID
	ReferenceCount   int32
	TriggerAlways    bool
	References       []*dependencyReference
	Stack            dependencyDetail
	DependsOnStack   dependencyDetail
}

type dependencyReference struct {
	ID            graphql.ID
	OutputName    string
	InputName     string
	Type          string
	TriggerAlways bool
}

type dependencyDetail struct {
	ID   graphql.ID
	Name string
}

// DependsOn lists the stacks this one depends on, with the outputs it
// references.
func (r *stackResolver) DependsOn(ctx context.Context) ([]*stackDependency, error) {
	deps, err := r.s.engine.StackDependencies(ctx, r.st.ID)
	if err != nil {
		return nil, fromBackend(err)
	}
	out := make([]*stackDependency, 0, len(deps))
	for _, d := range deps {
		out = append(out, newDependency(r.st.ID, d))
	}
	return out, nil
}

// IsDependedOnBy lists the stacks that depend on this one; the engine only
// records edges on the downstream stack, so this scans them all.
func (r *stackResolver) IsDependedOnBy(ctx context.Context) ([]*stackDependency, error) {
	stacks, err := r.s.listStacks(ctx)
	if err != nil {
		return nil, fromBackend(err)
	}
	out := []*stackDependency{}
	for _, st := range stacks {
		if !slices.Contains(st.DependsOn, r.st.ID) {
			continue
		}
		deps, err := r.s.engine.StackDependencies(ctx, st.ID)
		if err != nil {
			return nil, fromBackend(err)
		}
		for _, d := range deps {
			if d.Upstream == r.st.ID {
				out = append(out, newDependency(st.ID, d))
			}
		}
	}
	return out, nil
}

// newDependency names the detail objects by id: the engine keeps only ids,
// and a stack's id is its name's slug.
func newDependency(stackID string, d sandbox.Dependency) *stackDependency {
	id := stackID + "-" + d.Upstream
	out := &stackDependency{
		ID:               graphql.ID(id),
		StackID:          graphql.ID(stackID),
		DependsOnStackID: graphql.ID(d.Upstream),
		ReferenceCount:   int32(len(d.References)),
		TriggerAlways:    d.TriggerAlways,
		References:       []*dependencyReference{},
		Stack:            dependencyDetail{ID: graphql.ID(stackID), Name: stackID},
		DependsOnStack:   dependencyDetail{ID: graphql.ID(d.Upstream), Name: d.Upstream},
	}
	for _, ref := range d.References {
		out.References = append(out.References, &dependencyReference{ID: graphql.ID(id + "-" + ref.Input),
			OutputName: ref.Output, InputName: ref.Input, Type: "ENVIRONMENT_VARIABLE", TriggerAlways: d.TriggerAlways})
	}
	return out
}

type outputValue struct {
	ID          string
	Value       *string
	Sensitive   bool
	Description *string
}

// Outputs are the outputs of what the stack last applied; a sensitive
// output's value is not served.
func (r *stackResolver) Outputs(ctx context.Context) ([]*outputValue, error) {
	outs, err := r.s.engine.StackOutputs(ctx, r.st.ID)
	if err != nil {
		return nil, fromBackend(err)
	}
	res := make([]*outputValue, len(outs))
	for i, o := range outs {
		res[i] = &outputValue{ID: o.ID, Sensitive: o.Sensitive}
		if !o.Sensitive {
			res[i].Value = &outs[i].Value
		}
	}
	return res, nil
}

type entity struct {
	ID                graphql.ID
	Address           string
	Name              string
	Type              string
	Parent            string
	Drifted           *int32
	DriftedAttributes []string
}

// Entities lists every resource the stack manages: tens to hundreds, the
// drifted ones stamped with the check that found them.
func (r *stackResolver) Entities(ctx context.Context) ([]*entity, error) {
	ens, err := r.s.engine.StackEntities(ctx, r.st.ID)
	if err != nil {
		return nil, fromBackend(err)
	}
	out := make([]*entity, len(ens))
	for i, e := range ens {
		out[i] = &entity{ID: graphql.ID(e.ID), Address: e.Address, Name: e.Name, Type: e.Type, Parent: e.Parent,
			Drifted: unix(e.Drifted), DriftedAttributes: append([]string{}, e.DriftedAttributes...)}
	}
	return out, nil
}

// runsPage is how many runs one page of runs, proposedRuns or tasks holds.
const runsPage = 10

// Runs pages the stack's tracked runs newest first; ProposedRuns its plans
// and drift checks, Tasks its tasks. before is the last run id of the
// previous page and an empty list ends the paging.
func (r *stackResolver) Runs(ctx context.Context, args struct{ Before *graphql.ID }) ([]*runResolver, error) {
	return r.runsOf(ctx, args.Before, func(k model.RunKind) bool { return k.Tracked() })
}

func (r *stackResolver) ProposedRuns(ctx context.Context, args struct{ Before *graphql.ID }) ([]*runResolver, error) {
	return r.runsOf(ctx, args.Before, func(k model.RunKind) bool { return k == model.RunPlan || k == model.RunDriftCheck })
}

func (r *stackResolver) Tasks(ctx context.Context, args struct{ Before *graphql.ID }) ([]*runResolver, error) {
	return r.runsOf(ctx, args.Before, func(k model.RunKind) bool { return k == model.RunTask })
}

// runsOf pages the engine's runs (of every kind, newest first) and keeps a
// page of those of the wanted kinds.
func (r *stackResolver) runsOf(ctx context.Context, before *graphql.ID, want func(model.RunKind) bool) ([]*runResolver, error) {
	cursor := ""
	if before != nil {
		cursor = string(*before)
	}
	out := []*runResolver{}
	for {
		runs, next, err := r.s.engine.ListRuns(ctx, r.st.ID, cursor)
		if err != nil {
			return nil, fromBackend(err)
		}
		for i := range runs {
			if want(runs[i].Kind) {
				out = append(out, &runResolver{s: r.s, stackID: r.st.ID, run: runs[i]})
				if len(out) == runsPage {
					return out, nil
				}
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// Run is null for a run the stack does not have.
func (r *stackResolver) Run(ctx context.Context, args struct{ ID graphql.ID }) (*runResolver, error) {
	run, err := r.s.engine.GetRun(ctx, r.st.ID, string(args.ID))
	if errors.Is(err, backend.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fromBackend(err)
	}
	return &runResolver{s: r.s, stackID: r.st.ID, run: run}, nil
}

type commit struct {
	Hash        string
	Message     string
	AuthorName  string
	AuthorLogin *string
	Timestamp   int32
	URL         *string
	Tag         *string
}

// newCommit describes a commit the engine knows only by its sha.
func newCommit(sha string) *commit {
	if sha == "" {
		return nil
	}
	return &commit{Hash: sha, AuthorName: "sandbox"}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// stackStates and runStates are the enum values of the schema; a state the
// engine invents later is reported as UNKNOWN rather than breaking the query.
var (
	stackStates = enumValues("StackState")
	runStates   = enumValues("RunState")
)

func enumOr(v string, allowed map[string]bool) string {
	if allowed[v] {
		return v
	}
	return string(model.StateUnknown)
}

// enumValues reads an enum's values from the embedded schema.
func enumValues(name string) map[string]bool {
	out := map[string]bool{}
	_, body, ok := strings.Cut(schemaSDL, "enum "+name+" {")
	if !ok {
		return out
	}
	body, _, _ = strings.Cut(body, "}")
	for _, v := range strings.Fields(body) {
		out[v] = true
	}
	return out
}
