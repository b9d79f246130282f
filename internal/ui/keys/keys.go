// Package keys declares every key binding of the stack tree UI, one struct
// per context, with its help text at the definition. Config can remap any
// binding by action name; Apply validates names and refuses a key bound
// twice in one context, since the second binding could never fire.
package keys

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// Global keys work in every view except while typing in the input line.
type Global struct {
	Quit     key.Binding
	Help     key.Binding
	Refresh  key.Binding
	Filter   key.Binding
	Command  key.Binding
	NextEnv  key.Binding
	PrevEnv  key.Binding
	JumpEnv  key.Binding // the n-th key of the binding selects the n-th environment
	ClearEsc key.Binding
	Modules  key.Binding
	Promote  key.Binding // the promotion board
}

// Tree keys move through the stack tree.
type Tree struct {
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Detail   key.Binding
	Mark     key.Binding
	MarkAll  key.Binding
	Watch    key.Binding
	Inbox    key.Binding // the drift inbox
	Check    key.Binding // check the selected stack for drift now
}

// Drift keys work in the drift inbox and a stack's drifted resources; D
// (reconcile, as deploy) and c (confirm) are the stack actions.
type Drift struct {
	Up     key.Binding
	Down   key.Binding
	Open   key.Binding // a stack's drifted resources
	Check  key.Binding
	Ignore key.Binding
}

// Actions act on the selected stack (or the marked ones) or the run on
// screen; they work in the tree, the detail, the run history and the run view.
type StackActions struct {
	Plan    key.Binding
	Deploy  key.Binding // in the run view of a finished plan: deploy that preview
	Confirm key.Binding
	Discard key.Binding
	Retry   key.Binding
	Stop    key.Binding
	Review  key.Binding
	Lock    key.Binding
	Sync    key.Binding
	Latest  key.Binding
	History key.Binding
	Open    key.Binding
	CopyURL key.Binding
}

// History keys move through a stack's runs.
type History struct {
	Up    key.Binding
	Down  key.Binding
	Open  key.Binding
	Watch key.Binding
}

// Promote keys move on the promotion board and its wave view; Open
// computes a promotion's diff from the board and goes ahead from the diff.
type Promote struct {
	Up      key.Binding
	Down    key.Binding
	Left    key.Binding
	Right   key.Binding
	Open    key.Binding
	Predict key.Binding // the diff: plan the affected stacks at the promoted commit
}

// Run keys scroll and search the run view's log.
type Run struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Follow   key.Binding
	Next     key.Binding
	Wrap     key.Binding
	Watch    key.Binding
}

// Modules keys move through the modules view and bump a module.
type Modules struct {
	Up   key.Binding
	Down key.Binding
	Bump key.Binding
}

// Dialog keys answer the confirmation dialog. Yes and No work only while
// the buttons have the focus and the environment is not protected.
type Dialog struct {
	Yes     key.Binding
	No      key.Binding
	Approve key.Binding
	Reject  key.Binding
	Press   key.Binding
	Next    key.Binding // fields and buttons
	Prev    key.Binding
	Right   key.Binding // buttons only: in a field the arrows belong to the text
	Left    key.Binding
	Cancel  key.Binding
}

// Detail keys apply when the detail pane fills the screen (narrow terminals).
type Detail struct {
	Close      key.Binding
	ScrollUp   key.Binding
	ScrollDown key.Binding
}

// Input keys edit the filter or command line.
type Input struct {
	Submit   key.Binding
	Cancel   key.Binding
	Complete key.Binding
	Erase    key.Binding
	Clear    key.Binding
}

// Map holds every context's keymap.
type Map struct {
	Global  Global
	Tree    Tree
	Detail  Detail
	Actions StackActions
	History History
	Promote Promote
	Run     Run
	Modules Modules
	Dialog  Dialog
	Input   Input
	Drift   Drift
}

