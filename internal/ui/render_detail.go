package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// waveIndex numbers every stack's dependency wave across the organisation.
// Stacks caught in a cycle get no number.
func waveIndex(f *model.Forest) map[string]int {
	var ids []string
	for i := range f.Envs {
		for _, s := range f.Envs[i].Stacks() {
			ids = append(ids, s.ID)
		}
	}
	for _, s := range f.Unmapped {
		ids = append(ids, s.ID)
	}
	waves, _ := model.Waves(ids, func(id string) []string {
		if s := f.Stack(id); s != nil {
			return s.DependsOn
		}
		return nil
	})
	return model.WaveIndex(waves)
}

// renderDetail draws the selected stack in a bordered pane of w×h.
func (m Model) renderDetail(w, h int) string {
	st := m.styles
	s := m.selected()
	inner := w - st.PaneBorder.GetHorizontalFrameSize()
	var lines []string
	if s == nil {
		lines = []string{st.Subtle.Render("no stack selected")}
	} else {
		lines = m.detailLines(s, inner)
	}
	innerH := h - st.PaneBorder.GetVerticalFrameSize()
	if len(lines) > innerH {
		lines = lines[:innerH]
	}
	for i := range lines {
		lines[i] = fitStyled(lines[i], inner)
	}
	return st.PaneBorder.Width(w).Height(h).Render(strings.Join(lines, "\n"))
}

// fitStyled truncates an already styled line to w cells.
func fitStyled(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	return fit(s, w)
}

func (m Model) detailLines(s *model.Stack, width int) []string {
	st := m.styles
	field := func(name, value string) string { return st.Label.Render(fit(name, 11)) + value }
	state, stStyle := stateLabel(s.State, st)
	lines := []string{st.Title.Render(s.Name), field("State", stStyle.Render(state))}
	if s.Description != "" {
		lines = append(lines, st.Subtle.Render(s.Description))
	}
	layer := string(s.Layer)
	if s.BusinessUnit != "" {
		layer += " · " + s.BusinessUnit
	}
	lines = append(lines,
		field("Layer", layer),
		field("Repository", displayRepo(s.Repo)),
		field("Branch", s.Branch),
		field("Root", orDash(s.ProjectRoot)),
		field("Commit", m.commitText(s)),
		field("Labels", orDash(strings.Join(s.Labels, ", "))),
	)
	lines = append(lines, m.dependencyLines(s, field)...)
	if s.Lock != nil {
		lock := s.Lock.Holder
		if !s.Lock.At.IsZero() {
			lock += " for " + age(m.now().Sub(s.Lock.At))
		}
		if s.Lock.Note != "" {
			lock += " — " + s.Lock.Note
		}
		lines = append(lines, field("Lock", st.Accent.Render("⊘ "+lock)))
	}
	lines = append(lines, m.driftLines(s, field)...)
	lines = append(lines, "", st.Heading.Render("Recent runs"))
	return append(lines, m.runLines(width)...)
}

func (m Model) commitText(s *model.Stack) string {
	text := orDash(shortSHA(s.TrackedCommit))
	if s.CommitsBehind > 0 {
		text += m.styles.Warn.Render(fmt.Sprintf(" ↓%d behind %s", s.CommitsBehind, shortSHA(s.BranchHead)))
	}
	return text
}

func (m Model) dependencyLines(s *model.Stack, field func(string, string) string) []string {
	waves := m.waves
	name := func(id string) string {
		label := id
		if d := m.forest.Stack(id); d != nil {
			label = d.Name
		}
		if w, ok := waves[id]; ok {
			label += fmt.Sprintf(" (wave %d)", w)
		}
		return label
	}
	wave := "– (in a dependency cycle)"
	if w, ok := waves[s.ID]; ok {
		wave = fmt.Sprint(w)
	}
	lines := []string{field("Wave", wave)}
	for _, dir := range []struct {
		title string
		ids   []string
	}{{"Upstream", s.DependsOn}, {"Downstream", m.forest.Dependents(s.ID)}} {
		if len(dir.ids) == 0 {
			lines = append(lines, field(dir.title, "–"))
		}
		for i, id := range dir.ids {
			title := ""
			if i == 0 {
				title = dir.title
			}
			lines = append(lines, field(title, name(id)))
		}
	}
	return lines
}

func (m Model) driftLines(s *model.Stack, field func(string, string) string) []string {
	st := m.styles
	d := s.Drift
	switch {
	case d.CheckedAt.IsZero() && !d.Drifted:
		return []string{field("Drift", st.Subtle.Render("never checked"))}
	case !d.Drifted:
		return []string{field("Drift", st.OK.Render("✓ none")+st.Subtle.Render(" (checked "+age(m.now().Sub(d.CheckedAt))+" ago)"))}
	}
	summary := fmt.Sprintf("⚠ %d resources drifted", len(d.Resources))
	if !d.CheckedAt.IsZero() {
		summary += " (checked " + age(m.now().Sub(d.CheckedAt)) + " ago)"
	}
	lines := []string{field("Drift", st.Warn.Render(summary))}
	for _, r := range d.Resources {
		lines = append(lines, field("", st.Subtle.Render("· "+r)))
	}
	return lines
}

func (m Model) runLines(width int) []string {
	st := m.styles
	switch {
	case m.runsErr != nil:
		return []string{st.StatusError.Render("✗ " + m.runsErr.Error()), st.Subtle.Render(backend.Hint(m.runsErr))}
	case m.runsLoading && len(m.runs) == 0:
		return []string{st.Subtle.Render("loading…")}
	case len(m.runs) == 0:
		return []string{st.Subtle.Render("no runs yet")}
	}
	var lines []string
	for i := range m.runs {
		r := &m.runs[i]
		label, style := stateLabel(r.State, st)
		text := fmt.Sprintf("%-8s %s %4s %s", r.Kind, shortSHA(r.Commit), m.runAge(r), deltaText(r.Delta))
		lines = append(lines, style.Render(fit(label, 14))+" "+fit(text, max(0, width-15)))
	}
	return lines
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// displayRepo shortens a local repository URL (the sandbox's) to its last
// two path elements: the temp directory in front says nothing to the user.
func displayRepo(repo string) string {
	path, ok := strings.CutPrefix(repo, "file://")
	if !ok {
		return orDash(repo)
	}
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return "local " + strings.Join(parts, "/")
}
