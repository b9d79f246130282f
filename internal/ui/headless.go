package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Headless drives a Model without a terminal, so a tool can measure what a
// user waits for (cmd/benchscale times the first frame, the load and every
// keystroke's Update+Render with it). Like a program, it runs the commands
// Update returns off the loop and delivers their messages on it, but only
// when asked (Step, Await, Load), so the caller decides what the loop does when.
type Headless struct {
	m    Model
	msgs chan tea.Msg
}

// NewHeadless builds the UI at a fixed terminal size. Timers (the refresh
// tick, the once-a-second repaint) are never armed: a measurement decides
// itself when anything happens.
func NewHeadless(opts Options, width, height int) (*Headless, error) {
	m, err := New(opts)
	if err != nil {
		return nil, err
	}
	m.after = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	next, _ := m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	return &Headless{m: next.(Model), msgs: make(chan tea.Msg, 256)}, nil
}

// run starts a command off the loop; its message waits for Step or Await.
func (h *Headless) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				h.run(c)
			}
		default:
			h.msgs <- msg
		}
	}()
}

// Start runs Init's commands: the first load begins.
func (h *Headless) Start() { h.run(h.m.Init()) }

// Load starts the UI and delivers messages until the first load is over.
// It returns the load's error, if any.
func (h *Headless) Load(ctx context.Context) error {
	h.Start()
	if err := h.Await(ctx, func() bool { return !h.m.data.Loading }); err != nil {
		return err
	}
	return h.m.data.LoadErr
}

// Await delivers messages as they come until done holds or ctx ends.
func (h *Headless) Await(ctx context.Context, done func() bool) error {
	for !done() {
		select {
		case msg := <-h.msgs:
			h.Send(msg)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// FirstFrame waits until the tree has rows to draw (the first page of the
// first load) or the load failed.
func (h *Headless) FirstFrame(ctx context.Context) error {
	return h.Await(ctx, func() bool { return h.m.data.Loaded || (!h.m.data.Loading && h.m.data.LoadErr != nil) })
}

// Rest is the keys resting: what a person stops on has its details read
// (the settle timer a program arms after each key, which Headless does
// not arm).
func (h *Headless) Rest() { h.Send(settledMsg{gen: h.m.keyGen}) }

// Step delivers one message that is ready, without waiting, and says
// whether there was one.
func (h *Headless) Step() bool {
	select {
	case msg := <-h.msgs:
		h.Send(msg)
		return true
	default:
		return false
	}
}

// Loading reports a load in progress.
func (h *Headless) Loading() bool { return h.m.data.Loading }

// Send delivers one message (a key press, say) on the loop and starts the
// commands it returns.
func (h *Headless) Send(msg tea.Msg) {
	next, cmd := h.m.Update(msg)
	h.m = next.(Model)
	h.run(cmd)
}

// Render draws the current frame.
func (h *Headless) Render() string { return h.m.Render() }

// Rows is how many tree rows the current environment and filter give.
func (h *Headless) Rows() int { return h.m.tree().Rows() }

// StartRefresh starts a refresh as the timer does; Await or Step deliver
// its pages.
func (h *Headless) StartRefresh() { h.Send(tickMsg{gen: h.m.tickGen}) }
