package ui

import (
	"fmt"
	"maps"
	"sort"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
)

// toggleMark marks or unmarks the selected stack.
func (m Model) toggleMark() Model {
	if m.selectedID == "" {
		return m
	}
	marks := maps.Clone(m.marks)
	if marks == nil {
		marks = map[string]bool{}
	}
	if marks[m.selectedID] {
		delete(marks, m.selectedID)
	} else {
		marks[m.selectedID] = true
	}
	m.marks = marks
	m.message, m.messageErr = m.marksText(), false
	return m
}

// markAll marks every stack shown, or unmarks them when all already are.
func (m Model) markAll() Model {
	marks := maps.Clone(m.marks)
	if marks == nil {
		marks = map[string]bool{}
	}
	all := true
	for _, r := range m.rows {
		if r.kind == rowStack && !marks[r.stack.ID] {
			all = false
		}
	}
	for _, r := range m.rows {
		if r.kind == rowStack {
			if all {
				delete(marks, r.stack.ID)
			} else {
				marks[r.stack.ID] = true
			}
		}
	}
	m.marks = marks
	m.message, m.messageErr = m.marksText(), false
	return m
}

func (m Model) marksText() string {
	if len(m.marks) == 0 {
		return "no stack marked"
	}
	a := m.keys.Actions
	return fmt.Sprintf("%d marked: %s plans, %s confirms, %s discards them (esc unmarks)",
		len(m.marks), a.Plan.Help().Key, a.Confirm.Help().Key, a.Discard.Help().Key)
}

// markedStacks are the marked stacks still listed, by name.
func (m Model) markedStacks() []*model.Stack {
	var out []*model.Stack
	for id := range m.marks {
		if s := m.forest.Stack(id); s != nil {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// proposeBulk shows which marked stacks an action applies to and why the
// others are skipped, in the confirmation dialog.
func (m Model) proposeBulk(k actionKind) (Model, tea.Cmd) {
	inflight := m.ops.InFlight()
	return m.proposeMany(k.String(), m.markedStacks(), func(s *model.Stack) (mutation.StackOp, string) {
		if busy, ok := inflight[s.ID]; ok {
			return mutation.StackOp{}, busy + " already sent"
		}
		return m.resolve(k, s, nil)
	})
}

// proposeMany opens a bulk confirmation for the stacks resolve accepts.
func (m Model) proposeMany(action string, stacks []*model.Stack, resolve func(*model.Stack) (mutation.StackOp, string)) (Model, tea.Cmd) {
	var ops []mutation.StackOp
	var apply, skip []string
	for _, s := range stacks {
		o, why := resolve(s)
		if why != "" {
			skip = append(skip, fmt.Sprintf("  – %s: %s", s.Name, why))
			continue
		}
		ops = append(ops, o)
		line := fmt.Sprintf("  • %s (%s) %s", s.Name, orDash(s.Env), shortSHA(o.Commit))
		if o.RunID != "" {
			line += " run " + o.RunID
		}
		apply = append(apply, line)
	}
	if len(ops) == 0 {
		return m.failed("%s applies to none of the %d %s: %s", action, len(stacks), plural(len(stacks), "stack"), firstReason(skip))
	}
	lines := append([]string{fmt.Sprintf("Applies to %d:", len(ops))}, apply...)
	if len(skip) > 0 {
		lines = append(lines, "", fmt.Sprintf("Skipped %d:", len(skip)))
		lines = append(lines, skip...)
	}
	req := mutation.Stacks{Ops: ops, Bulk: true, Review: lines}
	if action != ops[0].Action { // :freeze is a lock of many
		req.Title = fmt.Sprintf("%s: %s %d %s?", mutation.TitleVerb(action), ops[0].Action, len(ops), plural(len(ops), "stack"))
	}
	return m.propose(req)
}

func firstReason(skip []string) string {
	if len(skip) == 0 {
		return "nothing to act on"
	}
	return skip[0][len("  – "):]
}
