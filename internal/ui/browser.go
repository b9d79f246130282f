package ui

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// openedMsg reports the browser launch for a URL.
type openedMsg struct {
	url string
	err error
}

// openBrowser starts the platform's URL opener and does not wait for it.
func openBrowser(ctx context.Context, url string) error {
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	}
	cmd := exec.CommandContext(ctx, name, url)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	go cmd.Wait() //nolint:errcheck // the opener's exit status says nothing useful
	return nil
}

// webURL is the selected stack's URL when a browser can show it.
func (m Model) webURL() (string, string) {
	s := m.selected()
	switch {
	case s == nil:
		return "", "no stack selected"
	case s.URL == "":
		return "", s.Name + " has no URL"
	case !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://"):
		return "", s.Name + " has no web page (" + s.URL + ")"
	}
	return s.URL, ""
}

// openSelected opens the selected stack in the browser, as a command.
func (m Model) openSelected() (tea.Model, tea.Cmd) {
	url, why := m.webURL()
	if url == "" {
		return m.fail("%s", why)
	}
	ctx, open := m.ctx, m.openURL
	return m, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return openedMsg{url: url, err: open(ctx, url)}
	}
}

func (m Model) onOpened(msg openedMsg) Model {
	if msg.err != nil {
		m.message, m.messageErr = "could not open a browser: "+msg.err.Error()+" (y copies the URL)", true
		return m
	}
	m.message, m.messageErr = "opened "+msg.url, false
	return m
}

// copySelectedURL puts the stack's URL on the clipboard (OSC 52, so it also
// works over ssh).
func (m Model) copySelectedURL() (tea.Model, tea.Cmd) {
	s := m.selected()
	if s == nil || s.URL == "" {
		return m.fail("no URL to copy")
	}
	m.message, m.messageErr = "copied "+s.URL, false
	return m, tea.SetClipboard(s.URL)
}
