// Package runview is one run on screen: its state and timeline, its plan's
// changes, and its log, tailed while the run works and searchable. The
// actions the run takes (confirm, discard, retry, review, stop, deploy a
// finished preview) act on it.
package runview

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/privfile"
	"github.com/stackview/stackview/internal/ui/act"
	"github.com/stackview/stackview/internal/ui/dialog"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// Timings: how often the view asks for new log lines and state while the
// run works; how long one call may take.
const (
	PollEvery   = time.Second
	callTimeout = 15 * time.Second
)

// maxChangesShown bounds the changed resources listed above the log.
const maxChangesShown = 8

// gens numbers run views, so answers to a closed one are dropped.
var gens atomic.Int64

// Model is the run view.
type Model struct {
	stackID, runID string
	gen            int64
	run            *model.Run
	err            error
	changes        []model.ResourceChange
	changesAsked   bool
	changesErr     error
	lines          []string
	token          string
	tailDone       bool // the log is complete for now (terminal, or waiting for a person)
	logExpired     bool // part of the log is past the backend's retention
	logMissing     bool // a state the run went through has no log
	follow         bool
	scroll         int // first log line shown when not following
	wrap           bool
	search         string
	typing         bool
	input          kit.Input
	// history is the searches typed in this view, oldest first; histAt
	// the one recalled with ↑/↓ (len(history): the line being typed).
	history []string
	histAt  int
	draft   string // the line being typed, kept while ↑ recalls older ones
	matchAt int    // display line of the current match, -1 before n/N
	// plan: the lower pane shows the plan's changes, with values, instead
	// of the log; planScroll is its first line; unfolded shows long
	// values whole (z).
	plan       bool
	planScroll int
	unfolded   bool
}

// Messages of the run view carry its generation.
type (
	runMsg struct {
		gen int64
		run model.Run
		err error
	}
	logMsg struct {
		gen   int64
		chunk backend.LogChunk
		err   error
	}
	changesMsg struct {
		gen     int64
		changes []model.ResourceChange
		err     error
	}
	// PollMsg asks for the next log chunk and state of a working run.
	PollMsg struct{ gen int64 }
	// savedMsg is a :save done.
	savedMsg struct {
		gen   int64
		path  string
		lines int
		err   error
	}
)

// Open shows a run; known is its state when the opener has it (a history
// row), so the view has something to show before the first answer.
func Open(stackID, runID string, known *model.Run) Model {
	return Model{stackID: stackID, runID: runID, follow: true, gen: gens.Add(1), run: known, matchAt: -1}
}

// Init starts following the run.
func (m Model) Init(c *screen.Context) tea.Cmd {
	return tea.Batch(m.fetchRun(c), m.fetchLog(c, ""), m.fetchChanges(c))
}

// StackID is the stack of the run shown.
func (m Model) StackID() string { return m.stackID }

// Lines are the log lines read so far.
func (m Model) Lines() []string { return m.lines }

// Wrapped reports whether long log lines wrap.
func (m Model) Wrapped() bool { return m.wrap }

// Name implements screen.Named.
func (m Model) Name() string { return "the run view" }

// Title implements screen.Screen.
func (m Model) Title(c *screen.Context) []string {
	run := m.runID
	if len(run) > 12 {
		run = run[:10] + "…"
	}
	crumbs := []string{m.stackID, "run " + run, kit.Pick(m.plan, "changes", "log")}
	if s := c.Data.Forest.Stack(m.stackID); s != nil {
		crumbs = append([]string{s.Env, s.Name}, crumbs[1:]...)
	}
	return crumbs
}

func (m Model) fetchRun(c *screen.Context) tea.Cmd {
	ctx, b, gen, stackID, runID := c.Ctx, c.Backend, m.gen, m.stackID, m.runID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		r, err := b.GetRun(ctx, stackID, runID)
		return runMsg{gen: gen, run: r, err: err}
	}
}

func (m Model) fetchLog(c *screen.Context, token string) tea.Cmd {
	ctx, b, gen, stackID, runID := c.Ctx, c.Backend, m.gen, m.stackID, m.runID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		ch, err := b.RunLogs(ctx, stackID, runID, token)
		return logMsg{gen: gen, chunk: ch, err: err}
	}
}

