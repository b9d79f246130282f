package ui

import (
	"slices"

	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/screen"
)

func newLoadIndex(f *model.Forest) screen.Index {
	ix := screen.Index{Dependents: map[string][]string{}}
	add := func(s *model.Stack) {
		for _, d := range s.DependsOn {
			ix.Dependents[d] = append(ix.Dependents[d], s.ID)
		}
	}
	for i := range f.Envs {
		stacks := f.Envs[i].Stacks()
		ix.Totals = append(ix.Totals, len(stacks))
		for _, s := range stacks {
			add(s)
		}
	}
	for _, s := range f.Unmapped {
		add(s)
	}
	for _, ids := range ix.Dependents {
		slices.Sort(ids)
	}
	return ix
}

// arranged is a load's stacks laid out for the UI. A load lays them out off
// the UI loop (loader), so that a page or a refresh of thousands of stacks
// costs the loop only the rebuild of the visible environment's rows.
type arranged struct {
	forest    model.Forest
	waves     map[string]int
	index     screen.Index
	reports   map[string]drift.Report // each stack's drift after the ignore rules
	attention screen.Count            // the header's count, made with the index
	added     int                     // how many rules ignored this session the reports follow
}

func arrange(stacks []model.Stack, envs []model.Environment, mapping model.Mapping) *arranged {
	f := model.BuildForest(stacks, envs, mapping)
	return &arranged{forest: f, waves: waveIndex(&f), index: newLoadIndex(&f)}
}

// waveIndex numbers every stack's dependency wave across the organisation.
// Stacks caught in a cycle get no number.
func waveIndex(f *model.Forest) map[string]int {
	var ids []string
	for i := range f.Envs {
		for _, s := range f.Envs[i].Stacks() {
			ids = append(ids, s.ID)
		}
	}
	for _, s := range f.Unmapped {
		ids = append(ids, s.ID)
	}
	return model.WaveNumbers(ids, func(id string) []string {
		if s := f.Stack(id); s != nil {
			return s.DependsOn
		}
		return nil
	})
}
