package promotion

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stackview/stackview/internal/model"
)

// Waves orders the runs a promotion will start: the affected target stacks
// and, transitively, the stacks depending on them (their dependency runs),
// in topological waves — the environment stack first, then the business
// units on it. stacks are every stack the backend lists.
func Waves(p Plan, stacks []model.Stack) ([][]string, error) {
	ids := make([]string, 0, len(p.Affected))
	for _, a := range p.Affected {
		ids = append(ids, a.StackID)
	}
	return Reach(ids, stacks)
}

// Reach is every stack runs on ids may start: ids and, transitively, the
// stacks depending on them, in topological waves (a deploy of an
// environment stack, then the business units its outputs feed).
func Reach(ids []string, stacks []model.Stack) ([][]string, error) {
	byID := map[string]model.Stack{}
	dependents := map[string][]string{}
	for _, s := range stacks {
		byID[s.ID] = s
		for _, d := range s.DependsOn {
			dependents[d] = append(dependents[d], s.ID)
		}
	}
	in := map[string]bool{}
	var queue []string
	for _, id := range ids {
		if !in[id] {
			in[id], queue = true, append(queue, id)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, d := range dependents[id] {
			if !in[d] {
				in[d], queue = true, append(queue, d)
			}
		}
	}
	out := make([]string, 0, len(in))
	for id := range in {
		out = append(out, id)
	}
	sort.Strings(out)
	return model.Waves(out, func(id string) []string { return byID[id].DependsOn })
}

// Obstacle is one thing that stands in a stack's way when a run reaches
// it. Blocks: the target gates fail on it (a plan waiting for review, or
// your own lock, is said but does not hold the run).
type Obstacle struct {
	Text   string
	Blocks bool
}

// InTheWay says what stands in a stack's way when a run reaches it, as the
// stack is now: a lock (someone else's: its runs will not start), disabled,
// drift a deploy would revert, runs waiting on a person or queued (a new
// deploy queues behind those that hold the stack), a failed latest deploy.
func InTheWay(s model.Stack) []Obstacle {
	var out []Obstacle
	if l := s.Lock; l != nil {
		text := "locked by " + l.Holder
		if l.Mine {
			text = "locked by you"
		}
		if l.Note != "" {
			text += " (" + l.Note + ")"
		}
		if !l.Mine {
			text += ": its runs will not start"
		}
		out = append(out, Obstacle{text, !l.Mine})
	}
	if s.Disabled {
		out = append(out, Obstacle{"disabled", true})
	}
	if s.Drift.Drifted {
		n := len(s.Drift.Resources)
		out = append(out, Obstacle{fmt.Sprintf("drifted (%d %s): a deploy reverts it", n, plural(n, "resource")), true})
	}
	waiting, _ := s.Waiting()
	for _, r := range waiting {
		what := "waits for confirmation"
		switch {
		case r.NeedsApproval:
			what = "needs approval"
		case r.State == model.StatePendingReview:
			what = "waits for review"
		}
		out = append(out, Obstacle{fmt.Sprintf("%s %s %s %s", r.Kind, r.ID, r.State, what), r.Exclusive()})
	}
	for _, r := range s.Pending {
		if (r.State == model.StateQueued || r.State == model.StateReady) && !r.WaitsOnPerson() {
			out = append(out, Obstacle{fmt.Sprintf("%s %s queued", r.Kind, r.ID), r.Exclusive()})
		}
	}
	if r := s.LatestTrackedRun; r != nil && r.State == model.StateFailed {
		out = append(out, Obstacle{fmt.Sprintf("latest %s %s FAILED", r.Kind, r.ID), true})
	}
	return out
}

// Blocking reports whether any of obstacles blocks.
func Blocking(obstacles []Obstacle) bool {
	for _, o := range obstacles {
		if o.Blocks {
			return true
		}
	}
	return false
}

// Texts are the obstacles' texts.
func Texts(obstacles []Obstacle) []string {
	out := make([]string, len(obstacles))
	for i, o := range obstacles {
		out[i] = o.Text
	}
	return out
}

// Radius is, for the confirmation of a stack action, every stack its runs
// may reach after the stacks acted on (wave 1), each with what stands in
// its way; nil when none.
func Radius(waves [][]model.Stack) []string {
	if len(waves) < 2 {
		return nil
	}
	return radius("Then", "may run after it", waves[1:], 2)
}

// PromotionRadius is, for a promotion's confirmation, every stack its runs
// may reach, wave by wave, each with what stands in its way.
func PromotionRadius(waves [][]model.Stack) []string {
	if len(waves) == 0 {
		return []string{"Runs         none: no stack's code changes"}
	}
	return radius("Runs", "may run", waves, 1)
}

// radius lists waves (numbered from first) one stack a line, with a
// summary first so a box cut short still says the most.
func radius(label, verb string, waves [][]model.Stack, first int) []string {
	n, blocked := 0, 0
	var rows []string
	for i, wave := range waves {
		for j, s := range wave {
			n++
			col := "             "
			if j == 0 {
				col = fmt.Sprintf("  wave %-6d", i+first)
			}
			row := col + s.Name
			in := InTheWay(s)
			if len(in) > 0 {
				row += " — " + strings.Join(Texts(in), "; ")
			}
			if Blocking(in) {
				blocked++
			}
			rows = append(rows, row)
		}
	}
	head := fmt.Sprintf("%-12s %d %s %s (%d %s)", label, n, plural(n, "stack"), verb, len(waves), plural(len(waves), "wave"))
	if blocked > 0 {
		head += fmt.Sprintf("; %d %s something in the way", blocked, map[bool]string{true: "has", false: "have"}[blocked == 1])
	}
	return append([]string{head}, rows...)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
