package tfcapi

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// TestSortByCurrentRun: sort=current-run.created-at orders workspaces by
// their current run's time, "-" newest first; those without a current run
// come last going up and first going down (PostgreSQL's nulls, the less
// forgiving reading for a client reading the newest first); name is the
// default; any other key is a 400.
func TestSortByCurrentRun(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	run := func(at time.Duration) *model.Run { return &model.Run{ID: "r", CreatedAt: t0.Add(at)} }
	all := []model.Stack{ // by name, as the listing holds them
		{ID: "a", LatestRun: run(2 * time.Hour)},
		{ID: "b"},
		{ID: "c", LatestRun: run(time.Hour)},
		{ID: "d", LatestRun: run(3 * time.Hour)},
	}
	order := func(key string) []string {
		matched := []int{0, 1, 2, 3}
		if !sortWorkspaces(httptest.NewRecorder(), key, all, matched) {
			return nil
		}
		var ids []string
		for _, i := range matched {
			ids = append(ids, all[i].ID)
		}
		return ids
	}
	for key, want := range map[string][]string{
		"":                        {"a", "b", "c", "d"},
		"-name":                   {"d", "c", "b", "a"},
		"current-run.created-at":  {"c", "a", "d", "b"},
		"-current-run.created-at": {"b", "d", "a", "c"},
	} {
		if got := order(key); !slices.Equal(got, want) {
			t.Errorf("sort=%q: %v, want %v", key, got, want)
		}
	}
	w := httptest.NewRecorder()
	if sortWorkspaces(w, "updated-at", all, []int{0, 1}) || w.Code != 400 {
		t.Errorf("an unknown sort key: %d", w.Code)
	}
}
