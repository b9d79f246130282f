package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/scheduler"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/screen"
)

// callTimeout bounds every backend call but the listing, so a hung API
// never freezes the refresh loop. A listing has no deadline of its own:
// each of its requests has one (backend.Pager), and a slow account fills
// the tree page by page rather than not at all.
const callTimeout = 15 * time.Second

// Result messages carry the id of the request that produced them; Update
// drops any whose id is not the latest, so a slow answer never overwrites a
// newer one.
type (
	// stacksMsg is a step of a load (backend.PageStacks): the tree as the
	// pages so far give it, laid out off the UI loop.
	stacksMsg struct {
		req      int
		arranged *arranged // nil when nothing was read (a failed load)
		progress backend.Progress
		done     bool // the load is over (err says if it failed)
		err      error
		// The drift ignore files of the drifted stacks, read at the end of
		// the load so that drift and its rules always arrive together.
		repoRules map[string][]drift.Rule
		rulesErr  error
		// next reads the load's next step; nil once it is done.
		next tea.Cmd
	}
	// detailsMsg is the tree after the details of stacks on screen were
	// read (backend.ReadDetails), laid out off the loop.
	detailsMsg struct {
		arranged *arranged
		err      error
	}
	// settledMsg says no key came for detailsSettle after key gen.
	settledMsg struct{ gen int }
	// tickMsg asks for an automatic refresh. Only the tick of the current
	// generation counts, so a manual refresh does not start a second loop.
	tickMsg struct{ gen int }
	// clockMsg repaints once a second so "updated Ns ago" and run ages move
	// between refreshes, and fades old messages. Only Init starts its
	// chain, so there is only one.
	clockMsg struct{}
	// promotionRunsMsg is the audit log's answer to a promotion's runs.
	promotionRunsMsg struct{ err error }
)

// layoutEvery is the least time between two layouts of one load: pages
// can come faster than a tree of thousands of stacks is worth laying out
// again, and the UI loop takes each layout before the next is made.
const layoutEvery = 150 * time.Millisecond

// detailsMaxAge is how long the details read for the stacks on screen
// (Spacelift's latest runs, TFC's dependencies and drift) are shown before
// they are read again.
const detailsMaxAge = time.Minute

// loader keeps the listing between loads (backend.Listing: what a refresh
// merges into) and runs one load at a time. Its goroutines apply pages and
// details to the listing and lay the tree out; the UI loop only swaps the
// layouts in.
type loader struct {
	mu   sync.Mutex // list
	list backend.Listing

	one     sync.Mutex // one load at a time
	stopMu  sync.Mutex
	stop    context.CancelFunc // the load in progress
	details atomic.Bool        // a details read is in flight
}

// layoutInputs are what laying the tree out needs, copied from the model
// before a goroutine runs so it never reads the model.
type layoutInputs struct {
	envs    []model.Environment
	mapping model.Mapping
	drift   screen.Drift // the rules; reports are made anew
}

func (m Model) layoutInputs() layoutInputs {
	return layoutInputs{envs: m.envs, mapping: m.mapping, drift: m.data.Drift}
}

// lay arranges stacks and evaluates their drift against the rules.
func (in layoutInputs) lay(stacks []model.Stack) *arranged {
	a := arrange(stacks, in.envs, in.mapping)
	d := screen.Data{Forest: a.forest, Index: a.index, Drift: in.drift}
	d.ApplyDrift(true)
	a.index, a.reports, a.attention, a.added = d.Index, d.Drift.Reports, d.Attention, len(in.drift.Added)
	return a
}

// fetchStacks starts a load: the backend's pages, applied to the listing
// and laid out off the loop, arrive as stacksMsg, each carrying the command
// that reads the next.
func (m Model) fetchStacks(req int, full bool) tea.Cmd {
	ctx, b, files, ld, in := m.ctx, m.backend, m.repoFiles, m.loader, m.layoutInputs()
	lctx, cancel := context.WithCancel(ctx)
	ld.stopMu.Lock()
	if ld.stop != nil {
		ld.stop() // the load it replaces
	}
	ld.stop = cancel
	ld.stopMu.Unlock()
	out := make(chan stacksMsg)
	go ld.load(lctx, cancel, req, full, b, files, in, out)
	return receive(out)
}

