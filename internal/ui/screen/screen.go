// Package screen is the seam between the UI's root and its screens. A
// screen (the tree, a run, the drift inbox, the promotion board, help, a
// dialog…) implements Screen: it updates on messages, draws itself at a
// size, declares its key table (the first group is the footer, all groups
// make its help, and the same table dispatches the keys) and names itself
// for the breadcrumb. The root keeps the stack of screens and the chrome,
// routes messages, and does what screens ask for with the messages here:
// navigation, mutations, status lines. Adding a screen is adding a package
// that implements Screen plus one registration in the root's makers.
package screen

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/tfmod"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/theme"
)

// Screen is one page of the stack.
type Screen interface {
	// Update takes a message: key presses only while on top (and only those
	// its key table did not take), every other message always.
	Update(c *Context, msg tea.Msg) (Screen, tea.Cmd)
	// View draws the body at w×h.
	View(c *Context, w, h int) string
	// Keys is the key table in the current state: the first group is the
	// footer, all groups make the help, and dispatch reads the same table.
	Keys(c *Context) []Group
	// Title is the screen's part of the breadcrumb.
	Title(c *Context) []string
}

// ChromeLines are the lines the root draws around a screen's body: the
// header, the tabs or breadcrumb, the status line and the footer.
const ChromeLines = 4

// Context is what every screen reads: the session's settings and the data
// the root loads. It is rebuilt for every call; screens never keep it.
type Context struct {
	Ctx     context.Context
	Keys    *keys.Map
	Styles  *theme.Styles
	Now     func() time.Time
	After   func(time.Duration, func(time.Time) tea.Msg) tea.Cmd // timers; tea.Tick outside tests
	Backend backend.Backend
	Info    backend.Info
	Caps    backend.Capabilities
	Envs    []model.Environment

	Ops        Mutator
	Promotions Promotions
	Modules    Modules

	Data *Data
	// Under is the screen below this one (a dialog draws over it, help
	// lists its keys); nil on the root screen. Global is the root's key
	// group for Under: what help lists after Under's own.
	Under  Screen
	Global Group
	// Top reports that the screen being called is the top one.
	Top bool
	// Width and Height are the terminal's.
	Width, Height int
	// KeysBusy says keys are coming (the last came moments ago): a read
	// for what the cursor is on waits for Settled, or a held key would ask
	// for every row it passes.
	KeysBusy bool
	// Message is the status line's message, "" when there is none.
	Message string
	// Messages are the recent messages, oldest first, in full (:messages).
	Messages []Message
	// Asks queues what the screen asks the root for; the root does it as
	// soon as the screen returns, so navigation and mutations happen on the
	// key that asked, never after a command's round trip.
	Asks *[]tea.Msg
}

// Message is one message the status line showed.
type Message struct {
	Text  string
	Err   bool // an error (shown with ✗)
	Alert bool // a notice the user asked for
	At    time.Time
}

// Ask queues a request for the root (Navigate, Propose, Status…); without
// a queue it travels as a command.
func (c *Context) Ask(msg tea.Msg) tea.Cmd {
	if c.Asks == nil {
		return Do(msg)
	}
	*c.Asks = append(*c.Asks, msg)
	return nil
}

// Say sets an information message that fades.
func (c *Context) Say(text string) tea.Cmd { return c.Ask(Status{Text: text}) }

// Fail sets an error message that stays until the next key.
func (c *Context) Fail(text string) tea.Cmd { return c.Ask(Status{Text: text, Err: true}) }

// ReadOnly reports read-only mode: every mutation is refused.
func (c *Context) ReadOnly() bool { return c.Ops.ReadOnly() }

// Protected reports whether env needs its names typed before a mutation.
func (c *Context) Protected(env string) bool {
	for _, e := range c.Envs {
		if e.Name == env {
			return e.Protected
		}
	}
	return false
}

// Mutator carries out mutations (internal/ops implements it): Refuse and
// Prepare check read-only mode and what is in flight before any dialog;
// Send checks again, claims the in-flight keys and returns the work, which
// sends, audits and releases them.
type Mutator interface {
	ReadOnly() bool
	Strategy() promotion.Strategy
	InFlight() map[string]string
	Refuse(verb string) error
	Prepare(r mutation.Request) (mutation.Mutation, error)
	Send(m mutation.Mutation, a mutation.Answer) (func(context.Context) mutation.Outcome, error)
	Record(n mutation.Note) error
}

// Promotions reads the promotion screens' data from git (internal/promote
// implements it).
type Promotions interface {
	Board(ctx context.Context, repo string, envs []model.Environment, stacks []model.Stack) (promotion.Row, error)
	// Plan counts drift as counted says (the inbox's ignore rules applied).
	Plan(ctx context.Context, repo string, stacks []model.Stack, source, target model.Environment, counted func(model.Stack) model.Drift) (promotion.Plan, []promotion.Gate, error)
}

// Modules reads the modules view's matrix from git and the registry
// (internal/modules implements it).
type Modules interface {
	Matrix(ctx context.Context, stacks []model.Stack, branches []string) (tfmod.Matrix, error)
}

// Modal screens take every key: the root adds no global keys for them.
type Modal interface {
	Modal(c *Context) bool
}

// Named screens say what they are in help's title ("the stack tree").
type Named interface {
	Name() string
}

// Overlay screens draw over the screen under them (dialogs).
type Overlay interface {
	Overlay() bool
}

// Prompter screens show a line being typed in the status line.
type Prompter interface {
	Prompt(c *Context) (string, bool)
}

// TextEntry screens have a text field with the focus now (a line being
// typed, a dialog's field): the root gives them every key that types
// text (kit.Typed) before any key table.
type TextEntry interface {
	TypingText(c *Context) bool
}

// Commander screens take ":" commands of their own (the run view's :save,
// the tree's :sort), tried before the root's; ok is false for a verb the
// screen does not know.
type Commander interface {
	Command(c *Context, verb string, args []string) (next Screen, cmd tea.Cmd, ok bool)
}

// DetailsWanter screens show details a lean listing leaves unread
// (model.Stack.Unread): the root reads them for the ids it names, most
// wanted first, ahead of the tree's rows on screen, a bounded number at a
// time, and says so with screen.Loaded{Partial: true}.
type DetailsWanter interface {
	WantDetails(c *Context) []string
}

// Counter screens add a count to the right of the status line ("5/6 stacks").
type Counter interface {
	Count(c *Context) string
}

// Stacks is every placed stack of the forest, as values.
func (d *Data) Stacks() []model.Stack {
	var out []model.Stack
	for i := range d.Forest.Envs {
		for _, s := range d.Forest.Envs[i].Stacks() {
			out = append(out, *s)
		}
	}
	return out
}
