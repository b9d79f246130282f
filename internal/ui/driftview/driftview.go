// Package driftview is the drift inbox (every drifted stack across
// environments, F or :drift) and one stack's drifted resources and
// attributes, where i ignores one, f checks again and D reconciles.
package driftview

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/ui/act"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
)

// Inbox is the drift inbox.
type Inbox struct {
	cursor int
}

// OpenInbox shows the inbox.
func OpenInbox() Inbox { return Inbox{} }

// Cursor is the selected row.
func (m Inbox) Cursor() int { return m.cursor }

// Name implements screen.Named.
func (m Inbox) Name() string { return "the drift inbox" }

// Title implements screen.Screen.
func (m Inbox) Title(*screen.Context) []string { return []string{"drift inbox"} }

// Update implements screen.Screen.
func (m Inbox) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	if _, ok := msg.(screen.Loaded); ok {
		m.cursor = max(0, min(m.cursor, len(c.Data.DriftEntries())-1))
	}
	return m, nil
}

// inboxReads bounds the stacks the inbox asks details of at a time: the
// drifted ones' resources (Spacelift), else whether they drifted (TFC reads
// an assessment per workspace); each read done asks for the next.
const inboxReads = 100

// WantDetails implements screen.DetailsWanter: the drifted stacks whose
// resources are not read yet, then those whose drift is not known.
func (m Inbox) WantDetails(c *screen.Context) []string {
	var drifted, unknown []string
	for i := range c.Data.Forest.Envs {
		for _, s := range c.Data.Forest.Envs[i].Stacks() {
			switch {
			case !s.Unread.Has(model.DetailDrift) || !s.Loaded():
			case s.Drift.Drifted:
				drifted = append(drifted, s.ID)
			default:
				unknown = append(unknown, s.ID)
			}
		}
	}
	ids := append(drifted, unknown...)
	return ids[:min(len(ids), inboxReads)]
}

func (m Inbox) selected(c *screen.Context) *model.Stack {
	entries := c.Data.DriftEntries()
	if m.cursor < len(entries) {
		return entries[m.cursor].Stack
	}
	return nil
}

// Keys implements screen.Screen.
func (m Inbox) Keys(c *screen.Context) []screen.Group {
	s := m.selected(c)
	n := len(c.Data.DriftEntries())
	noStack := screen.OffIf(s == nil, "no drifted stack")
	move := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			m.cursor = max(0, min(m.cursor+by, n-1))
			return m, nil
		}
	}
	first := []screen.Action{
		{Key: keys.DriftDown, Do: move(1), Off: screen.OffIf(m.cursor >= n-1, "at the last stack")},
		{Key: keys.DriftOpen, Off: noStack, Do: func() (screen.Screen, tea.Cmd) {
			if s == nil {
				return m, nil
			}
			return m, c.Ask(screen.Navigate{To: screen.Target{Kind: screen.KindStackDrift, StackID: s.ID}})
		}},
	}
	first = append(first, stackKeys(c, s, m)...)
	first = append(first, screen.Action{Key: keys.DriftIgnore, Off: "open a stack first",
		Do: func() (screen.Screen, tea.Cmd) {
			if err := c.Ops.Refuse(mutation.Verb(mutation.Ignore{})); err != nil {
				return m, c.Fail(err.Error())
			}
			return m, c.Fail("open a stack (enter) and select the attribute to ignore")
		}}, ignoresKey(c, m), screen.Back(c, ""))
	return []screen.Group{
		{Title: "Drift inbox", Actions: first},
		{Title: "Move", Actions: []screen.Action{{Key: keys.DriftUp, Do: move(-1), Off: screen.OffIf(m.cursor == 0, "at the top")}}},
		{Title: "Stack", Actions: otherKeys(c, s, m)},
	}
}

