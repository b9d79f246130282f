package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
)

// renderPromote draws the promotion screen of the current stage.
func (m Model) renderPromote(w, h int) string {
	switch m.pr.stage {
	case stageDiff:
		lines := wrapLines(m.diffLines(), w) // a gate's reason is read whole
		head := lines[:2]
		rest := lines[2:]
		rest = rest[min(m.pr.scroll, len(rest)):]
		return block(append(head, rest...), w, h)
	case stageWaves:
		return block(m.waveLines(), w, h)
	}
	return block(m.boardLines(w, h), w, h)
}

// boardRowLines is the height of a repository on the board: three cell
// lines and a gap.
const boardRowLines = 4

// boardLines is the board: a row per repository, a column per environment,
// each cell the commit there, how far behind the previous environment it
// is, and its stacks' states with drift and lock markers.
func (m Model) boardLines(w, h int) []string {
	st := m.styles
	lines := []string{st.Title.Render("  Promotion board") + st.Subtle.Render(
		"  · where each repository stands per environment · enter on a cell promotes it to the next"), ""}
	switch {
	case m.pr.err != nil:
		return append(lines, st.StatusError.Render("  ✗ "+m.pr.err.Error()), "", "  r tries again, esc goes back")
	case m.pr.loading && len(m.pr.rows) == 0:
		return append(lines, "  fetching the repositories…")
	case len(m.pr.rows) == 0:
		return append(lines, "  no stack names a repository: nothing to promote")
	}
	labelW := 14
	cellW := max(18, (w-labelW-2)/max(1, len(m.envs))-1)
	header := "  " + fit("", labelW)
	for i, e := range m.envs {
		name := e.Name + " (" + e.Branch + ")"
		if e.Protected {
			name += " 🔒"
		}
		if i > 0 {
			name = "→ " + name
		}
		header += " " + st.ColumnHeader.Render(fit("  "+name, cellW))
	}
	lines = append(lines, header)
	// Rows scroll so the cursor's stays in view above the two-line legend.
	shown := max(1, (h-len(lines)-3)/boardRowLines)
	first := max(0, m.pr.row-shown+1)
	for ri, r := range m.pr.rows {
		if ri < first || ri >= first+shown {
			continue
		}
		cells := make([][]string, len(r.row.Cells))
		for ci, c := range r.row.Cells {
			cells[ci] = m.boardCell(c, ci > 0, cellW-2)
			selected := ri == m.pr.row && ci == m.pr.col
			for k := range cells[ci] {
				prefix := "  "
				if selected && k == 0 {
					prefix = "▶ " // the cursor shows without colour too
				}
				cells[ci][k] = prefix + cells[ci][k]
				if selected {
					cells[ci][k] = st.Selected.Render(fit(cells[ci][k], cellW))
				}
			}
		}
		for k := range 3 {
			line := "  " + fit("", labelW)
			if k == 0 {
				line = "  " + st.Heading.Render(fit(r.label, labelW))
			}
			for _, c := range cells {
				text := ""
				if k < len(c) {
					text = c[k]
				}
				line += " " + fit(text, cellW)
			}
			lines = append(lines, line)
		}
		lines = append(lines, "")
	}
	lines = append(lines, st.Subtle.Render("  Each cell: the branch's commit · the commits it lacks from the environment before"),
		st.Subtle.Render("  · its stacks: ✓ finished ◐ running ? waiting ✗ failed ⚠ drifted 🔒 locked"))
	if m.pr.loading {
		lines = append(lines, st.Subtle.Render("  ⟳ fetching…"))
	}
	return lines
}

