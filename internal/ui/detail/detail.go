// Package detail draws one stack in full: state, the keys that act on it,
// repository and commit, dependencies with their waves, lock, drift, recent
// runs and every action with why it is off. The tree shows it as a pane on
// wide terminals; on narrow ones enter opens it as a screen of its own.
package detail

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/act"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// callTimeout bounds every backend call so a hung API never freezes the UI.
const callTimeout = 15 * time.Second

// RunsShown is how many recent runs the detail asks for and shows.
const RunsShown = 5

// DependenciesListed is how many upstream or downstream stacks the detail
// names before it counts the rest: an environment stack can have thousands
// of dependents, and laying them all out made every frame slow.
const DependenciesListed = 20

// Pane is one stack's detail and its recent runs, loaded when the stack
// changes.
type Pane struct {
	StackID string
	req     int
	runsFor string
	runs    []model.Run
	err     error
	loading bool
	scroll  int // first line shown when the detail fills the body
}

// RunsMsg is the answer to ListRuns for the pane's stack.
type RunsMsg struct {
	req     int
	stackID string
	runs    []model.Run
	err     error
}

// Show points the pane at a stack, loading its runs when it changed (or
// force is set, after a refresh or a mutation). While keys come, the read
// waits for the next Show after they rest: a held j would otherwise read
// the runs of every stack it passes, and TFC allows 30 run lists a minute.
func (p Pane) Show(c *screen.Context, stackID string, force bool) (Pane, tea.Cmd) {
	if stackID != p.StackID {
		p.scroll = 0
	}
	p.StackID = stackID
	if stackID == "" || (!force && stackID == p.runsFor) {
		return p, nil
	}
	if !force && c.KeysBusy {
		return p, c.Ask(screen.AwaitRest{})
	}
	if stackID != p.runsFor {
		p.runs, p.err = nil, nil
	}
	p.req++
	p.runsFor, p.loading = stackID, true
	ctx, b, req := c.Ctx, c.Backend, p.req
	return p, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		runs, _, err := b.ListRuns(ctx, stackID, "")
		if len(runs) > RunsShown {
			runs = runs[:RunsShown]
		}
		return RunsMsg{req: req, stackID: stackID, runs: runs, err: err}
	}
}

// Update takes the runs answer; stale ones are dropped.
func (p Pane) Update(msg tea.Msg) Pane {
	if m, ok := msg.(RunsMsg); ok && m.req == p.req && m.stackID == p.runsFor {
		p.loading, p.err = false, m.err
		if m.err == nil {
			p.runs = m.runs
		}
	}
	return p
}

// Runs are the pane's stack's recent runs, when loaded.
func (p Pane) Runs() []model.Run {
	if p.runsFor != p.StackID {
		return nil
	}
	return p.runs
}

// Target is what action keys act on in the pane.
func (p Pane) Target(c *screen.Context) act.Target {
	return act.Target{Stack: c.Data.Forest.Stack(p.StackID), Recent: p.Runs()}
}

// View draws the stack in a bordered pane of w×h; scrollable says the
// detail fills the body and scrolls with j/k.
func (p Pane) View(c *screen.Context, w, h int, scrollable bool) string {
	st := c.Styles
	lines := p.content(c, w)
	innerH := h - st.PaneBorder.GetVerticalFrameSize()
	if len(lines) > innerH {
		scroll := 0
		if scrollable {
			scroll = min(p.scroll, len(lines)-innerH+1)
		}
		rest := len(lines) - scroll - (innerH - 1)
		lines = append(lines[scroll:scroll+innerH-1], kit.Paint(st.Subtle, moreText(rest, scroll, scrollable)))
	}
	return kit.Box(st.PaneBorder, w, h, lines)
}

// content is every line of the detail in a pane w wide, wrapped.
func (p Pane) content(c *screen.Context, w int) []string {
	inner := w - c.Styles.PaneBorder.GetHorizontalFrameSize()
	s := c.Data.Forest.Stack(p.StackID)
	if s == nil {
		return []string{kit.Paint(c.Styles.Subtle, "no stack selected")}
	}
	return kit.WrapLines(p.lines(c, s, inner), inner)
}

// maxScroll is how far the full-screen detail can scroll: until its last
// line shows above the "lines above" note.
func (p Pane) maxScroll(c *screen.Context, w, h int) int {
	innerH := h - c.Styles.PaneBorder.GetVerticalFrameSize()
	return max(0, len(p.content(c, w))-innerH+1)
}

