package screen

import (
	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/ui/keys"
)

// Action is one row of a screen's key table.
type Action struct {
	Key  keys.ID
	Help string // this screen's words for it; "" = the declared help
	// Off says why the key does nothing useful now ("" = it applies): the
	// footer leaves it out, help shows it with the reason. It still
	// dispatches, so a mutation can say why it is refused.
	Off string
	// Do acts: the screen's next value (nil: unchanged) and what to run.
	Do func() (Screen, tea.Cmd)
}

// Group is a titled part of the key table.
type Group struct {
	Title   string
	Actions []Action
}

// Match finds the action of groups a key press is for.
func Match(km *keys.Map, groups []Group, msg tea.KeyPressMsg) (Action, bool) {
	for _, g := range groups {
		for _, a := range g.Actions {
			if a.Do != nil && km.Is(msg, a.Key) {
				return a, true
			}
		}
	}
	return Action{}, false
}

// Has reports whether groups hold an action for id.
func Has(groups []Group, id keys.ID) bool {
	for _, g := range groups {
		for _, a := range g.Actions {
			if a.Key == id {
				return true
			}
		}
	}
	return false
}

// Kind names a screen a Target opens.
type Kind int

// The screens other screens open by name (the root's makers build them).
const (
	KindRun Kind = iota + 1
	KindHistory
	KindDriftInbox
	KindStackDrift
	KindModules
	KindBoard
	KindWaves
	KindAttention
	KindMessages
	KindIgnores
)

// RunRef names one run of one stack.
type RunRef struct{ StackID, RunID string }

// RunMarker is a screen whose rows are runs the user can mark (the
// attention view): a screen opened over it reads the marks to act on
// them all.
type RunMarker interface {
	MarkedRuns(c *Context) []RunRef
}

// Target is a screen to open: its kind and what it shows.
type Target struct {
	Kind    Kind
	StackID string
	RunID   string
	Run     *model.Run // the run as the opener knows it, shown until it loads
}

// Same reports targets that open the same screen.
func (t Target) Same(o Target) bool {
	return t.Kind == o.Kind && t.StackID == o.StackID && t.RunID == o.RunID
}

// Messages screens send the root.
type (
	// Navigate opens a screen by kind: the stack is cut back to the same
	// screen when it is open (so P returns to the waves rather than
	// stacking a second copy), else it is pushed.
	Navigate struct{ To Target }
	// Push puts a screen the sender built on top; Init runs once it is there.
	Push struct {
		Screen Screen
		Init   tea.Cmd
	}
	// Pop closes the top screen, then handles Then (a dialog's answer).
	Pop struct{ Then tea.Msg }
	// Replace closes the top screen and puts another in its place.
	Replace struct {
		Screen Screen
		Init   tea.Cmd
	}
	// Propose runs a request through the mutation pipeline: prepared, then
	// confirmed in a dialog (unless it needs none), then sent.
	Propose struct{ Request mutation.Request }
	// Status sets the status line. Errors and alerts stay until the next
	// key; other messages fade after a few seconds.
	Status struct {
		Text  string
		Err   bool
		Alert bool // a bell-worthy notice: stays like an error
	}
	// Refresh reloads the stacks now.
	Refresh struct{}
	// Quit leaves, asking first while something would be lost.
	Quit struct{}
	// ToggleWatch pins a run, or unpins it.
	ToggleWatch struct {
		Watch Watch
		State string // the run's state now: a settled run is refused
	}
	// OpenURL opens a page in the browser; Copy puts text on the clipboard
	// (OSC 52), saying what it was ("URL", "run id").
	OpenURL struct{ Name, URL string }
	Copy    struct{ What, Text string }
)

// Messages the root sends every screen.
type (
	// Loaded says the stacks (and the data derived from them) were reloaded.
	// Partial: a step of a load still going (a page, or details read for
	// the stacks on screen), after which a screen need not read again what
	// it shows; the load's last step is not partial.
	Loaded struct{ Partial bool }
	// Revealed tells the new top screen that the one above it closed.
	Revealed struct{}
	// Settled says the keys rest (none came for a moment): a screen reads
	// now what it put off while they came (Context.KeysBusy).
	Settled struct{}
	// AwaitRest is what a screen asks when it put off a read while keys
	// come: the root sends it Settled once they rest.
	AwaitRest struct{}
	// Outcome is a mutation's answer, after the root said it.
	Outcome struct {
		Mutation mutation.Mutation
		Outcome  mutation.Outcome
	}
)

// Do wraps a message as a command.
func Do(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// Back is the esc action of a pushed screen: close it.
func Back(c *Context, help string) Action {
	return Action{Key: keys.Back, Help: help, Do: func() (Screen, tea.Cmd) { return nil, c.Ask(Pop{}) }}
}

// OffIf is why, when cond holds: an Action's Off.
func OffIf(cond bool, why string) string {
	if cond {
		return why
	}
	return ""
}