// ignoresKey opens the ignore rules.
func ignoresKey(c *screen.Context, self screen.Screen) screen.Action {
	return screen.Action{Key: keys.DriftIgnores, Do: func() (screen.Screen, tea.Cmd) {
		return self, c.Ask(screen.Navigate{To: screen.Target{Kind: screen.KindIgnores}})
	}}
}

// stackKeys are the drift keys on a stack: check now, reconcile, and
// confirm (a reconcile's apply).
func stackKeys(c *screen.Context, s *model.Stack, self screen.Screen) []screen.Action {
	t := act.Target{Stack: s}
	reconcile := act.Action(c, act.Deploy, t, self)
	reconcile.Help = "reconcile (deploy the tracked commit)"
	check := screen.Action{Key: keys.DriftCheck, Off: checkOff(c, s), Do: func() (screen.Screen, tea.Cmd) { return self, act.CheckDrift(c, s) }}
	return []screen.Action{check, reconcile, act.Action(c, act.Confirm, t, self)}
}

// otherKeys are the stack's other actions and its runs and page.
func otherKeys(c *screen.Context, s *model.Stack, self screen.Screen) []screen.Action {
	t := act.Target{Stack: s}
	out := act.Actions(c, t, self, act.Plan, act.Discard, act.Retry, act.Stop, act.Review, act.Lock, act.Sync)
	return append(out, act.Nav(c, t, self)...)
}

func checkOff(c *screen.Context, s *model.Stack) string {
	switch {
	case c.ReadOnly():
		return "read-only mode"
	case s == nil:
		return "no stack selected"
	case !s.CanPlan():
		return "you may not queue plans"
	case s.Disabled:
		return "disabled"
	}
	if busy, ok := c.Ops.InFlight()[s.ID]; ok {
		return busy + " in flight"
	}
	return ""
}

// View implements screen.Screen: every drifted stack across environments.
func (m Inbox) View(c *screen.Context, w, h int) string {
	st := c.Styles
	entries := c.Data.DriftEntries()
	stacks, resources := counts(entries)
	title := fmt.Sprintf("Drift inbox · %d stack(s) drifted, %d resource(s), every environment", stacks, resources)
	lines := []string{st.Title.Render(kit.Fit(title, w))}
	lines = append(lines, rulesErrLines(c, w)...)
	unknown := c.Data.DriftUnknown()
	if unknown > 0 || c.Data.Incomplete != "" {
		// Never "no drift" for what was not read.
		why := fmt.Sprintf("  ? drift of %s stack(s) not read yet: reading it, %d at a time", kit.Thousands(unknown), inboxReads)
		if c.Data.Incomplete != "" {
			why = "  ? " + c.Data.Incomplete + ": stacks not listed yet may have drifted"
		}
		lines = append(lines, st.Waiting.Render(kit.Fit(why, w)))
	}
	if len(entries) == 0 {
		none := st.OK.Render("  ✓ no drift: every checked stack matches its code")
		if unknown > 0 || c.Data.Incomplete != "" {
			none = st.Subtle.Render("  no drift found among the stacks read so far")
		}
		lines = append(lines, "", none,
			st.Subtle.Render(kit.Fit("  "+c.Keys.Key(keys.CheckDrift)+" in the tree checks the selected stack now", w)))
		return kit.Block(lines, w, h)
	}
	envW, stackW, countW, ageW := 6, 24, 16, 8
	for _, e := range entries {
		envW = max(envW, len(e.Stack.Env)+1)
		stackW = max(stackW, min(32, len(e.Stack.Name)+1))
	}
	restW := max(10, w-envW-stackW-countW-ageW-6)
	hdr := kit.Fit("ENV", envW) + " " + kit.Fit("STACK", stackW) + " " + kit.Fit("DRIFTED", countW) + " " + kit.Fit("CHECKED", ageW) + " " + kit.Fit("RESOURCES / RUN", restW)
	lines = append(lines, st.ColumnHeader.Render(kit.Fit("  "+hdr, w)))
	rows := max(1, h-len(lines))
	offset := max(0, m.cursor-rows+1)
	for i := offset; i < len(entries) && i < offset+rows; i++ {
		e := entries[i]
		count := fmt.Sprintf("⚠ %d", e.Report.Counted())
		switch {
		case len(e.Report.Resources) == 0:
			count = "⚠ ?"
		case e.Report.Counted() == 0:
			count = "0"
		}
		if n := e.Report.Ignored(); n > 0 {
			count += fmt.Sprintf(" +%d ign.", n)
		}
		line := kit.Fit(e.Stack.Env, envW) + " " + kit.Fit(e.Stack.Name, stackW) + " " + kit.Fit(count, countW) + " " +
			kit.Fit(checkedAgo(c, e.Stack.Drift), ageW) + " " + kit.Fit(entryDetail(c, e), restW)
		switch {
		case i == m.cursor:
			lines = append(lines, st.Selected.Render(kit.Fit("▸ "+line, w)))
		case e.Report.Counted() == 0 && len(e.Report.Resources) > 0:
			lines = append(lines, st.Subtle.Render(kit.Fit("  "+line, w)))
		default:
			lines = append(lines, kit.Fit("  "+line, w))
		}
	}
	return kit.Block(lines, w, h)
}