// moreText says how much of the detail is cut off, and how to see it.
func moreText(below, above int, scrollable bool) string {
	switch {
	case !scrollable:
		return fmt.Sprintf("↓ %d more %s", below, kit.Plural(below, "line"))
	case below <= 0:
		return fmt.Sprintf("↑ %d %s above (k scrolls up)", above, kit.Plural(above, "line"))
	}
	return fmt.Sprintf("↓ %d more %s (j/k scroll)", below, kit.Plural(below, "line"))
}

func (p Pane) lines(c *screen.Context, s *model.Stack, width int) []string {
	st := c.Styles
	field := func(name, value string) string { return kit.Paint(st.Label, kit.Fit(name, 11)) + value }
	state, stStyle := kit.StateLabel(s.State, st)
	lines := []string{kit.Paint(st.Title, s.Name), field("State", kit.Paint(stStyle, state))}
	if !s.Loaded() {
		lines = append(lines, field("", kit.Paint(st.Warn, "◌ not loaded: "+s.NotLoaded+"; this is an earlier read")))
	}
	t := act.Target{Stack: s, Recent: p.Runs()}
	if can := enabledActions(c, t); can != "" {
		lines = append(lines, field("Keys", kit.Paint(st.HelpKey, can)))
	}
	if s.Description != "" {
		lines = append(lines, kit.Paint(st.Subtle, s.Description))
	}
	layer := string(s.Layer)
	if s.BusinessUnit != "" {
		layer += " · " + s.BusinessUnit
	}
	lines = append(lines,
		field("Layer", layer),
		field("Repository", displayRepo(s)),
		field("Branch", kit.OrDash(s.Branch)),
		field("Root", kit.OrDash(s.ProjectRoot)),
		field("Commit", commitText(c, s)),
		field("Labels", kit.OrDash(strings.Join(s.Labels, ", "))),
	)
	lines = append(lines, dependencyLines(c, s, field)...)
	if s.Lock != nil {
		lock := s.Lock.Holder
		if !s.Lock.At.IsZero() {
			lock += " for " + kit.Age(c.Now().Sub(s.Lock.At))
		}
		if s.Lock.Note != "" {
			lock += " — " + s.Lock.Note
		}
		lines = append(lines, field("Lock", kit.Paint(st.Accent, "⊘ "+lock)))
	}
	waiting := waitingLines(c, s, field)
	if s.NeedsApproval && len(waiting) == 0 {
		lines = append(lines, field("Approval", kit.Paint(st.Waiting, "! a run waits for an approval: "+
			c.Keys.Key(keys.Review)+" approves or rejects it")))
	}
	lines = append(lines, waiting...)
	for _, p := range s.Problems {
		lines = append(lines, field("Unread", kit.Paint(st.Warn, "⚠ "+p)))
	}
	lines = append(lines, driftLines(c, s, field)...)
	lines = append(lines, "", kit.Paint(st.Heading, "Recent runs"))
	lines = append(lines, p.runLines(c, width)...)
	return append(lines, actionLines(c, t)...)
}

// enabledActions is the keys that act on the stack now, in one line; the
// Actions section at the end says why the others do not.
func enabledActions(c *screen.Context, t act.Target) string {
	if c.ReadOnly() {
		return ""
	}
	var parts []string
	for _, k := range act.Mutating {
		if o, why := act.Resolve(c, k, t); why == "" {
			parts = append(parts, c.Keys.Key(k.Key())+" "+o.Action)
		}
	}
	return strings.Join(parts, " · ")
}

// actionLines lists every action on the stack: the key and verb, or why it
// is disabled.
func actionLines(c *screen.Context, t act.Target) []string {
	st := c.Styles
	lines := []string{"", kit.Paint(st.Heading, "Actions")}
	for _, k := range act.Mutating {
		o, _ := act.Resolve(c, k, t)
		why := act.Why(c, k, t)
		verb := o.Action
		if verb == "" {
			verb = k.String()
		}
		key := kit.Fit(c.Keys.Key(k.Key()), 3)
		text := kit.Paint(st.HelpKey, key) + " " + verb
		if why != "" {
			text = kit.Paint(st.Subtle, key+" "+verb+" — "+why)
		}
		lines = append(lines, text)
	}
	return lines
}

