package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/ui/uitest"
)

func TestHeadlessLoadsFiltersAndRefreshes(t *testing.T) {
	fake := uitest.NewFake()
	h, err := NewHeadless(Options{Backend: fake, Theme: "dark", Now: func() time.Time { return uitest.Epoch }}, 120, 30)
	if err != nil {
		t.Fatal(err)
	}
	ctx := within(t)
	if err := h.Load(ctx); err != nil {
		t.Fatal(err)
	}
	screen := ansi.Strip(h.Render())
	if !strings.Contains(screen, "payments-api") || !strings.Contains(screen, "stacks") {
		t.Fatalf("first frame lacks the tree:\n%s", screen)
	}
	all := h.Rows()
	h.Send(uitest.Press("/"))
	for _, k := range uitest.Type("worker") {
		h.Send(k)
	}
	if got := h.Rows(); got >= all || got == 0 {
		t.Errorf("filter left %d of %d rows", got, all)
	}
	if !strings.Contains(ansi.Strip(h.Render()), "payments-worker") {
		t.Error("the filtered frame lacks the matching stack")
	}
	fake.FailList(errTest)
	h.StartRefresh()
	if err := h.Await(ctx, func() bool { return !h.Loading() }); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ansi.Strip(h.Render()), "refresh failed") {
		t.Error("a failed refresh is not shown")
	}
	h2, err := NewHeadless(Options{Backend: fake}, 120, 30)
	if err != nil {
		t.Fatal(err)
	}
	if err := h2.Load(ctx); !errors.Is(err, errTest) {
		t.Errorf("Load of a failing backend = %v, want %v", err, errTest)
	}
}