// counts is the inbox summary: stacks with drift that counts, and
// resources drifted.
func counts(entries []screen.DriftEntry) (stacks, resources int) {
	for _, e := range entries {
		if n := e.Report.Counted(); n > 0 || len(e.Report.Resources) == 0 {
			stacks++
			resources += n
		}
	}
	return stacks, resources
}

// startedText is the progress of a run started from the drift screens.
func startedText(c *screen.Context, r model.Run) string {
	text := fmt.Sprintf("%s %s %s", r.Title, r.ID, r.State)
	switch {
	case r.NeedsApproval:
		text += " — needs approval: " + c.Keys.Key(keys.Review) + " approves, then " + c.Keys.Key(keys.Confirm) + " applies it"
	case r.State == model.StateUnconfirmed:
		text += " — " + c.Keys.Key(keys.Confirm) + " applies it"
	}
	return text
}

func checkedAgo(c *screen.Context, d model.Drift) string {
	if d.CheckedAt.IsZero() {
		return "–"
	}
	return kit.Age(c.Now().Sub(d.CheckedAt)) + " ago"
}

// entryDetail is the last column: what was started from here, else the
// counted addresses and the drift run.
func entryDetail(c *screen.Context, e screen.DriftEntry) string {
	if r, ok := c.Data.Drift.Started[e.Stack.ID]; ok {
		return startedText(c, r)
	}
	var addrs []string
	for _, r := range e.Report.Resources {
		if !r.Ignored() {
			addrs = append(addrs, r.Address)
		}
	}
	text := strings.Join(addrs, ", ")
	if len(addrs) == 0 && len(e.Report.Resources) > 0 {
		text = "all of its drift is ignored"
	}
	if run := e.Report.Drift.RunID; run != "" {
		text += " · run " + run
	}
	return text
}

func rulesErrLines(c *screen.Context, w int) []string {
	if c.Data.Drift.RulesErr == nil {
		return nil
	}
	return []string{c.Styles.StatusError.Render(kit.Fit("  ✗ ignore file: "+c.Data.Drift.RulesErr.Error(), w))}
}

// Stack is one stack's drifted resources and attributes, each attribute
// recorded → real where the backend says.
type Stack struct {
	stackID  string
	cursor   int
	unfolded bool // long values shown whole (z)
	// check is the drift check's own changes, read when the listing's
	// drift has no values (Spacelift: its log has them).
	check *checkValues
	asked string // the check whose changes a load asked for
}

// checkValues are a drift check run's changes, or why they are not known.
type checkValues struct {
	runID   string
	changes map[string]model.ResourceChange
	err     error
}

type checkMsg struct {
	stackID string
	check   checkValues
}

