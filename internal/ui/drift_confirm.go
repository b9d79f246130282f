package ui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// driftConfirm asks before a reconcile (a tracked run) or before applying
// its plan. It follows the runs rules: it names the action, stack,
// environment and commit; a protected environment needs the stack name
// typed; only y (or the typed name and enter) goes ahead.
//
// TODO(lead): swap for the shared confirmation component of the runs
// issue once it lands on main.
type driftConfirm struct {
	action    string // "reconcile" | "apply"
	stackID   string
	name      string
	env       string
	runID     string
	lines     []string
	protected bool
	typed     string
}

func (m Model) protectedEnv(name string) bool {
	for _, e := range m.envs {
		if e.Name == name {
			return e.Protected
		}
	}
	return false
}

// askReconcile asks to reconcile s: deploy its tracked commit, which puts
// the drifted resources back.
func (m Model) askReconcile(s *model.Stack) (Model, tea.Cmd) {
	if why := m.refuse(s, "reconcile"); why != "" {
		return m.driftFailed(why)
	}
	rep := m.drift.reports[s.ID]
	lines := []string{
		fmt.Sprintf("Reconcile %s in %s: start a tracked run of commit %s.", s.Name, s.Env, shortSHA(s.TrackedCommit)),
		fmt.Sprintf("Its plan puts back %d drifted resource(s)%s.", rep.Counted(), ignoredNote(rep.Ignored())),
	}
	if !s.Autodeploy {
		lines = append(lines, "The stack does not autodeploy: the run waits for confirmation (c) after planning.")
	}
	return m.ask(driftConfirm{action: "reconcile", stackID: s.ID, name: s.Name, env: s.Env, lines: lines})
}

func ignoredNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (and %d ignored one(s), which it also overwrites)", n)
}

// askConfirmReconcile asks to apply the stack's deploy waiting for
// confirmation — typically the reconcile run after its plan.
func (m Model) askConfirmReconcile(s *model.Stack) (Model, tea.Cmd) {
	if why := m.refuse(s, "confirm a run"); why != "" {
		return m.driftFailed(why)
	}
	r := s.LatestRun
	if r == nil || r.Kind != model.RunDeploy || r.State != model.StateUnconfirmed {
		return m.driftFailed("no run of " + s.Name + " waits for confirmation")
	}
	lines := []string{
		fmt.Sprintf("Apply run %s on %s in %s (commit %s).", r.ID, s.Name, s.Env, shortSHA(r.Commit)),
		"Plan: " + deltaText(r.Delta),
	}
	return m.ask(driftConfirm{action: "apply", stackID: s.ID, name: s.Name, env: s.Env, runID: r.ID, lines: lines})
}

func (m Model) ask(c driftConfirm) (Model, tea.Cmd) {
	c.protected = m.protectedEnv(c.env)
	m.drift.confirm = &c
	m.message = ""
	return m, nil
}

// handleConfirmKey answers the open confirmation.
func (m Model) handleConfirmKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	c, k := *m.drift.confirm, m.keys.DriftConfirm
	switch {
	case msg.Text == "" && key.Matches(msg, m.keys.Global.Quit):
		return m, tea.Quit
	case key.Matches(msg, m.keys.Global.ClearEsc) || (!c.protected && key.Matches(msg, k.Cancel)):
		m.drift.confirm = nil
		m.message, m.messageErr = c.action+" cancelled", false
		return m, nil
	case c.protected && key.Matches(msg, m.keys.Input.Erase):
		if r := []rune(c.typed); len(r) > 0 {
			c.typed = string(r[:len(r)-1])
		}
	case c.protected && key.Matches(msg, k.Submit):
		if c.typed != c.name {
			m.message, m.messageErr = "type "+c.name+" exactly to "+c.action+" in "+c.env, true
			return m, nil
		}
		return m.confirmed(c)
	case c.protected:
		c.typed += msg.Text
	case key.Matches(msg, k.Yes):
		return m.confirmed(c)
	}
	m.drift.confirm = &c
	return m, nil
}

func (m Model) confirmed(c driftConfirm) (tea.Model, tea.Cmd) {
	m.drift.confirm = nil
	s := m.forest.Stack(c.stackID)
	if why := m.refuse(s, c.action); why != "" {
		return m.driftFailed(why)
	}
	if c.action == "apply" {
		return m.sendDrift(s, "apply", "", func(ctx context.Context, b backend.Backend) (model.Run, error) {
			return b.Confirm(ctx, c.stackID, c.runID)
		})
	}
	return m.sendDrift(s, "reconcile", "", func(ctx context.Context, b backend.Backend) (model.Run, error) {
		return b.Trigger(ctx, c.stackID, model.RunDeploy)
	})
}
