package ui

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/stackview/stackview/internal/ui/screen"
)

// fadeAfter is how long a status message stays, on the model's clock.
// Errors and alerts stay until the next key instead.
const fadeAfter = 4 * time.Second

// keepMessages is how many recent messages :messages keeps.
const keepMessages = 50

// statusKind says how a message leaves the status line.
type statusKind int

const (
	infoText  statusKind = iota // fades after fadeAfter
	errText                     // stays until the next key; shown with ✗
	alertText                   // a notice the user asked for (a watched run): stays until the next key
)

// status is the message on the status line, and the recent ones.
type status struct {
	text string
	kind statusKind
	at   time.Time
	// log is the recent messages, oldest first; it is copied on write, so
	// models that share it never see each other's.
	log []screen.Message
}

// set shows a message and keeps it in the log. An error is said with one
// ✗, which line adds: a text that brings its own loses it.
func (s status) set(now time.Time, text string, kind statusKind) status {
	if kind == errText {
		text = strings.TrimPrefix(text, "✗ ")
	}
	log := s.log
	if text != "" {
		start := max(0, len(log)+1-keepMessages)
		log = append(append(make([]screen.Message, 0, len(log)-start+1), log[start:]...),
			screen.Message{Text: text, Err: kind == errText, Alert: kind == alertText, At: now})
	}
	return status{text: text, kind: kind, at: now, log: log}
}

// clear takes the message off the status line; the log keeps it.
func (s status) clear() status { return status{log: s.log} }

// keyed is the status after a key press: errors and alerts are read.
func (s status) keyed() status {
	if s.kind != infoText {
		return s.clear()
	}
	return s
}

// faded is the status at now: an old message is gone.
func (s status) faded(now time.Time) status {
	if s.kind == infoText && s.text != "" && now.Sub(s.at) >= fadeAfter {
		return s.clear()
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
