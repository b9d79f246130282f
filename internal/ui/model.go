package ui

import (
	"context"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/theme"
	"github.com/stackview/stackview/internal/ui/tree"
)

// Model is the root of the UI: the stack of screens, the chrome around the
// top one (header, tabs or breadcrumb, status line, footer), the data every
// screen reads, and the routing of messages. It is a value: Update returns
// the next one.
type Model struct {
	ctx       context.Context
	backend   backend.Backend
	info      backend.Info
	caps      backend.Capabilities
	envs      []model.Environment
	mapping   model.Mapping
	keys      *keys.Map
	themeMode string
	noColor   bool
	styles    *theme.Styles
	now       func() time.Time
	// after schedules a timer message; tea.Tick in production, a recorder in
	// tests so no test waits for real time.
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	// openURL launches a browser; tests record instead.
	openURL func(context.Context, string) error

	// ops carries out every mutation; promotions and modReader read what
	// their screens show from git; repoFiles reads drift ignore files.
	ops        screen.Mutator
	promotions screen.Promotions
	modReader  screen.Modules
	repoFiles  RepoFiles

	width, height int

	data      screen.Data
	stacksReq int
	tickGen   int
	// keysBusy: a key came less than detailsSettle ago (no settledMsg of
	// the latest key, keyGen, yet), so the rows on screen wait to have
	// their details read and the selection its runs.
	keysBusy bool
	keyGen   int
	// restAsked: a screen put off a read until the keys rest, during the
	// key being handled (screen.AwaitRest).
	restAsked bool
	// loader keeps the listing between loads and lays it out off the loop.
	loader *loader

	// stack is the screens, the tree first; targets says what each was
	// opened as (zero for screens pushed by another), so Navigate finds it.
	stack   []screen.Screen
	targets []screen.Target

	// asks is what screens asked for while the current message is handled;
	// Update does it before it returns.
	asks *[]tea.Msg

	status    status
	typing    bool // the ":" command line is being typed
	input     kit.Input
	quitArmed bool // q was pressed once while leaving would lose something
}

// Init starts the first load and, for Theme "auto", asks the terminal for
// its background colour (it may never answer; dark is the default).
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.fetchStacks(m.stacksReq, false), m.armClock()}
	if m.themeMode == "" || m.themeMode == "auto" {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Update routes one message: keys to the top screen (or the command line),
// what screens ask for to the root, everything else to every screen. What
// screens ask for while they handle it is done before Update returns.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, key := msg.(tea.KeyPressMsg)
	var wanted []string
	waiting := m.keysBusy // a settledMsg is on its way
	if key {
		if !waiting { // else the rest is put off again whatever the key brings
			wanted = m.wantedDetails()
		}
		m.keysBusy = true // reads for what the key moves to wait (Context.KeysBusy)
	}
	asks := []tea.Msg{}
	m.asks = &asks
	next, cmd := m.update(msg)
	m = next.(Model)
	cmds := []tea.Cmd{cmd}
	for len(*m.asks) > 0 {
		ask := (*m.asks)[0]
		*m.asks = (*m.asks)[1:]
		next, cmd := m.update(ask)
		m = next.(Model)
		cmds = append(cmds, cmd)
	}
	m.asks = nil
	// A key (and what it asked for) may bring stacks whose details are
	// unread on screen, open a screen that wants some, or move the cursor
	// to a stack whose runs a screen put off reading (screen.AwaitRest):
	// they are read once the keys rest (wantDetails, screen.Settled). Each
	// key while a rest is awaited puts it off again.
	if key {
		if waiting || m.restAsked || !slices.Equal(m.wantedDetails(), wanted) {
			m.keyGen++
			gen := m.keyGen
			cmds = append(cmds, m.after(detailsSettle, func(time.Time) tea.Msg { return settledMsg{gen: gen} }))
		} else {
			m.keysBusy = false
		}
	}
	m.restAsked = false
	return m, tea.Batch(cmds...)
}

