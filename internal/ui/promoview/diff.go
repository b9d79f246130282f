package promoview

import (
	"context"
	"fmt"
	"maps"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/dialog"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// Diff is one promotion before it is sent: the checklist a person reads.
type Diff struct {
	label, url     string
	source, target model.Environment
	req            int
	loading        bool
	err            error
	plan           promotion.Plan
	gates          []promotion.Gate
	notLoaded      string // unreadStacks as the last load left them
	waves          [][]string
	scroll         int // first line of the checklist shown
	// predicted are the affected stacks planned at the promoted commit;
	// changes their plans' changes, by run id, once planned; unfolded
	// shows long values whole (z).
	predicted []mutation.PredictedPlan
	changes   map[string][]model.ResourceChange
	unfolded  bool
}

// planMsg is a computed promotion with its gates and waves.
type planMsg struct {
	req   int
	plan  promotion.Plan
	gates []promotion.Gate
	waves [][]string
	err   error
}

// predictedMsg is the predicted plans as last polled, with the changes of
// those that planned since.
type predictedMsg struct {
	req     int
	plans   []mutation.PredictedPlan
	changes map[string][]model.ResourceChange
}

// OpenDiff computes promoting a repository from source to target.
func OpenDiff(c *screen.Context, label, url string, source, target model.Environment) (Diff, tea.Cmd) {
	return Diff{label: label, url: url, source: source, target: target}.compute(c)
}

// Predicted are the predicted plans started from the diff.
func (d Diff) Predicted() []mutation.PredictedPlan { return d.predicted }

// Gates are the promotion's gates, once checked.
func (d Diff) Gates() []promotion.Gate { return d.gates }

// Name implements screen.Named.
func (d Diff) Name() string { return "a promotion's diff" }

// Title implements screen.Screen.
func (d Diff) Title(*screen.Context) []string {
	return []string{"promotion board", fmt.Sprintf("%s %s → %s", d.label, d.source.Name, d.target.Name)}
}

func (d Diff) compute(c *screen.Context) (Diff, tea.Cmd) {
	d.req++
	d.loading, d.err, d.scroll = true, nil, 0
	d.plan = promotion.Plan{Repo: d.url, Source: d.source, Target: d.target}
	d.gates, d.waves, d.predicted, d.changes = nil, nil, nil, nil
	d.notLoaded = d.unreadStacks(c)
	ctx, reader, req, url, source, target := c.Ctx, c.Promotions, d.req, d.url, d.source, d.target
	stacks, counted := c.Data.Stacks(), c.Data.CountedDrift()
	return d, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, readTimeout)
		defer cancel()
		msg := planMsg{req: req}
		if msg.plan, msg.gates, msg.err = reader.Plan(ctx, url, stacks, source, target, counted); msg.err == nil {
			msg.waves, msg.err = promotion.Waves(msg.plan, stacks)
		}
		return msg
	}
}

// Update implements screen.Screen.
func (d Diff) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case planMsg:
		if msg.req != d.req {
			return d, nil
		}
		d.loading, d.err = false, msg.err
		if msg.err == nil {
			d.plan, d.gates, d.waves = msg.plan, msg.gates, msg.waves
		}
	case predictedMsg:
		if msg.req == d.req {
			d.predicted = msg.plans
			changes := map[string][]model.ResourceChange{}
			maps.Copy(changes, d.changes)
			maps.Copy(changes, msg.changes)
			d.changes = changes
		}
	case screen.Loaded:
		if msg.Partial {
			return d, nil
		}
		d.notLoaded = d.unreadStacks(c)
		return d, d.pollPredicted(c)
	case screen.Outcome:
		return d.onOutcome(c, msg.Outcome)
	}
	return d, nil
}

// onOutcome takes the answers of this promotion and its predicted plans:
// after a push the diff gives way to the waves, a pull request's page shows
// in a box.
func (d Diff) onOutcome(c *screen.Context, o mutation.Outcome) (screen.Screen, tea.Cmd) {
	if o.Predicted != nil {
		d.predicted, d.changes = o.Predicted, nil
		return d, nil
	}
	res := o.Promotion
	if res == nil || res.Plan.Repo != d.url || res.Err != nil {
		return d, nil
	}
	if res.Strategy == promotion.PullRequest {
		var lines []string
		if res.PullRequestURL != "" {
			lines = append(lines, kit.Pick(res.PullRequestCreated, "Pull request opened: ", "Open the pull request here: ")+res.PullRequestURL)
		}
		if res.PullRequestNote != "" {
			lines = append(lines, res.PullRequestNote)
		}
		lines = append(lines, "The "+res.Plan.Target.Name+" stacks run once it is merged.")
		return d, c.Ask(screen.Push{Screen: dialog.Info("Promotion "+res.Plan.Source.Name+" → "+res.Plan.Target.Name+" proposed", lines)})
	}
	return d, c.Ask(screen.Replace{Screen: OpenWaves()})
}

