package model

import "testing"

func TestDeltaOfCountsAReplacementBothWays(t *testing.T) {
	d := DeltaOf([]ResourceChange{{Action: ActionAdd}, {Action: ActionChange}, {Action: ActionChange},
		{Action: ActionDestroy}, {Action: ActionReplace}, {Action: "NOOP"}})
	if d != (Delta{Add: 2, Change: 2, Destroy: 2}) {
		t.Errorf("delta = %+v, want +2 ~2 -2", d)
	}
}
