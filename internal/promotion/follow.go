package promotion

import (
	"time"

	"github.com/stackview/stackview/internal/model"
)

// Followed is a promotion whose branch moved: its runs are followed wave
// by wave until every stack has run or is blocked.
type Followed struct {
	Plan   Plan
	Label  string    // the repository as the board names it
	Commit string    // what the target branch moved to
	Since  time.Time // when: deploy runs from then on are the promotion's
	Waves  [][]string
	// RunsAudited: the runs the promotion started are in the audit log.
	RunsAudited bool
}

// WaveStack is one stack of a followed promotion's waves.
type WaveStack struct {
	ID      string
	Stack   *model.Stack // nil when the backend no longer lists it
	Run     *model.Run   // the promotion's deploy run; nil before it starts
	Blocked string       // the failed upstream stack that stops it
}

// Run is the stack's run the promotion started: its latest tracked run (a
// predicted plan started since must not hide it), of the promoted commit or
// created since the branch moved (a dependent in another repository runs
// its own commit).
func (f Followed) Run(s *model.Stack) *model.Run {
	r := s.LatestTrackedRun
	if r == nil {
		return nil
	}
	if r.Commit == f.Commit || !r.CreatedAt.Before(f.Since) {
		return r
	}
	return nil
}

// Stacks are the waves with each stack's run and, after a failure, what it
// blocks: Spacelift skips (does not fail) the runs of stacks downstream of
// a failed one, so they are named here instead.
func (f Followed) Stacks(stack func(id string) *model.Stack) [][]WaveStack {
	failed := map[string]string{} // stack -> the failed stack that stops it
	out := make([][]WaveStack, len(f.Waves))
	for i, wave := range f.Waves {
		for _, id := range wave {
			ws := WaveStack{ID: id, Stack: stack(id)}
			if ws.Stack != nil {
				ws.Run = f.Run(ws.Stack)
				for _, up := range ws.Stack.DependsOn {
					if root, ok := failed[up]; ok {
						ws.Blocked = root
					}
				}
			}
			switch {
			case ws.Blocked != "":
				failed[id] = ws.Blocked
			case ws.Run != nil && Stopped(ws.Run.State):
				failed[id] = id
			}
			out[i] = append(out[i], ws)
		}
	}
	return out
}

// Stopped reports a run that ended without deploying.
func Stopped(st model.RunState) bool {
	return st.Terminal() && st != model.StateFinished
}

// Settled reports waves where nothing more will happen without a person
// starting it: every stack's run ended, or is blocked, or the waves stopped
// at a failure.
func Settled(waves [][]WaveStack) bool {
	for _, wave := range waves {
		for _, ws := range wave {
			switch {
			case ws.Blocked != "":
			case ws.Run == nil:
				return false
			case Stopped(ws.Run.State):
				return true // no next wave
			case !ws.Run.State.Terminal():
				return false
			}
		}
	}
	return true
}
