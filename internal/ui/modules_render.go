package ui

import (
	"fmt"
	"slices"
	"sort"

	"github.com/stackview/stackview/internal/model"
)

// modLabelWidth is the first column of the modules table.
const modLabelWidth = 40

// renderModules is the modules view: the matrix of project roots by
// environment for every module, where the selection is used, the runs the
// last bump started, and the files that could not be read.
func (m Model) renderModules(w, h int) string {
	st, s := m.styles, m.mods
	switch {
	case !s.loaded && s.loading:
		return block([]string{"", "  reading the module blocks of every repository and environment branch…"}, w, h)
	case !s.loaded:
		return block([]string{"", "  no scan yet: press " + m.keys.Global.Refresh.Help().Key + " to read the repositories"}, w, h)
	}
	colW := max(10, min(18, (w-modLabelWidth-2)/max(1, len(m.envs))))
	header := fit(" MODULE / USED BY", modLabelWidth)
	for _, e := range m.envs {
		header += fit(e.Name, colW)
	}
	lines := []string{st.ColumnHeader.Render(fit(header, w))}
	if len(s.rows) == 0 {
		lines = append(lines, "  no module blocks with a registry or git source on any environment branch")
	}
	detail := m.modulesDetail(w)
	room := max(3, h-1-min(len(detail), h/2))
	offset := max(0, s.cursor-room+1)
	for i := offset; i < len(s.rows) && i < offset+room; i++ {
		line := m.moduleRowText(s.rows[i], colW)
		if i == s.cursor {
			line = st.Selected.Render(fit(line, w))
		} else if s.rows[i].unit == nil {
			line = st.Heading.Render(line)
		}
		lines = append(lines, line)
	}
	return block(append(lines, detail...), w, h)
}

// moduleRowText is one table line: a module with its newest version and
// each environment's range in use, or one project root's versions.
func (m Model) moduleRowText(r modRow, colW int) string {
	s := m.mods
	uses := s.usesOf(r)
	var label string
	if r.unit == nil {
		label = "▸ " + moduleName(s.inv.Usages[uses[0]].Call.Source) + "  newest " + orDash(s.newest(uses))
	} else {
		label = "    " + r.unit.label
	}
	line := fit(label, modLabelWidth-1) + " "
	for _, e := range m.envs {
		// One column of space between cells, so a truncated range never
		// runs into the next environment's.
		line += fit(s.cellText(s.usesOn(uses, e.Branch)), colW-1) + " "
	}
	return line
}

// cellText is where a set of uses stands: the versions in use, how many
// releases the furthest behind lags (↓N), ⚠ when the newest is a major
// bump, ✓ when at the newest.
func (s modulesState) cellText(uses []int) string {
	if len(uses) == 0 {
		return "—"
	}
	var versions []string
	behind, major, unpublished := 0, false, false
	for _, i := range uses {
		st := s.status[i]
		v := st.Current
		if v == "" {
			v = s.inv.Usages[i].Call.Spec() + "?"
		} else if !s.published(s.inv.Usages[i].Call.Source.Address(), v) {
			unpublished = true
		}
		if !contains(versions, v) {
			versions = append(versions, v)
		}
		behind, major = max(behind, st.Behind), major || st.Major
	}
	sort.Slice(versions, func(i, j int) bool { return model.CompareVersions(versions[i], versions[j]) < 0 })
	text := versions[0]
	if len(versions) > 1 {
		text += "…" + versions[len(versions)-1]
	}
	switch {
	case unpublished:
		text += " ✗"
	case behind > 0:
		text += fmt.Sprintf(" ↓%d", behind)
	case s.status[uses[0]].Current != "":
		text += " ✓"
	}
	if major {
		text += " ⚠"
	}
	return text
}

// published reports whether the registry (or the tags) has version v.
func (s modulesState) published(address, v string) bool {
	avail, ok := s.avail[address]
	return !ok || slices.ContainsFunc(avail, func(a string) bool { return model.CompareVersions(a, v) == 0 })
}

// modulesDetail is what goes under the table.
func (m Model) modulesDetail(w int) []string {
	st, s := m.styles, m.mods
	legend := ""
	if s.loading {
		legend = "  scanning again…"
	}
	lines := []string{legend, st.Subtle.Render(fit("  ↓N releases behind the newest · ⚠ newest is a major bump · ✓ at the newest · ✗ not published · "+
		m.keys.Modules.Bump.Help().Key+" bumps the selection in "+m.devEnv().Name, w))}
	if s.cursor < len(s.rows) {
		r := s.rows[s.cursor]
		lines = append(lines, "", st.Title.Render("Where used: "+r.address))
		// Newest version first, so each version's users read as a block.
		uses := s.usesOf(r)
		sort.SliceStable(uses, func(a, b int) bool { return model.CompareVersions(s.inUse(uses[a]), s.inUse(uses[b])) > 0 })
		for _, i := range uses {
			lines = append(lines, "  "+fit(m.usageText(i), w-2))
		}
	}
	if len(s.follow) > 0 {
		lines = append(lines, "", st.Title.Render(s.pushed))
		for _, f := range s.follow {
			lines = append(lines, "  "+fit(m.followText(f), w-2))
		}
		lines = append(lines, st.Subtle.Render("  qa and prod: promote with the tree (s syncs, D deploys); the promotion board is not built yet"))
	}
	if len(s.inv.Problems) > 0 {
		lines = append(lines, "", st.Warn.Render(fmt.Sprintf("⚠ %d Terraform %s could not be read (skipped):", len(s.inv.Problems), plural(len(s.inv.Problems), "file"))))
		for _, p := range s.inv.Problems {
			lines = append(lines, "  "+fit(repoBase(p.Repo)+"@"+p.Branch+" "+p.Error(), w-2))
		}
	}
	if s.err != nil {
		lines = append(lines, "", st.StatusError.Render(fit("✗ "+s.err.Error(), w)))
	}
	return lines
}

// usageText is one module block: branch, stack, file and line, what it
// asks for and where that stands.
func (m Model) usageText(i int) string {
	u, st := m.mods.inv.Usages[i], m.mods.status[i]
	stack := "(no stack)"
	if u.StackID != "" {
		stack = m.stackName(u.StackID)
	}
	text := fmt.Sprintf("%-5s %-22s %s:%d module %s  %s", m.envOfBranch(u.Branch), stack, u.Call.File, u.Call.Line, u.Call.Name, u.Call.Spec())
	if st.Current != "" && st.Current != u.Call.Spec() {
		text += " (uses " + st.Current + ")"
	}
	if st.NewestAllowed != "" && st.NewestAllowed != st.Current {
		text += " · allowed " + st.NewestAllowed
	}
	return text
}

// followText is a stack the bump's push should run, and how its run goes.
func (m Model) followText(f bumpFollow) string {
	text := fmt.Sprintf("%-24s %s  ", f.name, shortSHA(f.commit))
	s := m.forest.Stack(f.stackID)
	if s == nil || s.LatestTrackedRun == nil || s.LatestTrackedRun.Commit != f.commit {
		return text + "waiting for the push to start a run"
	}
	r := s.LatestTrackedRun
	state, _ := stateLabel(r.State, m.styles)
	text += fmt.Sprintf("%s %s %s", r.Kind, r.ID, state)
	if r.Delta != nil {
		text += "  plan " + deltaText(r.Delta)
	}
	return text
}

// envOfBranch names the environment a branch deploys to.
func (m Model) envOfBranch(branch string) string {
	for _, e := range m.envs {
		if e.Branch == branch {
			return e.Name
		}
	}
	return branch
}
