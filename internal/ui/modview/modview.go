// Package modview is the modules view: every module block on every
// environment branch, where each use stands against the published versions,
// a bump (target version and scope, then the files it edits) and the dev
// runs a bump's pushes start.
package modview

import (
	"context"
	"errors"
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
	"github.com/stackview/stackview/internal/ui/dialog"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// scanTimeout bounds one scan of every repository: clones may be fetched.
const scanTimeout = 2 * time.Minute

// modLabelWidth is the first column of the modules table.
const modLabelWidth = 40

// state is the matrix as scanned.
type state struct {
	inv    tfmod.Inventory
	status []tfmod.Status      // parallel to inv.Usages; Current "" when unknown
	avail  map[string][]string // module address -> published versions
	rows   []Row
	cursor int
}

// Model is the modules screen.
type Model struct {
	state
	req     int
	loading bool
	loaded  bool
	err     error // what the last scan could not read (other repositories still count)

	follow []follow // the dev runs the last bump's pushes trigger
	pushed string   // what the last bump did, above the runs it follows
}

// Row is one line of the modules table: a module (Unit nil), or one
// project root using it, a business unit's row of the matrix.
type Row struct {
	Address string
	Unit    *Unit
}

// Unit is a project root of a repository and its uses of one module, by
// branch (indexes into the inventory's usages).
type Unit struct {
	Repo, Dir string
	Label     string
	uses      map[string][]int
}

// follow is a dev stack a bump's push should make run.
type follow struct {
	stackID, name, commit string
}

// scannedMsg is the answer to a scan.
type scannedMsg struct {
	req int
	mx  tfmod.Matrix
	err error
}

// bumpForm is the answer of a bump's first dialog: version and scope.
type bumpForm struct {
	draft  draft
	answer mutation.Answer
}

// draft is a bump between its two dialogs.
type draft struct {
	name   string
	row    Row
	scopes []scope // the scope buttons, after Cancel
}

// scope is one choice of where to bump: every repository, the row's
// repository, or the row's stack.
type scope struct {
	label string
	repos []string
	roots map[string][]string
}

// Open shows the modules view, scanning once the stacks are in: the scan
// needs them to know the repositories.
func Open(c *screen.Context) (Model, tea.Cmd) {
	if !c.Data.Loaded {
		return Model{}, nil
	}
	return Model{}.scan(c)
}

// Rows are the table's rows; Cursor the selected one.
func (m Model) Rows() []Row { return m.rows }

// Cursor is the selected row.
func (m Model) Cursor() int { return m.cursor }

// Cell is where a row stands on an environment's branch, as the table shows it.
func (m Model) Cell(r Row, branch string) string { return m.cellText(m.usesOn(m.usesOf(r), branch)) }

// Following are the dev stacks the last bump follows, by id → commit.
func (m Model) Following() map[string]string {
	out := map[string]string{}
	for _, f := range m.follow {
		out[f.stackID] = f.commit
	}
	return out
}

// Name implements screen.Named.
func (m Model) Name() string { return "the modules view" }

// Title implements screen.Screen.
func (m Model) Title(*screen.Context) []string { return []string{"modules"} }

// scan reads every repository's environment branches again.
func (m Model) scan(c *screen.Context) (Model, tea.Cmd) {
	m.req++
	m.loading = true
	ctx, reader, req := c.Ctx, c.Modules, m.req
	stacks := c.Data.Stacks()
	var branches []string
	for _, e := range c.Envs {
		branches = append(branches, e.Branch)
	}
	return m, func() tea.Msg {
		if reader == nil {
			return scannedMsg{req: req, err: errors.New("the modules view needs a clone cache; none is set up")}
		}
		ctx, cancel := context.WithTimeout(ctx, scanTimeout)
		defer cancel()
		mx, err := reader.Matrix(ctx, stacks, branches)
		return scannedMsg{req: req, mx: mx, err: err}
	}
}

// Update implements screen.Screen.
func (m Model) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case screen.Loaded:
		if !m.loaded && !m.loading {
			return m.scan(c)
		}
	case scannedMsg:
		if msg.req != m.req {
			return m, nil
		}
		address := m.selectedAddress()
		m.loading, m.loaded, m.err = false, true, msg.err
		m.inv, m.status, m.avail = msg.mx.Inventory, msg.mx.Status, msg.mx.Available
		m.rows = m.buildRows(c)
		m.cursor = 0
		for i, r := range m.rows {
			if r.Unit == nil && r.Address == address {
				m.cursor = i
			}
		}
	case bumpForm:
		if msg.answer.Button == 0 {
			return m, c.Say("cancelled: nothing was changed")
		}
		return m, m.confirmBump(c, msg.draft, msg.draft.scopes[msg.answer.Button-1], strings.TrimSpace(msg.answer.Values[0]))
	case screen.Outcome:
		if b := msg.Outcome.Bump; b != nil {
			return m.onBump(c, *b)
		}
	}
	return m, nil
}

