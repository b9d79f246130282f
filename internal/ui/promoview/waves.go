package promoview

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/act"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// Waves follows the runs of the promotion the root follows.
type Waves struct {
	cursor int // the stack selected, in wave order
}

// OpenWaves shows the followed promotion's waves.
func OpenWaves() Waves { return Waves{} }

// Name implements screen.Named.
func (v Waves) Name() string { return "a promotion's waves" }

// Title implements screen.Screen.
func (v Waves) Title(c *screen.Context) []string {
	f := c.Data.Following
	if f == nil {
		return []string{"promotion", "waves"}
	}
	return []string{"promotion", fmt.Sprintf("%s %s → %s", f.Label, f.Plan.Source.Name, f.Plan.Target.Name), "waves"}
}

// Cursor is the position of the selected stack, in wave order.
func (v Waves) Cursor() int { return v.cursor }

// Update implements screen.Screen.
func (v Waves) Update(*screen.Context, tea.Msg) (screen.Screen, tea.Cmd) { return v, nil }

// WaveStacks are the followed promotion's waves with their runs.
func WaveStacks(c *screen.Context) [][]promotion.WaveStack {
	if c.Data.Following == nil {
		return nil
	}
	return c.Data.Following.Stacks(c.Data.Forest.Stack)
}

// Selected is the stack under the cursor.
func (v Waves) Selected(c *screen.Context) *model.Stack {
	i := 0
	for _, wave := range WaveStacks(c) {
		for _, ws := range wave {
			if i == v.cursor {
				return ws.Stack
			}
			i++
		}
	}
	return nil
}

// Count is how many stacks the followed promotion's waves hold.
func Count(c *screen.Context) int {
	n := 0
	for _, w := range WaveStacks(c) {
		n += len(w)
	}
	return n
}

// Keys implements screen.Screen. Stack actions work on the selected stack,
// through the pipeline with the usual protected-environment safety.
func (v Waves) Keys(c *screen.Context) []screen.Group {
	n := Count(c)
	move := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			v.cursor = max(0, min(v.cursor+by, n-1))
			return v, nil
		}
	}
	t := act.Target{Stack: v.Selected(c)}
	first := []screen.Action{
		{Key: keys.PromoteDown, Do: move(1), Off: screen.OffIf(v.cursor >= n-1, "at the last stack")},
		{Key: keys.PromoteUp, Do: move(-1), Off: screen.OffIf(v.cursor == 0, "at the first stack")},
	}
	first = append(first, act.Actions(c, t, v, act.Confirm, act.Discard, act.Retry)...)
	nav := act.Nav(c, t, v)
	first = append(first, nav[0], nav[1], screen.Back(c, ""))
	rest := act.Actions(c, t, v, act.Plan, act.Deploy, act.Stop, act.Review, act.Lock, act.Sync)
	return []screen.Group{
		{Title: "Waves", Actions: first},
		{Title: "Stack", Actions: append(rest, nav[2:]...)},
	}
}

