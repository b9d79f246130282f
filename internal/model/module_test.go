package model

import (
	"testing"
)

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.2.3", "1.2.3", 0},
		{"v1.2.3", "1.2.3", 0},
		{"1.10.0", "1.9.0", 1},
		{"1.9.0", "1.10.0", -1},
		{"2.0.0-rc.1", "2.0.0", -1},
		{"junk", "0.0.1", -1},
		{"0.0.1", "junk", 1},
		{"a", "b", -1},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSortVersionsAndMajor(t *testing.T) {
	vs := []ModuleVersion{{Number: "1.2.0"}, {Number: "2.0.0"}, {Number: "1.10.1"}, {Number: "1.9.9"}}
	SortVersions(vs)
	var got []string
	for _, v := range vs {
		got = append(got, v.Number)
	}
	want := []string{"2.0.0", "1.10.1", "1.9.9", "1.2.0"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sorted = %v, want %v", got, want)
		}
	}
	if !IsMajorBump("1.9.0", "2.0.0") || IsMajorBump("1.9.0", "1.10.0") || IsMajorBump("x", "2.0.0") {
		t.Error("IsMajorBump wrong")
	}
}

func TestRunStateClasses(t *testing.T) {
	for _, s := range []RunState{StateFinished, StateFailed, StateDiscarded, StateCanceled, StateStopped, StateSkipped} {
		if !s.Terminal() || s.Active() {
			t.Errorf("%s should be terminal and not active", s)
		}
	}
	for _, s := range []RunState{StateQueued, StatePlanning, StateApplying, StateConfirmed} {
		if s.Terminal() || !s.Active() {
			t.Errorf("%s should be active", s)
		}
	}
	if !StateUnconfirmed.Waiting() || !StatePendingReview.Waiting() || StateFinished.Waiting() {
		t.Error("Waiting wrong")
	}
}
