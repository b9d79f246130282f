// Package promoview is the promotion screens: the board (where every
// repository stands per environment), a promotion's diff read as a
// checklist (commits, files and stacks, module changes, waves, predicted
// plans, gates), and the waves of runs a pushed promotion started, which
// the root keeps following so P returns to them from anywhere.
package promoview

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// readTimeout bounds reading the board or a plan: clones may be fetched.
const readTimeout = 2 * time.Minute

// boardRowLines is the height of a repository on the board: three cell
// lines and a gap.
const boardRowLines = 4

// BoardRow is one repository of the board: the environment repository or
// a business unit's.
type BoardRow struct {
	Label string
	URL   string
	Row   promotion.Row
}

// Board is the promotion board.
type Board struct {
	req      int
	loading  bool
	err      error
	rows     []BoardRow
	row, col int // the cursor: repository, environment
}

// boardMsg is the loaded board.
type boardMsg struct {
	req  int
	rows []BoardRow
	err  error
}

// OpenBoard shows the board and loads it.
func OpenBoard(c *screen.Context) (Board, tea.Cmd) { return Board{}.load(c) }

// Rows are the board's repositories.
func (b Board) Rows() []BoardRow { return b.rows }

// Cursor is the selected repository and environment.
func (b Board) Cursor() (row, col int) { return b.row, b.col }

// Name implements screen.Named.
func (b Board) Name() string { return "the promotion board" }

// Title implements screen.Screen.
func (b Board) Title(*screen.Context) []string { return []string{"promotion board"} }

// Repos lists the repositories to show: the environment repository first,
// then each business unit's, by name. Administrative stacks do not follow
// environments and stay off the board.
func Repos(stacks []model.Stack) []BoardRow {
	var rows []BoardRow
	index := map[string]int{}
	for _, s := range stacks {
		if s.Repo == "" || s.Layer == model.LayerAdministrative {
			continue
		}
		key := ""
		for _, r := range rows {
			if model.SameRepo(r.URL, s.Repo) {
				key = r.URL
			}
		}
		if key == "" {
			index[s.Repo] = len(rows)
			rows = append(rows, BoardRow{URL: s.Repo})
			key = s.Repo
		}
		r := &rows[index[key]]
		switch {
		case s.Layer == model.LayerEnvironment:
			r.Label = "environment"
		case r.Label == "":
			r.Label = s.BusinessUnit
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if (rows[i].Label == "environment") != (rows[j].Label == "environment") {
			return rows[i].Label == "environment"
		}
		return rows[i].Label < rows[j].Label
	})
	return rows
}

// load fetches every repository and reads its environment branches.
func (b Board) load(c *screen.Context) (Board, tea.Cmd) {
	b.req++
	b.loading, b.err = true, nil
	ctx, reader, envs, req := c.Ctx, c.Promotions, c.Envs, b.req
	stacks := c.Data.Stacks()
	rows := Repos(stacks)
	return b, func() tea.Msg {
		if reader == nil {
			return boardMsg{req: req, err: errors.New("the promotion board needs a clone cache; none is set up")}
		}
		ctx, cancel := context.WithTimeout(ctx, readTimeout)
		defer cancel()
		for i := range rows {
			var err error
			if rows[i].Row, err = reader.Board(ctx, rows[i].URL, envs, stacks); err != nil {
				return boardMsg{req: req, err: fmt.Errorf("%s repository: %w", rows[i].Label, err)}
			}
		}
		return boardMsg{req: req, rows: rows}
	}
}

// Update implements screen.Screen.
func (b Board) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case boardMsg:
		if msg.req != b.req {
			return b, nil
		}
		b.loading, b.err = false, msg.err
		if msg.err == nil {
			b.rows = msg.rows
			b.row = min(b.row, max(0, len(msg.rows)-1))
		}
	case screen.Revealed:
		return b.load(c) // back from a diff or the waves: read the board fresh
	}
	return b, nil
}

// Keys implements screen.Screen.
func (b Board) Keys(c *screen.Context) []screen.Group {
	move := func(dr, dc int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			b.row = max(0, min(b.row+dr, len(b.rows)-1))
			b.col = max(0, min(b.col+dc, len(c.Envs)-1))
			return b, nil
		}
	}
	open := screen.Action{Key: keys.PromoteOpen, Off: b.openOff(c), Do: func() (screen.Screen, tea.Cmd) { return b, b.open(c) }}
	refresh := screen.Action{Key: keys.Refresh, Help: "read the board again", Do: func() (screen.Screen, tea.Cmd) {
		next, load := b.load(c)
		return next, tea.Batch(load, c.Ask(screen.Refresh{}))
	}}
	return []screen.Group{
		{Title: "Promotion board", Actions: []screen.Action{
			open,
			{Key: keys.PromoteDown, Do: move(1, 0), Off: screen.OffIf(b.row >= len(b.rows)-1, "at the last repository")},
			{Key: keys.PromoteUp, Do: move(-1, 0), Off: screen.OffIf(b.row == 0, "at the first repository")},
			{Key: keys.PromoteRight, Do: move(0, 1), Off: screen.OffIf(len(b.rows) == 0 || b.col >= len(c.Envs)-1, "at the last environment")},
			{Key: keys.PromoteLeft, Do: move(0, -1), Off: screen.OffIf(len(b.rows) == 0 || b.col == 0, "at the first environment")},
			refresh,
			screen.Back(c, ""),
		}},
	}
}

