package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	// What the fixture holds, not what the tree says: dev's stacks, and
	// the one whose name has "worker".
	var dev []string
	listed, err := fake.ListStacks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range listed {
		if slices.Contains(s.Labels, "env:dev") {
			dev = append(dev, s.Name)
		}
	}
	for _, name := range dev {
		if !strings.Contains(screen, name) {
			t.Errorf("the first frame lacks dev's %s:\n%s", name, screen)
		}
	}
	h.Send(uitest.Press("/"))
	for _, k := range uitest.Type("worker") {
		h.Send(k)
	}
	filtered := ansi.Strip(h.Render())
	if !strings.Contains(filtered, "dev-payments-worker") {
		t.Errorf("the filtered frame lacks the matching stack:\n%s", filtered)
	}
	if want := fmt.Sprintf("1/%d stacks", len(dev)); !strings.Contains(filtered, want) {
		t.Errorf("the filtered frame does not count %q:\n%s", want, filtered)
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
