package ui

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stackview/stackview/internal/ui/attention"
	"github.com/stackview/stackview/internal/ui/bulkview"
	"github.com/stackview/stackview/internal/ui/detail"
	"github.com/stackview/stackview/internal/ui/dialog"
	"github.com/stackview/stackview/internal/ui/driftview"
	"github.com/stackview/stackview/internal/ui/help"
	"github.com/stackview/stackview/internal/ui/history"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/messages"
	"github.com/stackview/stackview/internal/ui/modview"
	"github.com/stackview/stackview/internal/ui/promoview"
	"github.com/stackview/stackview/internal/ui/runview"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/tree"
	"github.com/stackview/stackview/internal/ui/uitest"
)

// keyState is a screen in a representative state, reached from a fresh UI.
type keyState struct {
	name     string
	w, h     int
	readOnly bool
	setup    func(*driver)
}

var keyStates = []keyState{
	{name: "tree", w: 120, h: 30, setup: func(d *driver) {}},
	{name: "tree with a filter and marks", w: 120, h: 30, setup: func(d *driver) {
		d.typeText("/pay")
		d.press("enter", "space")
	}},
	{name: "tree read-only", w: 120, h: 30, readOnly: true, setup: func(d *driver) { d.press("3", "j") }},
	{name: "detail", w: 80, h: 24, setup: func(d *driver) { d.press("3", "j", "j", "j", "enter") }},
	{name: "run", w: 120, h: 30, setup: func(d *driver) { d.press("j", "j", "l") }},
	{name: "history", w: 120, h: 30, setup: func(d *driver) { d.press("j", "j", "H") }},
	{name: "drift inbox", w: 120, h: 30, setup: func(d *driver) { d.press("F") }},
	{name: "stack drift", w: 120, h: 30, setup: func(d *driver) { d.press("F", "enter") }},
	{name: "modules", w: 120, h: 30, setup: func(d *driver) { d.press("M") }},
	{name: "board", w: 120, h: 30, setup: func(d *driver) { d.press("P") }},
	{name: "waves", w: 120, h: 30, setup: func(d *driver) { followFakePromotion(d); d.press("P") }},
	{name: "help", w: 80, h: 24, setup: func(d *driver) { d.press("?") }},
	{name: "dialog", w: 120, h: 30, setup: func(d *driver) { d.press("j", "j", "j", "x") }},
	{name: "copy menu", w: 120, h: 30, setup: func(d *driver) { d.press("j", "j", "l", "y") }},
	{name: "bulk confirm", w: 120, h: 30, setup: func(d *driver) {
		for _, id := range []string{"qa-payments-api", "qa-search", "qa-legacy-reports"} {
			cpu := map[bool]string{true: "512", false: "1024"}[id != "qa-search"]
			d.fake.SetPlan(id, id+"-bump", moduleBump(id, cpu))
		}
		d.press("2", "ctrl+a", "c")
	}},
	{name: "attention", w: 120, h: 30, setup: func(d *driver) { d.press("A") }},
	{name: "attention with a mark", w: 120, h: 30, setup: func(d *driver) { d.press("A", "space") }},
	{name: "messages", w: 120, h: 30, setup: func(d *driver) { d.press("u", "e") }},
	{name: "ignore rules", w: 120, h: 30, setup: func(d *driver) { d.press("F", "I") }},
}