// boardCell is one environment of a repository in three lines.
func (m Model) boardCell(c promotion.Cell, hasPrev bool, w int) []string {
	st := m.styles
	if c.Head.SHA == "" {
		return []string{st.Subtle.Render("no " + c.Env.Branch + " branch")}
	}
	head := c.Head.Short() + " " + c.Head.Subject
	behind := st.OK.Render("✓ up to date")
	switch {
	case !hasPrev:
		behind = st.Subtle.Render("source of changes")
	case c.Behind > 0:
		behind = st.Waiting.Render(fmt.Sprintf("↓ %d %s behind", c.Behind, plural(c.Behind, "commit")))
	}
	var marks []string
	counts := map[string]int{}
	for _, s := range c.Stacks {
		state := s.State
		if s.LatestRun != nil && !s.LatestRun.State.Terminal() {
			state = s.LatestRun.State
		}
		label, _ := stateLabel(state, st)
		counts[strings.Fields(label)[0]]++
		if s.Drift.Drifted {
			counts["⚠"]++
		}
		if s.Locked() {
			counts["🔒"]++
		}
	}
	for _, icon := range []string{"✓", "◐", "?", "✗", "–", "·", "⚠", "🔒"} {
		if n := counts[icon]; n > 0 {
			marks = append(marks, fmt.Sprintf("%s%d", icon, n))
		}
	}
	return []string{fit(head, w), behind, st.Subtle.Render(orDash(strings.Join(marks, " ")))}
}

// diffLines is the promotion read as a checklist: what moves, the commits,
// the files and the stacks they touch, module changes, the waves that will
// run and the gates.
func (m Model) diffLines() []string {
	st := m.styles
	p := m.pr.plan
	label := ""
	if m.pr.row < len(m.pr.rows) {
		label = m.pr.rows[m.pr.row].label
	}
	lines := []string{st.Title.Render(fmt.Sprintf("  Promote %s  %s → %s", label, p.Source.Name, p.Target.Name)) +
		st.Subtle.Render("  · "+p.Repo), ""}
	switch {
	case m.pr.err != nil:
		return append(lines, st.StatusError.Render("  ✗ "+m.pr.err.Error()), "", "  r tries again, esc goes back")
	case m.pr.loading:
		return append(lines, "  computing the diff and checking the gates…")
	}
	section := func(title string) { lines = append(lines, "", st.Heading.Render("  "+title)) }
	lines = append(lines, fmt.Sprintf("  Move %s from %s to %s (the head of %s) by %s",
		p.Target.Branch, shortSHA(p.TargetHead), shortSHA(p.Commit), p.Source.Branch, m.ops.Strategy()))
	if !p.FastForward {
		lines = append(lines, st.Warn.Render(fmt.Sprintf("  ⚠ %s has commits %s lacks: a fast-forward is impossible; "+
			"set [promotion] strategy = \"merge\" or \"pull-request\"", p.Target.Branch, p.Source.Branch)))
	}
	section(fmt.Sprintf("1. Commits (git log %s..%s): %d", p.Target.Branch, p.Source.Branch, len(p.Commits)))
	for _, c := range p.Commits {
		lines = append(lines, fmt.Sprintf("    %s %s  %s", c.Short(), c.Subject, st.Subtle.Render(c.Author)))
	}
	section(fmt.Sprintf("2. Files changed: %d, stacks affected: %d", len(p.Files), len(p.Affected)))
	covered := map[string]bool{}
	for _, a := range p.Affected {
		lines = append(lines, fmt.Sprintf("    %s (%s)", a.StackID, a.ProjectRoot))
		for _, f := range a.Files {
			lines = append(lines, "      "+f)
			covered[f] = true
		}
	}
	for _, f := range p.Files {
		if !covered[f] {
			lines = append(lines, st.Subtle.Render("    (no stack) "+f))
		}
	}
	section(fmt.Sprintf("3. Module changes: %d", len(p.Modules)))
	for _, mc := range p.Modules {
		lines = append(lines, "    "+mc.String())
	}
	for _, pr := range p.Problems {
		lines = append(lines, st.Warn.Render(fmt.Sprintf("    ⚠ %v: its module changes are unknown", pr)))
	}
	section("4. Runs that follow, in waves")
	for i, wave := range m.pr.waves {
		lines = append(lines, fmt.Sprintf("    wave %d: %s", i+1, strings.Join(wave, ", ")))
	}
	if len(m.pr.waves) == 0 {
		lines = append(lines, st.Subtle.Render("    none: no stack's project root changed"))
	}
	section(fmt.Sprintf("5. Predicted plans at %s", shortSHA(p.Commit)))
	lines = append(lines, m.predictedLines()...)
	failed := promotion.Failed(m.pr.gates)
	section(fmt.Sprintf("6. Gates: %d of %d pass", len(m.pr.gates)-len(failed), len(m.pr.gates)))
	for _, g := range m.pr.gates {
		mark := st.OK.Render("✓")
		if !g.Pass {
			mark = st.Fail.Render("✗")
		}
		lines = append(lines, fmt.Sprintf("    %s %s — %s", mark, g.Name, g.Reason))
	}
	next := "enter promotes"
	switch {
	case m.ops.ReadOnly():
		next = "read-only mode: promotion is refused"
	case len(failed) > 0:
		next = "enter promotes only with a reason typed to override the failing gates"
	}
	if m.protected(p.Target.Name) {
		next += " · " + p.Target.Name + " is protected: you will type its name"
	}
	lines = append(lines, "", st.Accent.Render("  → "+next+" · r checks again · esc back"))
	return lines
}

