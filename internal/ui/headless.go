package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Headless drives a Model without a terminal, one message at a time, so a
// tool can measure what a user waits for (cmd/benchscale times the first
// frame and every keystroke's Update+Render with it).
type Headless struct {
	m Model
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
	return &Headless{m: next.(Model)}, nil
}

// Load runs Init's commands (the first stack load among them) and delivers
// their results. Commands those results return, such as loading the
// selected stack's runs, are dropped: a program runs them off the UI loop,
// after the first frame. It returns the load's error, if any.
func (h *Headless) Load() error {
	h.deliver(h.m.Init())
	return h.m.data.LoadErr
}

func (h *Headless) deliver(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.deliver(c)
		}
	default:
		h.m = h.update(msg)
	}
}

func (h *Headless) update(msg tea.Msg) Model {
	next, _ := h.m.Update(msg)
	return next.(Model)
}

// Send delivers one message (a key press, say) and drops the commands it
// returns, which a program would run concurrently.
func (h *Headless) Send(msg tea.Msg) { h.m = h.update(msg) }

// Render draws the current frame.
func (h *Headless) Render() string { return h.m.Render() }

// Rows is how many tree rows the current environment and filter give.
func (h *Headless) Rows() int { return h.m.tree().Rows() }

// NextLoad loads the stacks as a refresh does, off the UI loop, and returns
// the result for Send: the time Send takes is what a refresh costs the loop.
func (h *Headless) NextLoad() tea.Msg {
	h.m.stacksReq++
	return h.m.fetchStacks(h.m.stacksReq)()
}