// PredictionsDone reports that no predicted plan is still running.
func (d Diff) PredictionsDone() bool {
	for _, p := range d.predicted {
		if p.Run != nil && !p.Run.State.Terminal() && !p.Run.State.Waiting() {
			return false
		}
	}
	return true
}

// planned reports a predicted run whose plan is over.
func planned(r *model.Run) bool {
	return r != nil && r.Delta != nil && (r.State.Terminal() || r.State.Waiting())
}

// pollPredicted reads the predicted plans again while any is running, and
// the changes of each once it planned; it rides on the stack refresh.
func (d Diff) pollPredicted(c *screen.Context) tea.Cmd {
	missing := false
	for _, p := range d.predicted {
		if _, ok := d.changes[runID(p)]; planned(p.Run) && !ok {
			missing = true
		}
	}
	if d.PredictionsDone() && !missing {
		return nil
	}
	ctx, b, req, plans := c.Ctx, c.Backend, d.req, append([]mutation.PredictedPlan(nil), d.predicted...)
	have := d.changes
	return func() tea.Msg {
		changes := map[string][]model.ResourceChange{}
		for i, p := range plans {
			if p.Run == nil {
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, readTimeout)
			r, err := b.GetRun(cctx, p.StackID, p.Run.ID)
			if err == nil {
				plans[i].Run = &r
			}
			if _, ok := have[r.ID]; err == nil && planned(&r) && !ok {
				if ch, err := b.RunChanges(cctx, p.StackID, r.ID); err == nil {
					changes[r.ID] = ch
				}
			}
			cancel()
		}
		return predictedMsg{req: req, plans: plans, changes: changes}
	}
}

func runID(p mutation.PredictedPlan) string {
	if p.Run == nil {
		return ""
	}
	return p.Run.ID
}

// Keys implements screen.Screen.
func (d Diff) Keys(c *screen.Context) []screen.Group {
	scroll := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			d.scroll = max(0, min(d.scroll+by, max(0, len(d.lines(c))-1)))
			return d, nil
		}
	}
	refresh := func() (screen.Screen, tea.Cmd) {
		next, cmd := d.compute(c)
		return next, tea.Batch(cmd, c.Ask(screen.Refresh{}))
	}
	promote := screen.Action{Key: keys.PromoteOpen, Help: "promote (after the checklist)", Off: d.promoteOff(c),
		Do: func() (screen.Screen, tea.Cmd) { return d, d.propose(c) }}
	predict := screen.Action{Key: keys.PromotePredict, Off: d.predictOff(c), Do: func() (screen.Screen, tea.Cmd) { return d.predict(c) }}
	return []screen.Group{
		{Title: "Promotion", Actions: []screen.Action{
			promote, predict,
			{Key: keys.PromoteDown, Help: "scroll down", Do: scroll(1)},
			{Key: keys.PromoteUp, Help: "scroll up", Do: scroll(-1), Off: screen.OffIf(d.scroll == 0, "at the top")},
			{Key: keys.Refresh, Help: "compute the diff and check the gates again", Do: refresh},
			screen.Back(c, "back to the board"),
		}},
		{Title: "Predicted plans", Actions: []screen.Action{
			{Key: keys.Fold, Help: kit.Pick(d.unfolded, "fold long values", "show long values whole"), Off: screen.OffIf(len(d.changes) == 0, "no plan yet"),
				Do: func() (screen.Screen, tea.Cmd) { d.unfolded = !d.unfolded; return d, nil }},
		}},
	}
}

func (d Diff) promoteOff(c *screen.Context) string {
	switch {
	case c.ReadOnly():
		return "read-only mode"
	case d.loading || d.err != nil || len(d.gates) == 0:
		return "the gates are not checked yet"
	}
	return ""
}

func (d Diff) predictOff(c *screen.Context) string {
	switch {
	case c.ReadOnly():
		return "read-only mode"
	case d.loading || d.err != nil:
		return "the diff is not computed yet"
	case len(d.plan.Affected) == 0:
		return "no stack's code changes"
	case len(d.predicted) > 0 && !d.PredictionsDone():
		return "running"
	}
	return ""
}

