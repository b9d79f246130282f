package ui

import (
	"context"
	"fmt"
	"os"
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

// openBrowser starts $BROWSER, else the platform's URL opener, and does
// not wait for it.
func openBrowser(ctx context.Context, url string) error {
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	}
	if b := os.Getenv("BROWSER"); b != "" {
		name = b
	}
	cmd := exec.CommandContext(ctx, name, url)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	go cmd.Wait() //nolint:errcheck // the opener's exit status says nothing useful
	return nil
}

// targetURL is the URL of what is in view: the run in the run view or
// history, else the selected stack.
func (m Model) targetURL() (name, url string) {
	s, r := m.actionTarget()
	switch {
	case s == nil:
		return "", ""
	case r != nil && r.URL != "":
		return s.Name + " run " + r.ID, r.URL
	}
	return s.Name, s.URL
}

// webURL is the target's URL when a browser can show it, else why not.
func (m Model) webURL() (string, string) {
	name, url := m.targetURL()
	switch {
	case name == "":
		return "", "no stack selected"
	case url == "":
		return "", name + " has no URL"
	case !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://"):
		return "", name + " has no web page (" + url + ")"
	}
	return url, ""
}

// openTarget opens the stack or run in view in the browser, as a command.
func (m Model) openTarget() (Model, tea.Cmd) {
	url, why := m.webURL()
	if url == "" {
		return m.failed("%s", why)
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
		m.message, m.messageErr = fmt.Sprintf("could not open a browser: %v (%s copies the URL)", msg.err, m.keys.Actions.CopyURL.Help().Key), true
		return m
	}
	m.message, m.messageErr = "opened "+msg.url, false
	return m
}

// copyTargetURL puts the URL in view on the clipboard (OSC 52, so it also
// works over ssh).
func (m Model) copyTargetURL() (Model, tea.Cmd) {
	_, url := m.targetURL()
	if url == "" {
		return m.failed("no URL to copy")
	}
	m.message, m.messageErr = "copied "+url, false
	return m, tea.SetClipboard(url)
}