// Keys implements screen.Screen.
func (m Model) Keys(c *screen.Context) []screen.Group {
	move := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			m.cursor = max(0, min(m.cursor+by, len(m.rows)-1))
			return m, nil
		}
	}
	refresh := func() (screen.Screen, tea.Cmd) {
		next, scan := m.scan(c)
		return next, tea.Batch(scan, c.Ask(screen.Refresh{}))
	}
	return []screen.Group{
		{Title: "Modules", Actions: []screen.Action{
			screen.Back(c, ""),
			{Key: keys.ModulesDown, Do: move(1), Off: screen.OffIf(m.cursor >= len(m.rows)-1, "at the last row")},
			{Key: keys.ModulesBump, Off: m.bumpOff(c), Do: func() (screen.Screen, tea.Cmd) { return m, m.proposeBump(c) }},
			{Key: keys.Refresh, Help: "read the repositories again", Do: refresh},
		}},
		{Title: "Move", Actions: []screen.Action{
			{Key: keys.ModulesUp, Do: move(-1), Off: screen.OffIf(m.cursor == 0, "at the top")},
		}},
	}
}

// bumpOff says why b does nothing now.
func (m Model) bumpOff(c *screen.Context) string {
	switch {
	case c.ReadOnly():
		return "read-only mode"
	case m.cursor >= len(m.rows):
		return "no module selected"
	}
	return ""
}

// devEnv is where bumps land: the first environment, dev by default.
func devEnv(c *screen.Context) model.Environment {
	if len(c.Envs) == 0 {
		return model.Environment{Name: "dev", Branch: "dev"}
	}
	return c.Envs[0]
}

func stackName(c *screen.Context, id string) string {
	if s := c.Data.Forest.Stack(id); s != nil {
		return s.Name
	}
	return id
}

// buildRows lays out the table: each module, then the project roots using
// it, by business unit.
func (m Model) buildRows(c *screen.Context) []Row {
	inv := m.inv
	var rows []Row
	for _, addr := range inv.Addresses() {
		units := map[string]*Unit{}
		for i, u := range inv.Usages {
			if u.Call.Source.Address() != addr {
				continue
			}
			k := u.Repo + "\x00" + u.Call.Dir
			un := units[k]
			if un == nil {
				un = &Unit{Repo: u.Repo, Dir: u.Call.Dir, uses: map[string][]int{}}
				units[k] = un
			}
			if un.Label == "" && u.StackID != "" {
				if s := c.Data.Forest.Stack(u.StackID); s != nil {
					un.Label = s.BusinessUnit
					if un.Label == "" {
						un.Label = "(environment)"
					}
				}
			}
			un.uses[u.Branch] = append(un.uses[u.Branch], i)
		}
		list := make([]*Unit, 0, len(units))
		for _, un := range units {
			where := repoBase(un.Repo)
			if un.Dir != "." && un.Dir != "" {
				where += "/" + un.Dir
			}
			if un.Label == "" {
				un.Label = "—"
			}
			un.Label += "  " + where
			list = append(list, un)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Label < list[j].Label })
		rows = append(rows, Row{Address: addr})
		for _, un := range list {
			rows = append(rows, Row{Address: addr, Unit: un})
		}
	}
	return rows
}

