package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

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
	lines := m.detailContent(w)
	innerH := h - st.PaneBorder.GetVerticalFrameSize()
	if len(lines) > innerH {
		scroll := 0
		if m.detailShownFull() {
			scroll = min(m.detailScroll, len(lines)-innerH+1)
		}
		rest := len(lines) - scroll - (innerH - 1)
		lines = append(lines[scroll:scroll+innerH-1], st.Subtle.Render(moreText(rest, scroll, m.detailShownFull())))
	}
	return st.PaneBorder.Width(w).Height(h).Render(strings.Join(lines, "\n"))
}

// detailContent is every line of the selected stack's detail in a pane w
// wide, wrapped.
func (m Model) detailContent(w int) []string {
	inner := w - m.styles.PaneBorder.GetHorizontalFrameSize()
	s := m.selected()
	if s == nil {
		return []string{m.styles.Subtle.Render("no stack selected")}
	}
	return wrapLines(m.detailLines(s, inner), inner)
}

// maxDetailScroll is how far the full-screen detail can scroll: until its
// last line shows above the "lines above" note.
func (m Model) maxDetailScroll() int {
	innerH := m.bodyHeight() - m.styles.PaneBorder.GetVerticalFrameSize()
	return max(0, len(m.detailContent(m.width))-innerH+1)
}

// moreText says how much of the detail is cut off, and how to see it.
func moreText(below, above int, scrollable bool) string {
	switch {
	case !scrollable:
		return fmt.Sprintf("↓ %d more %s", below, plural(below, "line"))
	case below <= 0:
		return fmt.Sprintf("↑ %d %s above (k scrolls up)", above, plural(above, "line"))
	}
	return fmt.Sprintf("↓ %d more %s (j/k scroll)", below, plural(below, "line"))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// wrapLines wraps lines wider than w, indenting continuations under the
// field values so long lock notes and descriptions stay readable.
func wrapLines(lines []string, w int) []string {
	const indent = 11
	var out []string
	for _, l := range lines {
		if lipgloss.Width(l) <= w {
			out = append(out, l)
			continue
		}
		first, rest := cutWidth(l, w)
		out = append(out, first)
		for rest != "" && w > indent+8 {
			var part string
			part, rest = cutWidth(rest, w-indent)
			out = append(out, strings.Repeat(" ", indent)+part)
		}
	}
	return out
}

// cutWidth splits a styled string after w cells, at a space when one is near.
func cutWidth(s string, w int) (string, string) {
	wrapped := strings.SplitN(ansi.Wrap(s, w, ""), "\n", 2)
	if len(wrapped) == 1 {
		return wrapped[0], ""
	}
	return wrapped[0], strings.TrimLeft(wrapped[1], " ")
}

func (m Model) detailLines(s *model.Stack, width int) []string {
	st := m.styles
	field := func(name, value string) string { return st.Label.Render(fit(name, 11)) + value }
	state, stStyle := stateLabel(s.State, st)
	lines := []string{st.Title.Render(s.Name), field("State", stStyle.Render(state))}
	if can := m.enabledActions(s); can != "" {
		lines = append(lines, field("Keys", st.HelpKey.Render(can)))
	}
	if s.Description != "" {
		lines = append(lines, st.Subtle.Render(s.Description))
	}
	layer := string(s.Layer)
	if s.BusinessUnit != "" {
		layer += " · " + s.BusinessUnit
	}
	lines = append(lines,
		field("Layer", layer),
		field("Repository", displayRepo(s)),
		field("Branch", orDash(s.Branch)),
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
	if s.NeedsApproval {
		lines = append(lines, field("Approval", st.Waiting.Render("! a run waits for an approval: "+
			m.binding(actReview).Help().Key+" approves or rejects it")))
	}
	for _, p := range s.Problems {
		lines = append(lines, field("Unread", st.Warn.Render("⚠ "+p)))
	}
	lines = append(lines, m.driftLines(s, field)...)
	lines = append(lines, "", st.Heading.Render("Recent runs"))
	lines = append(lines, m.runLines(width)...)
	return append(lines, m.actionLines(s)...)
}

// enabledActions is the keys that act on the stack now, in one line; the
// Actions section at the end says why the others do not.
func (m Model) enabledActions(s *model.Stack) string {
	if m.readOnly {
		return ""
	}
	var parts []string
	for _, k := range mutatingActions {
		if o, why := m.resolve(k, s, nil); why == "" {
			parts = append(parts, m.binding(k).Help().Key+" "+o.action)
		}
	}
	return strings.Join(parts, " · ")
}

// actionLines lists every action on the stack: the key and verb, or why it
// is disabled.
func (m Model) actionLines(s *model.Stack) []string {
	st := m.styles
	lines := []string{"", st.Heading.Render("Actions")}
	for _, k := range mutatingActions {
		o, why := m.resolve(k, s, nil)
		if m.readOnly {
			why = "read-only mode"
		}
		verb := o.action
		if verb == "" {
			verb = k.String()
		}
		text := st.HelpKey.Render(fit(m.binding(k).Help().Key, 3)) + " " + verb
		if busy, ok := m.inflight[s.ID]; ok && why == "" {
			why = busy + " in flight"
		}
		if why != "" {
			text = st.Subtle.Render(fit(m.binding(k).Help().Key, 3) + " " + verb + " — " + why)
		}
		lines = append(lines, text)
	}
	return lines
}

func (m Model) commitText(s *model.Stack) string {
	text := orDash(shortSHA(s.TrackedCommit))
	if behind := s.Behind(); behind != "" {
		text += m.styles.Warn.Render(fmt.Sprintf(" %s behind %s", behind, shortSHA(s.BranchHead)))
	}
	return text
}

// dependenciesListed is how many upstream or downstream stacks the detail
// names before it counts the rest: an environment stack can have thousands
// of dependents, and laying them all out made every frame slow.
const dependenciesListed = 20

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
	}{{"Upstream", s.DependsOn}, {"Downstream", m.index.dependents[s.ID]}} {
		if len(dir.ids) == 0 {
			lines = append(lines, field(dir.title, "–"))
		}
		for i, id := range dir.ids {
			title := ""
			if i == 0 {
				title = dir.title
			}
			if i == dependenciesListed && len(dir.ids) > dependenciesListed+1 {
				lines = append(lines, field("", fmt.Sprintf("… %d more", len(dir.ids)-i)))
				break
			}
			lines = append(lines, field(title, name(id)))
		}
	}
	return lines
}

