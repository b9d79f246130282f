package uitest

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Timer is what a scheduled tick turns into in tests: held until the test
// fires it, so no test waits for real time.
type Timer struct {
	Wait time.Duration
	Msg  tea.Msg
}

// After is a timer function for models under test: it records the timer
// instead of sleeping. The message is built with Epoch as the time.
func After(wait time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg { return Timer{Wait: wait, Msg: fn(Epoch)} }
}

// Renderer is a model whose content can be read without a terminal.
type Renderer interface {
	tea.Model
	Render() string
}

// Driver runs a model synchronously: it feeds messages to Update and runs
// the returned commands inline, unwrapping batches, until nothing is left.
// Timers (see After) are kept until FireTimers.
type Driver struct {
	T      testing.TB
	Model  Renderer
	Timers []Timer
	Quit   bool
	// Hold keeps commands instead of running them, as a slow backend
	// would; Release runs them.
	Hold  bool
	held  []tea.Cmd
	Bells int
	// Settles picks the timers a model arms to act once the keys rest (a
	// read put off while keys come quickly): Press and TypeText deliver
	// them after their last key, as a person pauses after typing. Other
	// timers wait for FireTimers.
	Settles func(tea.Msg) bool
}

// NewDriver starts m at a terminal size and runs its Init.
func NewDriver(t testing.TB, m Renderer, w, h int) *Driver {
	t.Helper()
	d := &Driver{T: t, Model: m}
	d.Send(tea.WindowSizeMsg{Width: w, Height: h})
	d.Run(m.Init())
	return d
}

// Send delivers one message and runs what it returns.
func (d *Driver) Send(msg tea.Msg) {
	d.T.Helper()
	next, cmd := d.Model.Update(msg)
	d.Model = next.(Renderer)
	d.Run(cmd)
}

// Run runs a command and delivers its messages.
func (d *Driver) Run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	if d.Hold {
		d.held = append(d.held, cmd)
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.Run(c)
		}
	case Timer:
		d.Timers = append(d.Timers, msg)
	case tea.QuitMsg:
		d.Quit = true
	case tea.RawMsg:
		if msg.Msg == "\a" {
			d.Bells++
		}
	default:
		d.Send(msg)
	}
}

// Held is how many commands wait for Release.
func (d *Driver) Held() int { return len(d.held) }

// Release runs the commands held while Hold was set.
func (d *Driver) Release() {
	d.Hold = false
	held := d.held
	d.held = nil
	for _, c := range held {
		d.Run(c)
	}
	d.Rest() // the keys rested while the commands were held
}

// Press sends key presses by v2 name.
func (d *Driver) Press(names ...string) {
	d.T.Helper()
	for _, n := range names {
		d.Send(Press(n))
	}
	d.Rest()
}

// TypeText types s rune by rune.
func (d *Driver) TypeText(s string) {
	d.T.Helper()
	for _, k := range Type(s) {
		d.Send(k)
	}
	d.Rest()
}

// Rest delivers the pending timers Settles picks, as when a person stops
// pressing keys; Send alone presses keys as fast as a held key repeats.
func (d *Driver) Rest() {
	if d.Settles == nil {
		return
	}
	var rest, due []Timer
	for _, tm := range d.Timers {
		if d.Settles(tm.Msg) {
			due = append(due, tm)
		} else {
			rest = append(rest, tm)
		}
	}
	d.Timers = rest
	for _, tm := range due {
		d.Send(tm.Msg)
	}
}

// FireTimers delivers every pending timer, as if its wait had passed.
func (d *Driver) FireTimers() {
	pending := d.Timers
	d.Timers = nil
	for _, tm := range pending {
		d.Send(tm.Msg)
	}
}

// Screen is the rendered content without ANSI sequences.
func (d *Driver) Screen() string { return ansi.Strip(d.Model.Render()) }

// RequireScreen fails unless every string is on screen.
func (d *Driver) RequireScreen(want ...string) {
	d.T.Helper()
	s := d.Screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			d.T.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

// RequireNotOnScreen fails if any string is on screen.
func (d *Driver) RequireNotOnScreen(unwanted ...string) {
	d.T.Helper()
	s := d.Screen()
	for _, w := range unwanted {
		if strings.Contains(s, w) {
			d.T.Fatalf("screen shows %q:\n%s", w, s)
		}
	}
}
