package spaceliftapi

import (
	"context"
	"fmt"
	"strconv"
	"time"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/stackview/stackview/internal/model"
)

type runResolver struct {
	s       *Server
	stackID string
	run     model.Run
}

func (r *runResolver) ID() graphql.ID       { return graphql.ID(r.run.ID) }
func (r *runResolver) Title() string        { return r.run.Title }
func (r *runResolver) Branch() *string      { return nil }
func (r *runResolver) CreatedAt() int32     { return int32(r.run.CreatedAt.Unix()) }
func (r *runResolver) TriggeredBy() *string { return optional(r.run.TriggeredBy) }
func (r *runResolver) Commit() *commit      { return newCommit(r.run.Commit) }
func (r *runResolver) DriftDetection() bool { return r.run.Kind == model.RunDriftCheck }
func (r *runResolver) State() string        { return enumOr(string(r.run.State), runStates) }
func (r *runResolver) UpdatedAt() int32 {
	if r.run.UpdatedAt.IsZero() {
		return r.CreatedAt()
	}
	return int32(r.run.UpdatedAt.Unix())
}

func (r *runResolver) NeedsApproval() bool  { return r.run.NeedsApproval }
func (r *runResolver) CanRetry() bool       { return r.run.State == model.StateFailed }
func (r *runResolver) Comments() []*comment { return []*comment{} }

// CanConfirm: the run waits for confirmation and no approval holds it.
func (r *runResolver) CanConfirm() bool {
	return r.run.State == model.StateUnconfirmed && !r.run.NeedsApproval
}

// IsMostRecent: no newer run of the same list (tracked, proposed, tasks)
// exists on the stack.
func (r *runResolver) IsMostRecent(ctx context.Context) (bool, error) {
	runs, _, err := r.s.engine.ListRuns(ctx, r.stackID, "")
	if err != nil {
		return false, fromBackend(err)
	}
	for _, o := range runs {
		if listOf(o.Kind) == listOf(r.run.Kind) {
			return o.ID == r.run.ID, nil
		}
	}
	return true, nil
}

// listOf names the run list a kind is served in.
func listOf(k model.RunKind) string {
	switch {
	case k.Tracked():
		return "runs"
	case k == model.RunTask:
		return "tasks"
	}
	return "proposedRuns"
}

type comment struct {
	Body      string
	CreatedAt int32
	Username  string
}

// Command is a task's command (its title in the engine).
func (r *runResolver) Command() *string {
	if r.run.Kind != model.RunTask {
		return nil
	}
	return &r.run.Title
}

// Type is TRACKED for deploys, PROPOSED for plans and drift checks (a drift
// check is a proposed run with driftDetection set), TASK for tasks.
func (r *runResolver) Type() string {
	switch r.run.Kind {
	case model.RunDeploy:
		return "TRACKED"
	case model.RunDestroy:
		return "DESTROY"
	case model.RunTask:
		return "TASK"
	case model.RunTesting:
		return "TESTING"
	}
	return "PROPOSED"
}

// logRetention is how long a run's logs are kept (Spacelift's documented
// default: 60 days); older logs answer expired.
const logRetention = 60 * 24 * time.Hour

// Expired reports logs past retention, counted from the run's last change.
func (r *runResolver) Expired() bool {
	last := r.run.UpdatedAt
	if last.IsZero() {
		last = r.run.CreatedAt
	}
	return r.s.clock.Now().Sub(last) > logRetention
}

type delta struct {
	AddCount, ChangeCount, DeleteCount, Resources int32
}

func (r *runResolver) Delta() *delta {
	d := r.run.Delta
	if d == nil {
		return nil
	}
	return &delta{AddCount: int32(d.Add), ChangeCount: int32(d.Change), DeleteCount: int32(d.Destroy),
		Resources: int32(d.Add + d.Change + d.Destroy)}
}

type transition struct {
	State        string
	StateVersion int32
	Timestamp    int32
	Terminal     bool
	HasLogs      bool
	Note         *string
	Username     *string
}

// History lists the state transitions newest first; hasLogs says whether
// the engine wrote log lines in that transition.
func (r *runResolver) History(ctx context.Context) ([]*transition, error) {
	logs, err := r.stateLogs(ctx)
	if err != nil {
		return nil, err
	}
	h := r.run.History
	out := make([]*transition, len(h))
	for i, t := range h {
		out[len(h)-1-i] = &transition{
			State:        enumOr(string(t.State), runStates),
			StateVersion: int32(stateVersion(h, i)),
			Timestamp:    int32(t.At.Unix()),
			Terminal:     t.State.Terminal(),
			HasLogs:      len(logs[i]) > 0,
			Note:         optional(t.Note),
		}
	}
	return out, nil
}

