// Package keys declares every key binding of the UI once: its name in the
// config's [keys] table, the contexts (screens) where it is live, its
// default keys and its help. Defaults, remapping, validation, dispatch,
// footers and help all read that one declaration. Apply validates names and
// refuses a key bound twice in one context, since the second binding could
// never fire.
package keys

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
)

// ID names a binding in code; Decls declares it.
type ID int

// Every binding. The groups follow the contexts that use them.
const (
	// Global: every screen that is not modal (Interrupt: every screen).
	Quit ID = iota
	Interrupt
	Help
	Refresh
	Command
	Modules
	Promotion // the followed promotion's waves, else the promotion board
	Message   // the recent messages in full
	Attention // what waits on you, across environments

	// Back is esc: one screen back; on the tree, clear the filter, then
	// the marks, then the message.
	Back

	// The stack tree.
	Filter
	NextEnv
	PrevEnv
	JumpEnv // the n-th key selects the n-th environment
	Up
	Down
	Top
	Bottom
	PageUp
	PageDown
	Detail
	Mark
	MarkAll
	Watch
	Inbox // the drift inbox
	CheckDrift

	// Stack and run actions, wherever a stack (and maybe a run) is in view.
	Plan
	Deploy // in the run view of a finished plan: deploy that preview
	Confirm
	Discard
	Retry
	Stop
	Review
	Lock
	Sync
	Latest
	History
	Open
	CopyURL

	// The full-screen detail.
	CloseDetail
	ScrollUp
	ScrollDown

	// The drift inbox and a stack's drift.
	DriftUp
	DriftDown
	DriftOpen
	DriftCheck
	DriftIgnore
	DriftIgnores  // the ignore rules and where each lives
	DriftUnignore // remove an ignore rule

	// A stack's run history.
	HistoryUp
	HistoryDown
	HistoryOpen
	HistoryWatch

	// The promotion board, diff and waves.
	PromoteUp
	PromoteDown
	PromoteLeft
	PromoteRight
	PromoteOpen
	PromotePredict

	// Fold folds long values, or shows them whole (the run view, a stack's
	// drift, a promotion's diff); on the tree it collapses or expands the
	// business unit under the cursor.
	Fold

	// The run view's log.
	LogUp
	LogDown
	LogPageUp
	LogPageDown
	LogTop
	LogFollow
	LogSearch
	LogNext
	LogPrev
	LogWrap
	RunWatch
	RunPane  // the lower pane: the log or the plan's changes
	CopyMenu // copy the run id, commit or URL

	// Bulk confirm by plan.
	BulkConfirm
	BulkNext
	BulkPrev
	BulkUp
	BulkDown

	// The attention view.
	AttentionUp
	AttentionDown
	AttentionOpen

	// The modules view.
	ModulesUp
	ModulesDown
	ModulesBump

	// The help screen.
	HelpUp
	HelpDown
	HelpPageUp
	HelpPageDown

	// Dialogs: Yes and No work only while the buttons have the focus and
	// the environment is not protected.
	DialogYes
	DialogNo
	DialogApprove
	DialogReject
	DialogPress
	DialogNext
	DialogPrev
	DialogRight // buttons only: in a field the arrows belong to the text
	DialogLeft
	DialogCancel
	DialogScrollUp
	DialogScrollDown
	// A menu (the copy menu): move, pick by number.
	MenuUp
	MenuDown
	MenuPick

	// Any line being typed: a filter, a log search, a command.
	InputSubmit
	InputCancel
	InputComplete
	InputErase
	InputClear
	InputPrev // an earlier line (search history)
	InputNext

	count
)

// Contexts: a screen's, or "input" and "dialog". A binding is live in the
// contexts it lists; two bindings live in one context may not share a key.
const (
	CtxTree     = "tree"
	CtxDetail   = "detail"
	CtxHistory  = "history"
	CtxRun      = "run"
	CtxDrift    = "drift"
	CtxModules  = "modules"
	CtxPromote  = "promote" // the board and the diff
	CtxWaves    = "waves"
	CtxBulk     = "bulk" // bulk confirm by plan
	CtxAttn     = "attention"
	CtxMessages = "messages"
	CtxMenu     = "menu" // a menu over a screen (the copy menu)
	CtxHelp     = "help"
	CtxDialog   = "dialog"
	CtxInput    = "input"
	ctxNonModal = "*" // every screen but help, dialogs and typing
)

