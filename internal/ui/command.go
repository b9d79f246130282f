package ui

import (
	"fmt"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/ui/act"
	"github.com/stackview/stackview/internal/ui/help"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/tree"
)

// commands are the ":" verbs, with their argument completion.
var commands = []string{"attention", "drift", "env", "freeze", "help", "messages", "modules", "promote", "q", "quit", "refresh", "stack", "unfreeze"}

// commandKey edits the command line.
func (m Model) commandKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case kit.Typed(msg): // text, whatever is bound to it
	case m.keys.Is(msg, keys.Interrupt):
		return m, tea.Quit // ctrl+c quits even mid-typing; a typed q is text
	case m.keys.Is(msg, keys.InputCancel):
		m.typing, m.input.Value = false, ""
		return m, nil
	case m.keys.Is(msg, keys.InputSubmit):
		line := m.input.Value
		m.typing, m.input.Value = false, ""
		return m.runCommand(line)
	case m.keys.Is(msg, keys.InputComplete):
		m.input.Value = m.complete(m.input.Value)
		return m, nil
	}
	if in, ok := m.input.Key(m.keys, msg); ok {
		m.input = in
	}
	return m, nil
}

// runCommand executes one ":" line.
func (m Model) runCommand(line string) (Model, tea.Cmd) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return m, nil
	}
	arg := strings.Join(fields[1:], " ")
	fail := func(format string, args ...any) (Model, tea.Cmd) {
		m.status = m.status.set(m.now(), fmt.Sprintf(format, args...), errText)
		return m, nil
	}
	top := len(m.stack) - 1
	if cmdr, ok := m.stack[top].(screen.Commander); ok {
		c := m.context(top)
		m.stack = append([]screen.Screen(nil), m.stack...)
		if next, cmd, ok := cmdr.Command(c, fields[0], fields[1:]); ok {
			if next != nil {
				m.set(top, next)
			}
			return m, cmd
		}
	}
	switch fields[0] {
	case "q", "quit":
		return m, tea.Quit
	case "help":
		return m.push(help.New(), screen.Target{}), nil
	case "refresh":
		return m.refresh()
	case "env":
		for i, e := range m.envs {
			if strings.EqualFold(e.Name, arg) {
				m = m.popToTree()
				return m.onTree(func(t tree.Model, c *screen.Context) (screen.Screen, tea.Cmd) { return t.SwitchEnv(c, i) })
			}
		}
		return fail("unknown environment %q (have %s)", arg, strings.Join(m.envNames(), ", "))
	case "stack":
		m = m.popToTree()
		return m.onTree(func(t tree.Model, c *screen.Context) (screen.Screen, tea.Cmd) { return t.JumpTo(c, arg) })
	case "freeze", "unfreeze":
		return m, m.freeze(fields[0] == "freeze", fields[1:])
	case "promote":
		return m.navigate(screen.Target{Kind: screen.KindBoard})
	case "drift":
		return m.navigate(screen.Target{Kind: screen.KindDriftInbox})
	case "modules":
		return m.navigate(screen.Target{Kind: screen.KindModules})
	case "attention":
		return m.navigate(screen.Target{Kind: screen.KindAttention})
	case "messages":
		return m.navigate(screen.Target{Kind: screen.KindMessages})
	}
	return fail("unknown command %q (try :env NAME, :stack NAME, :attention, :drift, :modules, :promote, :messages, :freeze ENV REASON, :unfreeze ENV, :refresh, :q)", fields[0])
}

// onTree runs f on the tree screen.
func (m Model) onTree(f func(tree.Model, *screen.Context) (screen.Screen, tea.Cmd)) (Model, tea.Cmd) {
	m.stack = append([]screen.Screen(nil), m.stack...)
	next, cmd := f(m.tree(), m.context(0))
	m.set(0, next)
	return m, cmd
}

func (m Model) envNames() []string {
	out := make([]string, len(m.envs))
	for i, e := range m.envs {
		out[i] = e.Name
	}
	return out
}

// complete extends the command line to the longest unambiguous completion
// of its last word: a command, an environment or a stack name.
func (m Model) complete(line string) string {
	fields := strings.Fields(line)
	trailing := strings.HasSuffix(line, " ")
	var candidates []string
	var word, head string
	switch {
	case len(fields) == 0:
		return line
	case len(fields) == 1 && !trailing:
		word, candidates = fields[0], commands
	default:
		head = fields[0] + " "
		if len(fields) > 1 {
			word = strings.Join(fields[1:], " ")
		}
		switch fields[0] {
		case "env", "freeze", "unfreeze":
			candidates = m.envNames()
		case "stack":
			for i := range m.data.Forest.Envs {
				for _, s := range m.data.Forest.Envs[i].Stacks() {
					candidates = append(candidates, s.Name)
				}
			}
		default:
			return line
		}
	}
	var hits []string
	for _, c := range candidates {
		if strings.HasPrefix(c, word) {
			hits = append(hits, c)
		}
	}
	if len(hits) == 0 {
		return line
	}
	sort.Strings(hits)
	prefix := hits[0]
	for _, h := range hits[1:] {
		for !strings.HasPrefix(h, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	if len(hits) == 1 {
		if head == "" {
			return prefix + " "
		}
		return head + prefix
	}
	return head + prefix
}

// freeze locks every stack of an environment with the reason as the lock
// note (an incident "stop the line"), or unfreezes it, through the same
// confirmation as every other mutation.
func (m Model) freeze(on bool, args []string) tea.Cmd {
	verb := "unfreeze"
	if on {
		verb = "freeze"
	}
	c := m.context(len(m.stack) - 1)
	if err := m.ops.Refuse(verb); err != nil {
		return c.Fail(err.Error())
	}
	if len(args) == 0 || (on && len(args) < 2) {
		return c.Fail("usage: :freeze ENV REASON, or :unfreeze ENV")
	}
	var env *model.EnvTree
	for i := range m.data.Forest.Envs {
		if strings.EqualFold(m.data.Forest.Envs[i].Env.Name, args[0]) {
			env = &m.data.Forest.Envs[i]
		}
	}
	if env == nil {
		return c.Fail(fmt.Sprintf("unknown environment %q (have %s)", args[0], strings.Join(m.envNames(), ", ")))
	}
	reason := strings.Join(args[1:], " ")
	lock := act.InFlightSkip(c, act.Lock)
	return act.Many(c, verb, act.Stacks(env.Stacks()), func(t act.Target) (mutation.StackOp, string) {
		s := t.Stack
		o, why := lock(t)
		switch {
		case on && s.Locked():
			return o, "already locked by " + s.Lock.Holder
		case why != "":
			return o, why
		case !on && o.Action == "lock":
			return o, "not locked"
		}
		o.Note = reason
		return o, ""
	})
}