// Default returns fresh bindings; callers own and may remap them.
func Default() Map {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return Map{
		Global: Global{
			Quit:     b("q", "quit", "q", "ctrl+c"),
			Help:     b("?", "help", "?"),
			Refresh:  b("r", "refresh", "r"),
			Filter:   b("/", "filter (/re: for regex)", "/"),
			Command:  b(":", "command (:env, :stack, :drift, :modules, :promote, :q)", ":"),
			NextEnv:  b("tab", "next env", "tab"),
			PrevEnv:  b("shift+tab", "previous env", "shift+tab"),
			JumpEnv:  b("1-9", "env by number", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
			ClearEsc: b("esc", "clear filter / back", "esc"),
			Modules:  b("M", "modules (versions, bumps)", "M"),
			Promote:  b("P", "promotion board (dev → qa → prod)", "P"),
		},
		Tree: Tree{
			Up:       b("↑/k", "up", "up", "k"),
			Down:     b("↓/j", "down", "down", "j"),
			Top:      b("g", "top", "g", "home"),
			Bottom:   b("G", "bottom", "G", "end"),
			PageUp:   b("pgup", "page up", "pgup", "ctrl+b"),
			PageDown: b("pgdn", "page down", "pgdown", "ctrl+f"),
			Detail:   b("enter", "detail", "enter"),
			Mark:     b("space", "mark / unmark", "space"),
			MarkAll:  b("ctrl+a", "mark all shown / unmark", "ctrl+a"),
			Watch:    b("w", "watch the latest run", "w"),
			Inbox:    b("F", "drift inbox", "F"),
			Check:    b("f", "check for drift now", "f"),
		},
		Drift: Drift{
			Up:     b("↑/k", "up", "up", "k"),
			Down:   b("↓/j", "down", "down", "j"),
			Open:   b("enter", "drifted resources", "enter"),
			Check:  b("f", "check for drift now", "f"),
			Ignore: b("i", "ignore the selected attribute", "i"),
		},
		Actions: StackActions{
			Plan:    b("p", "plan", "p"),
			Deploy:  b("D", "deploy", "D"),
			Confirm: b("c", "confirm", "c"),
			Discard: b("x", "discard", "x"),
			Retry:   b("R", "retry", "R"),
			Stop:    b("S", "stop / cancel", "S"),
			Review:  b("v", "review (approve / reject)", "v"),
			Lock:    b("L", "lock / unlock", "L"),
			Sync:    b("s", "sync commit to branch head", "s"),
			Latest:  b("l", "latest run", "l"),
			History: b("H", "run history", "H"),
			Open:    b("o", "open in browser", "o"),
			CopyURL: b("u", "copy URL", "u"),
		},
		History: History{
			Up:    b("↑/k", "up", "up", "k"),
			Down:  b("↓/j", "down", "down", "j"),
			Open:  b("enter", "open run", "enter"),
			Watch: b("w", "watch run", "w"),
		},
		Promote: Promote{
			Up:      b("↑/k", "up", "up", "k"),
			Down:    b("↓/j", "down", "down", "j"),
			Left:    b("←", "previous environment", "left"),
			Right:   b("→", "next environment", "right"),
			Open:    b("enter", "promote to the next environment (diff first)", "enter"),
			Predict: b("p", "predicted plans (proposed runs at the promoted commit)", "p"),
		},
		Run: Run{
			Up:       b("↑/k", "scroll up", "up", "k"),
			Down:     b("↓/j", "scroll down", "down", "j"),
			PageUp:   b("pgup", "page up", "pgup", "ctrl+b"),
			PageDown: b("pgdn", "page down", "pgdown", "ctrl+f"),
			Top:      b("g", "top", "g", "home"),
			Follow:   b("G", "follow the end", "G", "end"),
			Next:     b("n", "next match", "n"),
			Wrap:     b("w", "wrap lines", "w"),
			Watch:    b("W", "watch run", "W"),
		},
		Modules: Modules{
			Up:   b("↑/k", "up", "up", "k"),
			Down: b("↓/j", "down", "down", "j"),
			Bump: b("b", "bump the module (target version, scope)", "b"),
		},
		Dialog: Dialog{
			Yes:     b("y", "go ahead", "y"),
			No:      b("n", "cancel", "n"),
			Approve: b("a", "approve", "a"),
			Reject:  b("r", "reject", "r"),
			Press:   b("enter", "press the focused button", "enter"),
			Next:    b("tab", "next field or button", "tab"),
			Prev:    b("shift+tab", "previous field or button", "shift+tab"),
			Right:   b("→", "next button", "right"),
			Left:    b("←", "previous button", "left"),
			Cancel:  b("esc", "cancel", "esc"),
		},
		Detail: Detail{
			Close:      b("enter", "close", "enter"),
			ScrollUp:   b("↑/k", "scroll up", "up", "k"),
			ScrollDown: b("↓/j", "scroll down", "down", "j"),
		},
		Input: Input{
			Submit:   b("enter", "apply", "enter"),
			Cancel:   b("esc", "cancel", "esc"),
			Complete: b("tab", "complete", "tab"),
			Erase:    b("backspace", "delete a character", "backspace"),
			Clear:    b("ctrl+u", "clear the line", "ctrl+u"),
		},
	}
}

// action names a binding for config remapping.
type action struct {
	name     string
	contexts []string // the contexts where the binding is live
	binding  *key.Binding
}

// actions lists every remappable binding of m. Contexts that are active at
// the same time share a context name so duplicates across them are caught.
func (m *Map) actions() []action {
	// Neither the modules view nor the promotion board and diff ("promote")
	// take stack actions; the promotion's wave view ("waves") does.
	global := []string{"tree", "detail", "history", "run", "drift", "modules", "promote", "waves"}
	tree, detail, input, drift := []string{"tree"}, []string{"detail"}, []string{"input"}, []string{"drift"}
	acts := []string{"tree", "detail", "history", "run", "drift", "waves"}
	history, run, dialog := []string{"history"}, []string{"run"}, []string{"dialog"}
	modules := []string{"modules"}
	promote, promoteMove := []string{"promote"}, []string{"promote", "waves"}
	return []action{
		{"quit", global, &m.Global.Quit},
		{"help", global, &m.Global.Help},
		{"refresh", global, &m.Global.Refresh},
		{"filter", global, &m.Global.Filter},
		{"command", global, &m.Global.Command},
		{"next_env", global, &m.Global.NextEnv},
		{"prev_env", global, &m.Global.PrevEnv},
		{"jump_env", global, &m.Global.JumpEnv},
		{"back", global, &m.Global.ClearEsc},
		{"modules", global, &m.Global.Modules},
		{"promotion_board", global, &m.Global.Promote},
		{"up", tree, &m.Tree.Up},
		{"down", tree, &m.Tree.Down},
		{"top", tree, &m.Tree.Top},
		{"bottom", tree, &m.Tree.Bottom},
		{"page_up", tree, &m.Tree.PageUp},
		{"page_down", tree, &m.Tree.PageDown},
		{"detail", tree, &m.Tree.Detail},
		{"mark", tree, &m.Tree.Mark},
		{"mark_all", tree, &m.Tree.MarkAll},
		{"watch", tree, &m.Tree.Watch},
		{"drift_inbox", tree, &m.Tree.Inbox},
		{"check_drift", tree, &m.Tree.Check},
		{"drift_up", drift, &m.Drift.Up},
		{"drift_down", drift, &m.Drift.Down},
		{"drift_open", drift, &m.Drift.Open},
		{"drift_check", drift, &m.Drift.Check},
		{"drift_ignore", drift, &m.Drift.Ignore},
		{"plan", acts, &m.Actions.Plan},
		{"deploy", acts, &m.Actions.Deploy},
		{"confirm", acts, &m.Actions.Confirm},
		{"discard", acts, &m.Actions.Discard},
		{"retry", acts, &m.Actions.Retry},
		{"stop", acts, &m.Actions.Stop},
		{"review", acts, &m.Actions.Review},
		{"lock", acts, &m.Actions.Lock},
		{"sync", acts, &m.Actions.Sync},
		{"latest_run", acts, &m.Actions.Latest},
		{"history", acts, &m.Actions.History},
		{"open", acts, &m.Actions.Open},
		{"copy_url", acts, &m.Actions.CopyURL},
		{"history_up", history, &m.History.Up},
		{"history_down", history, &m.History.Down},
		{"history_open", history, &m.History.Open},
		{"history_watch", history, &m.History.Watch},
		{"promote_up", promoteMove, &m.Promote.Up},
		{"promote_down", promoteMove, &m.Promote.Down},
		{"promote_left", promote, &m.Promote.Left},
		{"promote_right", promote, &m.Promote.Right},
		{"promote_open", promote, &m.Promote.Open},
		{"promote_predict", promote, &m.Promote.Predict},
		{"log_up", run, &m.Run.Up},
		{"log_down", run, &m.Run.Down},
		{"log_page_up", run, &m.Run.PageUp},
		{"log_page_down", run, &m.Run.PageDown},
		{"log_top", run, &m.Run.Top},
		{"log_follow", run, &m.Run.Follow},
		{"log_next_match", run, &m.Run.Next},
		{"log_wrap", run, &m.Run.Wrap},
		{"run_watch", run, &m.Run.Watch},
		{"modules_up", modules, &m.Modules.Up},
		{"modules_down", modules, &m.Modules.Down},
		{"modules_bump", modules, &m.Modules.Bump},
		{"dialog_yes", dialog, &m.Dialog.Yes},
		{"dialog_no", dialog, &m.Dialog.No},
		{"dialog_approve", dialog, &m.Dialog.Approve},
		{"dialog_reject", dialog, &m.Dialog.Reject},
		{"dialog_press", dialog, &m.Dialog.Press},
		{"dialog_next", dialog, &m.Dialog.Next},
		{"dialog_prev", dialog, &m.Dialog.Prev},
		{"dialog_right", dialog, &m.Dialog.Right},
		{"dialog_left", dialog, &m.Dialog.Left},
		{"dialog_cancel", dialog, &m.Dialog.Cancel},
		{"close_detail", detail, &m.Detail.Close},
		{"scroll_up", detail, &m.Detail.ScrollUp},
		{"scroll_down", detail, &m.Detail.ScrollDown},
		{"input_submit", input, &m.Input.Submit},
		{"input_cancel", input, &m.Input.Cancel},
		{"input_complete", input, &m.Input.Complete},
		{"input_erase", input, &m.Input.Erase},
		{"input_clear", input, &m.Input.Clear},
	}
}

// Actions returns the valid action names, sorted, for config validation and
// documentation.
func Actions() []string {
	m := Default()
	var out []string
	for _, a := range m.actions() {
		out = append(out, a.name)
	}
	sort.Strings(out)
	return out
}

// Apply remaps actions to the given keys (each replaces the action's default
// keys) and validates the result: unknown action names, empty key lists, the
// v1-style " " for space, and one key bound to two actions in one context
// are errors.
func (m *Map) Apply(remap map[string][]string) error {
	byName := map[string]action{}
	for _, a := range m.actions() {
		byName[a.name] = a
	}
	names := make([]string, 0, len(remap))
	for n := range remap {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a, ok := byName[n]
		if !ok {
			return &ActionError{Action: n, Msg: fmt.Sprintf("unknown action %q (valid: %s)", n, strings.Join(Actions(), ", "))}
		}
		ks := remap[n]
		if len(ks) == 0 {
			return &ActionError{Action: n, Msg: "no keys given"}
		}
		for _, k := range ks {
			if strings.TrimSpace(k) == "" {
				return &ActionError{Action: n, Msg: fmt.Sprintf("use \"space\" for the space bar, not %q", k)}
			}
		}
		a.binding.SetKeys(ks...)
		a.binding.SetHelp(strings.Join(ks, "/"), a.binding.Help().Desc)
	}
	return m.Validate()
}

// ActionError is a bad remapping of one action, so callers can point at the
// config line that sets it.
type ActionError struct {
	Action string
	Msg    string
}

func (e *ActionError) Error() string { return fmt.Sprintf("keys: action %q: %s", e.Action, e.Msg) }

// Validate reports a key bound to two actions of one context.
func (m *Map) Validate() error {
	seen := map[string]string{} // context+key -> action
	for _, a := range m.actions() {
		for _, c := range a.contexts {
			for _, k := range a.binding.Keys() {
				id := c + "\x00" + k
				if prev, dup := seen[id]; dup {
					return fmt.Errorf("keys: %q is bound to both %q and %q", k, prev, a.name)
				}
				seen[id] = a.name
			}
		}
	}
	return nil
}
