package ui

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/tfmod"
)

// bumpTimeout bounds a whole bump: clones, commits and pushes of every
// repository in scope.
const bumpTimeout = 5 * time.Minute

// bumpDraft is a bump between its two dialogs: first the target version
// and the scope, then the confirmation that lists every file it edits.
type bumpDraft struct {
	name   string
	row    modRow
	scopes []bumpScope // the scope buttons, after Cancel
	env    string      // the environment of the branch bumped
}

// bumpScope is one choice of where to bump: every repository, the row's
// repository, or the row's stack.
type bumpScope struct {
	label string
	repos []string
	roots map[string][]string
}

// bumpFollow is a dev stack a bump's push should make run.
type bumpFollow struct {
	stackID, name, commit string
}

// devEnv is where bumps land: the first environment, dev by default.
func (m Model) devEnv() model.Environment {
	if len(m.envs) == 0 {
		return model.Environment{Name: "dev", Branch: "dev"}
	}
	return m.envs[0]
}

// proposeBump opens the first dialog: the target version (the newest
// published, editable) and the scope.
func (m Model) proposeBump() (tea.Model, tea.Cmd) {
	if next, cmd, ok := m.refused("bump"); ok {
		return next, cmd
	}
	if m.mods.cursor >= len(m.mods.rows) {
		return m.failed("no module selected")
	}
	row := m.mods.rows[m.mods.cursor]
	if _, busy := m.ops.InFlight()[mutation.ModuleKey(row.address)]; busy {
		return m.failed("a bump of %s was sent; waiting for the answer", row.address)
	}
	dev := m.devEnv()
	uses := m.mods.usesOn(m.mods.usesOf(modRow{address: row.address}), dev.Branch)
	if len(uses) == 0 {
		return m.failed("bump unavailable: no %s branch uses %s", dev.Branch, row.address)
	}
	src := m.mods.inv.Usages[uses[0]].Call.Source
	if !src.Versioned() {
		return m.failed("bump unavailable: %s has no versions (a %s source)", row.address, src.Kind)
	}
	newest := m.mods.newest(uses)
	all := m.mods.inv.Repos(row.address, dev.Branch)
	scopes := []bumpScope{{label: fmt.Sprintf("Every repo (%d)", len(all)), repos: all}}
	if row.unit != nil && len(m.mods.usesOn(m.mods.usesOf(row), dev.Branch)) > 0 {
		scopes = append(scopes, bumpScope{label: "Repo " + repoBase(row.unit.repo), repos: []string{row.unit.repo}})
		if id := m.mods.inv.Usages[m.mods.usesOn(m.mods.usesOf(row), dev.Branch)[0]].StackID; id != "" {
			scopes = append(scopes, bumpScope{label: "Stack " + m.stackName(id), repos: []string{row.unit.repo},
				roots: map[string][]string{row.unit.repo: {row.unit.dir}}})
		}
	}
	name := moduleName(src)
	lines := []string{
		"Module       " + row.address,
		"In " + dev.Branch + "       " + strings.Join(m.mods.versionsIn(uses), ", "),
		"Newest       " + orDash(newest),
		"",
		"Choose the version, then where. Edits are committed on " + dev.Branch + ".",
	}
	buttons := make([]button, 0, len(scopes))
	for _, s := range scopes {
		buttons = append(buttons, button{label: s.label})
	}
	d := newDialog("Bump module "+name, lines, []mutation.Field{{Label: "Target version", Value: newest}}, false, buttons...)
	m.dialog = &d
	m.mods.bump = &bumpDraft{name: name, row: row, scopes: scopes, env: dev.Name}
	return m, nil
}

func (m Model) stackName(id string) string {
	if s := m.forest.Stack(id); s != nil {
		return s.Name
	}
	return id
}

// newest is the newest release any of the uses knows of.
func (s modulesState) newest(uses []int) string {
	newest := ""
	for _, i := range uses {
		if n := s.status[i].Newest; n != "" && (newest == "" || model.CompareVersions(n, newest) > 0) {
			newest = n
		}
	}
	return newest
}

// versionsIn lists the distinct specs the uses ask for, oldest first.
func (s modulesState) versionsIn(uses []int) []string {
	var out []string
	for _, i := range uses {
		if spec := s.inv.Usages[i].Call.Spec(); !slices.Contains(out, spec) {
			out = append(out, spec)
		}
	}
	sort.Slice(out, func(i, j int) bool { return model.CompareVersions(out[i], out[j]) < 0 })
	return out
}

// inUse is the version a use runs: its status, else what it asks for.
func (s modulesState) inUse(i int) string {
	if v := s.status[i].Current; v != "" {
		return v
	}
	return s.inv.Usages[i].Call.Spec()
}

