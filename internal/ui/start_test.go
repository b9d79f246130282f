package ui

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend/connect"
	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// TestUnfinishedPushesAreSaidOnScreen: the line about pushes a killed
// stackview left without an outcome (Options.Warning) is on the status
// line when the screen opens and after the first load, stays until a
// key, and the messages keep it.
func TestUnfinishedPushesAreSaidOnScreen(t *testing.T) {
	const w = "a git push of an earlier stackview has no outcome in the audit log: check qa of acme/payments.git on the remote"
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		d := newDriver(t, size[0], size[1], func(o *testOptions) { o.Warning = w })
		d.requireScreen("⚠ a git push of an earlier stackview has no outcome", "check qa of", "acme/payments.git on the remote", "dev-network")
		d.fireTimers() // a refresh and the clock: an alert does not fade
		d.requireScreen("⚠ a git push of an earlier stackview has no outcome")
		d.press("j")
		d.requireNotOnScreen("earlier stackview")
		d.press("e")
		d.requireScreen("Recent messages", "⚠ a git push of an earlier stackview has no outcome")
	}
}

// TestAWatchedRunThatFailedHasOneGlyph: the status line's ✗ says a
// watched run failed; its state label does not add a second.
func TestAWatchedRunThatFailedHasOneGlyph(t *testing.T) {
	d := newDriver(t, 120, 30)
	w := screen.Watch{StackID: "dev-search", RunID: "dev-search-run2", Name: "dev-search"}
	d.send(screen.ToggleWatch{Watch: w, State: string(model.StatePlanning)})
	d.send(watchMsg{w: w, run: model.Run{ID: w.RunID, State: model.StateFailed}})
	d.requireScreen("✗ ⏰ dev-search run dev-search-run2 is FAILED")
	for _, line := range strings.Split(d.screen(), "\n") {
		if strings.Contains(line, "⏰") && strings.Count(line, "✗") > 1 {
			t.Fatalf("two glyphs on one line: %q", line)
		}
	}
	d.press("e")
	d.requireScreen("✗ ⏰ dev-search run dev-search-run2 is FAILED")
	d.requireNotOnScreen("is ✗")
}

// silentServer accepts connections and never answers; it counts them.
func silentServer(t *testing.T) (addr string, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = &atomic.Int32{}
	var conns []net.Conn
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c) // held open, never read or answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String(), accepted
}

// TestStartAgainstASilentServer: the UI is up while the client connects
// to a server that accepts and never answers: it says whom it connects to
// and for how long, q quits; the connect is bounded, its error says what
// to do, and r tries again.
func TestStartAgainstASilentServer(t *testing.T) {
	addr, accepted := silentServer(t)
	cl, err := tfc.Prepare(tfc.Config{Address: "http://" + addr, Organization: "acme", HomeDir: t.TempDir(),
		Env:            func(k string) string { return map[string]string{"TFE_TOKEN": "t"}[k] },
		ConnectTimeout: 300 * time.Millisecond, AttemptTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	be := connect.New(cl, cl.Connect)
	now := uitest.Epoch
	start := func(w, h int) *driver {
		t.Helper()
		m, err := New(testOptions{Options: Options{Backend: be, Theme: "dark", Now: func() time.Time { return now }}}.wire(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		m.after = uitest.After
		ud := &uitest.Driver{T: t, Model: m, Hold: true} // the connect waits, as on a silent network
		ud.Send(tea.WindowSizeMsg{Width: w, Height: h})
		ud.Run(m.Init())
		return &driver{Driver: ud, t: t}
	}
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		d := start(size[0], size[1])
		d.requireScreen("connecting to "+addr+" (tfc) … 0 s", "q quits")
		now = now.Add(4 * time.Second)
		d.fireTimers()
		d.requireScreen("connecting to " + addr + " (tfc) … 4 s")
		d.Hold = false // the connect is still held: only q's own command runs
		d.press("q")
		if !d.Quit {
			t.Fatalf("q did not quit while connecting:\n%s", d.screen())
		}
	}

	d := start(120, 30)
	d.Hold = false
	d.release() // the connect runs into its bound
	d.requireScreen("Could not load stacks from tfc", "no answer within", "check the endpoint and your network", "Press r to retry")
	before := accepted.Load()
	d.Hold = true
	d.press("r")
	d.requireScreen("connecting to "+addr+" (tfc) … 0 s", "the last try: tfc: connect to")
	d.Hold = false
	d.release()
	d.requireScreen("Could not load stacks from tfc", "no answer within")
	if accepted.Load() <= before {
		t.Errorf("r did not reach the server again (%d connections before, %d after)", before, accepted.Load())
	}
}
