package spaceliftapi

import (
	"context"
	"strings"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/stackview/stackview/internal/model"
)

type stackResolver struct {
	s  *Server
	st model.Stack
}

func (r *stackResolver) ID() graphql.ID          { return graphql.ID(r.st.ID) }
func (r *stackResolver) Name() string            { return r.st.Name }
func (r *stackResolver) Description() *string    { return optional(r.st.Description) }
func (r *stackResolver) Labels() []string        { return append([]string{}, r.st.Labels...) }
func (r *stackResolver) Provider() string        { return "GIT" }
func (r *stackResolver) Repository() string      { return r.st.Repo }
func (r *stackResolver) RepositoryURL() *string  { return optional(r.st.Repo) }
func (r *stackResolver) Branch() string          { return r.st.Branch }
func (r *stackResolver) ProjectRoot() *string    { return optional(r.st.ProjectRoot) }
func (r *stackResolver) IsDisabled() bool        { return r.st.Disabled }
func (r *stackResolver) IsDrifted() bool         { return r.st.Drift.Drifted }
func (r *stackResolver) Administrative() bool    { return r.st.Administrative }
func (r *stackResolver) Autodeploy() bool        { return r.st.Autodeploy }
func (r *stackResolver) CanWrite() bool          { return r.st.CanWrite }
func (r *stackResolver) Outputs() []*outputValue { return []*outputValue{} }

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

func (r *stackResolver) TrackedCommit() *commit     { return newCommit(r.st.TrackedCommit) }
func (r *stackResolver) TrackedBranchHead() *commit { return newCommit(r.st.BranchHead) }

func (r *stackResolver) LockedBy() *string {
	if r.st.Lock == nil {
		return nil
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

// Blocked and Blocker describe the tracked run holding the stack.
func (r *stackResolver) Blocked() bool { return blocker(r.st) != nil }

func (r *stackResolver) Blocker() *runResolver {
	b := blocker(r.st)
	if b == nil {
		return nil
	}
	return &runResolver{s: r.s, stackID: r.st.ID, run: *b}
}

// blocker is the stack's unfinished deploy, the run confirm and discard act
// on when no run id is given.
func blocker(st model.Stack) *model.Run {
	if st.LatestRun == nil || st.LatestRun.Kind != model.RunDeploy || st.LatestRun.State.Terminal() {
		return nil
	}
	return st.LatestRun
}

type stackDependency struct {
	ID               graphql.ID
	StackID          graphql.ID
	DependsOnStackID graphql.ID
	Stack            dependencyDetail
	DependsOnStack   dependencyDetail
}

type dependencyDetail struct {
	ID   graphql.ID
	Name string
}

func (r *stackResolver) DependsOn() []*stackDependency {
	out := make([]*stackDependency, 0, len(r.st.DependsOn))
	for _, up := range r.st.DependsOn {
		out = append(out, newDependency(r.st.ID, up))
	}
	return out
}

// IsDependedOnBy lists the stacks that depend on this one; the engine only
// records edges on the downstream stack, so this scans them all.
func (r *stackResolver) IsDependedOnBy(ctx context.Context) ([]*stackDependency, error) {
	stacks, err := r.s.engine.ListStacks(ctx)
	if err != nil {
		return nil, fromBackend(err)
	}
	out := []*stackDependency{}
	for _, st := range stacks {
		for _, up := range st.DependsOn {
			if up == r.st.ID {
				out = append(out, newDependency(st.ID, up))
			}
		}
	}
	return out, nil
}

// newDependency names the detail objects by id: the engine keeps only ids,
// and a stack's id is its name's slug.
func newDependency(stackID, upstreamID string) *stackDependency {
	return &stackDependency{
		ID:               graphql.ID(stackID + "-" + upstreamID),
		StackID:          graphql.ID(stackID),
		DependsOnStackID: graphql.ID(upstreamID),
		Stack:            dependencyDetail{ID: graphql.ID(stackID), Name: stackID},
		DependsOnStack:   dependencyDetail{ID: graphql.ID(upstreamID), Name: upstreamID},
	}
}

type outputValue struct {
	ID          string
	Value       *string
	Sensitive   bool
	Description *string
}

type entity struct {
	ID                graphql.ID
	Address           string
	Drifted           *int32
	DriftedAttributes []string
}

// Entities lists the drifted resources, each stamped with the drift check
// that found it and the attributes that drifted; the sandbox does not model
// the others.
func (r *stackResolver) Entities() []*entity {
	attrs := map[string][]string{}
	for _, c := range r.st.Drift.Changes {
		attrs[c.Address] = append(attrs[c.Address], c.Attributes...)
	}
	out := make([]*entity, 0, len(r.st.Drift.Resources))
	for _, addr := range r.st.Drift.Resources {
		out = append(out, &entity{ID: graphql.ID(r.st.ID + "/" + addr), Address: addr, Drifted: unix(r.st.Drift.CheckedAt),
			DriftedAttributes: append([]string{}, attrs[addr]...)})
	}
	return out
}

// Runs pages the stack's runs newest first; before is the last run id of the
// previous page and an empty list ends the paging.
func (r *stackResolver) Runs(ctx context.Context, args struct{ Before *graphql.ID }) ([]*runResolver, error) {
	cursor := ""
	if args.Before != nil {
		cursor = string(*args.Before)
	}
	runs, _, err := r.s.engine.ListRuns(ctx, r.st.ID, cursor)
	if err != nil {
		return nil, fromBackend(err)
	}
	out := make([]*runResolver, len(runs))
	for i := range runs {
		out[i] = &runResolver{s: r.s, stackID: r.st.ID, run: runs[i]}
	}
	return out, nil
}

func (r *stackResolver) Run(ctx context.Context, args struct{ ID graphql.ID }) (*runResolver, error) {
	run, err := r.s.engine.GetRun(ctx, r.st.ID, string(args.ID))
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