// propose asks the pipeline for the promotion's confirmation: refused in
// read-only mode, while one is in flight, before the gates are known and
// when the target moved.
func (d Diff) propose(c *screen.Context) tea.Cmd {
	if err := c.Ops.Refuse("promotion"); err != nil {
		return c.Fail(err.Error())
	}
	if d.loading || d.err != nil || len(d.gates) == 0 {
		return c.Fail("the promotion's gates are not checked yet (r checks again)")
	}
	if why := d.partlyLoaded(c); why != "" {
		return c.Fail("promotion refused: " + why)
	}
	return c.Ask(screen.Propose{Request: mutation.Promotion{Plan: d.plan, Gates: d.gates, Label: d.label, Radius: d.radius(c)}})
}

// partlyLoaded says why the stacks the promotion moves are not all known,
// "" when they are: the waves and gates of a partial tree could leave
// stacks out, so no promotion goes on one (no override).
func (d Diff) partlyLoaded(c *screen.Context) string {
	if c.Data.Incomplete != "" {
		return c.Data.Incomplete
	}
	return d.notLoaded
}

// unreadStacks says which of the repository's stacks on either branch the
// last listing could not read, "" when it read them all. It walks every
// stack, so it runs when a load ends, not per frame.
func (d Diff) unreadStacks(c *screen.Context) string {
	var bad []string
	for i := range c.Data.Forest.Envs {
		for _, s := range c.Data.Forest.Envs[i].Stacks() {
			if !s.Loaded() && model.SameRepo(s.Repo, d.url) && (s.Branch == d.source.Branch || s.Branch == d.target.Branch) {
				bad = append(bad, s.ID)
			}
		}
	}
	if len(bad) == 0 {
		return ""
	}
	shown := strings.Join(bad[:min(3, len(bad))], ", ")
	if len(bad) > 3 {
		shown += ", …"
	}
	return fmt.Sprintf("the last listing could not read %d of its stacks (%s; r in the tree reloads)", len(bad), shown)
}

// predict starts a proposed run of the promoted commit on every affected
// target stack (p). It changes nothing, but it is a run started: read-only
// mode refuses it and the audit log records it.
func (d Diff) predict(c *screen.Context) (screen.Screen, tea.Cmd) {
	if err := c.Ops.Refuse("predicted plans"); err != nil {
		return d, c.Fail(err.Error())
	}
	switch {
	case d.loading || d.err != nil:
		return d, c.Fail("the diff is not computed yet")
	case len(d.predicted) > 0 && !d.PredictionsDone():
		return d, c.Fail("predicted plans are running")
	}
	d.predicted = nil
	return d, c.Ask(screen.Propose{Request: mutation.Predict{Plan: d.plan}})
}

// View implements screen.Screen.
func (d Diff) View(c *screen.Context, w, h int) string {
	lines := kit.WrapLines(d.lines(c), w) // a gate's reason is read whole
	head, rest := lines[:2], lines[2:]
	rest = rest[min(d.scroll, len(rest)):]
	return kit.Block(append(head, rest...), w, h)
}

