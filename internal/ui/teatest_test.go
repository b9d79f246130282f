package ui

import (
	"bytes"
	"encoding/base64"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/stackview/stackview/internal/ui/uitest"
)

// These flows run the real Bubble Tea program (renderer, command goroutines,
// real ticks) headless; they assert on the output stream and the final model.

func startProgram(t *testing.T, fake *uitest.Fake, w, h int) *teatest.TestModel {
	t.Helper()
	m, err := New(testOptions{Options: Options{Backend: fake, Theme: "dark", NoColor: true}}.wire(time.Now))
	if err != nil {
		t.Fatal(err)
	}
	return teatest.NewTestModel(t, m,
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
}

func waitFor(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func TestProgramBrowseAndQuit(t *testing.T) {
	tm := startProgram(t, uitest.NewFake(), 120, 30)
	waitFor(t, tm, "dev-network")
	tm.Type("3")
	waitFor(t, tm, "prod-network")
	tm.Type("/search")
	tm.Send(uitest.Press("enter"))
	waitFor(t, tm, "filter: search")
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if fm.tree().Selected() != "prod-search" || fm.data.Forest.Envs[fm.tree().Env()].Env.Name != "prod" {
		t.Fatalf("final selection %q in env %d", fm.tree().Selected(), fm.tree().Env())
	}
}

func TestProgramResizeToTooSmallAndBack(t *testing.T) {
	tm := startProgram(t, uitest.NewFake(), 80, 24)
	waitFor(t, tm, "dev-network")
	tm.Send(tea.WindowSizeMsg{Width: 50, Height: 12})
	waitFor(t, tm, "terminal too small")
	tm.Send(tea.WindowSizeMsg{Width: 200, Height: 60})
	waitFor(t, tm, "Repository")
	tm.Send(uitest.Press("ctrl+c"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if fm.width != 200 || fm.height != 60 {
		t.Fatalf("final size %dx%d", fm.width, fm.height)
	}
}

func TestProgramFailingStartThenRetry(t *testing.T) {
	fake := uitest.NewFake()
	fake.FailList(errTest)
	tm := startProgram(t, fake, 100, 30)
	waitFor(t, tm, "Could not load stacks")
	fake.FailList(nil)
	tm.Type("r")
	waitFor(t, tm, "dev-network")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// Issue 19: y in the run view opens the copy menu; 1 copies the run id to
// the terminal's clipboard with OSC 52 (what the terminal receives).
func TestProgramCopiesTheRunIDWithOSC52(t *testing.T) {
	fake := uitest.NewFake()
	tm := startProgram(t, fake, 120, 30)
	waitFor(t, tm, "dev-network")
	tm.Type("l")
	waitFor(t, tm, "Run ")
	// (The renderer writes only the cells that change, so the menu's text
	// is not waited for: keys are handled in the order they are sent.)
	tm.Type("y")
	const runID = "dev-network-run1" // the fake's latest run of dev-network
	tm.Type("1")
	waitFor(t, tm, "\x1b]52;c;"+base64.StdEncoding.EncodeToString([]byte(runID))+"\x07")
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if got := fm.status.text; got != "copied "+runID+" (run id)" {
		t.Fatalf("status %q", got)
	}
}