// callTimeout bounds reading the drift check's changes.
const callTimeout = 15 * time.Second

// OpenStack shows one stack's drift.
func OpenStack(stackID string) Stack { return Stack{stackID: stackID} }

// Init reads the drift check's own changes when the drift as listed has no
// values but names the run that found it.
func (m Stack) Init(c *screen.Context) tea.Cmd {
	s := c.Data.Forest.Stack(m.stackID)
	if s == nil || s.Drift.RunID == "" {
		return nil
	}
	for _, ch := range s.Drift.Changes {
		if ch.HasValues() {
			return nil
		}
	}
	ctx, b, stackID, runID := c.Ctx, c.Backend, s.ID, s.Drift.RunID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		cv := checkValues{runID: runID, changes: map[string]model.ResourceChange{}}
		changes, err := b.RunChanges(ctx, stackID, runID)
		for _, ch := range changes {
			cv.changes[ch.Address] = ch
		}
		cv.err = err
		return checkMsg{stackID: stackID, check: cv}
	}
}

// WantDetails implements screen.DetailsWanter: the stack's runs (the
// drift check that found it) and drifted resources, when a lean listing
// left them unread.
func (m Stack) WantDetails(c *screen.Context) []string {
	if s := c.Data.Forest.Stack(m.stackID); s != nil && s.Unread != 0 {
		return []string{m.stackID}
	}
	return nil
}

// valueOf is an attribute's value: the listing's, else the check's.
func (m Stack) valueOf(addr string, a *drift.Attribute) *model.AttributeChange {
	if a.Value != nil || m.check == nil {
		return a.Value
	}
	if v, ok := m.check.changes[addr].Value(a.Name); ok {
		return &v
	}
	return nil
}

// Name implements screen.Named.
func (m Stack) Name() string { return "a stack's drift" }

// Title implements screen.Screen.
func (m Stack) Title(c *screen.Context) []string {
	if s := c.Data.Forest.Stack(m.stackID); s != nil {
		return []string{s.Env, s.Name, "drift"}
	}
	return []string{m.stackID, "drift"}
}

// Update implements screen.Screen.
func (m Stack) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case screen.Loaded:
		m.cursor = max(0, min(m.cursor, len(rowsOf(c.Data.Drift.Reports[m.stackID]))-1))
		// The details read since may name the check (a lean listing reads
		// no runs): read its changes once per check.
		if s := c.Data.Forest.Stack(m.stackID); m.check == nil && s != nil && s.Drift.RunID != m.asked {
			m.asked = s.Drift.RunID
			return m, m.Init(c)
		}
	case checkMsg:
		if msg.stackID == m.stackID {
			cv := msg.check
			m.check = &cv
		}
	}
	return m, nil
}

// row is one line of a stack's resource list: a resource, or one of its
// drifted attributes.
type row struct {
	res  drift.Resource
	attr *drift.Attribute
}

func rowsOf(rep drift.Report) []row {
	var rows []row
	for _, r := range rep.Resources {
		rows = append(rows, row{res: r})
		for i := range r.Attributes {
			rows = append(rows, row{res: r, attr: &r.Attributes[i]})
		}
	}
	return rows
}

// Keys implements screen.Screen.
func (m Stack) Keys(c *screen.Context) []screen.Group {
	s := c.Data.Forest.Stack(m.stackID)
	n := len(rowsOf(c.Data.Drift.Reports[m.stackID]))
	move := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			m.cursor = max(0, min(m.cursor+by, n-1))
			return m, nil
		}
	}
	ignore := screen.Action{Key: keys.DriftIgnore, Off: m.ignoreOff(c), Do: func() (screen.Screen, tea.Cmd) { return m, m.ignore(c) }}
	first := []screen.Action{
		{Key: keys.DriftDown, Do: move(1), Off: screen.OffIf(m.cursor >= n-1, "at the last line")},
		ignore,
	}
	first = append(first, stackKeys(c, s, m)...)
	first = append(first, ignoresKey(c, m), screen.Back(c, "back to the inbox"))
	fold := screen.Action{Key: keys.Fold, Help: kit.Pick(m.unfolded, "fold long values", "show long values whole"),
		Do: func() (screen.Screen, tea.Cmd) { m.unfolded = !m.unfolded; return m, nil }}
	return []screen.Group{
		{Title: "Drifted resources", Actions: first},
		{Title: "Move", Actions: []screen.Action{{Key: keys.DriftUp, Do: move(-1), Off: screen.OffIf(m.cursor == 0, "at the top")}, fold}},
		{Title: "Stack", Actions: otherKeys(c, s, m)},
	}
}

