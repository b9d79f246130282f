package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// maxChangesShown bounds the changed resources listed above the log.
const maxChangesShown = 8

// runInfo is the top of the run view: run, timeline, plan, changes; at most
// half the body so the log always has room.
func (m Model) runInfo(w int) []string {
	st, rv := m.styles, m.rv
	name := rv.stackID
	if s := m.forest.Stack(rv.stackID); s != nil {
		name = s.Name + " (" + orDash(s.Env) + ")"
	}
	lines := []string{st.Title.Render("Run "+rv.runID) + st.Subtle.Render(" of "+name)}
	if rv.err != nil {
		lines = append(lines, st.StatusError.Render("✗ "+rv.err.Error()), st.Subtle.Render(backend.Hint(rv.err)))
	}
	r := rv.run
	if r == nil {
		return append(lines, st.Subtle.Render("loading…"))
	}
	label, style := stateLabel(r.State, st)
	head := style.Render(label) + "  " + string(r.Kind) + "  " + shortSHA(r.Commit)
	if r.NeedsApproval {
		head += "  " + st.Waiting.Render("! needs approval")
	}
	if r.Delta != nil {
		head += "  " + deltaStyled(r.Delta, m)
	}
	if r.TriggeredBy != "" {
		head += st.Subtle.Render("  by " + r.TriggeredBy)
	}
	lines = append(lines, head)
	if r.Title != "" {
		lines = append(lines, st.Subtle.Render(r.Title))
	}
	lines = append(lines, wrapLines([]string{m.timeline(r)}, w)...)
	if tail := m.tailText(r); tail != "" {
		lines = append(lines, st.Waiting.Render(tail))
	}
	lines = append(lines, m.changeLines()...)
	return lines
}

func deltaStyled(d *model.Delta, m Model) string {
	st := m.styles
	return st.OK.Render(fmt.Sprintf("+%d", d.Add)) + " " + st.Warn.Render(fmt.Sprintf("~%d", d.Change)) + " " +
		st.Fail.Render(fmt.Sprintf("-%d", d.Destroy))
}

// timeline is the state history with times, on one line to wrap.
func (m Model) timeline(r *model.Run) string {
	parts := make([]string, 0, len(r.History))
	for _, t := range r.History {
		p := string(t.State) + " " + t.At.Local().Format("15:04:05")
		if t.Note != "" {
			p += " (" + t.Note + ")"
		}
		parts = append(parts, p)
	}
	return m.styles.Label.Render("Timeline ") + strings.Join(parts, " → ")
}

// tailText says why the log stopped following, and what the user can do.
func (m Model) tailText(r *model.Run) string {
	if m.readOnly {
		return "" // read-only: there is nothing to offer
	}
	a := m.keys.Actions
	if r.NeedsApproval && !r.State.Terminal() { // said at once: a held QUEUED run still polls
		what := "it is not scheduled until approved"
		if r.State == model.StateUnconfirmed {
			what = "it cannot be confirmed until approved"
		}
		return fmt.Sprintf("! an approval policy holds this run (%s): %s approves or rejects, %s discards",
			what, a.Review.Help().Key, a.Discard.Help().Key)
	}
	if !m.rv.tailDone {
		return ""
	}
	switch r.State {
	case model.StateUnconfirmed:
		return fmt.Sprintf("? waits for confirmation: %s confirms, %s discards", a.Confirm.Help().Key, a.Discard.Help().Key)
	case model.StatePendingReview:
		if !m.backend.Capabilities().Review {
			return fmt.Sprintf("? waits on you in %s: decide there (%s opens the run), or %s discards", m.info.Kind,
				a.Open.Help().Key, a.Discard.Help().Key)
		}
		return fmt.Sprintf("? waits for review: %s approves or rejects, %s discards", a.Review.Help().Key, a.Discard.Help().Key)
	case model.StateFailed:
		return fmt.Sprintf("✗ failed: %s retries", a.Retry.Help().Key)
	case model.StateFinished:
		if r.Kind == model.RunPlan && m.backend.Capabilities().Promote {
			return fmt.Sprintf("plan finished: %s deploys this preview", a.Deploy.Help().Key)
		}
	}
	return ""
}

func (m Model) changeLines() []string {
	st, rv := m.styles, m.rv
	switch {
	case rv.changesErr != nil:
		return []string{st.Subtle.Render("changes: " + rv.changesErr.Error())}
	case len(rv.changes) == 0:
		return nil
	}
	lines := []string{st.Heading.Render(fmt.Sprintf("Changes (%d)", len(rv.changes)))}
	for i, c := range rv.changes {
		if i == maxChangesShown {
			lines = append(lines, st.Subtle.Render(fmt.Sprintf("  … %d more", len(rv.changes)-i)))
			break
		}
		sym, style := "~", st.Warn
		switch c.Action {
		case model.ActionAdd:
			sym, style = "+", st.OK
		case model.ActionDestroy:
			sym, style = "-", st.Fail
		case model.ActionReplace:
			sym, style = "±", st.Fail
		}
		line := style.Render(sym+" "+c.Address) + " "
		if len(c.Attributes) > 0 {
			line += st.Subtle.Render(strings.Join(c.Attributes, ", "))
		}
		lines = append(lines, line)
	}
	return lines
}

