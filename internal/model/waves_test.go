package model

import (
	"errors"
	"reflect"
	"testing"
)

func TestWaves(t *testing.T) {
	tests := []struct {
		name  string
		ids   []string
		deps  map[string][]string
		want  [][]string
		cycle []string
	}{
		{"empty", nil, nil, nil, nil},
		{"independent", []string{"b", "a"}, nil, [][]string{{"a", "b"}}, nil},
		{"env then units", []string{"net", "pay", "id"},
			map[string][]string{"pay": {"net"}, "id": {"net"}},
			[][]string{{"net"}, {"id", "pay"}}, nil},
		{"chain", []string{"c", "b", "a"},
			map[string][]string{"b": {"a"}, "c": {"b"}},
			[][]string{{"a"}, {"b"}, {"c"}}, nil},
		{"outside upstream ignored", []string{"x"}, map[string][]string{"x": {"elsewhere"}}, [][]string{{"x"}}, nil},
		{"cycle reported", []string{"a", "b", "c", "root"},
			map[string][]string{"a": {"root", "c"}, "b": {"a"}, "c": {"b"}},
			[][]string{{"root"}}, []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Waves(tt.ids, func(id string) []string { return tt.deps[id] })
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("waves = %v, want %v", got, tt.want)
			}
			var ce *CycleError
			switch {
			case tt.cycle == nil && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.cycle != nil && !errors.As(err, &ce):
				t.Errorf("want a CycleError, got %v", err)
			case tt.cycle != nil && !reflect.DeepEqual(ce.Stacks, tt.cycle):
				t.Errorf("cycle = %v, want %v", ce.Stacks, tt.cycle)
			}
		})
	}
	// WaveNumbers numbers as Waves groups: a diamond's bottom comes after
	// its longest branch; a stack downstream of a cycle gets no number.
	deps := map[string][]string{"a": {"net"}, "b": {"a", "net", "net"}, "c": {"b", "a"}, "x": {"y"}, "y": {"x"}, "z": {"y", "net"}, "net": {"net"}}
	got := WaveNumbers([]string{"c", "b", "a", "net", "x", "y", "z", "a"}, func(id string) []string { return deps[id] })
	if want := map[string]int{"net": 0, "a": 1, "b": 2, "c": 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("WaveNumbers = %v, want %v", got, want)
	}
}
