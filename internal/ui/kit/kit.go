// Package kit is the small text toolkit every screen draws with: cells
// fitted to a width, blocks fitted to a rectangle, wrapping, overlays, ages,
// state labels, and the line editor of filters, searches and commands.
package kit

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/theme"
)

// StateLabel is a state as icon and word, never colour alone, and the style
// that colours it where colour is available.
func StateLabel(s model.RunState, st *theme.Styles) (string, lipgloss.Style) {
	word := string(s)
	switch {
	case s == model.StateFinished:
		return "✓ " + word, st.OK
	case s == model.StateFailed:
		return "✗ " + word, st.Fail
	case s.Waiting():
		return "? " + word, st.Waiting
	case s.Active():
		return "◐ " + word, st.Active
	case s.Terminal(): // discarded, canceled, stopped, skipped
		return "– " + word, st.Subtle
	case s == model.StateNone || s == "":
		return "· NONE", st.Subtle
	}
	return "· " + word, st.Subtle
}

// Thousands writes n with thousands separated by commas: 10,000.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	start := 0
	if n < 0 {
		start = 1
	}
	for i := len(s) - 3; i > start; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Age is a short duration for columns: 45s, 3m, 5h, 2d.
func Age(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// RunAge is how long ago a run last changed state.
func RunAge(now time.Time, r *model.Run) string {
	when := r.UpdatedAt
	if when.IsZero() {
		when = r.CreatedAt
	}
	if when.IsZero() {
		return "–"
	}
	return Age(now.Sub(when))
}

// ShortID keeps the first ten characters of a long id (ULIDs sort by
// time, so the head tells runs of a stack apart): for narrow columns.
func ShortID(id string) string {
	if r := []rune(id); len(r) > 12 {
		return string(r[:10]) + "…"
	}
	return id
}

// Queued says what a queued run waits for: the run ahead of it on its
// stack (model.Stack.QueuedBehind), by its id (ShortID when short), or,
// with none, a worker.
func Queued(blocker *model.Run, short bool) string {
	if blocker == nil {
		return "queued: no run ahead of it on this stack (waiting for a worker)"
	}
	id := blocker.ID
	if short {
		id = ShortID(id)
	}
	text := "queued behind " + id + " " + string(blocker.State)
	if blocker.NeedsApproval {
		text += " (needs approval)"
	}
	return text
}

// Fit truncates s to w cells with an ellipsis and pads it to exactly w, so
// columns line up and nothing wraps.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := Width(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = Width(s)
	}
	return s + strings.Repeat(" ", max(0, w-n))
}

// Width is the cells s takes on a terminal, escape sequences not counted.
// Plain printable ASCII, most of what a frame holds (names, ids, states),
// is one cell a byte; measuring it by grapheme clusters was a third of a
// keystroke's frame at 10,000 stacks.
func Width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// Block fits lines into a w×h rectangle.
func Block(lines []string, w, h int) string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = Fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return strings.Join(out, "\n")
}

// Beside puts right to the right of left, a space between, line by line.
// Every line of left must be leftWidth cells wide (a Block, a tree's rows):
// that is what lets it skip measuring each line, as lipgloss's
// JoinHorizontal does on every frame.
func Beside(left string, leftWidth int, right string) string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	out := make([]string, max(len(l), len(r)))
	for i := range out {
		a, b := strings.Repeat(" ", leftWidth), ""
		if i < len(l) {
			a = l[i]
		}
		if i < len(r) {
			b = r[i]
		}
		out[i] = a + " " + b
	}
	return strings.Join(out, "\n")
}

// Spread puts left and right on one line of width cells, cutting left first.
func Spread(left, right string, width int) string {
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return Fit(left, max(0, width-lipgloss.Width(right)-1)) + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}

// Delta is a plan summary like "+1 ~2 -0", "" when unknown.
func Delta(d *model.Delta) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// DeltaStyled is a plan summary coloured by kind of change.
func DeltaStyled(d *model.Delta, st *theme.Styles) string {
	return st.OK.Render(fmt.Sprintf("+%d", d.Add)) + " " + st.Warn.Render(fmt.Sprintf("~%d", d.Change)) + " " +
		st.Fail.Render(fmt.Sprintf("-%d", d.Destroy))
}

// Plural is word for one, word+"s" otherwise.
func Plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// OrDash is s, or a dash for nothing.
func OrDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// Pick is a when cond holds, else b.
func Pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// Quote puts a filter or search in quotes for messages.
func Quote(f string) string { return "\"" + f + "\"" }

// WrapLines wraps lines wider than w, indenting continuations under the
// field values so long lock notes and descriptions stay readable.
func WrapLines(lines []string, w int) []string {
	const indent = 11
	var out []string
	for _, l := range lines {
		if lipgloss.Width(l) <= w {
			out = append(out, l)
			continue
		}
		first, rest := cutWidth(l, w)
		out = append(out, first)
		for rest != "" && w > indent+8 {
			var part string
			part, rest = cutWidth(rest, w-indent)
			out = append(out, strings.Repeat(" ", indent)+part)
		}
	}
	return out
}

// cutWidth splits a styled string after w cells, at a space when one is near.
func cutWidth(s string, w int) (string, string) {
	wrapped := strings.SplitN(ansi.Wrap(s, w, ""), "\n", 2)
	if len(wrapped) == 1 {
		return wrapped[0], ""
	}
	return wrapped[0], strings.TrimLeft(wrapped[1], " ")
}

// Overlay puts box in the middle of a w×h body, over what is behind it.
func Overlay(body, box string, w, h int) string {
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max(0, (w-bw)/2), max(0, (h-bh)/3)
	bodyLines := strings.Split(body, "\n")
	boxLines := strings.Split(box, "\n")
	for i, bl := range boxLines {
		row := y + i
		if row >= len(bodyLines) {
			break
		}
		bodyLines[row] = Fit(strings.Repeat(" ", x)+bl, w)
	}
	return strings.Join(bodyLines, "\n")
}

// DisplayRepo shortens a local repository URL (the sandbox's) to its last
// two path elements: the temp directory in front says nothing to the user.
func DisplayRepo(repo string) string {
	path, ok := strings.CutPrefix(repo, "file://")
	if !ok {
		return OrDash(repo)
	}
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return "local " + strings.Join(parts, "/")
}

// Input is a line being typed: a filter, a log search, a command.
type Input struct{ Value string }

// Key edits the line with a key press: erase, clear, or the text typed;
// other keys (enter, esc, tab) are the caller's, and ok is false.
func (in Input) Key(km *keys.Map, msg tea.KeyPressMsg) (Input, bool) {
	switch {
	case Typed(msg):
		in.Value += msg.Text
	case km.Is(msg, keys.InputErase):
		if r := []rune(in.Value); len(r) > 0 {
			in.Value = string(r[:len(r)-1])
		}
	case km.Is(msg, keys.InputClear):
		in.Value = ""
	default:
		return in, false
	}
	return in, true
}

// Host is an endpoint's host ("app.terraform.io" of its https URL), or
// "" when it names no network place ("in-process").
func Host(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Host
}

// Typed reports a key that types text (a letter, a digit, a space): in a
// field with the focus it is text, whatever key is bound to it (keys.Map
// refuses such bindings for actions live while text is typed).
func Typed(msg tea.KeyPressMsg) bool {
	if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt|tea.ModMeta|tea.ModSuper|tea.ModHyper) != 0 {
		return false
	}
	for _, r := range msg.Text {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// Paste types pasted text, on one line.
func (in Input) Paste(text string) Input {
	in.Value += strings.Join(strings.Fields(text), " ")
	return in
}