func (m Model) fetchChanges(c *screen.Context) tea.Cmd {
	ctx, b, gen, stackID, runID := c.Ctx, c.Backend, m.gen, m.stackID, m.runID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		ch, err := b.RunChanges(ctx, stackID, runID)
		return changesMsg{gen: gen, changes: ch, err: err}
	}
}

// Update implements screen.Screen. Tailing ends when the log is complete
// and the run is over or waits for a person (spacectl #352 hangs there).
func (m Model) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.typing {
			if in, ok := m.input.Key(c.Keys, msg); ok {
				m.input, m.histAt = in, len(m.history)
			}
		}
	case savedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		if msg.err != nil {
			return m, c.Fail(msg.err.Error())
		}
		return m, c.Say(fmt.Sprintf("saved %d %s of the log to %s (mode 0600)", msg.lines, kit.Plural(msg.lines, "line"), msg.path))
	case tea.PasteMsg:
		if m.typing {
			m.input = m.input.Paste(msg.Content)
		}
	case screen.Loaded:
		if msg.Partial {
			return m, nil
		}
		return m, m.fetchRun(c) // someone else may have confirmed or stopped it
	case screen.Outcome:
		return m.onOutcome(c, msg)
	case runMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.err = msg.err
		if msg.err != nil {
			return m, nil
		}
		r := msg.run
		m.run = &r
		if m.tailDone && r.State.Active() { // moving again: confirmed, maybe elsewhere
			m.tailDone = false
			return m, m.fetchLog(c, m.token)
		}
		// The plan's changes exist once it planned; ask again then.
		if r.Delta != nil && len(m.changes) == 0 && !m.changesAsked {
			m.changesAsked = true
			return m, m.fetchChanges(c)
		}
	case changesMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.changes, m.changesErr = msg.changes, msg.err
		if len(msg.changes) > 0 {
			m.changesAsked = true
		}
	case logMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		if msg.err != nil {
			m.err = msg.err
			m.tailDone = true
			return m, nil
		}
		if text := strings.TrimSuffix(msg.chunk.Text, "\n"); msg.chunk.Text != "" {
			m.lines = append(append([]string(nil), m.lines...), strings.Split(text, "\n")...)
		}
		moved := msg.chunk.Next != "" && msg.chunk.Next != m.token
		if msg.chunk.Next != "" {
			m.token = msg.chunk.Next
		}
		m.logExpired = m.logExpired || msg.chunk.Expired
		m.logMissing = m.logMissing || msg.chunk.Missing
		switch {
		case msg.chunk.Done:
			m.tailDone = true
			return m, m.fetchRun(c) // the final state, with the log complete
		case msg.chunk.Text != "" || (moved && (msg.chunk.Expired || msg.chunk.Missing)):
			return m, m.fetchLog(c, m.token) // drain what is there, past states without a log
		}
		gen := m.gen
		return m, c.After(PollEvery, func(time.Time) tea.Msg { return PollMsg{gen: gen} })
	case PollMsg:
		if msg.gen != m.gen || m.tailDone {
			return m, nil
		}
		return m, tea.Batch(m.fetchRun(c), m.fetchLog(c, m.token))
	}
	return m, nil
}

// onOutcome keeps the view on the run an action produced (a retry or a
// deployed preview is a new run) and polls it again.
func (m Model) onOutcome(c *screen.Context, o screen.Outcome) (screen.Screen, tea.Cmd) {
	rs := o.Outcome.Stacks
	if !c.Top || len(rs) != 1 || rs[0].Err != nil || rs[0].Run == nil || rs[0].Op.StackID != m.stackID {
		return m, nil
	}
	next := Open(rs[0].Run.StackID, rs[0].Run.ID, nil)
	next.history, next.histAt = m.history, len(m.history)
	return next, next.Init(c)
}