// ignoreOff says why i does nothing on the selected line.
func (m Stack) ignoreOff(c *screen.Context) string {
	if c.ReadOnly() {
		return "read-only mode"
	}
	rows := rowsOf(c.Data.Drift.Reports[m.stackID])
	if m.cursor >= len(rows) {
		return "nothing to ignore"
	}
	r := rows[m.cursor]
	if (r.attr != nil && r.attr.IgnoredBy != nil) || (r.attr == nil && r.res.Ignored()) {
		return "already ignored"
	}
	return ""
}

// ignore ignores the selected attribute (or, on a resource line, the whole
// resource) in the stack's environment, through the pipeline: confirmed
// with a reason, for this session and, where the UI can save, in the user
// config.
func (m Stack) ignore(c *screen.Context) tea.Cmd {
	if err := c.Ops.Refuse(mutation.Verb(mutation.Ignore{})); err != nil {
		return c.Fail(err.Error())
	}
	s := c.Data.Forest.Stack(m.stackID)
	rows := rowsOf(c.Data.Drift.Reports[m.stackID])
	if s == nil || m.cursor >= len(rows) {
		return nil
	}
	r := rows[m.cursor]
	rule := drift.Rule{Address: r.res.Address, Attribute: drift.AnyAttribute, Environment: s.Env, Source: drift.SourceConfig}
	what := r.res.Address
	if r.attr != nil {
		rule.Attribute, what = r.attr.Name, r.res.Address+" "+r.attr.Name
	}
	what += " in " + s.Env
	if (r.attr != nil && r.attr.IgnoredBy != nil) || (r.attr == nil && r.res.Ignored()) {
		return c.Fail(what + " is already ignored")
	}
	return c.Ask(screen.Propose{Request: mutation.Ignore{Rule: rule, What: what}})
}

