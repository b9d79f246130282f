package promotion

import (
	"sort"

	"github.com/stackview/stackview/internal/model"
)

// Waves orders the runs a promotion will start: the affected target stacks
// and, transitively, the stacks depending on them (their dependency runs),
// in topological waves — the environment stack first, then the business
// units on it. stacks are every stack the backend lists.
func Waves(p Plan, stacks []model.Stack) ([][]string, error) {
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
	for _, a := range p.Affected {
		in[a.StackID], queue = true, append(queue, a.StackID)
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
	ids := make([]string, 0, len(in))
	for id := range in {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return model.Waves(ids, func(id string) []string { return byID[id].DependsOn })
}
