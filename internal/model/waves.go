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
	pending := make(map[string]bool, len(ids))
	for _, id := range ids {
		pending[id] = true
	}
	inSet := make(map[string]bool, len(ids))
	for _, id := range ids {
		inSet[id] = true
	}
	var waves [][]string
	for len(pending) > 0 {
		var wave []string
		for id := range pending {
			ready := true
			for _, d := range dependsOn(id) {
				if d != id && inSet[d] && pending[d] {
					ready = false
					break
				}
			}
			if ready {
				wave = append(wave, id)
			}
		}
		if len(wave) == 0 {
			left := make([]string, 0, len(pending))
			for id := range pending {
				left = append(left, id)
			}
			sort.Strings(left)
			return waves, &CycleError{Stacks: left}
		}
		sort.Strings(wave)
		for _, id := range wave {
			delete(pending, id)
		}
		waves = append(waves, wave)
	}
	return waves, nil
}

// WaveIndex maps each id to its wave number.
func WaveIndex(waves [][]string) map[string]int {
	out := map[string]int{}
	for i, w := range waves {
		for _, id := range w {
			out[id] = i
		}
	}
	return out
}
