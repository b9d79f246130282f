package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/help"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/messages"
	"github.com/stackview/stackview/internal/ui/screen"
)

// onKey routes a key press: the command line while it is typed, else the
// top screen's key table, then the global keys (unless the screen is
// modal), then the screen's Update for the rest (typed text).
func (m Model) onKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.typing {
		return m.commandKey(msg)
	}
	i := len(m.stack) - 1
	c := m.context(i)
	modal := isModal(m.top(), c)
	// Errors and alerts stay until the next key; the key that shows the
	// messages in full does not clear them.
	if modal || !m.keys.Is(msg, keys.Message) {
		m.status = m.status.keyed()
	}
	if !m.keys.Is(msg, keys.Quit) {
		m.quitArmed = false
	}
	if m.tooSmall() {
		if m.keys.Is(msg, keys.Quit) {
			return m.quit()
		}
		return m, nil
	}
	if te, ok := m.top().(screen.TextEntry); ok && te.TypingText(c) && kit.Typed(msg) {
		return m.toTop(msg) // text typed into a field is text, whatever is bound
	}
	m.stack = append([]screen.Screen(nil), m.stack...)
	if a, ok := screen.Match(m.keys, m.top().Keys(c), msg); ok {
		next, cmd := a.Do()
		m.set(i, next)
		return m, cmd
	}
	if a, ok := screen.Match(m.keys, []screen.Group{m.globals(c, m.top())}, msg); ok {
		_, cmd := a.Do()
		return m, cmd
	}
	return m.toTop(msg)
}

func isModal(s screen.Screen, c *screen.Context) bool {
	mo, ok := s.(screen.Modal)
	return ok && mo.Modal(c)
}

// globals are the keys every screen that is not modal has, unless it
// declares the same binding itself (r on the board reads the board again).
func (m Model) globals(c *screen.Context, s screen.Screen) screen.Group {
	do := func(cmd func() tea.Cmd) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) { return nil, cmd() }
	}
	ask := func(msg tea.Msg) func() tea.Cmd { return func() tea.Cmd { return c.Ask(msg) } }
	// In a dialog, help or a line being typed, ctrl+c still quits, at once.
	interrupt := screen.Action{Key: keys.Interrupt, Do: func() (screen.Screen, tea.Cmd) { return nil, tea.Quit }}
	if isModal(s, c) {
		return screen.Group{Title: "Everywhere", Actions: []screen.Action{interrupt}}
	}
	interrupt.Do = do(ask(screen.Quit{}))
	promo := "the promotion board"
	if m.data.Following != nil {
		promo = "the promotion being followed (its waves)"
	}
	acts := []screen.Action{
		{Key: keys.Refresh, Do: do(ask(screen.Refresh{}))},
		{Key: keys.Command, Do: do(ask(openCommandLine{}))},
		{Key: keys.Promotion, Help: promo, Do: do(ask(screen.Navigate{To: m.promotionTarget()}))},
		{Key: keys.Modules, Do: do(ask(screen.Navigate{To: screen.Target{Kind: screen.KindModules}}))},
		{Key: keys.Attention, Do: do(ask(screen.Navigate{To: screen.Target{Kind: screen.KindAttention}}))},
		{Key: keys.Message, Off: messagesOff(m.status, s),
			Do: do(ask(screen.Navigate{To: screen.Target{Kind: screen.KindMessages}}))},
		{Key: keys.Help, Do: do(ask(screen.Push{Screen: help.New()}))},
		{Key: keys.Quit, Do: do(ask(screen.Quit{}))},
		interrupt,
	}
	acts = dropDeclared(acts, s, c)
	return screen.Group{Title: "Everywhere", Actions: acts}
}

// dropDeclared leaves out the global keys a screen declares itself.
func dropDeclared(acts []screen.Action, s screen.Screen, c *screen.Context) []screen.Action {
	if isModal(s, c) {
		return acts
	}
	own := s.Keys(c)
	var out []screen.Action
	for _, a := range acts {
		if !screen.Has(own, a.Key) {
			out = append(out, a)
		}
	}
	return out
}

// messagesOff says why e (:messages) would show nothing new.
func messagesOff(st status, top screen.Screen) string {
	if _, here := top.(messages.Model); here {
		return "the messages are open"
	}
	return screen.OffIf(len(st.log) == 0, "no message yet")
}

// promotionTarget is where P goes: the promotion being followed, else the board.
func (m Model) promotionTarget() screen.Target {
	if m.data.Following != nil {
		return screen.Target{Kind: screen.KindWaves}
	}
	return screen.Target{Kind: screen.KindBoard}
}

// quit leaves, except while leaving would lose something: a mutation in
// flight (its answer and audit entry) or a promotion whose runs are still
// followed. Then the first press warns and only a second one quits.
func (m Model) quit() (Model, tea.Cmd) {
	inflight := len(m.ops.InFlight())
	following := m.data.Following != nil && !promotion.Settled(m.data.Following.Stacks(m.data.Forest.Stack))
	if m.quitArmed || (inflight == 0 && !following) {
		return m, tea.Quit
	}
	m.quitArmed = true
	q := m.keys.Key(keys.Quit)
	text := fmt.Sprintf("%d %s in flight: press %s again to quit without waiting for the answer",
		inflight, kit.Plural(inflight, "mutation"), q)
	if inflight == 0 {
		f := m.data.Following
		text = fmt.Sprintf("the promotion %s %s → %s is still running: press %s again to quit (its runs go on without you)",
			f.Label, f.Plan.Source.Name, f.Plan.Target.Name, q)
	}
	m.status = m.status.set(m.now(), text, errText)
	return m, nil
}

// openCommandLine starts typing a ":" command.
type openCommandLine struct{}