// View implements screen.Screen: the stack's drifted resources and
// attributes, each ignored one with the rule that ignores it.
func (m Stack) View(c *screen.Context, w, h int) string {
	st := c.Styles
	s := c.Data.Forest.Stack(m.stackID)
	if s == nil {
		return kit.Block([]string{"", st.Subtle.Render("  the stack is gone; esc goes back")}, w, h)
	}
	rep := c.Data.Drift.Reports[s.ID]
	started, isStarted := c.Data.Drift.Started[s.ID]
	if !rep.Drift.Drifted {
		lines := []string{st.Title.Render(kit.Fit(s.Name+" ("+s.Env+") · no drift", w)), ""}
		if isStarted {
			lines = append(lines, st.Accent.Render(kit.Fit("  "+startedText(c, started), w)))
		}
		lines = append(lines, st.OK.Render(kit.Fit("  ✓ "+s.Name+" matches its code; esc goes back to the inbox", w)))
		return kit.Block(lines, w, h)
	}
	head := fmt.Sprintf("%s (%s) · %d resource(s) drifted", s.Name, s.Env, rep.Counted())
	if n := rep.Ignored(); n > 0 {
		head += fmt.Sprintf(", %d ignored", n)
	}
	head += " · checked " + checkedAgo(c, rep.Drift)
	if rep.Drift.RunID != "" {
		head += " by run " + rep.Drift.RunID
	}
	lines := []string{st.Title.Render(kit.Fit(head, w))}
	if isStarted {
		lines = append(lines, st.Accent.Render(kit.Fit("  "+startedText(c, started), w)))
	}
	lines = append(lines, rulesErrLines(c, w)...)
	rows := rowsOf(rep)
	if len(rows) == 0 {
		lines = append(lines, "", st.Subtle.Render(kit.Fit("  the backend reports drift but not which resources", w)))
		return kit.Block(lines, w, h)
	}
	if note := m.valuesNote(rep); note != "" && attributesReported(rep) {
		lines = append(lines, st.Subtle.Render(kit.Fit("  "+note, w)))
	}
	lines = append(lines, "")
	avail := max(1, h-len(lines)-2)
	// Rows wrap when unfolded: the window is counted in display lines,
	// from the first row that keeps the cursor's lines on screen.
	drawn := make([][]string, len(rows))
	for i := range rows {
		r := rows[i]
		if r.attr != nil {
			a := *r.attr
			a.Value = m.valueOf(r.res.Address, r.attr)
			r.attr = &a
		}
		drawn[i] = rowLines(c, r, i == m.cursor, w, !m.unfolded)
	}
	first, used := m.cursor, 0
	for first >= 0 && used+len(drawn[first]) <= avail {
		used += len(drawn[first])
		first--
	}
	first = max(0, min(first+1, m.cursor))
	var body []string
	for i := first; i < len(rows) && len(body) < avail; i++ {
		body = append(body, drawn[i]...)
	}
	lines = append(lines, body[:min(len(body), avail)]...)
	k := c.Keys
	hint := fmt.Sprintf("  %s ignores the selected attribute (on a resource: all of it) · %s reconciles · %s checks again",
		k.Key(keys.DriftIgnore), k.Key(keys.Deploy), k.Key(keys.DriftCheck))
	lines = append(lines, "", st.Subtle.Render(kit.Fit(hint, w)))
	return kit.Block(lines, w, h)
}

// valuesNote says where the values shown come from, or why there are none.
func (m Stack) valuesNote(rep drift.Report) string {
	switch {
	case m.check == nil || hasValues(driftChanges(rep)):
		return kit.ValuesNote(driftChanges(rep), true)
	case m.check.err != nil:
		return "values not available: the drift check " + m.check.runID + " could not be read (" + m.check.err.Error() + ")"
	}
	checked := make([]model.ResourceChange, 0, len(m.check.changes))
	for _, ch := range m.check.changes {
		checked = append(checked, ch)
	}
	if note := kit.ValuesNote(checked, true); note != "" {
		return note + " (drift check " + m.check.runID + ")"
	}
	return ""
}

func hasValues(changes []model.ResourceChange) bool {
	for _, c := range changes {
		if c.HasValues() {
			return true
		}
	}
	return false
}

// attributesReported: the backend named some drifted attribute (else there
// are no values to speak of).
func attributesReported(rep drift.Report) bool {
	for _, r := range rep.Resources {
		if r.Attributes != nil {
			return true
		}
	}
	return false
}

// driftChanges are the report's resources as the backend gave them.
func driftChanges(rep drift.Report) []model.ResourceChange {
	out := make([]model.ResourceChange, 0, len(rep.Resources))
	for _, r := range rep.Resources {
		out = append(out, r.Change)
	}
	return out
}

