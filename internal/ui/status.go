package ui

import (
	"time"

	"charm.land/lipgloss/v2"
)

// fadeAfter is how long a status message stays, on the model's clock.
// Errors and alerts stay until the next key instead.
const fadeAfter = 4 * time.Second

// statusKind says how a message leaves the status line.
type statusKind int

const (
	infoText  statusKind = iota // fades after fadeAfter
	errText                     // stays until the next key; shown with ✗
	alertText                   // a notice the user asked for (a watched run): stays until the next key
)

// status is the message on the status line.
type status struct {
	text string
	kind statusKind
	at   time.Time
}

func (s status) set(now time.Time, text string, kind statusKind) status {
	return status{text: text, kind: kind, at: now}
}

// keyed is the status after a key press: errors and alerts are read.
func (s status) keyed() status {
	if s.kind != infoText {
		return status{}
	}
	return s
}

// faded is the status at now: an old message is gone.
func (s status) faded(now time.Time) status {
	if s.kind == infoText && s.text != "" && now.Sub(s.at) >= fadeAfter {
		return status{}
	}
	return s
}

func (s status) err() bool { return s.kind == errText }

// line is the message as the status line shows it.
func (s status) line() string {
	if s.err() && s.text != "" {
		return "✗ " + s.text
	}
	return s.text
}

// cut reports a message too long for a status line width cells wide.
func (s status) cut(width int) bool { return s.text != "" && lipgloss.Width(s.line()) > width-12 }