// Decl is one binding as declared.
type Decl struct {
	Name     string   // config name
	Contexts []string // where it is live
	Keys     []string // default keys
	Help     string   // how help shows the keys ("" = the keys joined by /)
	Desc     string
}

var (
	nonModal = []string{ctxNonModal}
	// acts: where stack actions are live (the modules view, the board and
	// the diff show no stack).
	acts = []string{CtxTree, CtxDetail, CtxHistory, CtxRun, CtxDrift, CtxWaves, CtxAttn}
	back = []string{CtxTree, CtxDetail, CtxHistory, CtxRun, CtxDrift, CtxModules, CtxPromote, CtxWaves, CtxBulk, CtxAttn, CtxMessages, CtxHelp}
)

// Decls is every binding, by ID.
var Decls = [count]Decl{
	Quit:      {"quit", []string{ctxNonModal, CtxHelp}, []string{"q"}, "", "quit"},
	Interrupt: {"interrupt", []string{ctxNonModal, CtxHelp, CtxDialog, CtxMenu, CtxInput}, []string{"ctrl+c"}, "", "quit, even in a dialog or mid-typing"},
	Help:      {"help", []string{ctxNonModal, CtxHelp}, []string{"?"}, "", "help: every key here"},
	Refresh:   {"refresh", nonModal, []string{"r"}, "", "refresh"},
	Command:   {"command", nonModal, []string{":"}, "", "command (:env, :stack, :attention, :drift, :modules, :promote, :messages, :q)"},
	Modules:   {"modules", nonModal, []string{"M"}, "", "modules (versions, bumps)"},
	Promotion: {"promotion_board", nonModal, []string{"P"}, "", "promotion: the one followed, else the board (dev → qa → prod)"},
	Message:   {"show_message", nonModal, []string{"e", "!"}, "e", "recent messages in full (:messages)"},
	Attention: {"attention", nonModal, []string{"A"}, "", "what waits on you (:attention)"},
	Back:      {"back", back, []string{"esc"}, "", "back"},

	Filter:     {"filter", []string{CtxTree}, []string{"/"}, "", "filter (name, re:, state:, kind:, is:)"},
	NextEnv:    {"next_env", []string{CtxTree}, []string{"tab"}, "", "next env"},
	PrevEnv:    {"prev_env", []string{CtxTree}, []string{"shift+tab"}, "", "previous env"},
	JumpEnv:    {"jump_env", []string{CtxTree}, []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, "1-9", "env by number"},
	Up:         {"up", []string{CtxTree}, []string{"up", "k"}, "↑/k", "up"},
	Down:       {"down", []string{CtxTree}, []string{"down", "j"}, "↓/j", "down"},
	Top:        {"top", []string{CtxTree}, []string{"g", "home"}, "g", "top"},
	Bottom:     {"bottom", []string{CtxTree}, []string{"G", "end"}, "G", "bottom"},
	PageUp:     {"page_up", []string{CtxTree}, []string{"pgup", "ctrl+b"}, "pgup", "page up"},
	PageDown:   {"page_down", []string{CtxTree}, []string{"pgdown", "ctrl+f"}, "pgdn", "page down"},
	Detail:     {"detail", []string{CtxTree}, []string{"enter"}, "", "detail"},
	Mark:       {"mark", []string{CtxTree, CtxAttn}, []string{"space"}, "", "mark / unmark"},
	MarkAll:    {"mark_all", []string{CtxTree}, []string{"ctrl+a"}, "", "mark all shown / unmark"},
	Watch:      {"watch", []string{CtxTree}, []string{"w"}, "", "watch the latest run"},
	Inbox:      {"drift_inbox", []string{CtxTree}, []string{"F"}, "", "drift inbox"},
	CheckDrift: {"check_drift", []string{CtxTree}, []string{"f"}, "", "check for drift now"},

	Plan:    {"plan", acts, []string{"p"}, "", "plan"},
	Deploy:  {"deploy", acts, []string{"D"}, "", "deploy"},
	Confirm: {"confirm", acts, []string{"c"}, "", "confirm"},
	Discard: {"discard", acts, []string{"x"}, "", "discard"},
	Retry:   {"retry", acts, []string{"R"}, "", "retry"},
	Stop:    {"stop", acts, []string{"S"}, "", "stop / cancel"},
	Review:  {"review", acts, []string{"v"}, "", "review (approve / reject)"},
	Lock:    {"lock", acts, []string{"L"}, "", "lock / unlock"},
	Sync:    {"sync", acts, []string{"s"}, "", "sync commit to branch head"},
	Latest:  {"latest_run", acts, []string{"l"}, "", "latest run"},
	History: {"history", acts, []string{"H"}, "", "run history"},
	Open:    {"open", acts, []string{"o"}, "", "open in browser"},
	CopyURL: {"copy_url", acts, []string{"u"}, "", "copy URL"},

	CloseDetail: {"close_detail", []string{CtxDetail}, []string{"enter"}, "", "close"},
	ScrollUp:    {"scroll_up", []string{CtxDetail, CtxMessages}, []string{"up", "k"}, "↑/k", "scroll up"},
	ScrollDown:  {"scroll_down", []string{CtxDetail, CtxMessages}, []string{"down", "j"}, "↓/j", "scroll down"},

	DriftUp:       {"drift_up", []string{CtxDrift}, []string{"up", "k"}, "↑/k", "up"},
	DriftDown:     {"drift_down", []string{CtxDrift}, []string{"down", "j"}, "↓/j", "down"},
	DriftOpen:     {"drift_open", []string{CtxDrift}, []string{"enter"}, "", "drifted resources"},
	DriftCheck:    {"drift_check", []string{CtxDrift}, []string{"f"}, "", "check for drift now"},
	DriftIgnore:   {"drift_ignore", []string{CtxDrift}, []string{"i"}, "", "ignore the selected attribute (with a reason)"},
	DriftIgnores:  {"drift_ignores", []string{CtxDrift}, []string{"I"}, "", "the ignore rules and where each lives"},
	DriftUnignore: {"drift_unignore", []string{CtxDrift}, []string{"d"}, "", "remove the selected ignore rule"},

	HistoryUp:    {"history_up", []string{CtxHistory}, []string{"up", "k"}, "↑/k", "up"},
	HistoryDown:  {"history_down", []string{CtxHistory}, []string{"down", "j"}, "↓/j", "down"},
	HistoryOpen:  {"history_open", []string{CtxHistory}, []string{"enter"}, "", "open run"},
	HistoryWatch: {"history_watch", []string{CtxHistory}, []string{"w"}, "", "watch run"},

	PromoteUp:      {"promote_up", []string{CtxPromote, CtxWaves}, []string{"up", "k"}, "↑/k", "up"},
	PromoteDown:    {"promote_down", []string{CtxPromote, CtxWaves}, []string{"down", "j"}, "↓/j", "down"},
	PromoteLeft:    {"promote_left", []string{CtxPromote}, []string{"left"}, "←", "previous environment"},
	PromoteRight:   {"promote_right", []string{CtxPromote}, []string{"right"}, "→", "next environment"},
	PromoteOpen:    {"promote_open", []string{CtxPromote}, []string{"enter"}, "", "promote to the next environment (diff first)"},
	PromotePredict: {"promote_predict", []string{CtxPromote}, []string{"p"}, "", "predicted plans (proposed runs at the promoted commit)"},

	Fold: {"fold", []string{CtxTree, CtxRun, CtxDrift, CtxPromote}, []string{"z"}, "", "fold long values / collapse a business unit"},

	LogUp:       {"log_up", []string{CtxRun}, []string{"up", "k"}, "↑/k", "scroll up"},
	LogDown:     {"log_down", []string{CtxRun}, []string{"down", "j"}, "↓/j", "scroll down"},
	LogPageUp:   {"log_page_up", []string{CtxRun}, []string{"pgup", "ctrl+b"}, "pgup", "page up"},
	LogPageDown: {"log_page_down", []string{CtxRun}, []string{"pgdown", "ctrl+f"}, "pgdn", "page down"},
	LogTop:      {"log_top", []string{CtxRun}, []string{"g", "home"}, "g", "top"},
	LogFollow:   {"log_follow", []string{CtxRun}, []string{"G", "end"}, "G", "follow the end"},
	LogSearch:   {"log_search", []string{CtxRun}, []string{"/"}, "", "search the log"},
	LogNext:     {"log_next_match", []string{CtxRun}, []string{"n"}, "", "next match"},
	LogPrev:     {"log_prev_match", []string{CtxRun}, []string{"N"}, "", "previous match"},
	LogWrap:     {"log_wrap", []string{CtxRun}, []string{"w"}, "", "wrap lines"},
	RunWatch:    {"run_watch", []string{CtxRun}, []string{"W"}, "", "watch run"},
	RunPane:     {"run_pane", []string{CtxRun}, []string{"tab"}, "", "the plan's changes / the log"},
	CopyMenu:    {"copy_menu", []string{CtxRun}, []string{"y"}, "", "copy… (run id, commit, URL)"},

	BulkConfirm: {"bulk_confirm", []string{CtxBulk}, []string{"c"}, "", "confirm this plan's runs"},
	BulkNext:    {"bulk_next", []string{CtxBulk}, []string{"tab", "right"}, "tab/→", "next plan"},
	BulkPrev:    {"bulk_prev", []string{CtxBulk}, []string{"shift+tab", "left"}, "shift+tab/←", "previous plan"},
	BulkUp:      {"bulk_up", []string{CtxBulk}, []string{"up", "k"}, "↑/k", "scroll up"},
	BulkDown:    {"bulk_down", []string{CtxBulk}, []string{"down", "j"}, "↓/j", "scroll down"},

	AttentionUp:   {"attention_up", []string{CtxAttn}, []string{"up", "k"}, "↑/k", "up"},
	AttentionDown: {"attention_down", []string{CtxAttn}, []string{"down", "j"}, "↓/j", "down"},
	AttentionOpen: {"attention_open", []string{CtxAttn}, []string{"enter"}, "", "open the run (a drifted stack: its drift)"},

	ModulesUp:   {"modules_up", []string{CtxModules}, []string{"up", "k"}, "↑/k", "up"},
	ModulesDown: {"modules_down", []string{CtxModules}, []string{"down", "j"}, "↓/j", "down"},
	ModulesBump: {"modules_bump", []string{CtxModules}, []string{"b"}, "", "bump the module (target version, scope)"},

	HelpUp:       {"help_up", []string{CtxHelp}, []string{"up", "k"}, "↑/k", "scroll up"},
	HelpDown:     {"help_down", []string{CtxHelp}, []string{"down", "j"}, "↓/j", "scroll down"},
	HelpPageUp:   {"help_page_up", []string{CtxHelp}, []string{"pgup", "ctrl+b"}, "pgup", "previous page"},
	HelpPageDown: {"help_page_down", []string{CtxHelp}, []string{"pgdown", "ctrl+f", "space"}, "pgdn", "next page"},

	DialogYes:        {"dialog_yes", []string{CtxDialog}, []string{"y"}, "", "go ahead"},
	DialogNo:         {"dialog_no", []string{CtxDialog}, []string{"n"}, "", "cancel"},
	DialogApprove:    {"dialog_approve", []string{CtxDialog}, []string{"a"}, "", "approve"},
	DialogReject:     {"dialog_reject", []string{CtxDialog}, []string{"r"}, "", "reject"},
	DialogPress:      {"dialog_press", []string{CtxDialog, CtxMenu}, []string{"enter"}, "", "press the focused button"},
	DialogNext:       {"dialog_next", []string{CtxDialog}, []string{"tab"}, "", "next field or button"},
	DialogPrev:       {"dialog_prev", []string{CtxDialog}, []string{"shift+tab"}, "", "previous field or button"},
	DialogRight:      {"dialog_right", []string{CtxDialog}, []string{"right"}, "→", "next button"},
	DialogLeft:       {"dialog_left", []string{CtxDialog}, []string{"left"}, "←", "previous button"},
	DialogCancel:     {"dialog_cancel", []string{CtxDialog, CtxMenu}, []string{"esc"}, "", "cancel"},
	DialogScrollUp:   {"dialog_scroll_up", []string{CtxDialog}, []string{"up"}, "↑", "scroll the text up"},
	DialogScrollDown: {"dialog_scroll_down", []string{CtxDialog}, []string{"down"}, "↓", "scroll the text down"},
	MenuUp:           {"menu_up", []string{CtxMenu}, []string{"up", "k"}, "↑/k", "up"},
	MenuDown:         {"menu_down", []string{CtxMenu}, []string{"down", "j"}, "↓/j", "down"},
	MenuPick:         {"menu_pick", []string{CtxMenu}, []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, "1-9", "pick by number"},

	InputSubmit:   {"input_submit", []string{CtxInput}, []string{"enter"}, "", "apply"},
	InputCancel:   {"input_cancel", []string{CtxInput}, []string{"esc"}, "", "cancel"},
	InputComplete: {"input_complete", []string{CtxInput}, []string{"tab"}, "", "complete"},
	InputErase:    {"input_erase", []string{CtxInput}, []string{"backspace"}, "", "delete a character"},
	InputClear:    {"input_clear", []string{CtxInput}, []string{"ctrl+u"}, "", "clear the line"},
	InputPrev:     {"input_prev", []string{CtxInput}, []string{"up"}, "↑", "an earlier search"},
	InputNext:     {"input_next", []string{CtxInput}, []string{"down"}, "↓", "a later search"},
}

