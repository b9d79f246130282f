package ui

import (
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
)

// commands are the ":" verbs, with their argument completion.
var commands = []string{"drift", "env", "freeze", "help", "modules", "promote", "q", "quit", "refresh", "stack", "unfreeze"}

// runCommand executes one ":" line.
func (m Model) runCommand(line string) (tea.Model, tea.Cmd) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return m, nil
	}
	arg := strings.Join(fields[1:], " ")
	switch fields[0] {
	case "q", "quit":
		return m, tea.Quit
	case "help":
		m.helpOpen = true
		return m, nil
	case "refresh":
		return m.refresh()
	case "env":
		m.view = viewTree
		for i, e := range m.envs {
			if strings.EqualFold(e.Name, arg) {
				return m.switchEnv(i)
			}
		}
		return m.failed("unknown environment %q (have %s)", arg, strings.Join(m.envNames(), ", "))
	case "stack":
		m.view = viewTree
		return m.jumpToStack(arg)
	case "freeze", "unfreeze":
		return m.freeze(fields[0] == "freeze", fields[1:])
	case "promote":
		return m.openBoard()
	case "drift":
		return m.openDrift()
	case "modules":
		return m.openModules()
	}
	return m.failed("unknown command %q (try :env NAME, :stack NAME, :drift, :modules, :promote, :freeze ENV REASON, :unfreeze ENV, :refresh, :q)", fields[0])
}

// jumpToStack selects a stack by name in whichever environment holds it: an
// exact name wins, else the only name containing arg.
func (m Model) jumpToStack(arg string) (tea.Model, tea.Cmd) {
	if arg == "" {
		return m.failed("usage: :stack NAME")
	}
	var exact, partial []*model.Stack
	for i := range m.forest.Envs {
		for _, s := range m.forest.Envs[i].Stacks() {
			switch {
			case strings.EqualFold(s.Name, arg):
				exact = append(exact, s)
			case strings.Contains(strings.ToLower(s.Name), strings.ToLower(arg)):
				partial = append(partial, s)
			}
		}
	}
	found := exact
	if len(found) == 0 {
		found = partial
	}
	switch {
	case len(found) == 0:
		return m.failed("no stack matches %q", arg)
	case len(found) > 1:
		names := make([]string, 0, len(found))
		for _, s := range found {
			names = append(names, s.Name)
		}
		sort.Strings(names)
		return m.failed("%d stacks match %q: %s", len(found), arg, strings.Join(names, ", "))
	}
	s := found[0]
	for i, e := range m.envs {
		if e.Name == s.Env {
			m.env = i
		}
	}
	if match, err := matcher(m.filter); err == nil && !match(s) {
		m.filter = ""
		m.message, m.messageErr = "filter cleared to show "+s.Name, false
	}
	m.selectedID = s.ID
	m.rebuildRows()
	return m.loadRunsIfNeeded(false)
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
			for i := range m.forest.Envs {
				for _, s := range m.forest.Envs[i].Stacks() {
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
func (m Model) freeze(on bool, args []string) (tea.Model, tea.Cmd) {
	verb := "unfreeze"
	if on {
		verb = "freeze"
	}
	if next, cmd, ok := m.refused(verb); ok {
		return next, cmd
	}
	if len(args) == 0 || (on && len(args) < 2) {
		return m.failed("usage: :freeze ENV REASON, or :unfreeze ENV")
	}
	var tree *model.EnvTree
	for i := range m.forest.Envs {
		if strings.EqualFold(m.forest.Envs[i].Env.Name, args[0]) {
			tree = &m.forest.Envs[i]
		}
	}
	if tree == nil {
		return m.failed("unknown environment %q (have %s)", args[0], strings.Join(m.envNames(), ", "))
	}
	reason := strings.Join(args[1:], " ")
	inflight := m.ops.InFlight()
	return m.proposeMany(verb, tree.Stacks(), func(s *model.Stack) (mutation.StackOp, string) {
		if busy, ok := inflight[s.ID]; ok {
			return mutation.StackOp{}, busy + " already sent"
		}
		o, why := m.resolve(actLock, s, nil)
		switch {
		case why != "":
			return o, why
		case on && o.Action == "unlock":
			return o, "already locked by " + s.Lock.Holder
		case !on && o.Action == "lock":
			return o, "not locked"
		}
		o.Note = reason
		return o, ""
	})
}
