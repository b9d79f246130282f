package ui

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/screen"
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

// open opens a page in the browser, as a command.
func (m Model) open(o screen.OpenURL) tea.Cmd {
	ctx, open, url := m.ctx, m.openURL, o.URL
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return openedMsg{url: url, err: open(ctx, url)}
	}
}

func (m Model) onOpened(msg openedMsg) Model {
	if msg.err != nil {
		m.status = m.status.set(m.now(), fmt.Sprintf("could not open a browser: %v (%s copies the URL)", msg.err, m.keys.Key(keys.CopyURL)), errText)
		return m
	}
	m.status = m.status.set(m.now(), "opened "+msg.url, infoText)
	return m
}
