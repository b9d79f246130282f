package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promote"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/theme"
	"github.com/stackview/stackview/internal/vcs"
)

// mode says where typed keys go.
type mode int

const (
	modeBrowse  mode = iota
	modeFilter       // typing after "/"
	modeCommand      // typing after ":"
	modeSearch       // typing a log search after "/" in the run view
)

// viewKind is the screen the body shows.
type viewKind int

const (
	viewTree    viewKind = iota // the stack tree (and detail)
	viewHistory                 // one stack's runs
	viewRun                     // one run: timeline, plan, log
	viewModules                 // module versions per environment, bumps
	viewPromote                 // the promotion board, a promotion's diff, its waves
)

// Model is the root of the UI. It is a value: Update returns the next one.
type Model struct {
	ctx       context.Context
	backend   backend.Backend
	info      backend.Info
	envs      []model.Environment
	mapping   model.Mapping
	keys      keys.Map
	themeMode string
	noColor   bool
	styles    *theme.Styles
	interval  time.Duration
	readOnly  bool
	audit     audit.Recorder
	now       func() time.Time
	// after schedules a timer message; tea.Tick in production, a recorder in
	// tests so no test waits for real time.
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	// openURL launches a browser; tests record instead.
	openURL func(context.Context, string) error
	// git is the clone cache module bumps and promotions work in; strategy
	// says how they move branches (push, merge or pull request).
	git      vcs.Cache
	strategy promote.Strategy

	width, height int

	forest    model.Forest
	waves     map[string]int // dependency wave of every stack
	index     loadIndex      // derived from the forest on each load
	loaded    bool           // at least one load succeeded
	lastLoad  time.Time      // when the last good load landed
	loadErr   error          // the last load's error; nil after a good one
	loading   bool
	stacksReq int
	tickGen   int

	env        int
	rows       []row
	stackRows  int // how many of rows are stacks
	cursor     int
	offset     int
	selectedID string

	filter    string // the applied filter as typed, "re:" prefix included
	mode      mode
	input     string // the line being typed in filter or command mode
	oldFilter string // restored when a filter edit is cancelled

	paneHidden   bool // wide layout: the detail pane was closed with enter
	detailFull   bool // narrow layout: the detail fills the body
	detailScroll int  // first detail line shown in the narrow layout
	helpOpen     bool

	message    string
	messageErr bool

	runsReq     int
	runsFor     string
	runs        []model.Run
	runsErr     error
	runsLoading bool

	// Mutations: the open confirmation and what it would send, the stacks
	// with a mutation in flight (the exactly-once guard), marks for bulk.
	dialog    *dialog
	pending   request
	inflight  map[string]string // stack id -> action sent
	marks     map[string]bool
	quitArmed bool // q was pressed once while a mutation was in flight

	view    viewKind
	hist    historyState
	rv      runView
	rvGen   int // poll generation of the run view; a new run view retires the old chain
	watches []watch

	drift      driftState
	repoFiles  RepoFiles              // reads ignore files; nil = config rules only
	saveIgnore func(drift.Rule) error // persists an ignore chosen with i; nil = this session only
	mods       modulesState
	pr         promoteState
}

// Init starts the first load and, for Theme "auto", asks the terminal for
// its background colour (it may never answer; dark is the default).
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.fetchStacks(m.stacksReq), m.armClock()}
	if m.themeMode == "" || m.themeMode == "auto" {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Update routes one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.clampScroll()
		return m, nil
	case tea.BackgroundColorMsg:
		if m.themeMode == "" || m.themeMode == "auto" {
			m.styles = theme.New(msg.IsDark(), m.noColor, theme.DefaultPalette())
		}
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		return m.onPaste(msg), nil
	case stacksMsg:
		return m.onStacks(msg)
	case openedMsg:
		return m.onOpened(msg), nil
	case runsMsg:
		return m.onRuns(msg), nil
	case actionsMsg:
		next, cmd := m.onActions(msg)
		return next.afterActions(msg), cmd
	case historyMsg:
		return m.onHistory(msg), nil
	case runMsg, logMsg, changesMsg, pollMsg:
		return m.onRunView(msg)
	case modulesMsg:
		return m.onModules(msg), nil
	case bumpMsg:
		return m.onBump(msg)
	case startedMsg:
		return m.onStarted(msg), nil
	case watchMsg:
		return m.onWatch(msg)
	case boardMsg:
		return m.onBoard(msg), nil
	case promotionPlanMsg:
		return m.onPromotionPlan(msg), nil
	case promotedMsg:
		return m.onPromoted(msg)
	case predictedMsg:
		return m.onPredicted(msg), nil
	case promotionRunsMsg:
		if msg.err != nil {
			m.message, m.messageErr = "the audit log failed to record the promotion's runs: "+msg.err.Error(), true
		}
		return m, nil
	case ignoreSavedMsg:
		return m.onIgnoreSaved(msg), nil
	case clockMsg:
		return m, m.armClock()
	case tickMsg:
		if msg.gen != m.tickGen {
			return m, nil
		}
		m.stacksReq++
		m.loading = true
		return m, m.fetchStacks(m.stacksReq)
	}
	return m, nil
}

// View wraps Render in a full-screen view.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "stackview"
	if e := m.currentEnv(); e != nil {
		v.WindowTitle = "stackview · " + e.Env.Name
	}
	return v
}

func (m Model) onStacks(msg stacksMsg) (tea.Model, tea.Cmd) {
	if msg.req != m.stacksReq {
		return m, nil
	}
	m.loading = false
	tick := m.armTick(msg.err)
	if msg.err != nil {
		m.loadErr = msg.err
		return m, tick
	}
	m.loadErr = nil
	m.loaded = true
	m.lastLoad = m.now()
	a := msg.arranged
	if a == nil {
		a = arrange(msg.stacks, m.envs, m.mapping)
	}
	m.forest, m.waves, m.index = a.forest, a.waves, a.index
	m.drift.repoRules, m.drift.rulesErr = msg.repoRules, msg.rulesErr
	m.applyDrift(true)
	m.rebuildRows()
	m, runs := m.loadRunsIfNeeded(true)
	var run tea.Cmd
	if m.view == viewRun {
		run = m.fetchRun() // someone else may have confirmed or stopped it
	}
	m, scan := m.scanWaiting()
	m, promotion := m.onStacksPromote()
	return m, tea.Batch(tick, runs, run, m.pollWatches(), m.pollStarted(), scan, promotion)
}

func (m Model) onRuns(msg runsMsg) Model {
	if msg.req != m.runsReq || msg.stackID != m.runsFor {
		return m
	}
	m.runsLoading = false
	m.runsErr = msg.err
	if msg.err == nil {
		m.runs = msg.runs
	}
	return m
}

func (m Model) currentEnv() *model.EnvTree {
	if m.env < 0 || m.env >= len(m.forest.Envs) {
		return nil
	}
	return &m.forest.Envs[m.env]
}

func (m Model) selected() *model.Stack {
	if m.selectedID == "" {
		return nil
	}
	return m.forest.Stack(m.selectedID)
}
