package spaceliftapi

import (
	"context"
	"crypto/subtle"
	"errors"
	"strconv"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// root resolves the Query and Mutation fields.
type root struct{ s *Server }

type userResolver struct {
	ID         graphql.ID
	Name       string
	JWT        *string `graphql:"jwt"`
	ValidUntil *int32
}

// Viewer is null without a valid token, as in the real API.
func (r *root) Viewer(ctx context.Context) *userResolver {
	if !authed(ctx) {
		return nil
	}
	return &userResolver{ID: graphql.ID(r.s.viewer), Name: r.s.viewer}
}

// APIKeyUser exchanges the API key for a JWT. Any mismatch (unknown id,
// wrong secret, revoked key) is the same "unauthorized" error so the answer
// does not tell which part was wrong.
func (r *root) APIKeyUser(args struct {
	ID     graphql.ID
	Secret string
}) (*userResolver, error) {
	secretOK := subtle.ConstantTimeCompare([]byte(args.Secret), []byte(r.s.keySecret)) == 1
	if string(args.ID) != r.s.keyID || !secretOK || r.s.isRevoked() {
		return nil, errUnauthorized
	}
	tok, exp, err := r.s.mint(r.s.keyID, r.s.clock.Now(), r.s.ttl)
	if err != nil {
		return nil, err
	}
	until := int32(exp.Unix())
	return &userResolver{ID: graphql.ID(r.s.viewer), Name: r.s.viewer, JWT: &tok, ValidUntil: &until}, nil
}

// Stacks lists every stack; empty (not an error) without a valid token.
func (r *root) Stacks(ctx context.Context) ([]*stackResolver, error) {
	if !authed(ctx) {
		return []*stackResolver{}, nil
	}
	stacks, err := r.s.listStacks(ctx)
	if err != nil {
		return nil, fromBackend(err)
	}
	out := make([]*stackResolver, len(stacks))
	for i := range stacks {
		out[i] = &stackResolver{s: r.s, st: stacks[i]}
	}
	return out, nil
}

func (r *root) SearchStacks(ctx context.Context, args struct{ Input searchInput }) (*connection[*stackResolver], error) {
	all, err := r.Stacks(ctx)
	if err != nil {
		return nil, err
	}
	return searchStacks(all, args.Input)
}

// Stack is null for an id the viewer cannot see, as spacectl's stack
// selector and the Terraform provider expect (not an error).
func (r *root) Stack(ctx context.Context, args struct{ ID graphql.ID }) (*stackResolver, error) {
	if err := requireAuth(ctx); err != nil {
		return nil, err
	}
	st, err := r.s.findStack(ctx, string(args.ID))
	if errors.Is(err, errNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &stackResolver{s: r.s, st: st}, nil
}

func (s *Server) findStack(ctx context.Context, id string) (model.Stack, error) {
	stacks, err := s.listStacks(ctx)
	if err != nil {
		return model.Stack{}, fromBackend(err)
	}
	for _, st := range stacks {
		if st.ID == id {
			return st, nil
		}
	}
	return model.Stack{}, errNotFound
}

type runArgs struct {
	Stack graphql.ID
	Run   *graphql.ID
	Note  *string
}

// RunTrigger starts a run of the tracked commit. forceApply is accepted and
// ignored (the sandbox has no policies to force past); a runtime config
// override is refused, as the engine cannot apply one.
func (r *root) RunTrigger(ctx context.Context, args struct {
	Stack          graphql.ID
	CommitSha      *string
	RunType        *string
	RuntimeConfig  *struct{ Yaml *string }
	ForceApply     *string
	DriftDetection *bool
}) (*runResolver, error) {
	if err := requireAuth(ctx); err != nil {
		return nil, err
	}
	if rc := args.RuntimeConfig; rc != nil && rc.Yaml != nil && *rc.Yaml != "" {
		return nil, apiError{msg: "runtime config overrides are not supported by the sandbox", code: "BAD_REQUEST"}
	}
	kind := model.RunDeploy
	if args.RunType != nil {
		switch *args.RunType {
		case "TRACKED":
		case "PROPOSED":
			kind = model.RunPlan
		default:
			return nil, apiError{msg: "run type " + *args.RunType + " cannot be triggered here", code: "BAD_REQUEST"}
		}
	}
	if args.DriftDetection != nil && *args.DriftDetection {
		if kind != model.RunPlan {
			return nil, apiError{msg: "a drift detection run must be PROPOSED", code: "BAD_REQUEST"}
		}
		kind = model.RunDriftCheck
	}
	// The sandbox always runs the tracked commit; a different sha is refused
	// rather than silently ignored.
	if args.CommitSha != nil && *args.CommitSha != "" {
		st, err := r.s.findStack(ctx, string(args.Stack))
		if err != nil {
			return nil, err
		}
		cp, canPlan := r.s.engine.(backend.CommitPlanner)
		switch {
		case *args.CommitSha == st.TrackedCommit:
		case kind == model.RunPlan && canPlan:
			run, err := cp.PlanCommit(ctx, string(args.Stack), *args.CommitSha)
			return r.s.newRun(string(args.Stack), run, err)
		default:
			return nil, apiError{msg: "the sandbox runs other commits than the tracked one only as proposed runs", code: "BAD_REQUEST"}
		}
	}
	run, err := r.s.engine.Trigger(ctx, string(args.Stack), kind)
	return r.s.newRun(string(args.Stack), run, err)
}

func (r *root) RunConfirm(ctx context.Context, args runArgs) (*runResolver, error) {
	return r.s.runAction(ctx, args.Stack, args.Run, r.s.engine.Confirm)
}

func (r *root) RunDiscard(ctx context.Context, args runArgs) (*runResolver, error) {
	return r.s.runAction(ctx, args.Stack, args.Run, r.s.engine.Discard)
}

func (r *root) RunRetry(ctx context.Context, args struct{ Stack, Run graphql.ID }) (*runResolver, error) {
	return r.s.runAction(ctx, args.Stack, &args.Run, r.s.engine.Retry)
}

type requiredRunArgs struct {
	Stack, Run graphql.ID
	Note       *string
}

// RunCancel cancels a run that has not started; RunStop stops one that has.
func (r *root) RunCancel(ctx context.Context, args requiredRunArgs) (*runResolver, error) {
	return r.s.runAction(ctx, args.Stack, &args.Run, r.s.cancelQueued)
}

func (r *root) RunStop(ctx context.Context, args requiredRunArgs) (*runResolver, error) {
	return r.s.runAction(ctx, args.Stack, &args.Run, r.s.engine.Stop)
}

// RunPromote deploys a finished proposed run's commit as a tracked run.
func (r *root) RunPromote(ctx context.Context, args struct{ Stack, Run graphql.ID }) (*runResolver, error) {
	return r.s.runAction(ctx, args.Stack, &args.Run, r.s.engine.Promote)
}

// reviewResolver is the answer to runReview.
type reviewResolver struct {
	ID        graphql.ID
	Author    string
	Decision  string
	Note      *string
	State     string
	Timestamp int32
}

// RunReview approves or rejects a run pending review; without a run it
// reviews the stack's blocker, like runConfirm.
func (r *root) RunReview(ctx context.Context, args struct {
	Stack    graphql.ID
	Run      *graphql.ID
	Decision string
	Note     *string
}) (*reviewResolver, error) {
	note := ""
	if args.Note != nil {
		note = *args.Note
	}
	approve := args.Decision == "APPROVE"
	var reviewed string
	run, err := r.s.runAction(ctx, args.Stack, args.Run, func(ctx context.Context, stackID, runID string) (model.Run, error) {
		before, err := r.s.engine.GetRun(ctx, stackID, runID)
		if err != nil {
			return model.Run{}, err
		}
		reviewed = enumOr(string(before.State), runStates)
		return r.s.engine.Review(ctx, stackID, runID, approve, note)
	})
	if err != nil {
		return nil, err
	}
	return &reviewResolver{ID: graphql.ID(run.run.ID + "-review-" + strconv.Itoa(len(run.run.History))),
		Author: r.s.viewer, Decision: args.Decision, Note: args.Note, State: reviewed,
		Timestamp: int32(r.s.clock.Now().Unix())}, nil
}

// StackSyncCommit moves the stack's tracked commit to its branch head.
func (r *root) StackSyncCommit(ctx context.Context, args struct{ ID graphql.ID }) (*stackResolver, error) {
	if err := requireAuth(ctx); err != nil {
		return nil, err
	}
	st, err := r.s.engine.SyncCommit(ctx, string(args.ID))
	if err != nil {
		return nil, fromBackend(err)
	}
	return &stackResolver{s: r.s, st: st}, nil
}

// cancelQueued refuses a started run, as Spacelift does: the engine's
// Cancel would stop it.
func (s *Server) cancelQueued(ctx context.Context, stackID, runID string) (model.Run, error) {
	run, err := s.engine.GetRun(ctx, stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	if run.State.Active() && run.State != model.StateQueued && run.State != model.StateReady {
		return model.Run{}, backend.Conflictf("run %s has started; stop it instead", runID)
	}
	return s.engine.Cancel(ctx, stackID, runID)
}

type runFunc func(ctx context.Context, stackID, runID string) (model.Run, error)

// runAction applies f to the named run or, when run is omitted, to the
// stack's blocker, as runConfirm and runDiscard do in the real API.
func (s *Server) runAction(ctx context.Context, stack graphql.ID, run *graphql.ID, f runFunc) (*runResolver, error) {
	if err := requireAuth(ctx); err != nil {
		return nil, err
	}
	var runID string
	if run != nil {
		runID = string(*run)
	} else {
		st, err := s.findStack(ctx, string(stack))
		if err != nil {
			return nil, err
		}
		b := st.Blocker
		if b == nil {
			return nil, apiError{msg: "stack has no run awaiting action", code: "CONFLICT"}
		}
		runID = b.ID
	}
	out, err := f(ctx, string(stack), runID)
	return s.newRun(string(stack), out, err)
}

// newRun wraps an engine answer about a run of stackID.
func (s *Server) newRun(stackID string, run model.Run, err error) (*runResolver, error) {
	if err != nil {
		return nil, fromBackend(err)
	}
	return &runResolver{s: s, stackID: stackID, run: run}, nil
}

func (r *root) StackLock(ctx context.Context, args struct {
	ID   graphql.ID
	Note *string
}) (*stackResolver, error) {
	if err := requireAuth(ctx); err != nil {
		return nil, err
	}
	note := ""
	if args.Note != nil {
		note = *args.Note
	}
	st, err := r.s.engine.Lock(ctx, string(args.ID), note)
	if err != nil {
		return nil, fromBackend(err)
	}
	return &stackResolver{s: r.s, st: st}, nil
}

func (r *root) StackUnlock(ctx context.Context, args struct{ ID graphql.ID }) (*stackResolver, error) {
	if err := requireAuth(ctx); err != nil {
		return nil, err
	}
	st, err := r.s.engine.Unlock(ctx, string(args.ID))
	if err != nil {
		return nil, fromBackend(err)
	}
	return &stackResolver{s: r.s, st: st}, nil
}