// proposeBump opens the first dialog: the target version (the newest
// published, editable) and the scope.
func (m Model) proposeBump(c *screen.Context) tea.Cmd {
	if err := c.Ops.Refuse("bump"); err != nil {
		return c.Fail(err.Error())
	}
	if m.cursor >= len(m.rows) {
		return c.Fail("no module selected")
	}
	row := m.rows[m.cursor]
	if _, busy := c.Ops.InFlight()[mutation.ModuleKey(row.Address)]; busy {
		return c.Fail(fmt.Sprintf("a bump of %s was sent; waiting for the answer", row.Address))
	}
	dev := devEnv(c)
	uses := m.usesOn(m.usesOf(Row{Address: row.Address}), dev.Branch)
	if len(uses) == 0 {
		return c.Fail(fmt.Sprintf("bump unavailable: no %s branch uses %s", dev.Branch, row.Address))
	}
	src := m.inv.Usages[uses[0]].Call.Source
	if !src.Versioned() {
		return c.Fail(fmt.Sprintf("bump unavailable: %s has no versions (a %s source)", row.Address, src.Kind))
	}
	newest := m.newest(uses)
	all := m.inv.Repos(row.Address, dev.Branch)
	scopes := []scope{{label: fmt.Sprintf("Every repo (%d)", len(all)), repos: all}}
	if row.Unit != nil && len(m.usesOn(m.usesOf(row), dev.Branch)) > 0 {
		scopes = append(scopes, scope{label: "Repo " + repoBase(row.Unit.Repo), repos: []string{row.Unit.Repo}})
		if id := m.inv.Usages[m.usesOn(m.usesOf(row), dev.Branch)[0]].StackID; id != "" {
			scopes = append(scopes, scope{label: "Stack " + stackName(c, id), repos: []string{row.Unit.Repo},
				roots: map[string][]string{row.Unit.Repo: {row.Unit.Dir}}})
		}
	}
	name := moduleName(src)
	lines := []string{
		"Module       " + row.Address,
		"In " + dev.Branch + "       " + strings.Join(m.versionsIn(uses), ", "),
		"Newest       " + kit.OrDash(newest),
		"",
		"Choose the version, then where. Edits are committed on " + dev.Branch + ".",
	}
	buttons := make([]mutation.Button, 0, len(scopes))
	for _, s := range scopes {
		buttons = append(buttons, mutation.Button{Label: s.label})
	}
	d := draft{name: name, row: row, scopes: scopes}
	form := dialog.New("Bump module "+name, lines, []mutation.Field{{Label: "Target version", Value: newest}}, false, buttons,
		func(a mutation.Answer) tea.Msg { return bumpForm{draft: d, answer: a} })
	return c.Ask(screen.Push{Screen: form})
}