// rowLines draws one row: a resource, or an attribute with its value
// (recorded → real), cut to one line when folded, else wrapped whole.
func rowLines(c *screen.Context, r row, selected bool, w int, folded bool) []string {
	st := c.Styles
	text, by := "  "+r.res.Address, r.res.IgnoredBy
	switch {
	case r.attr != nil && r.attr.Value != nil:
		text, by = "      "+kit.ValueText(model.ActionChange, *r.attr.Value), r.attr.IgnoredBy
	case r.attr != nil:
		text, by = "      "+r.attr.Name, r.attr.IgnoredBy
	case r.res.Attributes == nil:
		text += "  (attributes not reported)"
	}
	if by != nil {
		text += "  — ignored: " + ruleText(by)
	}
	parts := []string{text}
	if !folded && ansi.StringWidth(text) > w {
		parts = strings.Split(ansi.Hardwrap(text, max(10, w-8), true), "\n")
		for i := 1; i < len(parts); i++ {
			parts[i] = "        " + parts[i]
		}
	} else if ansi.StringWidth(text) > w && w > 1 {
		parts = []string{ansi.Truncate(text, w-1, "") + "…"}
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		switch {
		case selected && i == 0:
			out[i] = st.Selected.Render(kit.Fit("▸"+p[1:], w))
		case selected:
			out[i] = st.Selected.Render(kit.Fit(p, w))
		case by != nil:
			out[i] = st.Subtle.Render(kit.Fit(p, w))
		case r.attr == nil:
			out[i] = st.Warn.Render(kit.Fit(p, w))
		default:
			out[i] = kit.Fit(p, w)
		}
	}
	return out
}

func ruleText(r *drift.Rule) string {
	text := r.Reason
	if text == "" {
		text = r.Address + " " + r.Attribute
	}
	return text + " (" + r.Source + ")"
}

// Ignores is every ignore rule in force and where it lives (I): the user
// config's, this session's, and the repository files of the drifted
// stacks. d removes one of the config or the session; a repository's rule
// is removed by editing its file, which the list names.
type Ignores struct {
	cursor int
}

// OpenIgnores shows the ignore rules.
func OpenIgnores() Ignores { return Ignores{} }

// Name implements screen.Named.
func (m Ignores) Name() string { return "the drift ignore rules" }

// Title implements screen.Screen.
func (m Ignores) Title(*screen.Context) []string { return []string{"drift ignore rules"} }

// Cursor is the selected rule.
func (m Ignores) Cursor() int { return m.cursor }

// Update implements screen.Screen.
func (m Ignores) Update(c *screen.Context, msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg.(type) {
	case screen.Loaded, screen.Outcome:
		m.cursor = max(0, min(m.cursor, len(ignoreRules(c))-1))
	}
	return m, nil
}