func commitText(c *screen.Context, s *model.Stack) string {
	text := kit.OrDash(model.ShortSHA(s.TrackedCommit))
	if behind := s.Behind(); behind != "" {
		text += kit.Paint(c.Styles.Warn, fmt.Sprintf(" %s behind %s", behind, model.ShortSHA(s.BranchHead)))
	}
	return text
}

func dependencyLines(c *screen.Context, s *model.Stack, field func(string, string) string) []string {
	waves := c.Data.Waves
	name := func(id string) string {
		label := id
		if d := c.Data.Forest.Stack(id); d != nil {
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
	if s.Unread.Has(model.DetailDependencies) {
		wave = "… dependencies not read yet"
	}
	lines := []string{field("Wave", wave)}
	for _, dir := range []struct {
		title string
		ids   []string
	}{{"Upstream", s.DependsOn}, {"Downstream", c.Data.Index.Dependents[s.ID]}} {
		switch {
		case len(dir.ids) == 0 && dir.title == "Upstream" && s.Unread.Has(model.DetailDependencies):
			lines = append(lines, field(dir.title, "…"))
		case len(dir.ids) == 0:
			lines = append(lines, field(dir.title, "–"))
		}
		for i, id := range dir.ids {
			title := ""
			if i == 0 {
				title = dir.title
			}
			if i == DependenciesListed && len(dir.ids) > DependenciesListed+1 {
				lines = append(lines, field("", fmt.Sprintf("… %d more", len(dir.ids)-i)))
				break
			}
			lines = append(lines, field(title, name(id)))
		}
	}
	return lines
}

func driftLines(c *screen.Context, s *model.Stack, field func(string, string) string) []string {
	st := c.Styles
	d := s.Drift
	var lines []string
	switch {
	case !d.Drifted && d.Unknown != "":
		lines = []string{field("Drift", kit.Paint(st.Warn, "? unknown"))}
	case d.CheckedAt.IsZero() && !d.Drifted:
		return []string{field("Drift", kit.Paint(st.Subtle, "never checked"))}
	case !d.Drifted:
		return []string{field("Drift", kit.Paint(st.OK, "✓ none")+kit.Paint(st.Subtle, " (checked "+kit.Age(c.Now().Sub(d.CheckedAt))+" ago)"))}
	default:
		summary := fmt.Sprintf("⚠ %d resources drifted", len(d.Resources))
		if len(d.Resources) == 0 {
			summary = "⚠ drifted"
		}
		if !d.CheckedAt.IsZero() {
			summary += " (checked " + kit.Age(c.Now().Sub(d.CheckedAt)) + " ago)"
		}
		lines = []string{field("Drift", kit.Paint(st.Warn, summary))}
		for _, r := range d.Resources {
			lines = append(lines, field("", kit.Paint(st.Subtle, "· "+r)))
		}
	}
	if d.Unknown != "" { // why drift, or which resources drifted, is not known
		lines = append(lines, field("", kit.Paint(st.Subtle, "("+d.Unknown+")")))
	}
	return lines
}

// displayRepo names a stack's repository as its forge does (owner/name)
// when the backend said, else by its clone URL (kit.DisplayRepo).
func displayRepo(s *model.Stack) string {
	if r := s.Repository; r.Namespace != "" && r.Name != "" {
		return r.Namespace + "/" + r.Name
	}
	return kit.DisplayRepo(s.Repo)
}

func (p Pane) runLines(c *screen.Context, width int) []string {
	st := c.Styles
	runs := p.Runs()
	switch {
	case p.err != nil && p.runsFor == p.StackID:
		return []string{kit.Paint(st.StatusError, "✗ "+p.err.Error()), kit.Paint(st.Subtle, backend.Hint(p.err))}
	case p.runsFor != p.StackID || (p.loading && len(runs) == 0):
		return []string{kit.Paint(st.Subtle, "loading…")}
	case len(runs) == 0:
		return []string{kit.Paint(st.Subtle, "no runs yet")}
	}
	s := c.Data.Forest.Stack(p.StackID)
	var lines []string
	for i := range runs {
		r := &runs[i]
		label, style := kit.StateLabel(r.State, st)
		text := fmt.Sprintf("%-8s %s %4s %s", r.Kind, model.ShortSHA(r.Commit), kit.RunAge(c.Now(), r), kit.Delta(r.Delta))
		lines = append(lines, kit.Paint(style, kit.Fit(label, 14))+" "+kit.Fit(text, max(0, width-15)))
		if s != nil && (r.State == model.StateQueued || r.State == model.StateReady) && !r.NeedsApproval && r.Exclusive() {
			lines = append(lines, kit.Paint(st.Waiting, "  ↳ "+kit.Queued(s.QueuedBehind(*r), true)))
		}
	}
	return lines
}

// waitingLines list every run of the stack that waits on a person, the
// oldest first, however many newer runs came after it; or say that the
// backend has not read them yet.
func waitingLines(c *screen.Context, s *model.Stack, field func(string, string) string) []string {
	st, k := c.Styles, c.Keys
	runs, known := s.Waiting()
	var lines []string
	for i, r := range runs {
		title := ""
		if i == 0 {
			title = "Waiting"
		}
		text := fmt.Sprintf("? %s %s %s", r.Kind, r.State, kit.Age(c.Now().Sub(r.CreatedAt)))
		switch {
		case r.NeedsApproval:
			text = fmt.Sprintf("! %s %s %s — needs approval (%s)", r.Kind, r.State, kit.Age(c.Now().Sub(r.CreatedAt)), k.Key(keys.Review))
		case r.State == model.StatePendingReview:
			text += " — review (" + k.Key(keys.Review) + ")"
		default:
			text += " — confirm (" + k.Key(keys.Confirm) + ")"
		}
		lines = append(lines, field(title, kit.Paint(st.Waiting, text)))
	}
	if !known {
		lines = append(lines, field(kit.Pick(len(runs) == 0, "Waiting", ""), kit.Paint(st.Subtle, "… its runs are not read yet")))
	}
	return lines
}

// Screen is the detail filling the body (narrow terminals).
type Screen struct {
	Pane Pane
}

// Open is the full-screen detail of the pane's stack.
func Open(p Pane) Screen { return Screen{Pane: p} }

// Name implements screen.Named.
func (s Screen) Name() string { return "the stack detail" }

// Title implements screen.Screen.
func (s Screen) Title(c *screen.Context) []string {
	st := c.Data.Forest.Stack(s.Pane.StackID)
	if st == nil {
		return []string{s.Pane.StackID}
	}
	return []string{st.Env, st.Name}
}

// Update implements screen.Screen.
func (s Screen) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case RunsMsg:
		s.Pane = s.Pane.Update(msg)
	case screen.Loaded:
		return s.show(c, !msg.Partial)
	case screen.Outcome:
		return s.show(c, true)
	case screen.Settled: // opened while keys came
		return s.show(c, false)
	}
	return s, nil
}

