package spaceliftapi

import (
	"context"
	"strings"
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

// Type is TRACKED for deploys and PROPOSED for plans and drift checks (a
// drift check is a proposed run with driftDetection set).
func (r *runResolver) Type() string {
	if r.run.Kind == model.RunDeploy {
		return "TRACKED"
	}
	return "PROPOSED"
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

// History lists the state transitions newest first. Every transition but
// the first is stamped with the state's ordinal for stateVersion; only the
// first carries logs (see logBearing).
func (r *runResolver) History() []*transition {
	h := r.run.History
	out := make([]*transition, len(h))
	for i, t := range h {
		out[len(h)-1-i] = &transition{
			State:        enumOr(string(t.State), runStates),
			StateVersion: int32(stateVersion(h, i)),
			Timestamp:    int32(t.At.Unix()),
			Terminal:     t.State.Terminal(),
			HasLogs:      i == logBearing,
			Note:         optional(t.Note),
		}
	}
	return out
}

// logBearing is the index (oldest first) of the transition that carries the
// run's whole log. The engine keeps one log stream per run, and hanging it on
// one fixed transition keeps log tokens stable while the run moves on.
const logBearing = 0

// stateVersion counts earlier transitions into the same state, so a replan
// that plans twice has PLANNING versions 0 and 1, as Spacelift numbers them.
func stateVersion(h []model.RunTransition, i int) int {
	n := 0
	for _, t := range h[:i] {
		if t.State == h[i].State {
			n++
		}
	}
	return n
}

type logMessage struct {
	Message   string
	Timestamp int32
}

type runLogs struct {
	Exists, Expired, Finished, HasMore bool
	NextToken                          *string
	Messages                           []*logMessage
}

// Logs pages the log of one state. Other states answer an empty, finished
// page; exists says whether the run went through the state at all.
func (r *runResolver) Logs(ctx context.Context, args struct {
	State        string
	Token        *string
	StateVersion *int32
}) (*runLogs, error) {
	h := r.run.History
	exists := false
	for _, t := range h {
		exists = exists || string(t.State) == args.State
	}
	if len(h) <= logBearing || string(h[logBearing].State) != args.State {
		return &runLogs{Exists: exists, Finished: exists, Messages: []*logMessage{}}, nil
	}
	token := ""
	if args.Token != nil {
		token = *args.Token
	}
	chunk, err := r.s.engine.RunLogs(ctx, r.stackID, r.run.ID, token)
	if err != nil {
		return nil, fromBackend(err)
	}
	at := int32(r.s.clock.Now().Unix())
	msgs := []*logMessage{}
	for line := range strings.Lines(chunk.Text) {
		msgs = append(msgs, &logMessage{Message: line, Timestamp: at})
	}
	return &runLogs{
		Exists:    true,
		Finished:  chunk.Done,
		HasMore:   len(msgs) > 0 && !chunk.Done,
		NextToken: &chunk.Next,
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