// Summary is the next step, as a checklist line: which wave to act on, or
// where it stopped and what that blocks.
func Summary(c *screen.Context, waves [][]promotion.WaveStack) (string, bool) {
	for i, wave := range waves {
		var failedIDs, blocked, approve, waiting, running, notStarted []string
		for _, ws := range wave {
			switch {
			case ws.Blocked != "":
				blocked = append(blocked, ws.ID)
			case ws.Run == nil:
				notStarted = append(notStarted, ws.ID)
			case promotion.Stopped(ws.Run.State):
				failedIDs = append(failedIDs, fmt.Sprintf("%s %s", ws.ID, ws.Run.State))
			case ws.Run.NeedsApproval:
				approve = append(approve, ws.ID)
			case ws.Run.State.Waiting():
				waiting = append(waiting, ws.ID)
			case ws.Run.State != model.StateFinished:
				running = append(running, ws.ID)
			}
		}
		if len(failedIDs) > 0 {
			var down []string
			for _, later := range waves[i+1:] {
				for _, ws := range later {
					if ws.Blocked != "" {
						down = append(down, ws.ID)
					}
				}
			}
			text := fmt.Sprintf("✗ wave %d stopped: %s. No next wave", i+1, strings.Join(failedIDs, ", "))
			if len(down) > 0 {
				text += "; blocked downstream (their runs will be skipped): " + strings.Join(down, ", ")
			}
			return text, true
		}
		switch {
		case len(approve) > 0:
			return fmt.Sprintf("→ wave %d: approve %s (select, then %s), then confirm", i+1, strings.Join(approve, ", "),
				c.Keys.Key(keys.Review)), false
		case len(waiting) > 0:
			return fmt.Sprintf("→ wave %d: confirm %s (select, then %s)", i+1, strings.Join(waiting, ", "),
				c.Keys.Key(keys.Confirm)), false
		case len(running) > 0:
			return fmt.Sprintf("◐ wave %d running: %s", i+1, strings.Join(running, ", ")), false
		case len(notStarted) > 0 && len(blocked) == 0:
			return fmt.Sprintf("· wave %d: waiting for %s to start", i+1, strings.Join(notStarted, ", ")), false
		}
	}
	f := c.Data.Following
	if len(waves) == 0 {
		return "✓ the promotion changed no stack's code: nothing runs", false
	}
	return fmt.Sprintf("✓ every wave finished: %s runs %s", f.Plan.Target.Name, model.ShortSHA(f.Commit)), false
}

// View implements screen.Screen: each wave's stacks with their runs, and
// the next step.
func (v Waves) View(c *screen.Context, w, h int) string {
	st := c.Styles
	f := c.Data.Following
	if f == nil {
		return kit.Block([]string{"", "  no promotion is followed: " + c.Keys.Key(keys.Promotion) + " opens the board"}, w, h)
	}
	p := f.Plan
	lines := []string{st.Title.Render(fmt.Sprintf("  Promotion %s → %s: %s is at %s", p.Source.Name, p.Target.Name,
		p.Target.Branch, model.ShortSHA(f.Commit))), ""}
	waves := WaveStacks(c)
	summary, stopped := Summary(c, waves)
	style := st.Accent
	if stopped {
		style = st.StatusError
	}
	lines = append(lines, style.Render("  "+summary), "")
	i := 0
	for wi, wave := range waves {
		lines = append(lines, st.Heading.Render(fmt.Sprintf("  Wave %d", wi+1)))
		for _, ws := range wave {
			line := waveLine(c, ws)
			if i == v.cursor {
				line = st.Selected.Render(line)
			}
			lines = append(lines, line)
			i++
		}
	}
	return kit.Block(lines, w, h)
}

func waveLine(c *screen.Context, ws promotion.WaveStack) string {
	st := c.Styles
	name := kit.Fit(ws.ID, 28)
	switch {
	case ws.Stack == nil:
		return "    " + name + st.Subtle.Render(" not listed by "+c.Info.Kind)
	case ws.Blocked != "":
		return "    " + name + st.Fail.Render(" ⊘ blocked by "+ws.Blocked)
	case ws.Run == nil && ws.Stack.Locked() && !ws.Stack.Lock.Mine:
		l := ws.Stack.Lock
		return "    " + name + st.Fail.Render(" ⊘ locked by "+l.Holder+kit.Pick(l.Note == "", "", " ("+l.Note+")")+": its run will not start")
	case ws.Run == nil:
		return "    " + name + st.Subtle.Render(" · no run yet")
	}
	label, style := kit.StateLabel(ws.Run.State, st)
	text := fmt.Sprintf("    %s %s  %s %s", name, style.Render(kit.Fit(label, 20)), ws.Run.ID, model.ShortSHA(ws.Run.Commit))
	if ws.Run.Delta != nil {
		text += "  " + ws.Run.Delta.String()
	}
	if ws.Run.State == model.StateUnconfirmed && c.Protected(ws.Stack.Env) {
		text += st.Warn.Render("  (protected: confirming asks for the name)")
	}
	if state := ws.Run.State; (state == model.StateQueued || state == model.StateReady) && !ws.Run.NeedsApproval {
		text += st.Waiting.Render("  " + kit.Queued(ws.Stack.QueuedBehind(*ws.Run), false))
	}
	return text
}