func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m.broadcast(msg)
	case tea.BackgroundColorMsg:
		if m.themeMode == "" || m.themeMode == "auto" {
			m.styles = theme.New(msg.IsDark(), m.noColor, theme.DefaultPalette())
		}
		return m, nil
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.PasteMsg:
		if m.typing {
			m.input = m.input.Paste(msg.Content)
			return m, nil
		}
		return m.toTop(msg)
	case stacksMsg:
		return m.onStacks(msg)
	case detailsMsg:
		return m.onDetails(msg)
	case settledMsg:
		if msg.gen != m.keyGen {
			return m, nil // a later key has a timer of its own
		}
		m.keysBusy = false
		m, cmd := m.broadcast(screen.Settled{})
		return m, tea.Batch(cmd, m.wantDetails())
	case tickMsg:
		if msg.gen != m.tickGen {
			return m, nil
		}
		m.stacksReq++
		m.data.Loading, m.data.LoadSince = true, m.now()
		return m, m.fetchStacks(m.stacksReq, false)
	case clockMsg:
		m.status = m.status.faded(m.now())
		return m, m.armClock()
	case startedMsg:
		return m.onStarted(msg), nil
	case watchMsg:
		return m.onWatch(msg)
	case openedMsg:
		return m.onOpened(msg), nil
	case sendMsg:
		return m.send(msg)
	case outcomeMsg:
		return m.onOutcome(msg)
	case promotionRunsMsg:
		if msg.err != nil {
			m.status = m.status.set(m.now(), "the audit log failed to record the promotion's runs: "+msg.err.Error(), errText)
		}
		return m, nil
	}
	if next, cmd, ok := m.onAsk(msg); ok {
		return next, cmd
	}
	return m.broadcast(msg)
}

// View wraps Render in a full-screen view.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "stackview"
	if e := m.data.Env(m.tree().Env()); e != nil {
		v.WindowTitle = "stackview · " + e.Env.Name
	}
	return v
}

// tree is the root screen.
func (m Model) tree() tree.Model { return m.stack[0].(tree.Model) }

func (m Model) top() screen.Screen { return m.stack[len(m.stack)-1] }

// context is what the screen at index i of the stack reads.
func (m *Model) context(i int) *screen.Context {
	c := &screen.Context{
		Ctx: m.ctx, Keys: m.keys, Styles: m.styles, Now: m.now, After: m.after,
		Backend: m.backend, Info: m.info, Caps: m.caps, Envs: m.envs,
		Ops: m.ops, Promotions: m.promotions, Modules: m.modReader,
		Data: &m.data, Width: m.width, Height: m.height, KeysBusy: m.keysBusy, Top: i == len(m.stack)-1, Asks: m.asks,
		Message: m.status.text, Messages: m.status.log,
	}
	if i > 0 {
		c.Under = m.stack[i-1]
		c.Global = m.globals(m.context(i-1), m.stack[i-1])
	}
	return c
}

// set replaces the screen at index i (nil keeps it).
func (m *Model) set(i int, s screen.Screen) {
	if s != nil && i < len(m.stack) {
		m.stack[i] = s
	}
}

// broadcast gives a message to every screen, the tree first.
func (m Model) broadcast(msg tea.Msg) (Model, tea.Cmd) {
	m.stack = append([]screen.Screen(nil), m.stack...)
	var cmds []tea.Cmd
	for i := range m.stack {
		next, cmd := m.stack[i].Update(m.context(i), msg)
		m.set(i, next)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// toTop gives a message to the top screen only.
func (m Model) toTop(msg tea.Msg) (Model, tea.Cmd) {
	m.stack = append([]screen.Screen(nil), m.stack...)
	i := len(m.stack) - 1
	next, cmd := m.stack[i].Update(m.context(i), msg)
	m.set(i, next)
	return m, cmd
}
