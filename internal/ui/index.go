package ui

import (
	"slices"

	"github.com/stackview/stackview/internal/model"
)

// loadIndex is what the UI derives from a load once, so that no frame walks
// every stack: at 10,000 stacks such walks cost more than drawing the rows.
type loadIndex struct {
	// attention is per environment its tab's attention counts. It follows
	// the effective drift, so applyDrift recounts it (see attentionByEnv).
	attention  []string
	totals     []int               // per environment: how many stacks it has
	dependents map[string][]string // stack id → ids of the stacks depending on it, sorted
}

func newLoadIndex(f *model.Forest) loadIndex {
	ix := loadIndex{dependents: map[string][]string{}}
	add := func(s *model.Stack) {
		for _, d := range s.DependsOn {
			ix.dependents[d] = append(ix.dependents[d], s.ID)
		}
	}
	for i := range f.Envs {
		stacks := f.Envs[i].Stacks()
		ix.totals = append(ix.totals, len(stacks))
		for _, s := range stacks {
			add(s)
		}
	}
	for _, s := range f.Unmapped {
		add(s)
	}
	for _, ids := range ix.dependents {
		slices.Sort(ids)
	}
	return ix
}

// attentionByEnv counts, per environment, the stacks that need a person.
func attentionByEnv(f *model.Forest) []string {
	out := make([]string, len(f.Envs))
	for i := range f.Envs {
		out[i] = attention(f.Envs[i].Stacks())
	}
	return out
}

// arranged is a load's stacks laid out for the UI. fetchStacks arranges
// them off the UI loop, so that a refresh of thousands of stacks costs the
// loop only the rebuild of the visible environment's rows.
type arranged struct {
	forest model.Forest
	waves  map[string]int
	index  loadIndex
}

func arrange(stacks []model.Stack, envs []model.Environment, mapping model.Mapping) *arranged {
	f := model.BuildForest(stacks, envs, mapping)
	return &arranged{forest: f, waves: waveIndex(&f), index: newLoadIndex(&f)}
}