// allKeys is every key of every binding, and a few bound to nothing.
func allKeys() []string {
	out := []string{"z", "Z", "%", "ctrl+z"}
	km := keys.Default()
	for id := range keys.Decls {
		for _, k := range km.Get(keys.ID(id)).Keys() {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// start reaches a state on a fresh fake organisation.
func (s keyState) start(t *testing.T) *driver {
	t.Helper()
	d := newDriverWith(t, uitest.NewFake(), s.w, s.h, func(o *testOptions) { o.ReadOnly = s.readOnly })
	s.setup(d)
	return d
}

// pressChanges reports whether a key changes anything in the state: the
// screen, a command started (held, as a slow backend would), or quitting.
func (s keyState) pressChanges(t *testing.T, k string) bool {
	t.Helper()
	d := s.start(t)
	before := d.screen()
	d.Hold = true
	d.press(k)
	return d.screen() != before || d.Held() > 0 || d.Quit
}

// helpKeys are the keys help lists for the state's top screen.
func helpKeys(d *driver) map[string]bool {
	c := d.ctx()
	// A modal screen's globals are ctrl+c alone.
	groups := append(d.top().Keys(c), d.m().globals(c, d.top()))
	out := map[string]bool{}
	for _, g := range groups {
		for _, a := range g.Actions {
			for _, k := range c.Keys.Get(a.Key).Keys() {
				out[k] = true
			}
		}
	}
	return out
}

// footerActions are the actions the footer offers in the state.
func footerActions(d *driver) []screen.Action {
	c := d.ctx()
	groups := d.top().Keys(c)
	var out []screen.Action
	if len(groups) > 0 {
		out = groups[0].Actions
	}
	if !isModal(d.top(), c) {
		out = append(out, screen.Action{Key: keys.Help}, screen.Action{Key: keys.Quit})
	}
	var on []screen.Action
	for _, a := range out {
		if a.Off == "" {
			on = append(on, a)
		}
	}
	return on
}

// contextOf is the keys context a screen's bindings must be declared live in.
func contextOf(s screen.Screen, c *screen.Context) string {
	if isModal(s, c) {
		switch s.(type) {
		case help.Model:
			return keys.CtxHelp
		case dialog.Dialog:
			return keys.CtxDialog
		case dialog.Menu:
			return keys.CtxMenu
		}
		return keys.CtxInput
	}
	switch s.(type) {
	case tree.Model:
		return keys.CtxTree
	case detail.Screen:
		return keys.CtxDetail
	case runview.Model:
		return keys.CtxRun
	case history.Model:
		return keys.CtxHistory
	case driftview.Inbox, driftview.Stack, driftview.Ignores:
		return keys.CtxDrift
	case attention.Model:
		return keys.CtxAttn
	case messages.Model:
		return keys.CtxMessages
	case modview.Model:
		return keys.CtxModules
	case promoview.Board, promoview.Diff:
		return keys.CtxPromote
	case promoview.Waves:
		return keys.CtxWaves
	case bulkview.Model:
		return keys.CtxBulk
	}
	return ""
}

// TestScreensUseBindingsDeclaredForThem: every key a screen's table holds
// is declared live in that screen's context, so keys.Validate catches a key
// bound twice where both would be live.
func TestScreensUseBindingsDeclaredForThem(t *testing.T) {
	for _, s := range keyStates {
		d := s.start(t)
		c := d.ctx()
		ctx := contextOf(d.top(), c)
		if ctx == "" {
			t.Fatalf("%s: no keys context for %T", s.name, d.top())
		}
		for _, g := range append(d.top().Keys(c), d.m().globals(c, d.top())) {
			for _, a := range g.Actions {
				if !keys.Live(a.Key, ctx) {
					t.Errorf("%s: %s is not declared live in %q", s.name, keys.Decls[a.Key].Name, ctx)
				}
			}
		}
	}
}

// TestEveryKeyOnEveryScreen sends every key to each screen in
// representative states: a key that changes something is in that screen's
// help, and every key the footer offers changes something.
func TestEveryKeyOnEveryScreen(t *testing.T) {
	for _, s := range keyStates {
		t.Run(s.name, func(t *testing.T) {
			d := s.start(t)
			inHelp := helpKeys(d)
			for _, k := range allKeys() {
				if s.pressChanges(t, k) && !inHelp[k] {
					t.Errorf("%q changes the %s but its help does not list it", k, s.name)
				}
			}
			for _, a := range footerActions(d) {
				k := d.m().keys.Get(a.Key).Keys()[0]
				if !s.pressChanges(t, k) {
					t.Errorf("the footer offers %q (%s) but it changes nothing in the %s", k, fmt.Sprint(a.Key), s.name)
				}
			}
		})
	}
}
