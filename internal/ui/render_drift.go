package ui

import (
	"fmt"
	"strings"

	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
)

// renderDrift is the drift body: one stack's resources, or the inbox.
func (m Model) renderDrift(w, h int) string {
	if m.drift.detail != "" {
		return m.renderDriftDetail(w, h)
	}
	return m.renderDriftInbox(w, h)
}

// renderDriftInbox lists every drifted stack across environments.
func (m Model) renderDriftInbox(w, h int) string {
	st := m.styles
	entries := m.driftEntries()
	stacks, resources := m.driftCounts(entries)
	title := fmt.Sprintf("Drift inbox · %d stack(s) drifted, %d resource(s), every environment", stacks, resources)
	lines := []string{st.Title.Render(fit(title, w))}
	lines = append(lines, m.rulesErrLines(w)...)
	if len(entries) == 0 {
		lines = append(lines, "", st.OK.Render("  ✓ no drift: every checked stack matches its code"),
			st.Subtle.Render(fit("  "+m.keys.Tree.Check.Help().Key+" in the tree checks the selected stack now", w)))
		return block(lines, w, h)
	}
	envW, stackW, countW, ageW := 6, 24, 16, 8
	for _, e := range entries {
		envW = max(envW, len(e.stack.Env)+1)
		stackW = max(stackW, min(32, len(e.stack.Name)+1))
	}
	restW := max(10, w-envW-stackW-countW-ageW-6)
	hdr := fit("ENV", envW) + " " + fit("STACK", stackW) + " " + fit("DRIFTED", countW) + " " + fit("CHECKED", ageW) + " " + fit("RESOURCES / RUN", restW)
	lines = append(lines, st.ColumnHeader.Render(fit("  "+hdr, w)))
	rows := max(1, h-len(lines))
	offset := max(0, m.drift.cursor-rows+1)
	for i := offset; i < len(entries) && i < offset+rows; i++ {
		e := entries[i]
		count := fmt.Sprintf("⚠ %d", e.report.Counted())
		switch {
		case len(e.report.Resources) == 0:
			count = "⚠ ?"
		case e.report.Counted() == 0:
			count = "0"
		}
		if n := e.report.Ignored(); n > 0 {
			count += fmt.Sprintf(" +%d ign.", n)
		}
		line := fit(e.stack.Env, envW) + " " + fit(e.stack.Name, stackW) + " " + fit(count, countW) + " " +
			fit(m.checkedAgo(e.stack.Drift), ageW) + " " + fit(m.entryDetail(e), restW)
		switch {
		case i == m.drift.cursor:
			lines = append(lines, st.Selected.Render(fit("▸ "+line, w)))
		case e.report.Counted() == 0 && len(e.report.Resources) > 0:
			lines = append(lines, st.Subtle.Render(fit("  "+line, w)))
		default:
			lines = append(lines, fit("  "+line, w))
		}
	}
	return block(lines, w, h)
}

// startedText is the progress of a run started from the drift view.
func (m Model) startedText(r model.Run) string {
	text := fmt.Sprintf("%s %s %s", r.Title, r.ID, r.State)
	switch {
	case r.NeedsApproval:
		text += " — needs approval: " + m.keys.Actions.Review.Help().Key + " approves, then " +
			m.keys.Actions.Confirm.Help().Key + " applies it"
	case r.State == model.StateUnconfirmed:
		text += " — " + m.keys.Actions.Confirm.Help().Key + " applies it"
	}
	return text
}

func (m Model) checkedAgo(d model.Drift) string {
	if d.CheckedAt.IsZero() {
		return "–"
	}
	return age(m.now().Sub(d.CheckedAt)) + " ago"
}