func (m Model) driftLines(s *model.Stack, field func(string, string) string) []string {
	st := m.styles
	d := s.Drift
	var lines []string
	switch {
	case !d.Drifted && d.Unknown != "":
		lines = []string{field("Drift", st.Warn.Render("? unknown"))}
	case d.CheckedAt.IsZero() && !d.Drifted:
		return []string{field("Drift", st.Subtle.Render("never checked"))}
	case !d.Drifted:
		return []string{field("Drift", st.OK.Render("✓ none")+st.Subtle.Render(" (checked "+age(m.now().Sub(d.CheckedAt))+" ago)"))}
	default:
		summary := fmt.Sprintf("⚠ %d resources drifted", len(d.Resources))
		if len(d.Resources) == 0 {
			summary = "⚠ drifted"
		}
		if !d.CheckedAt.IsZero() {
			summary += " (checked " + age(m.now().Sub(d.CheckedAt)) + " ago)"
		}
		lines = []string{field("Drift", st.Warn.Render(summary))}
		for _, r := range d.Resources {
			lines = append(lines, field("", st.Subtle.Render("· "+r)))
		}
	}
	if d.Unknown != "" { // why drift, or which resources drifted, is not known
		lines = append(lines, field("", st.Subtle.Render("("+d.Unknown+")")))
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

// displayRepo names a stack's repository as its forge does (owner/name)
// when the backend said, else by its clone URL, a local one (file://)
// shortened to its last two path elements: the temp directory in front
// says nothing to the user.
func displayRepo(s *model.Stack) string {
	if r := s.Repository; r.Namespace != "" && r.Name != "" {
		return r.Namespace + "/" + r.Name
	}
	repo := s.Repo
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