// target is what the action keys act on: the run's stack and the run.
func (m Model) target(c *screen.Context) act.Target {
	t := act.Target{Stack: c.Data.Forest.Stack(m.stackID)}
	if m.run != nil {
		r := *m.run
		t.Run = &r
	}
	return t
}

// Prompt implements screen.Prompter: the search being typed.
func (m Model) Prompt(c *screen.Context) (string, bool) {
	if !m.typing {
		return "", false
	}
	line := c.Styles.Accent.Render("search log /") + m.input.Value + "█"
	if len(m.history) > 0 {
		line += c.Styles.Subtle.Render("  (↑/↓ earlier searches)")
	}
	return line, true
}

// Modal implements screen.Modal: while typing, keys are text.
func (m Model) Modal(*screen.Context) bool { return m.typing }

// TypingText implements screen.TextEntry.
func (m Model) TypingText(*screen.Context) bool { return m.typing }

// Keys implements screen.Screen.
func (m Model) Keys(c *screen.Context) []screen.Group {
	if m.typing {
		return []screen.Group{{Title: "Search the log", Actions: []screen.Action{
			{Key: keys.InputSubmit, Help: "search", Do: func() (screen.Screen, tea.Cmd) { return m.submitSearch(c) }},
			{Key: keys.InputCancel, Do: func() (screen.Screen, tea.Cmd) { m.typing = false; return m, nil }},
			{Key: keys.InputErase},
			{Key: keys.InputClear},
			{Key: keys.InputPrev, Off: screen.OffIf(m.histAt == 0, "no earlier search"), Do: func() (screen.Screen, tea.Cmd) { return m.recall(-1), nil }},
			{Key: keys.InputNext, Off: screen.OffIf(m.histAt >= len(m.history), "no later search"), Do: func() (screen.Screen, tea.Cmd) { return m.recall(1), nil }},
		}}}
	}
	t := m.target(c)
	// The footer offers what this run takes: confirm and discard while it
	// waits, retry once it failed, deploy when it is a finished preview.
	first := []screen.Action{
		screen.Back(c, ""),
		{Key: keys.LogFollow, Off: screen.OffIf(m.follow && !m.plan, "following already"), Do: func() (screen.Screen, tea.Cmd) {
			m.follow, m.plan = true, false
			return m, nil
		}},
		{Key: keys.LogSearch, Do: func() (screen.Screen, tea.Cmd) {
			// A new search starts empty, as in less: typing after the last
			// term would search for both run together; ↑ recalls it.
			m.typing, m.input, m.histAt, m.plan = true, kit.Input{}, len(m.history), false
			return m, nil
		}},
	}
	// The run's own actions come before the view's keys: a narrow footer
	// keeps them.
	first = append(first, act.Actions(c, t, m, act.Confirm, act.Discard, act.Retry, act.Review, act.Stop)...)
	first = append(first,
		screen.Action{Key: keys.RunPane, Help: kit.Pick(m.plan, "the log", "changes"), Off: m.paneOff(),
			Do: func() (screen.Screen, tea.Cmd) { m.plan = !m.plan; return m, nil }},
		screen.Action{Key: keys.LogWrap, Help: kit.Pick(m.wrap, "unwrap lines", "wrap lines"), Do: func() (screen.Screen, tea.Cmd) { m.wrap = !m.wrap; return m, nil }})
	deploy := act.Action(c, act.Deploy, t, m)
	stack := act.Actions(c, t, m, act.Plan, act.Lock, act.Sync)
	if o, why := act.Resolve(c, act.Deploy, t); why == "" && o.Action == "promote" && !c.ReadOnly() {
		first = append(first, deploy)
	} else {
		stack = append(stack, deploy)
	}
	return []screen.Group{
		{Title: "Run", Actions: first},
		{Title: kit.Pick(m.plan, "Plan", "Log"), Actions: append(m.scrollKeys(c), []screen.Action{
			{Key: keys.LogNext, Off: screen.OffIf(m.search == "", "search first"), Do: func() (screen.Screen, tea.Cmd) { return m.step(c, 1) }},
			{Key: keys.LogPrev, Off: screen.OffIf(m.search == "", "search first"), Do: func() (screen.Screen, tea.Cmd) { return m.step(c, -1) }},
			{Key: keys.Fold, Help: kit.Pick(m.unfolded, "fold long values", "show long values whole"),
				Do: func() (screen.Screen, tea.Cmd) { m.unfolded = !m.unfolded; return m, nil }},
			{Key: keys.CopyMenu, Do: func() (screen.Screen, tea.Cmd) { return m, m.copyMenu(c) }},
			{Key: keys.RunWatch, Do: func() (screen.Screen, tea.Cmd) { return m, act.Watch(c, t) }},
		}...)},
		{Title: "Stack", Actions: append(stack, act.Nav(c, t, m)...)},
	}
}

