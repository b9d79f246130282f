// Package theme turns a semantic palette into every lipgloss style the UI
// uses, for dark and light terminals and for no colour at all. Components
// take a *Styles and never pick colours themselves.
package theme

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Palette names colours by meaning. Each is a light/dark pair resolved by New.
type Palette struct {
	Text, Subtle, Accent, OK, Warn, Fail, Active, Waiting, SelectedBg, Badge [2]color.Color
}

// DefaultPalette is readable on both light (first) and dark (second)
// backgrounds.
func DefaultPalette() Palette {
	c := lipgloss.Color
	return Palette{
		Text:       [2]color.Color{c("#1f2328"), c("#e6edf3")},
		Subtle:     [2]color.Color{c("#59636e"), c("#8b949e")},
		Accent:     [2]color.Color{c("#0550ae"), c("#79c0ff")},
		OK:         [2]color.Color{c("#1a7f37"), c("#3fb950")},
		Warn:       [2]color.Color{c("#9a6700"), c("#d29922")},
		Fail:       [2]color.Color{c("#cf222e"), c("#f85149")},
		Active:     [2]color.Color{c("#8250df"), c("#d2a8ff")},
		Waiting:    [2]color.Color{c("#bc4c00"), c("#ffa657")},
		SelectedBg: [2]color.Color{c("#ddf4ff"), c("#1f3a5f")},
		Badge:      [2]color.Color{c("#bf3989"), c("#db61a2")},
	}
}

// Styles is every style the UI renders with.
type Styles struct {
	Dark    bool
	NoColor bool

	Title, Subtle, Accent lipgloss.Style
	OK, Warn, Fail        lipgloss.Style
	Active, Waiting       lipgloss.Style
	Badge                 lipgloss.Style // SANDBOX, READ-ONLY
	TabActive, Tab        lipgloss.Style
	ColumnHeader          lipgloss.Style
	Heading               lipgloss.Style // unit and section headings in the tree
	Selected              lipgloss.Style // the cursor row
	Label                 lipgloss.Style // detail pane field names
	PaneBorder            lipgloss.Style
	StatusError, Status   lipgloss.Style
	HelpKey, HelpDesc     lipgloss.Style
}

// New builds the styles for a dark or light background. With noColor every
// style keeps only attributes (bold, reverse, underline), so meaning rests on
// the icons and words the UI always prints.
func New(dark, noColor bool, p Palette) *Styles {
	i := 0
	if dark {
		i = 1
	}
	s := lipgloss.NewStyle
	fg := func(c [2]color.Color) lipgloss.Style {
		if noColor {
			return s()
		}
		return s().Foreground(c[i])
	}
	st := &Styles{Dark: dark, NoColor: noColor}
	st.Title = fg(p.Accent).Bold(true)
	st.Subtle = fg(p.Subtle)
	st.Accent = fg(p.Accent)
	st.OK = fg(p.OK)
	st.Warn = fg(p.Warn).Bold(true)
	st.Fail = fg(p.Fail).Bold(true)
	st.Active = fg(p.Active)
	st.Waiting = fg(p.Waiting).Bold(true)
	st.Badge = fg(p.Badge).Bold(true)
	st.TabActive = fg(p.Accent).Bold(true).Underline(true)
	st.Tab = fg(p.Subtle)
	st.ColumnHeader = fg(p.Subtle).Bold(true)
	st.Heading = fg(p.Accent).Bold(true)
	st.Label = fg(p.Subtle)
	st.PaneBorder = fg(p.Subtle).Border(lipgloss.RoundedBorder()).Padding(0, 1)
	if !noColor {
		st.PaneBorder = st.PaneBorder.BorderForeground(p.Subtle[i])
	}
	st.StatusError = fg(p.Fail).Bold(true)
	st.Status = fg(p.Subtle)
	st.HelpKey = fg(p.Accent).Bold(true)
	st.HelpDesc = fg(p.Subtle)
	if noColor {
		st.Selected = s().Reverse(true)
	} else {
		st.Selected = s().Background(p.SelectedBg[i]).Bold(true)
	}
	return st
}