// ignoreRules lists the rules in force: the config's, this session's,
// then each repository file's once, in the order they apply.
func ignoreRules(c *screen.Context) []drift.Rule {
	d := c.Data.Drift
	out := append(append([]drift.Rule(nil), d.ConfigRules...), d.Added...)
	seen := map[drift.Rule]bool{}
	for _, r := range out {
		seen[r] = true
	}
	var ids []string
	for id := range d.RepoRules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for _, r := range d.RepoRules[id] {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// ignoring counts the drifted resources and attributes a rule ignores now.
func ignoring(c *screen.Context, r drift.Rule) int {
	n := 0
	for _, rep := range c.Data.Drift.Reports {
		for _, res := range rep.Resources {
			switch {
			case res.IgnoredBy != nil && *res.IgnoredBy == r && res.Attributes == nil:
				n++
			default:
				for _, a := range res.Attributes {
					if a.IgnoredBy != nil && *a.IgnoredBy == r {
						n++
					}
				}
			}
		}
	}
	return n
}

// whereText says where a rule lives, and how to remove it.
func whereText(c *screen.Context, r drift.Rule) string {
	switch r.Source {
	case drift.SourceConfig:
		return "user config " + kit.OrDash(c.Data.Drift.ConfigFile)
	case drift.SourceSession:
		return "this session only (not saved)"
	}
	return "repository file " + r.Source
}

// Keys implements screen.Screen.
func (m Ignores) Keys(c *screen.Context) []screen.Group {
	rules := ignoreRules(c)
	n := len(rules)
	move := func(by int) func() (screen.Screen, tea.Cmd) {
		return func() (screen.Screen, tea.Cmd) {
			m.cursor = max(0, min(m.cursor+by, n-1))
			return m, nil
		}
	}
	unignore := screen.Action{Key: keys.DriftUnignore, Off: m.unignoreOff(c, rules), Do: func() (screen.Screen, tea.Cmd) {
		return m, m.unignore(c, rules)
	}}
	return []screen.Group{
		{Title: "Ignore rules", Actions: []screen.Action{
			{Key: keys.DriftDown, Do: move(1), Off: screen.OffIf(m.cursor >= n-1, "at the last rule")},
			unignore,
			screen.Back(c, "back to the inbox"),
		}},
		{Title: "Move", Actions: []screen.Action{{Key: keys.DriftUp, Do: move(-1), Off: screen.OffIf(m.cursor == 0, "at the top")}}},
	}
}

func (m Ignores) unignoreOff(c *screen.Context, rules []drift.Rule) string {
	switch {
	case c.ReadOnly():
		return "read-only mode"
	case m.cursor >= len(rules):
		return "no rule selected"
	case rules[m.cursor].Source != drift.SourceConfig && rules[m.cursor].Source != drift.SourceSession:
		return "a repository's rule: edit its file"
	}
	return ""
}

// unignore proposes removing the selected rule; a repository's rule is
// not stackview's to remove: the message names the file to edit.
func (m Ignores) unignore(c *screen.Context, rules []drift.Rule) tea.Cmd {
	if err := c.Ops.Refuse(mutation.Verb(mutation.Unignore{})); err != nil {
		return c.Fail(err.Error())
	}
	if m.cursor >= len(rules) {
		return c.Fail("no rule selected")
	}
	r := rules[m.cursor]
	what := r.Address + " " + r.Attribute
	if r.Environment != "" {
		what += " in " + r.Environment
	}
	if r.Source != drift.SourceConfig && r.Source != drift.SourceSession {
		return c.Fail(fmt.Sprintf("%s is a rule of the repository file %s: remove its [[ignore]] entry there (a commit on that branch), and it stops applying at the next refresh", what, r.Source))
	}
	return c.Ask(screen.Propose{Request: mutation.Unignore{Rule: r, What: what}})
}

// View implements screen.Screen.
func (m Ignores) View(c *screen.Context, w, h int) string {
	st := c.Styles
	rules := ignoreRules(c)
	lines := []string{st.Title.Render(kit.Fit(fmt.Sprintf("Drift ignore rules · %d in force", len(rules)), w)),
		st.Subtle.Render(kit.Fit("  the user config's, this session's, and the repository files of drifted stacks; "+
			c.Keys.Key(keys.DriftUnignore)+" removes a config or session rule", w))}
	lines = append(lines, rulesErrLines(c, w)...)
	if len(rules) == 0 {
		lines = append(lines, "", st.Subtle.Render(kit.Fit("  no rule: every drifted resource counts ("+
			c.Keys.Key(keys.DriftIgnore)+" on a stack's drifted attribute ignores it, with a reason)", w)))
		return kit.Block(lines, w, h)
	}
	lines = append(lines, "")
	per := 3 // lines a rule takes
	avail := max(1, (h-len(lines))/per)
	offset := max(0, m.cursor-avail+1)
	for i := offset; i < len(rules) && i < offset+avail; i++ {
		r := rules[i]
		env := r.Environment
		if env == "" {
			env = "every environment"
		}
		head := fmt.Sprintf("%s %s · %s · ignores %d now", r.Address, r.Attribute, env, ignoring(c, r))
		reason := "reason: " + kit.OrDash(r.Reason)
		where := "in " + whereText(c, r)
		if i == m.cursor {
			lines = append(lines, st.Selected.Render(kit.Fit("▸ "+head, w)))
		} else {
			lines = append(lines, kit.Fit("  "+head, w))
		}
		lines = append(lines, st.Subtle.Render(kit.Fit("    "+reason, w)), st.Subtle.Render(kit.Fit("    "+where, w)))
	}
	return kit.Block(lines, w, h)
}