// paneOff says why tab has nothing to show.
func (m Model) paneOff() string {
	if !m.plan && len(m.changes) == 0 {
		return "no changes planned yet"
	}
	return ""
}

// scrollKeys scroll the pane shown: the log or the plan.
func (m Model) scrollKeys(c *screen.Context) []screen.Action {
	page := max(1, m.logRows(c)-1)
	if m.plan {
		most := max(0, len(m.planLines(c))-m.logRows(c))
		by := func(d int) func() (screen.Screen, tea.Cmd) {
			return func() (screen.Screen, tea.Cmd) {
				m.planScroll = max(0, min(m.planScroll+d, most))
				return m, nil
			}
		}
		atTop, atEnd := m.planScroll == 0, m.planScroll >= most
		return []screen.Action{
			{Key: keys.LogUp, Do: by(-1), Off: screen.OffIf(atTop, "at the top")},
			{Key: keys.LogDown, Do: by(1), Off: screen.OffIf(atEnd, "at the end")},
			{Key: keys.LogPageUp, Do: by(-page), Off: screen.OffIf(atTop, "at the top")},
			{Key: keys.LogPageDown, Do: by(page), Off: screen.OffIf(atEnd, "at the end")},
			{Key: keys.LogTop, Do: func() (screen.Screen, tea.Cmd) { m.planScroll = 0; return m, nil }},
		}
	}
	scrollBy := func(d int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			if m.follow {
				m.scroll = m.maxLogScroll(c)
			}
			m.follow = false
			m.scroll = max(0, min(m.scroll+d, m.maxLogScroll(c)))
			return m, nil
		}
	}
	atTop := !m.follow && m.scroll == 0
	return []screen.Action{
		{Key: keys.LogUp, Do: scrollBy(-1), Off: screen.OffIf(atTop || m.maxLogScroll(c) == 0, "at the top")},
		{Key: keys.LogDown, Do: scrollBy(1), Off: screen.OffIf(m.follow || m.maxLogScroll(c) == 0, "at the end")},
		{Key: keys.LogPageUp, Do: scrollBy(-page), Off: screen.OffIf(atTop || m.maxLogScroll(c) == 0, "at the top")},
		{Key: keys.LogPageDown, Do: scrollBy(page), Off: screen.OffIf(m.follow || m.maxLogScroll(c) == 0, "at the end")},
		{Key: keys.LogTop, Do: func() (screen.Screen, tea.Cmd) { m.follow, m.scroll = false, 0; return m, nil }},
	}
}

// submitSearch searches for the line typed and keeps it in the history.
func (m Model) submitSearch(c *screen.Context) (screen.Screen, tea.Cmd) {
	m.typing, m.search, m.matchAt = false, m.input.Value, -1
	if m.search != "" && (len(m.history) == 0 || m.history[len(m.history)-1] != m.search) {
		m.history = append(append([]string(nil), m.history...), m.search)
	}
	m.histAt, m.draft = len(m.history), ""
	return m.step(c, 1)
}

// recall moves through the search history: -1 an earlier search, +1 a
// later one, back to the line being typed.
func (m Model) recall(by int) Model {
	if m.histAt == len(m.history) {
		m.draft = m.input.Value
	}
	m.histAt = max(0, min(m.histAt+by, len(m.history)))
	if m.histAt == len(m.history) {
		m.input = kit.Input{Value: m.draft}
	} else {
		m.input = kit.Input{Value: m.history[m.histAt]}
	}
	return m
}