// openOff says why enter does nothing on the cell.
func (b Board) openOff(c *screen.Context) string {
	switch {
	case b.row >= len(b.rows) || b.col >= len(c.Envs):
		return "the board is empty"
	case b.col == len(c.Envs)-1:
		return c.Envs[b.col].Name + " is the last environment"
	}
	return ""
}

// open computes promoting the cell to the next environment: the diff.
func (b Board) open(c *screen.Context) tea.Cmd {
	if b.row >= len(b.rows) || b.col >= len(c.Envs) {
		return c.Fail("nothing to promote: the board is empty")
	}
	source := c.Envs[b.col]
	target, ok := promotion.Next(c.Envs, source.Name)
	if !ok {
		return c.Fail(fmt.Sprintf("%s is the last environment: promote into it from %s", source.Name, c.Envs[max(0, b.col-1)].Name))
	}
	d, cmd := OpenDiff(c, b.rows[b.row].Label, b.rows[b.row].URL, source, target)
	return c.Ask(screen.Push{Screen: d, Init: cmd})
}

// View implements screen.Screen: a row per repository, a column per
// environment, each cell the commit there, how far behind the previous
// environment it is, and its stacks' states with drift and lock markers.
func (b Board) View(c *screen.Context, w, h int) string {
	st := c.Styles
	lines := []string{st.Title.Render("  Promotion board") + st.Subtle.Render(
		"  · where each repository stands per environment · enter on a cell promotes it to the next"), ""}
	if f := c.Data.Following; f != nil {
		lines[1] = st.Accent.Render(fmt.Sprintf("  following %s %s → %s: %s shows its waves", f.Label, f.Plan.Source.Name,
			f.Plan.Target.Name, c.Keys.Key(keys.Promotion)))
	}
	switch {
	case b.err != nil:
		return kit.Block(append(lines, st.StatusError.Render("  ✗ "+b.err.Error()), "", "  r tries again, esc goes back"), w, h)
	case b.loading && len(b.rows) == 0:
		return kit.Block(append(lines, "  fetching the repositories…"), w, h)
	case len(b.rows) == 0:
		return kit.Block(append(lines, "  no stack names a repository: nothing to promote"), w, h)
	}
	labelW := 14
	cellW := max(18, (w-labelW-2)/max(1, len(c.Envs))-1)
	header := "  " + kit.Fit("", labelW)
	for i, e := range c.Envs {
		name := e.Name + " (" + e.Branch + ")"
		if e.Protected {
			name += " 🔒"
		}
		if i > 0 {
			name = "→ " + name
		}
		header += " " + st.ColumnHeader.Render(kit.Fit("  "+name, cellW))
	}
	lines = append(lines, header)
	// Rows scroll so the cursor's stays in view above the two-line legend.
	shown := max(1, (h-len(lines)-3)/boardRowLines)
	first := max(0, b.row-shown+1)
	for ri, r := range b.rows {
		if ri < first || ri >= first+shown {
			continue
		}
		cells := make([][]string, len(r.Row.Cells))
		for ci, cl := range r.Row.Cells {
			cells[ci] = boardCell(c, cl, ci > 0, cellW-2)
			selected := ri == b.row && ci == b.col
			for k := range cells[ci] {
				prefix := "  "
				if selected && k == 0 {
					prefix = "▶ " // the cursor shows without colour too
				}
				cells[ci][k] = prefix + cells[ci][k]
				if selected {
					cells[ci][k] = st.Selected.Render(kit.Fit(cells[ci][k], cellW))
				}
			}
		}
		for k := range 3 {
			line := "  " + kit.Fit("", labelW)
			if k == 0 {
				line = "  " + st.Heading.Render(kit.Fit(r.Label, labelW))
			}
			for _, cl := range cells {
				text := ""
				if k < len(cl) {
					text = cl[k]
				}
				line += " " + kit.Fit(text, cellW)
			}
			lines = append(lines, line)
		}
		lines = append(lines, "")
	}
	lines = append(lines, st.Subtle.Render("  Each cell: the branch's commit · the commits it lacks from the environment before"),
		st.Subtle.Render("  · its stacks: ✓ finished ◐ running ? waiting ✗ failed ⚠ drifted 🔒 locked"))
	if b.loading {
		lines = append(lines, st.Subtle.Render("  ⟳ fetching…"))
	}
	return kit.Block(lines, w, h)
}

// boardCell is one environment of a repository in three lines.
func boardCell(c *screen.Context, cl promotion.Cell, hasPrev bool, w int) []string {
	st := c.Styles
	if cl.Head.SHA == "" {
		return []string{st.Subtle.Render("no " + cl.Env.Branch + " branch")}
	}
	head := cl.Head.Short() + " " + cl.Head.Subject
	behind := st.OK.Render("✓ up to date")
	switch {
	case !hasPrev:
		behind = st.Subtle.Render("source of changes")
	case cl.Behind > 0:
		behind = st.Waiting.Render(fmt.Sprintf("↓ %d %s behind", cl.Behind, kit.Plural(cl.Behind, "commit")))
	}
	var marks []string
	counts := map[string]int{}
	for _, s := range cl.Stacks {
		state := s.State
		if s.LatestRun != nil && !s.LatestRun.State.Terminal() {
			state = s.LatestRun.State
		}
		label, _ := kit.StateLabel(state, st)
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
	return []string{kit.Fit(head, w), behind, st.Subtle.Render(kit.OrDash(strings.Join(marks, " ")))}
}