// show reads the stack's runs again when force is set or they are not read.
func (s Screen) show(c *screen.Context, force bool) (screen.Screen, tea.Cmd) {
	var cmd tea.Cmd
	s.Pane, cmd = s.Pane.Show(c, s.Pane.StackID, force)
	return s, cmd
}

// Keys implements screen.Screen.
func (s Screen) Keys(c *screen.Context) []screen.Group {
	w, h := c.Width, c.Height-screen.ChromeLines
	scroll := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			s.Pane.scroll = max(0, min(s.Pane.scroll+by, s.Pane.maxScroll(c, w, h)))
			return s, nil
		}
	}
	close := func() (screen.Screen, tea.Cmd) { return s, c.Ask(screen.Pop{}) }
	t := s.Pane.Target(c)
	more := s.Pane.maxScroll(c, w, h) > 0
	return []screen.Group{
		{Title: "Detail", Actions: []screen.Action{
			{Key: keys.CloseDetail, Do: close},
			{Key: keys.Back, Help: "back to the tree", Do: close},
			{Key: keys.ScrollDown, Do: scroll(1), Off: screen.OffIf(!more || s.Pane.scroll >= s.Pane.maxScroll(c, w, h), "nothing below")},
			{Key: keys.ScrollUp, Do: scroll(-1), Off: screen.OffIf(s.Pane.scroll == 0, "at the top")},
		}},
		{Title: "Stack", Actions: append(act.Actions(c, t, s, act.Mutating...), act.Nav(c, t, s)...)},
	}
}

// View implements screen.Screen.
func (s Screen) View(c *screen.Context, w, h int) string { return s.Pane.View(c, w, h, true) }