// matches are the display lines holding the search, ignoring case and
// colour codes.
func (m Model) matches(c *screen.Context) []int {
	if m.search == "" {
		return nil
	}
	needle := strings.ToLower(m.search)
	var out []int
	for i, l := range m.logLines(c) {
		if strings.Contains(strings.ToLower(ansi.Strip(l)), needle) {
			out = append(out, i)
		}
	}
	return out
}

// step moves to the next match (dir 1, n) or the previous one (dir -1,
// N), wrapping, from the current match or else from the top line shown.
func (m Model) step(c *screen.Context, dir int) (screen.Screen, tea.Cmd) {
	matches := m.matches(c)
	if len(matches) == 0 {
		if m.search != "" {
			return m, c.Fail("no log line matches " + kit.Quote(m.search))
		}
		return m, nil
	}
	from := m.matchAt
	if from < 0 {
		from = m.scroll - 1
		if m.follow {
			from = max(0, len(m.logLines(c))-m.logRows(c)) - 1
		}
		if dir < 0 {
			from++
		}
	}
	target := matches[0]
	if dir < 0 {
		target = matches[len(matches)-1]
		for i := len(matches) - 1; i >= 0; i-- {
			if matches[i] < from {
				target = matches[i]
				break
			}
		}
	} else {
		for _, i := range matches {
			if i > from {
				target = i
				break
			}
		}
	}
	m.follow, m.plan, m.matchAt = false, false, target
	m.scroll = max(0, min(target, m.maxLogScroll(c)))
	return m, c.Say(fmt.Sprintf("match %d of %d for /%s", indexOf(matches, target)+1, len(matches), m.search))
}

func indexOf(list []int, v int) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// copyMenu offers the run id, its commit and its page (y; u copies the
// page at once).
func (m Model) copyMenu(c *screen.Context) tea.Cmd {
	items := []dialog.MenuItem{{Label: "run id", Text: m.runID}}
	if m.run != nil {
		items = append(items, dialog.MenuItem{Label: "commit", Text: m.run.Commit}, dialog.MenuItem{Label: "URL", Text: m.run.URL})
	}
	menu := dialog.NewMenu("Copy to the clipboard", items, func(it dialog.MenuItem) tea.Msg {
		return screen.Copy{What: it.Label, Text: it.Text}
	})
	return c.Ask(screen.Push{Screen: menu})
}

// Command implements screen.Commander: :save PATH writes the log as shown
// (colour codes out, redacted as on screen) to a new file of mode 0600;
// :save! PATH may overwrite one. It writes a file of the user's, not the
// backend: read-only mode allows it.
func (m Model) Command(c *screen.Context, verb string, args []string) (screen.Screen, tea.Cmd, bool) {
	if verb != "save" && verb != "save!" {
		return nil, nil, false
	}
	path := strings.Join(args, " ")
	if path == "" {
		return nil, c.Fail("usage: :save PATH (:save! PATH overwrites)"), true
	}
	lines := make([]string, len(m.lines))
	for i, l := range m.lines {
		lines[i] = ansi.Strip(display(l))
	}
	gen, overwrite := m.gen, verb == "save!"
	return nil, func() tea.Msg {
		n, err := saveLog(path, lines, overwrite)
		return savedMsg{gen: gen, path: path, lines: n, err: err}
	}, true
}

// saveLog writes lines to path (~ is the home directory).
func saveLog(path string, lines []string, overwrite bool) (int, error) {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return 0, fmt.Errorf("save: %w", err)
		}
		path = filepath.Join(home, rest)
	}
	f, err := privfile.Create(path, overwrite)
	if errors.Is(err, privfile.ErrExists) {
		return 0, fmt.Errorf("save: %s exists; :save! %s overwrites it", path, path)
	}
	if err != nil {
		return 0, fmt.Errorf("save: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return 0, fmt.Errorf("save %s: %w", path, err)
	}
	return len(lines), nil
}