// confirmBump checks the target against the published versions and every
// use in scope, then asks the pipeline for the confirmation listing
// repositories and files.
func (m Model) confirmBump(c *screen.Context, d draft, sc scope, target string) tea.Cmd {
	target = strings.TrimPrefix(target, "v")
	addr, dev := d.row.Address, devEnv(c)
	if _, known := m.avail[addr]; !known || !m.published(addr, target) {
		return c.Fail(fmt.Sprintf("bump refused: %s has no version %q (newest %s)", addr, target, kit.OrDash(m.newest(m.usesOf(d.row)))))
	}
	// Only uses below the target move: a root already there or ahead (a
	// newer pin tried in dev) is left alone, never downgraded.
	var lines, ahead []string
	var repos []string
	roots := map[string][]string{}
	for _, repo := range sc.repos {
		var files []string
		for _, i := range m.usesOn(m.usesOf(Row{Address: addr}), dev.Branch) {
			u := m.inv.Usages[i]
			if u.Repo != repo || (sc.roots != nil && !slices.Contains(sc.roots[repo], u.Call.Dir)) {
				continue
			}
			if model.CompareVersions(m.inUse(i), target) >= 0 {
				ahead = append(ahead, fmt.Sprintf("  %s %s:%d at %s", repoBase(repo), u.Call.File, u.Call.Line, u.Call.Spec()))
				continue
			}
			to, err := tfmod.RewriteSpec(u.Call.Spec(), target)
			if err != nil {
				return c.Fail(fmt.Sprintf("bump refused: %s: %v", u, err))
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
		return c.Fail(fmt.Sprintf("nothing to bump: every use in scope is at %s or newer", target))
	}
	if len(ahead) > 0 {
		lines = append(append(lines, "Left alone (at "+target+" or newer):"), ahead...)
	}
	return c.Ask(screen.Propose{Request: mutation.Bump{Address: addr, Name: d.name, Target: target, Repos: repos,
		Roots: roots, Branch: dev.Branch, Env: dev.Name, Lines: lines}})
}

// onBump shows what happened in each repository, follows the dev stacks
// the pushes make run, and scans again so the matrix shows the new pins.
func (m Model) onBump(c *screen.Context, res mutation.BumpResult) (screen.Screen, tea.Cmd) {
	var lines []string
	var fs []follow
	done, failed := 0, 0
	for _, r := range res.Repos {
		lines = append(lines, r.Text)
		if r.Err != nil {
			failed++
			continue
		}
		done++
		if r.Commit != "" && !res.PullRequest {
			fs = append(fs, followersOf(c, r, res.Bump.Branch)...)
		}
	}
	if len(res.Repos) == 0 && res.Err != nil {
		lines = append(lines, fmt.Sprintf("✗ %v — %s", res.Err, backend.Hint(res.Err)))
		failed++
	}
	title := fmt.Sprintf("Bump %s to %s: %d done, %d failed", res.Bump.Name, res.Bump.Target, done, failed)
	if len(fs) > 0 {
		lines = append(lines, "", fmt.Sprintf("The modules view follows the runs of the %d %s %s the pushes start.",
			len(fs), devEnv(c).Name, kit.Plural(len(fs), "stack")))
	}
	m.follow, m.pushed = fs, title
	next, scan := m.scan(c)
	return next, tea.Batch(scan, c.Ask(screen.Push{Screen: dialog.Info(title, lines)}))
}

// followersOf are the stacks of a bumped repository that track the bumped
// branch at a project root the bump edited.
func followersOf(c *screen.Context, r mutation.RepoBump, branch string) []follow {
	var out []follow
	for i := range c.Data.Forest.Envs {
		for _, s := range c.Data.Forest.Envs[i].Stacks() {
			if s.Branch != branch || !model.SameRepo(s.Repo, r.Repo) {
				continue
			}
			if slices.Contains(r.Dirs, path.Clean(s.ProjectRoot)) {
				out = append(out, follow{stackID: s.ID, name: s.Name, commit: r.Commit})
			}
		}
	}
	return out
}

// View implements screen.Screen: the matrix of project roots by
// environment for every module, where the selection is used, the runs the
// last bump started, and the files that could not be read.
func (m Model) View(c *screen.Context, w, h int) string {
	st := c.Styles
	switch {
	case !m.loaded && m.loading:
		return kit.Block([]string{"", "  reading the module blocks of every repository and environment branch…"}, w, h)
	case !m.loaded:
		return kit.Block([]string{"", "  no scan yet: press " + c.Keys.Key(keys.Refresh) + " to read the repositories"}, w, h)
	}
	colW := max(10, min(18, (w-modLabelWidth-2)/max(1, len(c.Envs))))
	header := kit.Fit(" MODULE / USED BY", modLabelWidth)
	for _, e := range c.Envs {
		header += kit.Fit(e.Name, colW)
	}
	lines := []string{st.ColumnHeader.Render(kit.Fit(header, w))}
	if len(m.rows) == 0 {
		lines = append(lines, "  no module blocks with a registry or git source on any environment branch")
	}
	detail := m.detail(c, w)
	room := max(3, h-1-min(len(detail), h/2))
	offset := max(0, m.cursor-room+1)
	for i := offset; i < len(m.rows) && i < offset+room; i++ {
		line := m.rowText(c, m.rows[i], colW)
		if i == m.cursor {
			line = st.Selected.Render(kit.Fit(line, w))
		} else if m.rows[i].Unit == nil {
			line = st.Heading.Render(line)
		}
		lines = append(lines, line)
	}
	return kit.Block(append(lines, detail...), w, h)
}

// rowText is one table line: a module with its newest version and each
// environment's range in use, or one project root's versions.
func (m Model) rowText(c *screen.Context, r Row, colW int) string {
	uses := m.usesOf(r)
	var label string
	if r.Unit == nil {
		label = "▸ " + moduleName(m.inv.Usages[uses[0]].Call.Source) + "  newest " + kit.OrDash(m.newest(uses))
	} else {
		label = "    " + r.Unit.Label
	}
	line := kit.Fit(label, modLabelWidth-1) + " "
	for _, e := range c.Envs {
		// One column of space between cells, so a truncated range never
		// runs into the next environment's.
		line += kit.Fit(m.cellText(m.usesOn(uses, e.Branch)), colW-1) + " "
	}
	return line
}

// detail is what goes under the table.
func (m Model) detail(c *screen.Context, w int) []string {
	st := c.Styles
	legend := ""
	if m.loading {
		legend = "  scanning again…"
	}
	lines := []string{legend, st.Subtle.Render(kit.Fit("  ↓N releases behind the newest · ⚠ newest is a major bump · ✓ at the newest · ✗ not published · "+
		c.Keys.Key(keys.ModulesBump)+" bumps the selection in "+devEnv(c).Name, w))}
	if m.cursor < len(m.rows) {
		r := m.rows[m.cursor]
		lines = append(lines, "", st.Title.Render("Where used: "+r.Address))
		// Newest version first, so each version's users read as a block.
		uses := m.usesOf(r)
		sort.SliceStable(uses, func(a, b int) bool { return model.CompareVersions(m.inUse(uses[a]), m.inUse(uses[b])) > 0 })
		for _, i := range uses {
			lines = append(lines, "  "+kit.Fit(m.usageText(c, i), w-2))
		}
	}
	if len(m.follow) > 0 {
		lines = append(lines, "", st.Title.Render(m.pushed))
		for _, f := range m.follow {
			lines = append(lines, "  "+kit.Fit(followText(c, f), w-2))
		}
		lines = append(lines, st.Subtle.Render("  qa and prod: "+c.Keys.Key(keys.Promotion)+" opens the promotion board"))
	}
	if len(m.inv.Problems) > 0 {
		lines = append(lines, "", st.Warn.Render(fmt.Sprintf("⚠ %d Terraform %s could not be read (skipped):", len(m.inv.Problems), kit.Plural(len(m.inv.Problems), "file"))))
		for _, p := range m.inv.Problems {
			lines = append(lines, "  "+kit.Fit(repoBase(p.Repo)+"@"+p.Branch+" "+p.Error(), w-2))
		}
	}
	if m.err != nil {
		lines = append(lines, "", st.StatusError.Render(kit.Fit("✗ "+m.err.Error(), w)))
	}
	return lines
}

// usageText is one module block: branch, stack, file and line, what it
// asks for and where that stands.
func (m Model) usageText(c *screen.Context, i int) string {
	u, st := m.inv.Usages[i], m.status[i]
	stack := "(no stack)"
	if u.StackID != "" {
		stack = stackName(c, u.StackID)
	}
	text := fmt.Sprintf("%-5s %-22s %s:%d module %s  %s", envOfBranch(c, u.Branch), stack, u.Call.File, u.Call.Line, u.Call.Name, u.Call.Spec())
	if st.Current != "" && st.Current != u.Call.Spec() {
		text += " (uses " + st.Current + ")"
	}
	if st.NewestAllowed != "" && st.NewestAllowed != st.Current {
		text += " · allowed " + st.NewestAllowed
	}
	return text
}

// followText is a stack the bump's push should run, and how its run goes.
func followText(c *screen.Context, f follow) string {
	text := fmt.Sprintf("%-24s %s  ", f.name, model.ShortSHA(f.commit))
	s := c.Data.Forest.Stack(f.stackID)
	if s == nil || s.LatestTrackedRun == nil || s.LatestTrackedRun.Commit != f.commit {
		return text + "waiting for the push to start a run"
	}
	r := s.LatestTrackedRun
	label, _ := kit.StateLabel(r.State, c.Styles)
	text += fmt.Sprintf("%s %s %s", r.Kind, r.ID, label)
	if r.Delta != nil {
		text += "  plan " + r.Delta.String()
	}
	return text
}

// envOfBranch names the environment a branch deploys to.
func envOfBranch(c *screen.Context, branch string) string {
	for _, e := range c.Envs {
		if e.Branch == branch {
			return e.Name
		}
	}
	return branch
}

func (s state) selectedAddress() string {
	if s.cursor < len(s.rows) {
		return s.rows[s.cursor].Address
	}
	return ""
}

// repoBase is a repository's short name: "payments" for .../payments.git.
func repoBase(repo string) string {
	return strings.TrimSuffix(path.Base(strings.TrimSuffix(repo, "/")), ".git")
}

// moduleName is the short name of a module address, as bump messages say it.
func moduleName(s tfmod.Source) string {
	if s.Kind == tfmod.KindGit {
		if s.Subdir != "" {
			return path.Base(s.Subdir)
		}
		return repoBase(s.Repo)
	}
	return s.Name
}

// usesOf lists the inventory indexes of a row: a unit's uses on every
// branch, or every use of the module.
func (s state) usesOf(r Row) []int {
	var out []int
	if r.Unit != nil {
		for _, idx := range r.Unit.uses {
			out = append(out, idx...)
		}
		sort.Ints(out)
		return out
	}
	for i, u := range s.inv.Usages {
		if u.Call.Source.Address() == r.Address {
			out = append(out, i)
		}
	}
	return out
}

// usesOn keeps the uses on one branch.
func (s state) usesOn(idx []int, branch string) []int {
	var out []int
	for _, i := range idx {
		if s.inv.Usages[i].Branch == branch {
			out = append(out, i)
		}
	}
	return out
}

// newest is the newest release any of the uses knows of.
func (s state) newest(uses []int) string {
	newest := ""
	for _, i := range uses {
		if n := s.status[i].Newest; n != "" && (newest == "" || model.CompareVersions(n, newest) > 0) {
			newest = n
		}
	}
	return newest
}

// versionsIn lists the distinct specs the uses ask for, oldest first.
func (s state) versionsIn(uses []int) []string {
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
func (s state) inUse(i int) string {
	if v := s.status[i].Current; v != "" {
		return v
	}
	return s.inv.Usages[i].Call.Spec()
}

// cellText is where a set of uses stands: the versions in use, how many
// releases the furthest behind lags (↓N), ⚠ when the newest is a major
// bump, ✓ when at the newest.
func (s state) cellText(uses []int) string {
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
		if !slices.Contains(versions, v) {
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
func (s state) published(address, v string) bool {
	avail, ok := s.avail[address]
	return !ok || slices.ContainsFunc(avail, func(a string) bool { return model.CompareVersions(a, v) == 0 })
}
