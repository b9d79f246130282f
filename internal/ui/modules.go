package ui

import (
	"context"
	"errors"
	"path"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/tfmod"
)

// scanTimeout bounds one scan of every repository: clones may be fetched.
const scanTimeout = 2 * time.Minute

// modulesState is the modules view: every module block on every environment
// branch, where each use stands against the published versions, and the
// bump being chosen or followed.
type modulesState struct {
	req     int
	loading bool
	loaded  bool
	err     error // what the last scan could not read (other repositories still count)
	inv     tfmod.Inventory
	status  []tfmod.Status      // parallel to inv.Usages; Current "" when unknown
	avail   map[string][]string // module address -> published versions
	rows    []modRow
	cursor  int

	bump   *bumpDraft   // the bump in its dialogs
	follow []bumpFollow // the dev runs the last bump's pushes trigger
	pushed string       // what the last bump did, above the runs it follows
}

// modRow is one line of the modules table: a module (unit nil), or one
// project root using it, a business unit's row of the matrix.
type modRow struct {
	address string
	unit    *modUnit
}

// modUnit is a project root of a repository and its uses of one module,
// by branch (indexes into the inventory's usages).
type modUnit struct {
	repo, dir string
	label     string
	uses      map[string][]int
}

// modulesMsg is the answer to a scan.
type modulesMsg struct {
	req    int
	inv    tfmod.Inventory
	status []tfmod.Status
	avail  map[string][]string
	err    error
}

// openModules shows the modules view and scans when nothing was scanned yet.
func (m Model) openModules() (Model, tea.Cmd) {
	m.view = viewModules
	return m.scanWaiting()
}

// scanWaiting starts the first scan of an open modules view once the
// stacks are in: the scan needs them to know the repositories.
func (m Model) scanWaiting() (Model, tea.Cmd) {
	if m.view != viewModules || !m.loaded || m.mods.loaded || m.mods.loading {
		return m, nil
	}
	return m.scanModules()
}

// scanModules reads every repository's environment branches again.
func (m Model) scanModules() (Model, tea.Cmd) {
	m.mods.req++
	m.mods.loading = true
	return m, m.fetchModules(m.mods.req)
}

// fetchModules reads the matrix: every repository the stacks use, where
// each module block stands. A repository that cannot be read is reported,
// not fatal.
func (m Model) fetchModules(req int) tea.Cmd {
	ctx, reader := m.ctx, m.modReader
	stacks := m.allStacks()
	var branches []string
	for _, e := range m.envs {
		branches = append(branches, e.Branch)
	}
	return func() tea.Msg {
		if reader == nil {
			return modulesMsg{req: req, err: errors.New("the modules view needs a clone cache; none is set up")}
		}
		ctx, cancel := context.WithTimeout(ctx, scanTimeout)
		defer cancel()
		mx, err := reader.Matrix(ctx, stacks, branches)
		return modulesMsg{req: req, inv: mx.Inventory, status: mx.Status, avail: mx.Available, err: err}
	}
}

func (m Model) onModules(msg modulesMsg) Model {
	if msg.req != m.mods.req {
		return m
	}
	address := m.mods.selectedAddress()
	m.mods.loading, m.mods.loaded = false, true
	m.mods.err = msg.err
	m.mods.inv, m.mods.status, m.mods.avail = msg.inv, msg.status, msg.avail
	m.mods.rows = m.moduleRows()
	m.mods.cursor = 0
	for i, r := range m.mods.rows {
		if r.unit == nil && r.address == address {
			m.mods.cursor = i
		}
	}
	return m
}

func (s modulesState) selectedAddress() string {
	if s.cursor < len(s.rows) {
		return s.rows[s.cursor].address
	}
	return ""
}

// moduleRows lays out the table: each module, then the project roots using
// it, by business unit.
func (m Model) moduleRows() []modRow {
	inv := m.mods.inv
	var rows []modRow
	for _, addr := range inv.Addresses() {
		units := map[string]*modUnit{}
		for i, u := range inv.Usages {
			if u.Call.Source.Address() != addr {
				continue
			}
			k := u.Repo + "\x00" + u.Call.Dir
			un := units[k]
			if un == nil {
				un = &modUnit{repo: u.Repo, dir: u.Call.Dir, uses: map[string][]int{}}
				units[k] = un
			}
			if un.label == "" && u.StackID != "" {
				if s := m.forest.Stack(u.StackID); s != nil {
					un.label = s.BusinessUnit
					if un.label == "" {
						un.label = "(environment)"
					}
				}
			}
			un.uses[u.Branch] = append(un.uses[u.Branch], i)
		}
		list := make([]*modUnit, 0, len(units))
		for _, un := range units {
			where := repoBase(un.repo)
			if un.dir != "." && un.dir != "" {
				where += "/" + un.dir
			}
			if un.label == "" {
				un.label = "—"
			}
			un.label += "  " + where
			list = append(list, un)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].label < list[j].label })
		rows = append(rows, modRow{address: addr})
		for _, un := range list {
			rows = append(rows, modRow{address: addr, unit: un})
		}
	}
	return rows
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
func (s modulesState) usesOf(r modRow) []int {
	var out []int
	if r.unit != nil {
		for _, idx := range r.unit.uses {
			out = append(out, idx...)
		}
		sort.Ints(out)
		return out
	}
	for i, u := range s.inv.Usages {
		if u.Call.Source.Address() == r.address {
			out = append(out, i)
		}
	}
	return out
}

// usesOn keeps the uses on one branch.
func (s modulesState) usesOn(idx []int, branch string) []int {
	var out []int
	for _, i := range idx {
		if s.inv.Usages[i].Branch == branch {
			out = append(out, i)
		}
	}
	return out
}

// handleModulesKey moves through the modules table and starts a bump.
func (m Model) handleModulesKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys.Modules
	switch {
	case key.Matches(msg, k.Up):
		m.mods.cursor = max(0, m.mods.cursor-1)
	case key.Matches(msg, k.Down):
		m.mods.cursor = max(0, min(m.mods.cursor+1, len(m.mods.rows)-1))
	case key.Matches(msg, k.Bump):
		return m.proposeBump()
	}
	return m, nil
}