// userinfo is credentials in a URL ("https://user:secret@host").
var userinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+):[^/\s@]+@`)

// display is a log line as the view shows it (and :save writes it): a
// password in a URL is hidden.
func display(l string) string {
	if !strings.Contains(l, "@") {
		return l
	}
	return userinfo.ReplaceAllString(l, "${1}:***@")
}

// info is the top of the view: run, timeline, plan, changes.
func (m Model) info(c *screen.Context, w int) []string {
	st := c.Styles
	name := m.stackID
	if s := c.Data.Forest.Stack(m.stackID); s != nil {
		name = s.Name + " (" + kit.OrDash(s.Env) + ")"
	}
	lines := []string{st.Title.Render("Run "+m.runID) + st.Subtle.Render(" of "+name)}
	if m.err != nil {
		lines = append(lines, st.StatusError.Render("✗ "+m.err.Error()), st.Subtle.Render(backend.Hint(m.err)))
	}
	r := m.run
	if r == nil {
		return append(lines, st.Subtle.Render("loading…"))
	}
	label, style := kit.StateLabel(r.State, st)
	head := style.Render(label) + "  " + string(r.Kind) + "  " + model.ShortSHA(r.Commit)
	if r.NeedsApproval {
		head += "  " + st.Waiting.Render("! needs approval")
	}
	if r.Delta != nil {
		head += "  " + kit.DeltaStyled(r.Delta, st)
	}
	if r.TriggeredBy != "" {
		head += st.Subtle.Render("  by " + r.TriggeredBy)
	}
	lines = append(lines, head)
	if r.Title != "" {
		lines = append(lines, st.Subtle.Render(r.Title))
	}
	lines = append(lines, kit.WrapLines([]string{m.timeline(c, r)}, w)...)
	if q := m.queued(c); q != "" {
		lines = append(lines, st.Waiting.Render(q))
	}
	if tail := m.tailText(c, r); tail != "" {
		lines = append(lines, st.Waiting.Render(tail))
	}
	return append(lines, m.changeLines(c)...)
}

// queued says what the run, queued, waits for; "" when it is not queued
// behind anything (held for an approval: tailText says so).
func (m Model) queued(c *screen.Context) string {
	r, s := m.run, c.Data.Forest.Stack(m.stackID)
	if r == nil || s == nil || (r.State != model.StateQueued && r.State != model.StateReady) || r.NeedsApproval || !r.Exclusive() {
		return ""
	}
	b := s.QueuedBehind(*r)
	text := "◐ " + kit.Queued(b, false)
	if b != nil && b.State.Waiting() {
		text += fmt.Sprintf(": it starts once that run is confirmed or discarded (%s opens the stack's runs)", c.Keys.Key(keys.History))
	}
	return text
}

// timeline is the state history with times, on one line to wrap.
func (m Model) timeline(c *screen.Context, r *model.Run) string {
	parts := make([]string, 0, len(r.History))
	for _, t := range r.History {
		p := string(t.State) + " " + t.At.Local().Format("15:04:05")
		if t.Note != "" {
			p += " (" + t.Note + ")"
		}
		parts = append(parts, p)
	}
	return c.Styles.Label.Render("Timeline ") + strings.Join(parts, " → ")
}

// tailText says why the log stopped following, and what the user can do.
func (m Model) tailText(c *screen.Context, r *model.Run) string {
	if c.ReadOnly() {
		return "" // read-only: there is nothing to offer
	}
	k := c.Keys
	if r.NeedsApproval && !r.State.Terminal() { // said at once: a held QUEUED run still polls
		what := "it is not scheduled until approved"
		if r.State == model.StateUnconfirmed {
			what = "it cannot be confirmed until approved"
		}
		return fmt.Sprintf("! an approval policy holds this run (%s): %s approves or rejects, %s discards",
			what, k.Key(keys.Review), k.Key(keys.Discard))
	}
	if !m.tailDone {
		return ""
	}
	switch r.State {
	case model.StateUnconfirmed:
		return fmt.Sprintf("? waits for confirmation: %s confirms, %s discards", k.Key(keys.Confirm), k.Key(keys.Discard))
	case model.StatePendingReview:
		if !c.Caps.Review {
			return fmt.Sprintf("? waits on you in %s: decide there (%s opens the run), or %s discards", c.Info.Kind,
				k.Key(keys.Open), k.Key(keys.Discard))
		}
		return fmt.Sprintf("? waits for review: %s approves or rejects, %s discards", k.Key(keys.Review), k.Key(keys.Discard))
	case model.StateFailed:
		return fmt.Sprintf("✗ failed: %s retries", k.Key(keys.Retry))
	case model.StateFinished:
		if r.Kind == model.RunPlan && c.Caps.Promote {
			return fmt.Sprintf("plan finished: %s deploys this preview", k.Key(keys.Deploy))
		}
	}
	return ""
}

func (m Model) changeLines(c *screen.Context) []string {
	st := c.Styles
	switch {
	case m.changesErr != nil:
		return []string{st.Subtle.Render("changes: " + m.changesErr.Error())}
	case len(m.changes) == 0:
		return nil
	}
	head := fmt.Sprintf("Changes (%d)", len(m.changes))
	if note := kit.ValuesNote(m.changes, m.run != nil && m.run.Kind == model.RunDriftCheck); note != "" {
		head += st.Subtle.Render(" · " + note)
	}
	lines := []string{st.Heading.Render(head) + st.Subtle.Render("  ("+c.Keys.Key(keys.RunPane)+": every value)")}
	for i, ch := range m.changes {
		if i == maxChangesShown {
			lines = append(lines, st.Subtle.Render(fmt.Sprintf("  … %d more", len(m.changes)-i)))
			break
		}
		sym, style := kit.ActionSymbol(ch.Action, st)
		line := style.Render(sym+" "+ch.Address) + "  "
		switch {
		case len(ch.Values) > 0:
			line += kit.ValueText(ch.Action, ch.Values[0])
			if n := len(ch.Values) - 1; n > 0 {
				line += st.Subtle.Render(fmt.Sprintf("  +%d more", n))
			}
		case len(ch.Attributes) > 0:
			line += st.Subtle.Render(strings.Join(ch.Attributes, ", "))
		}
		lines = append(lines, line)
	}
	return lines
}

// planLines are the plan's changes in full, each attribute before → after.
func (m Model) planLines(c *screen.Context) []string {
	if len(m.changes) == 0 {
		return []string{c.Styles.Subtle.Render("  no changes planned")}
	}
	drift := m.run != nil && m.run.Kind == model.RunDriftCheck
	var out []string
	if note := kit.ValuesNote(m.changes, drift); note != "" {
		out = append(out, c.Styles.Subtle.Render(note))
	}
	return append(out, kit.ChangeLines(m.changes, c.Styles, kit.ChangeView{Width: c.Width, Folded: !m.unfolded, Drift: drift})...)
}

// layout splits the body: info on top (at most half), a rule, the log.
func (m Model) layout(c *screen.Context) ([]string, int) {
	bodyH := max(0, c.Height-screen.ChromeLines)
	info := kit.WrapLines(m.info(c, c.Width), c.Width)
	if limit := max(3, bodyH/2); len(info) > limit {
		info = append(info[:limit-1], c.Styles.Subtle.Render("…"))
	}
	return info, max(1, bodyH-len(info)-1)
}

func (m Model) logRows(c *screen.Context) int { _, h := m.layout(c); return h }

// logLines is the log as displayed: wrapped to the width when wrap is on.
func (m Model) logLines(c *screen.Context) []string {
	if !m.wrap {
		return m.lines
	}
	var out []string
	for _, l := range m.lines {
		out = append(out, strings.Split(ansi.Hardwrap(l, max(1, c.Width), true), "\n")...)
	}
	return out
}

func (m Model) maxLogScroll(c *screen.Context) int { return max(0, len(m.logLines(c))-m.logRows(c)) }

// View implements screen.Screen.
func (m Model) View(c *screen.Context, w, h int) string {
	st := c.Styles
	info, logH := m.layout(c)
	if m.plan {
		plan := m.planLines(c)
		top := min(m.planScroll, max(0, len(plan)-logH))
		rule := fmt.Sprintf("── plan (%d %s · %s %s · %s: the log) ", len(m.changes), kit.Plural(len(m.changes), "change"),
			c.Keys.Key(keys.Fold), kit.Pick(m.unfolded, "folds long values", "shows long values whole"), c.Keys.Key(keys.RunPane))
		out := append(append([]string(nil), info...), st.Heading.Render(rule+strings.Repeat("─", max(0, w-ansi.StringWidth(rule)))))
		out = append(out, plan[top:min(len(plan), top+logH)]...)
		return kit.Block(out, w, h)
	}
	lines := m.logLines(c)
	top := m.scroll
	if m.follow {
		top = max(0, len(lines)-logH)
	}
	top = min(top, max(0, len(lines)-logH))
	state := "following"
	switch {
	case !m.follow:
		state = fmt.Sprintf("line %d of %d, G follows", top+1, len(lines))
	case m.tailDone:
		state = "complete"
	}
	switch {
	case m.logExpired:
		state += "; older parts expired: the backend no longer keeps them"
	case m.logMissing:
		state += "; some states left no log"
	}
	if m.wrap {
		state += " · wrapped"
	}
	if m.search != "" {
		state += " · /" + m.search + " (n/N)"
	}
	rule := fmt.Sprintf("── log (%s) ", state)
	out := append(append([]string(nil), info...), st.Heading.Render(rule+strings.Repeat("─", max(0, w-ansi.StringWidth(rule)))))
	for i := top; i < min(len(lines), top+logH); i++ {
		l := Highlight(lines[i], m.search)
		if i == m.matchAt {
			l = st.Accent.Render("▸") + l
		}
		out = append(out, l)
	}
	if len(lines) == 0 {
		empty := "  no log yet"
		if q := m.queued(c); q != "" {
			empty += ": the run has not started (" + strings.TrimPrefix(q, "◐ ") + ")"
		}
		for _, l := range kit.WrapLines([]string{empty}, w) {
			out = append(out, st.Subtle.Render(l))
		}
	}
	return kit.Block(out, w, h)
}

// Highlight marks every occurrence of needle in line (ignoring case) in
// reverse video, through the line's own colour codes: the span is found in
// the text without them, and reverse video is turned back on after any
// code inside it (a reset would end it).
func Highlight(line, needle string) string {
	if needle == "" {
		return line
	}
	plain := ansi.Strip(line)
	lower, n := strings.ToLower(plain), strings.ToLower(needle)
	var spans [][2]int
	for at := 0; ; {
		i := strings.Index(lower[at:], n)
		if i < 0 {
			break
		}
		spans = append(spans, [2]int{at + i, at + i + len(n)})
		at += i + max(1, len(n))
	}
	if len(spans) == 0 || len(lower) != len(plain) {
		return line // case folding changed the length: not worth the risk
	}
	const on, off = "\x1b[7m", "\x1b[27m"
	var b strings.Builder
	pos, span := 0, 0 // pos: offset in plain
	inside := false
	for i := 0; i < len(line); {
		if seq := escapeLen(line[i:]); seq > 0 {
			b.WriteString(line[i : i+seq])
			if inside {
				b.WriteString(on)
			}
			i += seq
			continue
		}
		if span < len(spans) && !inside && pos == spans[span][0] {
			b.WriteString(on)
			inside = true
		}
		b.WriteByte(line[i])
		i++
		pos++
		if inside && pos == spans[span][1] {
			b.WriteString(off)
			inside = false
			span++
		}
	}
	if inside {
		b.WriteString(off)
	}
	return b.String()
}

// escapeLen is the length of the escape sequence at the start of s (CSI or
// OSC), 0 when s does not start with one.
func escapeLen(s string) int {
	if len(s) < 2 || s[0] != 0x1b {
		return 0
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
	case ']':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
	}
	return len(s)
}

// Follows reports whether an outcome produced a run this view should
// follow: used by the root to say "(l follows it)" elsewhere.
func Follows(r mutation.StackResult) bool { return r.Run != nil && r.Run.ID != r.Op.RunID }