// receive reads a load's next step.
func receive(out <-chan stacksMsg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-out
		if !ok {
			return nil
		}
		if !msg.done {
			msg.next = receive(out)
		}
		return msg
	}
}

// load runs one listing. Pages are applied as they come (the callback only
// marks the listing changed, so the backend's reads never wait for the
// UI); the layout loop makes a layout of the listing as it stands whenever
// it changed, at most every layoutEvery, and waits until the UI took it.
func (ld *loader) load(ctx context.Context, cancel context.CancelFunc, req int, full bool, b backend.Backend,
	files RepoFiles, in layoutInputs, out chan<- stacksMsg) {
	defer close(out)
	ld.one.Lock()
	defer ld.one.Unlock()
	changed := make(chan struct{}, 1)
	listed := make(chan error, 1)
	// The listing's goroutine is done with the listing before the next
	// load may start (one), so two listings never merge into one.
	finished := make(chan struct{})
	defer func() { cancel(); <-finished }()
	go func() {
		defer close(finished)
		ended := false
		err := backend.PageStacks(ctx, b, backend.PageRequest{Full: full}, func(p backend.StackPage) {
			ld.mu.Lock()
			ld.list.Apply(p)
			ld.mu.Unlock()
			ended = p.Done
			select {
			case changed <- struct{}{}:
			default:
			}
		})
		if !ended {
			ld.mu.Lock()
			ld.list.Abandon()
			ld.mu.Unlock()
		}
		listed <- err
	}()
	snapshot := func() ([]model.Stack, backend.Progress) {
		ld.mu.Lock()
		defer ld.mu.Unlock()
		return ld.list.Stacks(), ld.list.Progress()
	}
	send := func(msg stacksMsg) bool {
		select {
		case out <- msg:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var last time.Time
	for {
		select {
		case err := <-listed:
			stacks, progress := snapshot()
			msg := stacksMsg{req: req, progress: progress, done: true, err: err}
			if err == nil || progress.Known > 0 {
				rctx, rcancel := context.WithTimeout(ctx, callTimeout)
				msg.repoRules, msg.rulesErr = loadRepoRules(rctx, files, stacks)
				rcancel()
				in.drift.RepoRules = msg.repoRules
				msg.arranged = in.lay(stacks)
			}
			send(msg)
			return
		case <-changed:
			if wait := layoutEvery - time.Since(last); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return
				}
			}
			last = time.Now()
			stacks, progress := snapshot()
			if !send(stacksMsg{req: req, arranged: in.lay(stacks), progress: progress}) {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// readDetails reads what the listing left unread of the given stacks (the
// rows on screen and the selection, as a keypress asks: ahead of the
// listing's own reads), merges it into the listing and lays the tree out
// again. Only one runs at a time; nil when one is in flight.
func (m Model) readDetails(ids []string) tea.Cmd {
	ld := m.loader
	if len(ids) == 0 || !ld.details.CompareAndSwap(false, true) {
		return nil
	}
	ctx, b, in, now := m.ctx, m.backend, m.layoutInputs(), m.now
	return func() tea.Msg {
		defer ld.details.Store(false)
		ld.mu.Lock()
		want := ld.list.WantDetails(ids, detailsMaxAge, now())
		ld.mu.Unlock()
		if len(want) == 0 {
			return nil
		}
		got, err := backend.ReadDetails(scheduler.Interactive(ctx), b, want)
		ld.mu.Lock()
		ld.list.SetDetails(got, now())
		stacks := ld.list.Stacks()
		ld.mu.Unlock()
		return detailsMsg{arranged: in.lay(stacks), err: err}
	}
}

// wantDetails asks for the details of the stacks the top screen wants
// (screen.DetailsWanter) and those on the tree's screen that lack them or
// whose read is old (the listing decides: WantDetails): after a layout
// lands and when the keys rest.
//
// While keys come faster than detailsSettle (a key held down, pages
// flown past), nothing is read: each read of a screen's details costs up
// to two requests a stack, at the keypress's priority, and reads of
// screens already left would take the rate limit from the listing still
// under way. The screen the keys stop on is read detailsSettle after.
func (m Model) wantDetails() tea.Cmd {
	if m.keysBusy {
		return nil // the latest key's settledMsg asks again
	}
	return m.readDetails(m.wantedDetails())
}

// detailsSettle is how long the keys must rest before the rows on screen
// have their details read: less than a round trip, more than a key
// repeat's interval (about 30 a second).
const detailsSettle = 120 * time.Millisecond

func (m Model) wantedDetails() []string {
	ids := m.tree().OnScreen(m.context(0))
	if w, ok := m.top().(screen.DetailsWanter); ok && len(m.stack) > 1 {
		ids = append(w.WantDetails(m.context(len(m.stack)-1)), ids...)
	}
	if n := m.data.Index.NeedsUnread; n > 0 && n <= smallAccountReads && !m.data.Loading {
		ids = append(ids, m.data.PendingUnread(n)...)
	}
	return ids
}

// smallAccountReads: when no more stacks than this have pending runs a
// lean listing left unread, they are read after the load (a few requests:
// Spacelift reads 20 stacks' runs in one), so the header's "need you"
// count is exact rather than "N+". A larger account reads them while the
// attention view is open, where they are listed. (A variable only so a
// test can show the attention view's own reads on a small sandbox.)
var smallAccountReads = 100

// expireDetails makes the listing read the stacks' details again when they
// are next on screen: a run started on a stack may not move what a lean
// listing shows of it (Spacelift's proposed runs leave its state alone).
func (m Model) expireDetails(ids []string) {
	m.loader.mu.Lock()
	m.loader.list.Expire(ids)
	m.loader.mu.Unlock()
}

// refresh starts a stack load now. Bumping the tick generation retires the
// pending tick, and the new request id retires any load still in flight, so
// exactly one loop survives.
func (m Model) refresh() (Model, tea.Cmd) {
	m.stacksReq++
	m.tickGen++
	m.data.Loading, m.data.LoadSince = true, m.now()
	return m, m.fetchStacks(m.stacksReq, false)
}

// armTick schedules the next automatic refresh of the current generation,
// later than usual when the API said how long to back off.
func (m Model) armTick(lastErr error) tea.Cmd {
	gen, wait := m.tickGen, m.data.Interval
	var rl *backend.RateLimitError
	if errors.As(lastErr, &rl) {
		wait = max(wait, rl.RetryAfter)
	}
	return m.after(wait, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// armClock schedules the next once-a-second repaint.
func (m Model) armClock() tea.Cmd {
	return m.after(time.Second, func(time.Time) tea.Msg { return clockMsg{} })
}

// onStacks takes a step of a load: the layout, swapped in (the cursor
// stays on its stack), the progress for the header; at the end, the drift
// rules and the followed promotion's runs. Every screen hears of it: a
// step of a load still going as a partial load.
func (m Model) onStacks(msg stacksMsg) (Model, tea.Cmd) {
	if msg.req != m.stacksReq {
		return m, nil
	}
	var tick tea.Cmd
	if msg.done {
		m.data.Loading = false
		tick = m.armTick(msg.err)
	}
	p := msg.progress
	// The count is of a listing of every stack; an incremental refresh
	// reads a page or two and the data's age says enough.
	m.data.Progress = screen.Count{Known: p.Loading && p.Full && !msg.done, N: p.Read, Total: p.Total}
	if msg.err != nil {
		m.data.LoadErr = msg.err
	} else if msg.done {
		m.data.LoadErr = nil
		if p.Failed > 0 {
			m.data.LoadErr = fmt.Errorf("%d %s of stacks could not be read; they show as not loaded: %w",
				p.Failed, plural(p.Failed, "page"), orNoReason(p.Err))
		}
	}
	a := msg.arranged
	if a == nil { // nothing read (a failed load): keep what was shown
		return m, tea.Batch(tick, msg.next)
	}
	m.data.Incomplete = incomplete(p)
	m.data.Loaded = true
	m.data.LastLoad = m.now() // the data's age, on the UI's clock: a page is laid out moments after it is read
	// A client that connected on its first call knows more of itself now
	// (TFC: whether the server is stackview's sandbox).
	m.info, m.caps = m.backend.Info(), m.backend.Capabilities()
	m = m.swapIn(a)
	if msg.done {
		m.data.Drift.RepoRules, m.data.Drift.RulesErr = msg.repoRules, msg.rulesErr
	}
	m, screens := m.broadcast(screen.Loaded{Partial: !msg.done})
	cmds := []tea.Cmd{tick, screens, msg.next, m.wantDetails()}
	if msg.done {
		var audited tea.Cmd
		m, audited = m.auditPromotionRuns()
		cmds = append(cmds, m.pollWatches(), m.pollStarted(), audited)
	}
	return m, tea.Batch(cmds...)
}

// swapIn takes a layout made off the loop. Drift ignored (i) while it was
// being made is applied here, on the loop: rare, and the only case that
// walks every stack.
func (m Model) swapIn(a *arranged) Model {
	m.data.Forest, m.data.Waves, m.data.Index = a.forest, a.waves, a.index
	m.data.Drift.Reports, m.data.Attention = a.reports, a.attention
	if len(m.data.Drift.Added) != a.added {
		m.data.ApplyDrift(false)
	}
	return m
}

// incomplete says why a listing in state p may lack stacks: "" once one
// listing read every stack.
func incomplete(p backend.Progress) string {
	switch {
	case !p.FullAt.IsZero():
		return ""
	case p.Loading:
		return "the first listing is still reading stacks"
	case p.Failed > 0:
		return fmt.Sprintf("%d %s of the first listing could not be read (r tries again)", p.Failed, plural(p.Failed, "page"))
	}
	return "no listing has read every stack yet (r tries again)"
}

// onDetails swaps in the layout made after a details read.
func (m Model) onDetails(msg detailsMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.status = m.status.set(m.now(), "details of the stacks on screen could not be read: "+msg.err.Error(), errText)
	}
	if msg.arranged == nil {
		return m, nil
	}
	m = m.swapIn(msg.arranged)
	m, screens := m.broadcast(screen.Loaded{Partial: true})
	return m, tea.Batch(screens, m.wantDetails())
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func orNoReason(err error) error {
	if err == nil {
		return errors.New("no reason given")
	}
	return err
}

// pollStarted reads the runs started from the drift screens by their own
// ids (not as the stack's latest run: on TFC a drift check, a refresh-only
// plan, never becomes the workspace's current run). It rides on the stack
// refresh. A check that ended comes with its own result: its plan's
// changes, since on TFC it does not update the workspace's drift.
func (m Model) pollStarted() tea.Cmd {
	var cmds []tea.Cmd
	for id, run := range m.data.Drift.Started {
		ctx, b, stackID, runID, check := m.ctx, m.backend, id, run.ID, run.Title == "check"
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, callTimeout)
			defer cancel()
			r, err := b.GetRun(ctx, stackID, runID)
			msg := startedMsg{stackID: stackID, run: r, err: err}
			if err == nil && check && r.State.Terminal() {
				msg.changes, msg.changesErr = b.RunChanges(ctx, stackID, runID)
			}
			return msg
		})
	}
	return tea.Batch(cmds...)
}

// startedMsg is a run started from the drift screens as it is now.
type startedMsg struct {
	stackID    string
	run        model.Run
	err        error
	changes    []model.ResourceChange // a finished check's own findings
	changesErr error
}

// onStarted records a followed run and, once it ended, says how: a check
// by what it found (with the ignore rules applied), a reconcile or apply by
// the stack's drift now.
func (m Model) onStarted(msg startedMsg) Model {
	started, ok := m.data.Drift.Started[msg.stackID]
	if !ok || (msg.err == nil && msg.run.ID != started.ID) {
		return m
	}
	following := map[string]model.Run{}
	for id, run := range m.data.Drift.Started {
		following[id] = run
	}
	m.data.Drift.Started = following
	s := m.data.Forest.Stack(msg.stackID)
	if msg.err != nil || s == nil {
		delete(following, msg.stackID)
		if msg.err != nil {
			m.status = m.status.set(m.now(), fmt.Sprintf("stopped following the %s of %s: %v", started.Title, msg.stackID, msg.err), errText)
		}
		return m
	}
	run := msg.run
	run.Title = started.Title
	following[msg.stackID] = run
	if !run.State.Terminal() {
		return m
	}
	delete(following, msg.stackID)
	rep := m.data.Drift.Reports[msg.stackID]
	if started.Title == "check" && run.State == model.StateFinished {
		if msg.changesErr != nil {
			m.status = m.status.set(m.now(), fmt.Sprintf("check of %s finished; its findings could not be read: %v", s.Name, msg.changesErr), errText)
			return m
		}
		found := model.Drift{Drifted: len(msg.changes) > 0, Changes: msg.changes}
		for _, c := range msg.changes {
			found.Resources = append(found.Resources, c.Address)
		}
		rep = drift.Evaluate(found, s.Env, m.data.RulesFor(s.ID))
	}
	result := "no drift"
	if rep.Drift.Drifted {
		result = fmt.Sprintf("%d drifted", rep.Counted())
		if n := rep.Ignored(); n > 0 {
			result += fmt.Sprintf(", %d ignored", n)
		}
	}
	kind := infoText
	if run.State != model.StateFinished {
		result, kind = "see the run", errText
	}
	m.status = m.status.set(m.now(), fmt.Sprintf("%s of %s ended %s: %s", run.Title, s.Name, run.State, result), kind)
	return m
}

// auditPromotionRuns records, once, the runs a followed promotion started:
// when every stack of its waves has its run or is blocked by a failed one.
func (m Model) auditPromotionRuns() (Model, tea.Cmd) {
	f := m.data.Following
	if f == nil || f.RunsAudited {
		return m, nil
	}
	var parts []string
	for _, wave := range f.Stacks(m.data.Forest.Stack) {
		for _, ws := range wave {
			switch {
			case ws.Blocked != "":
				parts = append(parts, ws.ID+" blocked by "+ws.Blocked)
			case ws.Run == nil:
				return m, nil
			default:
				parts = append(parts, fmt.Sprintf("%s run %s %s", ws.ID, ws.Run.ID, ws.Run.State))
			}
		}
	}
	next := *f
	next.RunsAudited = true
	m.data.Following = &next
	p := f.Plan
	detail := "–"
	if len(parts) > 0 {
		detail = strings.Join(parts, "; ")
	}
	note := mutation.Note{Action: "promotion runs", Environment: p.Target.Name, Target: p.Repo,
		Detail: fmt.Sprintf("%s at %s started: %s", p.Target.Branch, model.ShortSHA(f.Commit), detail)}
	ops := m.ops
	return m, func() tea.Msg { return promotionRunsMsg{err: ops.Record(note)} }
}

// follow keeps a pushed promotion in the model: its waves are followed
// from every load, and P returns to them.
func (m Model) follow(res mutation.PromotionResult) Model {
	waves, _ := promotion.Waves(res.Plan, m.data.Stacks())
	m.data.Following = &promotion.Followed{Plan: res.Plan, Label: res.Label, Commit: res.New, Since: res.At, Waves: waves}
	return m
}