// entryDetail is the last column: what was started from here, else the
// counted addresses and the drift run.
func (m Model) entryDetail(e driftEntry) string {
	if r, ok := m.drift.started[e.stack.ID]; ok {
		return m.startedText(r)
	}
	var addrs []string
	for _, r := range e.report.Resources {
		if !r.Ignored() {
			addrs = append(addrs, r.Address)
		}
	}
	text := strings.Join(addrs, ", ")
	if len(addrs) == 0 && len(e.report.Resources) > 0 {
		text = "all of its drift is ignored"
	}
	if run := e.report.Drift.RunID; run != "" {
		text += " · run " + run
	}
	return text
}

func (m Model) rulesErrLines(w int) []string {
	if m.drift.rulesErr == nil {
		return nil
	}
	return []string{m.styles.StatusError.Render(fit("  ✗ ignore file: "+m.drift.rulesErr.Error(), w))}
}

// renderDriftDetail lists one stack's drifted resources and attributes,
// each ignored one with the rule that ignores it.
func (m Model) renderDriftDetail(w, h int) string {
	st := m.styles
	s := m.forest.Stack(m.drift.detail)
	if s == nil {
		return block([]string{"", st.Subtle.Render("  the stack is gone; esc goes back")}, w, h)
	}
	rep := m.drift.reports[s.ID]
	if !rep.Drift.Drifted {
		lines := []string{st.Title.Render(fit(s.Name+" ("+s.Env+") · no drift", w)), ""}
		if r, ok := m.drift.started[s.ID]; ok {
			lines = append(lines, st.Accent.Render(fit("  "+m.startedText(r), w)))
		}
		lines = append(lines, st.OK.Render(fit("  ✓ "+s.Name+" matches its code; esc goes back to the inbox", w)))
		return block(lines, w, h)
	}
	head := fmt.Sprintf("%s (%s) · %d resource(s) drifted", s.Name, s.Env, rep.Counted())
	if n := rep.Ignored(); n > 0 {
		head += fmt.Sprintf(", %d ignored", n)
	}
	head += " · checked " + m.checkedAgo(rep.Drift)
	if rep.Drift.RunID != "" {
		head += " by run " + rep.Drift.RunID
	}
	lines := []string{st.Title.Render(fit(head, w))}
	if r, ok := m.drift.started[s.ID]; ok {
		lines = append(lines, st.Accent.Render(fit("  "+m.startedText(r), w)))
	}
	lines = append(lines, m.rulesErrLines(w)...)
	rows := driftRows(rep)
	if len(rows) == 0 {
		lines = append(lines, "", st.Subtle.Render(fit("  the backend reports drift but not which resources", w)))
		return block(lines, w, h)
	}
	lines = append(lines, "")
	avail := max(1, h-len(lines)-2)
	offset := max(0, m.drift.dcursor-avail+1)
	for i := offset; i < len(rows) && i < offset+avail; i++ {
		lines = append(lines, m.driftRowLine(rows[i], i == m.drift.dcursor, w))
	}
	k := m.keys.Drift
	hint := fmt.Sprintf("  %s ignores the selected attribute (on a resource: all of it) · %s reconciles · %s checks again",
		k.Ignore.Help().Key, m.reconcileKey().Help().Key, k.Check.Help().Key)
	lines = append(lines, "", st.Subtle.Render(fit(hint, w)))
	return block(lines, w, h)
}

func (m Model) driftRowLine(r driftRow, selected bool, w int) string {
	st := m.styles
	text, by := "  "+r.res.Address, r.res.IgnoredBy
	if r.attr != nil {
		text, by = "      "+r.attr.Name, r.attr.IgnoredBy
	} else if r.res.Attributes == nil {
		text += "  (attributes not reported)"
	}
	if by != nil {
		text += "  — ignored: " + ruleText(by)
	}
	switch {
	case selected:
		return st.Selected.Render(fit("▸"+text[1:], w))
	case by != nil:
		return st.Subtle.Render(fit(text, w))
	case r.attr == nil:
		return st.Warn.Render(fit(text, w))
	}
	return fit(text, w)
}

func ruleText(r *drift.Rule) string {
	text := r.Reason
	if text == "" {
		text = r.Address + " " + r.Attribute
	}
	return text + " (" + r.Source + ")"
}