// waveLines is the wave view: each wave's stacks with their runs, and the
// next step.
func (m Model) waveLines() []string {
	st := m.styles
	p := m.pr.plan
	lines := []string{st.Title.Render(fmt.Sprintf("  Promotion %s → %s: %s is at %s", p.Source.Name, p.Target.Name,
		p.Target.Branch, shortSHA(m.pr.commit))), ""}
	waves := m.waveStacks()
	summary, stoppedAll := m.waveSummary(waves)
	style := st.Accent
	if stoppedAll {
		style = st.StatusError
	}
	lines = append(lines, style.Render("  "+summary), "")
	i := 0
	for wi, wave := range waves {
		lines = append(lines, st.Heading.Render(fmt.Sprintf("  Wave %d", wi+1)))
		for _, ws := range wave {
			line := m.waveLine(ws)
			if i == m.pr.cursor {
				line = st.Selected.Render(line)
			}
			lines = append(lines, line)
			i++
		}
	}
	return lines
}

func (m Model) waveLine(ws waveStack) string {
	st := m.styles
	name := fit(ws.id, 28)
	switch {
	case ws.stack == nil:
		return "    " + name + st.Subtle.Render(" not listed by "+m.info.Kind)
	case ws.blocked != "":
		return "    " + name + st.Fail.Render(" ⊘ blocked by "+ws.blocked)
	case ws.run == nil:
		return "    " + name + st.Subtle.Render(" · no run yet")
	}
	label, style := stateLabel(ws.run.State, st)
	text := fmt.Sprintf("    %s %s  %s %s", name, style.Render(fit(label, 20)), ws.run.ID, shortSHA(ws.run.Commit))
	if ws.run.Delta != nil {
		text += "  " + deltaText(ws.run.Delta)
	}
	if ws.run.State == model.StateUnconfirmed && m.protected(ws.stack.Env) {
		text += st.Warn.Render("  (protected: confirming asks for the name)")
	}
	return text
}

// promoteHelp is the key groups of the promotion screens.
func (m Model) promoteHelp() [][]key.Binding {
	g, k, a := m.keys.Global, m.keys.Promote, m.keys.Actions
	common := []key.Binding{g.Refresh, g.ClearEsc, g.Command, g.Help, g.Quit}
	switch m.pr.stage {
	case stageDiff:
		open := k.Open
		open.SetHelp(open.Help().Key, "promote (after the checklist)")
		return [][]key.Binding{{open, k.Predict, k.Up, k.Down}, common}
	case stageWaves:
		return [][]key.Binding{{k.Up, k.Down, a.Confirm, a.Discard, a.Retry, a.Latest, a.History}, common}
	}
	return [][]key.Binding{{k.Open, k.Up, k.Down, k.Left, k.Right}, common}
}