// lines is the promotion read as a checklist: what moves, the commits, the
// files and the stacks they touch, module changes, the waves that will run,
// predicted plans and the gates.
func (d Diff) lines(c *screen.Context) []string {
	st := c.Styles
	p := d.plan
	lines := []string{st.Title.Render(fmt.Sprintf("  Promote %s  %s → %s", d.label, p.Source.Name, p.Target.Name)) +
		st.Subtle.Render("  · "+p.Repo), ""}
	switch {
	case d.err != nil:
		return append(lines, st.StatusError.Render("  ✗ "+d.err.Error()), "", "  r tries again, esc goes back")
	case d.loading:
		return append(lines, "  computing the diff and checking the gates…")
	}
	section := func(title string) { lines = append(lines, "", st.Heading.Render("  "+title)) }
	lines = append(lines, fmt.Sprintf("  Move %s from %s to %s (the head of %s) by %s",
		p.Target.Branch, model.ShortSHA(p.TargetHead), model.ShortSHA(p.Commit), p.Source.Branch, c.Ops.Strategy()))
	if !p.FastForward {
		lines = append(lines, st.Warn.Render(fmt.Sprintf("  ⚠ %s has commits %s lacks: a fast-forward is impossible; "+
			"set [promotion] strategy = \"merge\" or \"pull-request\"", p.Target.Branch, p.Source.Branch)))
	}
	section(fmt.Sprintf("1. Commits (git log %s..%s): %d", p.Target.Branch, p.Source.Branch, len(p.Commits)))
	for _, cm := range p.Commits {
		lines = append(lines, fmt.Sprintf("    %s %s  %s", cm.Short(), cm.Subject, st.Subtle.Render(cm.Author)))
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
	section("4. Runs that follow, in waves, and what stands in their way")
	for i, wave := range d.radius(c) {
		for j, s := range wave {
			label := "           "
			if j == 0 {
				label = fmt.Sprintf("    wave %d ", i+1)
			}
			row := label + s.Name
			if in := promotion.InTheWay(s); len(in) > 0 {
				style := st.Subtle
				if promotion.Blocking(in) {
					style = st.Warn
				}
				row += style.Render(" — " + strings.Join(promotion.Texts(in), "; "))
			}
			lines = append(lines, row)
		}
	}
	if len(d.waves) == 0 {
		lines = append(lines, st.Subtle.Render("    none: no stack's project root changed"))
	}
	section(fmt.Sprintf("5. Predicted plans at %s", model.ShortSHA(p.Commit)))
	lines = append(lines, d.predictedLines(c)...)
	failed := promotion.Failed(d.gates)
	section(fmt.Sprintf("6. Gates: %d of %d pass", len(d.gates)-len(failed), len(d.gates)))
	for _, g := range d.gates {
		mark := st.OK.Render("✓")
		if !g.Pass {
			mark = st.Fail.Render("✗")
		}
		lines = append(lines, fmt.Sprintf("    %s %s%s — %s", mark, g.Name, g.Count(), g.Reason))
	}
	next := "enter promotes"
	switch {
	case c.ReadOnly():
		next = "read-only mode: promotion is refused"
	case d.partlyLoaded(c) != "":
		next = "refused until the stacks are loaded: " + d.partlyLoaded(c)
	case len(failed) > 0:
		next = "enter promotes only with a reason typed to override the failing gates"
	}
	if c.Protected(p.Target.Name) {
		next += " · " + p.Target.Name + " is protected: you will type its name"
	}
	lines = append(lines, "", st.Accent.Render("  → "+next+" · r checks again · esc back"))
	return lines
}

// radius is the waves' stacks as loaded now.
func (d Diff) radius(c *screen.Context) [][]model.Stack {
	out := make([][]model.Stack, len(d.waves))
	for i, wave := range d.waves {
		for _, id := range wave {
			if s := c.Data.Forest.Stack(id); s != nil {
				out[i] = append(out[i], *s)
			} else {
				out[i] = append(out[i], model.Stack{ID: id, Name: id})
			}
		}
	}
	return out
}

// predictedLines is the diff's section on predicted plans.
func (d Diff) predictedLines(c *screen.Context) []string {
	st := c.Styles
	if len(d.predicted) == 0 {
		return []string{st.Subtle.Render(fmt.Sprintf("    %s plans the affected stacks at %s (proposed runs: nothing is applied)",
			c.Keys.Key(keys.PromotePredict), model.ShortSHA(d.plan.Commit)))}
	}
	var lines []string
	for _, p := range d.predicted {
		name := kit.Fit(p.StackID, 28)
		if p.Err != nil {
			lines = append(lines, "    "+name+st.StatusError.Render(" ✗ "+p.Err.Error()))
			continue
		}
		label, style := kit.StateLabel(p.Run.State, st)
		text := "    " + name + " " + style.Render(kit.Fit(label, 16))
		if dl := p.Run.Delta; dl != nil {
			text += "  " + dl.String()
			if dl.Destroy > 0 {
				text += st.Fail.Render(fmt.Sprintf("  ⚠ destroys %d %s", dl.Destroy, kit.Plural(dl.Destroy, "resource")))
			}
		}
		lines = append(lines, text)
		if ch, ok := d.changes[p.Run.ID]; ok {
			for _, l := range kit.ChangeLines(ch, st, kit.ChangeView{Width: c.Width - 6, Folded: !d.unfolded}) {
				lines = append(lines, "      "+l)
			}
			if note := kit.ValuesNote(ch, false); note != "" {
				lines = append(lines, st.Subtle.Render("      "+note))
			}
		}
	}
	return append(lines, st.Subtle.Render("    proposed runs: each stays in its stack's history"))
}