// Map is the bindings in use: the declarations, remapped by the config.
type Map struct {
	b [count]key.Binding
}

// Default returns fresh bindings; callers own and may remap them.
func Default() *Map {
	m := &Map{}
	for id, d := range Decls {
		help := d.Help
		if help == "" {
			help = strings.Join(d.Keys, "/")
		}
		m.b[id] = key.NewBinding(key.WithKeys(d.Keys...), key.WithHelp(help, d.Desc))
	}
	return m
}

// Get is the binding of id.
func (m *Map) Get(id ID) key.Binding { return m.b[id] }

// Is reports whether msg is one of id's keys.
func (m *Map) Is(msg fmt.Stringer, id ID) bool { return key.Matches(msg, m.b[id]) }

// Key is how help shows id's keys: "q", "↑/k".
func (m *Map) Key(id ID) string { return m.b[id].Help().Key }

// Desc is id's declared help text.
func (m *Map) Desc(id ID) string { return m.b[id].Help().Desc }

// Actions returns the valid action names, sorted, for config validation
// and documentation.
func Actions() []string {
	out := make([]string, 0, len(Decls))
	for _, d := range Decls {
		out = append(out, d.Name)
	}
	sort.Strings(out)
	return out
}

// Apply remaps actions to the given keys (each replaces the action's
// default keys) and validates the result: unknown action names, empty key
// lists, the v1-style " " for space, and one key bound to two actions in
// one context are errors.
func (m *Map) Apply(remap map[string][]string) error {
	byName := map[string]ID{}
	for id, d := range Decls {
		byName[d.Name] = ID(id)
	}
	names := make([]string, 0, len(remap))
	for n := range remap {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		id, ok := byName[n]
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
		m.b[id].SetKeys(ks...)
		m.b[id].SetHelp(strings.Join(ks, "/"), m.b[id].Help().Desc)
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

// screens are the contexts where the non-modal (global) bindings are live.
var screens = []string{CtxTree, CtxDetail, CtxHistory, CtxRun, CtxDrift, CtxModules, CtxPromote, CtxWaves, CtxBulk, CtxAttn, CtxMessages}

// Live reports whether id is live in context ctx.
func Live(id ID, ctx string) bool {
	for _, c := range Decls[id].Contexts {
		if c == ctx || (c == ctxNonModal && contains(screens, ctx)) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fieldKeys are the dialog's bindings live while one of its text fields
// has the focus; its buttons' hotkeys (y, n, a, r) are live only on the
// buttons.
var fieldKeys = []ID{DialogPress, DialogNext, DialogPrev, DialogCancel, DialogScrollUp, DialogScrollDown}

// LiveWhileTyping reports whether id is live while text is typed: in a
// line (a filter, a log search, a command) or a dialog's field. A
// printable key there would never type itself, so none may be bound.
func LiveWhileTyping(id ID) bool {
	return Live(id, CtxInput) || slices.Contains(fieldKeys, id)
}

// Printable reports a key that types a character ("e", "?", "space"):
// text, wherever text is typed.
func Printable(k string) bool {
	r := []rune(k)
	return k == "space" || (len(r) == 1 && unicode.IsPrint(r[0]))
}

// Validate reports a printable key bound to an action live while text is
// typed, and a key bound to two actions of one context.
func (m *Map) Validate() error {
	for id := range Decls {
		if !LiveWhileTyping(ID(id)) {
			continue
		}
		for _, k := range m.b[id].Keys() {
			if Printable(k) {
				return &ActionError{Action: Decls[id].Name, Msg: fmt.Sprintf(
					"%q types a character, and this action is live while text is typed (a dialog's field, a filter, a search), "+
						"where it would never type itself: bind a key such as enter, tab or ctrl+…", k)}
			}
		}
	}
	seen := map[string]string{} // context+key -> action
	for _, ctx := range append(append([]string(nil), screens...), CtxHelp, CtxDialog, CtxMenu, CtxInput) {
		for id := range Decls {
			if !Live(ID(id), ctx) {
				continue
			}
			for _, k := range m.b[id].Keys() {
				cid := ctx + "\x00" + k
				if prev, dup := seen[cid]; dup {
					return fmt.Errorf("keys: %q is bound to both %q and %q (in the %s screen)", k, prev, Decls[id].Name, ctx)
				}
				seen[cid] = Decls[id].Name
			}
		}
	}
	return nil
}