// runLayout splits the body: info on top (at most half), a rule, the log.
func (m Model) runLayout() ([]string, int) {
	info := wrapLines(m.runInfo(m.width), m.width)
	if limit := max(3, m.bodyHeight()/2); len(info) > limit {
		info = append(info[:limit-1], m.styles.Subtle.Render("…"))
	}
	return info, max(1, m.bodyHeight()-len(info)-1)
}

func (m Model) logRows() int { _, h := m.runLayout(); return h }

// logLines is the log as displayed: wrapped to the width when wrap is on.
func (m Model) logLines() []string {
	if !m.rv.wrap {
		return m.rv.lines
	}
	var out []string
	for _, l := range m.rv.lines {
		out = append(out, strings.Split(ansi.Hardwrap(l, max(1, m.width), true), "\n")...)
	}
	return out
}

func (m Model) maxLogScroll() int { return max(0, len(m.logLines())-m.logRows()) }

func (m Model) renderRun(w, h int) string {
	st, rv := m.styles, m.rv
	info, logH := m.runLayout()
	lines := m.logLines()
	top := rv.scroll
	if rv.follow {
		top = max(0, len(lines)-logH)
	}
	top = min(top, max(0, len(lines)-logH))
	state := "following"
	switch {
	case !rv.follow:
		state = fmt.Sprintf("line %d of %d, G follows", top+1, len(lines))
	case rv.tailDone:
		state = "complete"
	}
	switch {
	case rv.logExpired:
		state += "; older parts expired: the backend no longer keeps them"
	case rv.logMissing:
		state += "; some states left no log"
	}
	if rv.search != "" {
		state += " · /" + rv.search
	}
	rule := fmt.Sprintf("── log (%s) ", state)
	out := append(append([]string(nil), info...), st.Heading.Render(rule+strings.Repeat("─", max(0, w-ansi.StringWidth(rule)))))
	needle := strings.ToLower(rv.search)
	for i := top; i < min(len(lines), top+logH); i++ {
		l := lines[i]
		if needle != "" && strings.Contains(strings.ToLower(l), needle) {
			l = st.Accent.Render(l)
		}
		out = append(out, l)
	}
	if len(lines) == 0 {
		out = append(out, st.Subtle.Render("  no log yet"))
	}
	return block(out, w, h)
}

// renderHistory lists the stack's runs, newest first, a page at a time.
func (m Model) renderHistory(w, h int) string {
	st, hs := m.styles, m.hist
	name := hs.stackID
	if s := m.forest.Stack(hs.stackID); s != nil {
		name = s.Name
	}
	more := "all loaded"
	switch {
	case hs.loading:
		more = "loading…"
	case hs.next != "":
		more = "more below: j past the end loads them"
	}
	lines := []string{
		st.Title.Render("Runs of "+name) + st.Subtle.Render(fmt.Sprintf("  %d shown, %s", len(hs.runs), more)),
		st.ColumnHeader.Render(fit(fmt.Sprintf("%-16s %-11s %-8s %-12s %5s  %s", "STATE", "KIND", "COMMIT", "PLAN", "AGE", "RUN / TITLE"), w)),
	}
	if hs.err != nil {
		lines = append(lines, st.StatusError.Render("✗ "+hs.err.Error()), st.Subtle.Render(backend.Hint(hs.err)))
	}
	if !hs.loading && len(hs.runs) == 0 && hs.err == nil {
		lines = append(lines, st.Subtle.Render("  no runs yet"))
	}
	end := min(len(hs.runs), hs.offset+m.historyRows())
	for i := hs.offset; i < end; i++ {
		r := &hs.runs[i]
		label, style := stateLabel(r.State, st)
		title := r.Title
		if r.NeedsApproval {
			title = "! needs approval · " + title
		}
		text := fmt.Sprintf("%-11s %-8s %-12s %5s  %s %s", r.Kind, shortSHA(r.Commit), deltaText(r.Delta), m.runAge(r), r.ID, title)
		if i == hs.cursor {
			lines = append(lines, st.Selected.Render(fit(fit(label, 16)+" "+text, w)))
			continue
		}
		lines = append(lines, style.Render(fit(label, 16))+" "+fit(text, max(0, w-17)))
	}
	return block(lines, w, h)
}