// onBumpDialogKey drives the bump's two dialogs.
func (m Model) onBumpDialogKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	d, out := m.dialog.update(msg, m.keys.Dialog, m.keys.Input)
	if out == nil {
		m.dialog = &d
		return m, nil
	}
	draft := *m.mods.bump
	m.dialog, m.mods.bump = nil, nil
	if out.button == 0 {
		m.message, m.messageErr = "cancelled: nothing was changed", false
		return m, nil
	}
	return m.confirmBump(draft, draft.scopes[out.button-1], strings.TrimSpace(out.values[0]))
}

// confirmBump checks the target against the published versions and every
// use in scope, then opens the confirmation listing repositories and files.
func (m Model) confirmBump(draft bumpDraft, scope bumpScope, target string) (Model, tea.Cmd) {
	target = strings.TrimPrefix(target, "v")
	addr, dev := draft.row.address, m.devEnv()
	if _, known := m.mods.avail[addr]; !known || !m.mods.published(addr, target) {
		return m.failed("bump refused: %s has no version %q (newest %s)", addr, target, orDash(m.mods.newest(m.mods.usesOf(draft.row))))
	}
	// Only uses below the target move: a root already there or ahead (a
	// newer pin tried in dev) is left alone, never downgraded.
	var lines, ahead []string
	var repos []string
	roots := map[string][]string{}
	for _, repo := range scope.repos {
		var files []string
		for _, i := range m.mods.usesOn(m.mods.usesOf(modRow{address: addr}), dev.Branch) {
			u := m.mods.inv.Usages[i]
			if u.Repo != repo || (scope.roots != nil && !slices.Contains(scope.roots[repo], u.Call.Dir)) {
				continue
			}
			if model.CompareVersions(m.mods.inUse(i), target) >= 0 {
				ahead = append(ahead, fmt.Sprintf("  %s %s:%d at %s", repoBase(repo), u.Call.File, u.Call.Line, u.Call.Spec()))
				continue
			}
			to, err := tfmod.RewriteSpec(u.Call.Spec(), target)
			if err != nil {
				return m.failed("bump refused: %s: %v", u, err)
			}
			files = append(files, fmt.Sprintf("  %s:%d  module %s  %s → %s", u.Call.File, u.Call.Line, u.Call.Name, u.Call.Spec(), to))
			if !slices.Contains(roots[repo], u.Call.Dir) {
				roots[repo] = append(roots[repo], u.Call.Dir)
			}
		}
		if len(files) > 0 {
			repos = append(repos, repo)
			lines = append(lines, repoBase(repo)+":")
			lines = append(lines, files...)
		}
	}
	if len(repos) == 0 {
		return m.failed("nothing to bump: every use in scope is at %s or newer", target)
	}
	if len(ahead) > 0 {
		lines = append(append(lines, "Left alone (at "+target+" or newer):"), ahead...)
	}
	return m.propose(mutation.Bump{Address: addr, Name: draft.name, Target: target, Repos: repos, Roots: roots,
		Branch: dev.Branch, Env: dev.Name, Lines: lines})
}

// onBump shows what happened in each repository, follows the dev stacks
// the pushes make run, and scans again so the matrix shows the new pins.
func (m Model) onBump(res mutation.BumpResult) (Model, tea.Cmd) {
	var lines []string
	var follow []bumpFollow
	done, failed := 0, 0
	for _, r := range res.Repos {
		lines = append(lines, r.Text)
		if r.Err != nil {
			failed++
			continue
		}
		done++
		if r.Commit != "" && !res.PullRequest {
			follow = append(follow, m.followersOf(r, res.Bump.Branch)...)
		}
	}
	if len(res.Repos) == 0 && res.Err != nil {
		lines = append(lines, fmt.Sprintf("✗ %v — %s", res.Err, backend.Hint(res.Err)))
		failed++
	}
	title := fmt.Sprintf("Bump %s to %s: %d done, %d failed", res.Bump.Name, res.Bump.Target, done, failed)
	if len(follow) > 0 {
		lines = append(lines, "", fmt.Sprintf("The modules view follows the runs of the %d %s %s the pushes start.",
			len(follow), m.devEnv().Name, plural(len(follow), "stack")))
	}
	d := infoDialog(title, lines)
	m.dialog, m.pending = &d, nil
	m.mods.follow, m.mods.pushed = follow, title
	m.message = ""
	m, scan := m.scanModules()
	m, refresh := m.refresh()
	return m, tea.Batch(scan, refresh)
}

// followersOf are the stacks of a bumped repository that track the bumped
// branch at a project root the bump edited.
func (m Model) followersOf(r mutation.RepoBump, branch string) []bumpFollow {
	var out []bumpFollow
	for i := range m.forest.Envs {
		for _, s := range m.forest.Envs[i].Stacks() {
			if s.Branch != branch || !model.SameRepo(s.Repo, r.Repo) {
				continue
			}
			if slices.Contains(r.Dirs, path.Clean(s.ProjectRoot)) {
				out = append(out, bumpFollow{stackID: s.ID, name: s.Name, commit: r.Commit})
			}
		}
	}
	return out
}
