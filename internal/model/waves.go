package model

import (
	"fmt"
	"sort"
	"strings"
)

// CycleError reports stacks whose dependencies form a cycle.
type CycleError struct {
	Stacks []string
}

func (e *CycleError) Error() string {
	return fmt.Sprintf("dependency cycle among %s", strings.Join(e.Stacks, ", "))
}

// Waves orders ids into topological levels: wave 0 depends on nothing in the
// set, wave n only on earlier waves. dependsOn maps an id to its upstreams;
// upstreams outside the set are ignored. On a cycle it returns the waves it
// could build and a *CycleError naming the stacks left over.
func Waves(ids []string, dependsOn func(id string) []string) ([][]string, error) {
	levels := WaveNumbers(ids, dependsOn)
	var waves [][]string
	var left []string
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue // a repeat
		}
		seen[id] = true
		n, ok := levels[id]
		if !ok {
			left = append(left, id)
			continue
		}
		for len(waves) <= n {
			waves = append(waves, nil)
		}
		waves[n] = append(waves[n], id)
	}
	for _, w := range waves {
		sort.Strings(w)
	}
	if len(left) > 0 {
		sort.Strings(left)
		return waves, &CycleError{Stacks: left}
	}
	return waves, nil
}

// WaveNumbers maps each id to its wave (as Waves numbers them), in one pass
// over the dependencies: the number of its longest chain of upstreams in
// the set. Ids caught in a cycle, or downstream of one, get none. The tree
// numbers every stack of the organisation on each layout; Waves' sorted
// lists are for a promotion's few.
func WaveNumbers(ids []string, dependsOn func(id string) []string) map[string]int {
	at := make(map[string]int, len(ids)) // id → its first index in ids
	for i, id := range ids {
		if _, dup := at[id]; !dup {
			at[id] = i
		}
	}
	waiting := make([]int, len(ids)) // upstreams in the set not numbered yet
	dependents := make([][]int, len(ids))
	for i, id := range ids {
		if at[id] != i {
			continue // a repeat: numbered as its first
		}
		for _, d := range dependsOn(id) {
			j, ok := at[d]
			// i is appended to its upstreams' dependents in turn: an
			// upstream named twice has i last already.
			if !ok || d == id || (len(dependents[j]) > 0 && dependents[j][len(dependents[j])-1] == i) {
				continue
			}
			waiting[i]++
			dependents[j] = append(dependents[j], i)
		}
	}
	level := make([]int, len(ids))
	ready := make([]int, 0, len(ids))
	for i, id := range ids {
		if waiting[i] == 0 && at[id] == i {
			ready = append(ready, i)
		}
	}
	out := make(map[string]int, len(ids))
	for k := 0; k < len(ready); k++ {
		i := ready[k]
		out[ids[i]] = level[i]
		for _, j := range dependents[i] {
			level[j] = max(level[j], level[i]+1)
			if waiting[j]--; waiting[j] == 0 {
				ready = append(ready, j)
			}
		}
	}
	return out
}
