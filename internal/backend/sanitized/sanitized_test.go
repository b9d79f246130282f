package sanitized_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/backendtest"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sanitized"
	"github.com/stackview/stackview/internal/model"
)

var bg = context.Background()

// hostile is a backend whose every answer carries terminal escapes.
type hostile struct {
	backend.Backend // methods not overridden are not called
	stacks          []model.Stack
}

const red, hide, title = "\x1b[31m", "\x1b[8m", "\x1b]0;pwned\x07"

func (h *hostile) ListStacks(context.Context) ([]model.Stack, error) { return h.stacks, nil }

func (h *hostile) RunLogs(_ context.Context, _, _, token string) (backend.LogChunk, error) {
	return backend.LogChunk{Text: red + "Error:\x1b[0m boom\x1b[2J" + title + "\n", Next: token + "\x1b[0m"}, nil
}

func (h *hostile) Confirm(context.Context, string, string) (model.Run, error) {
	return model.Run{}, backend.Conflictf("held by %smaria%s", hide, title)
}

func (h *hostile) PlanCommit(context.Context, string, string) (model.Run, error) {
	return model.Run{Title: "plan" + red}, nil
}

// TestHostileBackendAnswers: escapes in names, labels, lock notes, run
// titles, drift addresses and errors are removed; logs keep their colours
// and nothing else; the paging token and error identity stay; the
// backend's own values are not changed underneath it.
func TestHostileBackendAnswers(t *testing.T) {
	h := &hostile{stacks: []model.Stack{{
		ID: "dev-api", Name: "api" + red, Labels: []string{"env:dev", "bu:" + hide + "payments"},
		Lock:       &model.Lock{Holder: "maria" + title, Note: "deploying\r\nfix"},
		LatestRun:  &model.Run{ID: "r1", Title: "Fix " + red + "typo\x1b[0m", TriggeredBy: hide + "bob"},
		Drift:      model.Drift{Resources: []string{"aws_s3_bucket.logs" + title}, Changes: []model.ResourceChange{{Address: "a" + red, Attributes: []string{"tags" + hide}}}},
		Repository: model.Repository{Name: "payments" + red},
	}, {ID: "dev-clean", Name: "clean"}}}
	b := sanitized.Wrap(h)
	stacks, err := b.ListStacks(bg)
	if err != nil {
		t.Fatal(err)
	}
	s := stacks[0]
	got := []string{s.Name, s.Labels[1], s.Lock.Holder, s.Lock.Note, s.LatestRun.Title, s.LatestRun.TriggeredBy,
		s.Drift.Resources[0], s.Drift.Changes[0].Address, s.Drift.Changes[0].Attributes[0], s.Repository.Name}
	want := []string{"api", "bu:payments", "maria", "deploying  fix", "Fix typo", "bob", "aws_s3_bucket.logs", "a", "tags", "payments"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sanitised fields:\n got %q\nwant %q", got, want)
	}
	if h.stacks[0].Lock.Holder != "maria"+title || h.stacks[0].Labels[1] != "bu:"+hide+"payments" {
		t.Error("the backend's own values were changed")
	}
	if stacks[1].Name != "clean" {
		t.Errorf("clean stack: %+v", stacks[1])
	}

	chunk, err := b.RunLogs(bg, "dev-api", "r1", "tok")
	if err != nil || chunk.Text != red+"Error:\x1b[0m boom\n" || chunk.Next != "tok\x1b[0m" {
		t.Errorf("logs: %q next %q, %v", chunk.Text, chunk.Next, err)
	}
	_, err = b.Confirm(bg, "dev-api", "r1")
	if !errors.Is(err, backend.ErrConflict) || err.Error() != "conflict: held by maria" {
		t.Errorf("error: %q (conflict %v)", err, errors.Is(err, backend.ErrConflict))
	}
	cp, ok := b.(backend.CommitPlanner)
	if !ok {
		t.Fatal("the CommitPlanner of the backend is lost")
	}
	if r, err := cp.PlanCommit(bg, "dev-api", "abc"); err != nil || r.Title != "plan" {
		t.Errorf("PlanCommit: %+v, %v", r, err)
	}
}

// TestContract: the sanitised sandbox passes the backend contract, so
// the wrapper changes nothing for clean data.
func TestContract(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backendtest.Harness {
		clock := sandbox.NewManualClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))
		e, err := sandbox.New(bg, sandbox.Options{Dir: t.TempDir(), Seed: 7, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return backendtest.Harness{Backend: sanitized.Wrap(e), Advance: clock.Advance}
	})
}

// BenchmarkListStacks10k: what sanitising costs a load of 10,000 clean
// stacks (the common case: nothing is copied).
func BenchmarkListStacks10k(b *testing.B) {
	stacks := make([]model.Stack, 10_000)
	for i := range stacks {
		stacks[i] = model.Stack{ID: "dev-unit-" + strings.Repeat("x", i%7), Name: "unit", Labels: []string{"env:dev", "bu:unit"},
			Repo: "https://github.com/acme/unit.git", Branch: "dev", ProjectRoot: "units/x", TrackedCommit: "0123456789abcdef",
			LatestRun: &model.Run{ID: "01J", Title: "Bump module vpc 1.2.0 → 1.4.0", State: model.StateFinished},
			Drift:     model.Drift{Resources: []string{"aws_s3_bucket.logs"}}}
	}
	w := sanitized.Wrap(&hostile{stacks: stacks})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.ListStacks(bg); err != nil {
			b.Fatal(err)
		}
	}
}