// stateLogs returns the log lines of each history transition (oldest
// first). The engine lists logs in transition order, one entry per
// transition that wrote lines, so each is matched to the next transition in
// the same state.
func (r *runResolver) stateLogs(ctx context.Context) ([][]string, error) {
	logs, err := r.s.engine.RunLogsByState(ctx, r.stackID, r.run.ID)
	if err != nil {
		return nil, fromBackend(err)
	}
	out := make([][]string, len(r.run.History))
	next := 0
	for i, t := range r.run.History {
		if next < len(logs) && logs[next].State == t.State {
			out[i] = logs[next].Lines
			next++
		}
	}
	return out, nil
}

// stateVersion counts earlier transitions into the same state, so a run
// that plans twice has PLANNING versions 0 and 1.
func stateVersion(h []model.RunTransition, i int) int {
	n := 0
	for _, t := range h[:i] {
		if t.State == h[i].State {
			n++
		}
	}
	return n
}

// logPageLines bounds one logs page, so long logs really page.
const logPageLines = 50

type logMessage struct {
	Message   string
	Timestamp int32
}

type runLogs struct {
	Exists, Expired, Finished, HasMore bool
	NextToken                          *string
	Messages                           []*logMessage
}

// Logs pages the log of one state of the run (the stateVersion-th visit of
// it; the latest when omitted). The token is the number of lines already
// read; hasMore says whether lines are left now. Spacelift does not promise
// finished (spacectl's maintainers, PR #251), so the sandbox never sets it:
// a follower decides from hasMore and the run's history. Logs past retention
// answer expired with no lines.
func (r *runResolver) Logs(ctx context.Context, args struct {
	State        string
	Token        *string
	StateVersion *int32
}) (*runLogs, error) {
	logs, err := r.stateLogs(ctx)
	if err != nil {
		return nil, err
	}
	h := r.run.History
	at := -1
	for i, t := range h {
		if string(t.State) == args.State && (args.StateVersion == nil || int(*args.StateVersion) == stateVersion(h, i)) {
			at = i
		}
	}
	if at < 0 {
		return &runLogs{Messages: []*logMessage{}}, nil
	}
	if r.Expired() {
		return &runLogs{Exists: true, Expired: true, Messages: []*logMessage{}}, nil
	}
	offset := 0
	if args.Token != nil && *args.Token != "" {
		if offset, err = strconv.Atoi(*args.Token); err != nil || offset < 0 {
			return nil, apiError{msg: fmt.Sprintf("invalid log token %q", *args.Token), code: "BAD_REQUEST"}
		}
	}
	lines := logs[at]
	offset = min(offset, len(lines))
	end := min(offset+logPageLines, len(lines))
	stamp := int32(h[at].At.Unix())
	msgs := make([]*logMessage, 0, end-offset)
	for _, l := range lines[offset:end] {
		msgs = append(msgs, &logMessage{Message: l + "\n", Timestamp: stamp})
	}
	next := strconv.Itoa(end)
	return &runLogs{
		Exists:    true,
		HasMore:   end < len(lines),
		NextToken: &next,
		Messages:  msgs,
	}, nil
}

type runChanges struct{ Resources []*resourceChange }

type resourceChange struct {
	Address         string
	PreviousAddress *string
	Metadata        changeMetadata
}

type changeMetadata struct{ Type string }

// ChangesV3 returns the plan's resource changes as one group; the input
// (phase filters in the real API) is accepted and ignored.
func (r *runResolver) ChangesV3(ctx context.Context, args struct{ Input *struct{ Phase *string } }) ([]*runChanges, error) {
	changes, err := r.s.engine.RunChanges(ctx, r.stackID, r.run.ID)
	if err != nil {
		return nil, fromBackend(err)
	}
	group := &runChanges{Resources: make([]*resourceChange, len(changes))}
	for i, c := range changes {
		group.Resources[i] = &resourceChange{Address: c.Address, Metadata: changeMetadata{Type: string(c.Action)}}
	}
	return []*runChanges{group}, nil
}

// unix is a nullable Int timestamp: null for the zero time.
func unix(t time.Time) *int32 {
	if t.IsZero() {
		return nil
	}
	v := int32(t.Unix())
	return &v
}
