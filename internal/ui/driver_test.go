package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/modules"
	"github.com/stackview/stackview/internal/ops"
	"github.com/stackview/stackview/internal/promote"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/uitest"
	"github.com/stackview/stackview/internal/vcs"
)

// timerMsg is what a scheduled tick turns into in tests: held until the test
// fires it, so no test waits for real time.
type timerMsg struct {
	wait time.Duration
	msg  tea.Msg
}

// driver runs a Model synchronously: it feeds messages to Update and runs
// the returned commands inline, unwrapping batches, until nothing is left.
type driver struct {
	t      testing.TB
	m      Model
	fake   *uitest.Fake // nil when the backend is the sandbox
	timers []timerMsg
	quit   bool
	// hold keeps commands instead of running them, as a slow backend
	// would; release runs them.
	hold  bool
	held  []tea.Cmd
	bells int
}

func newDriver(t testing.TB, w, h int, tweak ...func(*testOptions)) *driver {
	t.Helper()
	return newDriverWith(t, uitest.NewFake(), w, h, tweak...)
}

// newDriverWith starts the UI on a fake the test prepared (e.g. failing).
func newDriverWith(t testing.TB, fake *uitest.Fake, w, h int, tweak ...func(*testOptions)) *driver {
	t.Helper()
	d := newDriverOn(t, fake, func() time.Time { return uitest.Epoch }, w, h, tweak...)
	d.fake = fake
	return d
}

// testOptions are the UI's options plus what a test wires into the
// mutation pipeline and the git readers, as cmd/stackview does.
type testOptions struct {
	Options
	Audit           audit.Recorder
	Git             *vcs.Cache
	Strategy        promotion.Strategy
	ReadOnly        bool
	SaveDriftIgnore func(drift.Rule) error
}

// wire builds the Options cmd/stackview would: the pipeline and readers.
func (o testOptions) wire(now func() time.Time) Options {
	opts := o.Options
	opts.Mutator = ops.New(ops.Config{Backend: o.Backend, Audit: o.Audit, Git: o.Git, Strategy: o.Strategy,
		Environments: o.Environments, ReadOnly: o.ReadOnly, SaveIgnore: o.SaveDriftIgnore, Now: now})
	if o.Git != nil {
		opts.Promotions = promote.Reader{Cache: o.Git, Backend: o.Backend}
		opts.Modules = modules.Reader{Cache: o.Git, Backend: o.Backend}
	}
	return opts
}

// newDriverOn starts the UI on any backend with the given clock.
func newDriverOn(t testing.TB, b backend.Backend, now func() time.Time, w, h int, tweak ...func(*testOptions)) *driver {
	t.Helper()
	opts := testOptions{Options: Options{Backend: b, Theme: "dark", Now: now}}
	for _, f := range tweak {
		f(&opts)
	}
	m, err := New(opts.wire(now))
	if err != nil {
		t.Fatal(err)
	}
	d := &driver{t: t}
	m.after = func(wait time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		return func() tea.Msg { return timerMsg{wait: wait, msg: fn(uitest.Epoch)} }
	}
	d.m = m
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.run(m.Init())
	return d
}

func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	next, cmd := d.m.Update(msg)
	d.m = next.(Model)
	d.run(cmd)
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	if d.hold {
		d.held = append(d.held, cmd)
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case timerMsg:
		d.timers = append(d.timers, msg)
	case tea.QuitMsg:
		d.quit = true
	case tea.RawMsg:
		if msg.Msg == "\a" {
			d.bells++
		}
	default:
		d.send(msg)
	}
}

// release runs the commands held while d.hold was set.
func (d *driver) release() {
	d.hold = false
	held := d.held
	d.held = nil
	for _, c := range held {
		d.run(c)
	}
}

// press sends key presses by v2 name.
func (d *driver) press(names ...string) {
	d.t.Helper()
	for _, n := range names {
		d.send(uitest.Press(n))
	}
}

// typeText types s rune by rune.
func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, k := range uitest.Type(s) {
		d.send(k)
	}
}

// fireTimers delivers every pending tick, as if the interval had passed.
func (d *driver) fireTimers() {
	pending := d.timers
	d.timers = nil
	for _, tm := range pending {
		d.send(tm.msg)
	}
}

// screen is the rendered content without ANSI sequences.
func (d *driver) screen() string { return ansi.Strip(d.m.Render()) }

func (d *driver) requireScreen(want ...string) {
	d.t.Helper()
	s := d.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			d.t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func (d *driver) requireNotOnScreen(unwanted ...string) {
	d.t.Helper()
	s := d.screen()
	for _, w := range unwanted {
		if strings.Contains(s, w) {
			d.t.Fatalf("screen shows %q:\n%s", w, s)
		}
	}
}

var errTest = errors.New("test: backend down")
