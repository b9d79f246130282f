package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/theme"
)

// stateLabel is a state as icon and word, never colour alone, and the style
// that colours it where colour is available.
func stateLabel(s model.RunState, st *theme.Styles) (string, lipgloss.Style) {
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

// age is a short duration for columns: 45s, 3m, 5h, 2d.
func age(d time.Duration) string {
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

// shortSHA is the 7-character commit form.
func shortSHA(c string) string {
	if len(c) > 7 {
		return c[:7]
	}
	return c
}

// fit truncates s to w cells with an ellipsis and pads it to exactly w, so
// columns line up and nothing wraps.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", max(0, w-ansi.StringWidth(s)))
}

// deltaText is a plan summary like "+1 ~2 -0".
func deltaText(d *model.Delta) string {
	if d == nil {
		return ""
	}
	return fmt.Sprintf("+%d ~%d -%d", d.Add, d.Change, d.Destroy)
}

// runAge is how long ago a run last changed state.
func (m Model) runAge(r *model.Run) string {
	when := r.UpdatedAt
	if when.IsZero() {
		when = r.CreatedAt
	}
	if when.IsZero() {
		return "–"
	}
	return age(m.now().Sub(when))
}
