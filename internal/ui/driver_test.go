package ui

import (
	"context"
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/modules"
	"github.com/stackview/stackview/internal/ops"
	"github.com/stackview/stackview/internal/promote"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/modview"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/tree"
	"github.com/stackview/stackview/internal/ui/uitest"
	"github.com/stackview/stackview/internal/vcs"
)

// driver is uitest's synchronous driver on the root model, with the
// accessors these tests read the model through.
type driver struct {
	*uitest.Driver
	t    testing.TB
	fake *uitest.Fake    // nil when the backend is the sandbox
	eng  *sandbox.Engine // the sandbox behind a served dialect, when one is
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
	Audit             audit.Recorder
	Git               *vcs.Cache
	Strategy          promotion.Strategy
	ReadOnly          bool
	SaveDriftIgnore   func(drift.Rule) error
	RemoveDriftIgnore func(drift.Rule) error
}

// wire builds the Options cmd/stackview would: the pipeline and readers.
func (o testOptions) wire(now func() time.Time) Options {
	opts := o.Options
	opts.Mutator = ops.New(ops.Config{Backend: o.Backend, Audit: o.Audit, Git: o.Git, Strategy: o.Strategy,
		Environments: o.Environments, ReadOnly: o.ReadOnly, SaveIgnore: o.SaveDriftIgnore, RemoveIgnore: o.RemoveDriftIgnore,
		IgnoreFile: o.DriftIgnoreFile, Now: now})
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
	m.after = uitest.After
	ud := uitest.NewDriver(t, m, w, h)
	ud.Settles = func(msg tea.Msg) bool { _, ok := msg.(settledMsg); return ok }
	return &driver{Driver: ud, t: t}
}

// m is the root model now.
func (d *driver) m() Model { return d.Model.(Model) }

// setM replaces the root model, as a test that arranges a state does.
func (d *driver) setM(m Model) { d.Model = m }

func (d *driver) send(msg any)              { d.t.Helper(); d.Send(msg) }
func (d *driver) press(names ...string)     { d.t.Helper(); d.Press(names...) }
func (d *driver) typeText(s string)         { d.t.Helper(); d.TypeText(s) }
func (d *driver) fireTimers()               { d.FireTimers() }
func (d *driver) release()                  { d.Release() }
func (d *driver) screen() string            { return d.Screen() }
func (d *driver) requireScreen(w ...string) { d.t.Helper(); d.RequireScreen(w...) }
func (d *driver) requireNotOnScreen(w ...string) {
	d.t.Helper()
	d.RequireNotOnScreen(w...)
}

// tree is the root screen.
func (d *driver) tree() tree.Model { return d.m().tree() }

// selected is the id of the stack selected in the tree.
func (d *driver) selected() string { return d.tree().Selected() }

// forestStack is a stack of the forest, by id: the UI's own, so a test
// can change what the UI sees.
func (d *driver) forestStack(id string) *model.Stack {
	m := d.m()
	return m.data.Forest.Stack(id)
}

// top is the screen on top.
func (d *driver) top() screen.Screen { return d.m().top() }

// dialogOpen reports a dialog on top.
func (d *driver) dialogOpen() bool {
	_, ok := d.top().(interface{ Overlay() bool })
	return ok
}

// ctx is the context the top screen reads.
func (d *driver) ctx() *screen.Context {
	m := d.m()
	return m.context(len(m.stack) - 1)
}

// message is the status line's message.
func (d *driver) message() string { return d.m().status.text }

var errTest = errors.New("test: backend down")

// setOpenURL replaces the browser launcher.
func (d *driver) setOpenURL(f func(context.Context, string) error) {
	m := d.m()
	m.openURL = f
	d.setM(m)
}

// driftEntries are the drift inbox's rows.
func (d *driver) driftEntries() []screen.DriftEntry {
	m := d.m()
	return m.data.DriftEntries()
}

// find is the open screen of type T nearest the top.
func find[T screen.Screen](d *driver) T {
	d.t.Helper()
	m := d.m()
	for i := len(m.stack) - 1; i >= 0; i-- {
		if s, ok := m.stack[i].(T); ok {
			return s
		}
	}
	var zero T
	d.t.Fatalf("no %T open:\n%s", zero, d.screen())
	return zero
}

// mods is the modules view.
func (d *driver) mods() modview.Model { return find[modview.Model](d) }

// setOps replaces the mutation pipeline.
func (d *driver) setOps(ops screen.Mutator) {
	m := d.m()
	m.ops = ops
	d.setM(m)
}
