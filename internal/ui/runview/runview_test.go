package runview

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/kit"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/uitest"
)

func TestSearchStepsForwardAndBackAndWraps(t *testing.T) {
	c, _ := uitest.Context(t, uitest.NewFake())
	m := Open("dev-network", "r1", &model.Run{ID: "r1", State: model.StateFinished})
	m.lines = []string{"Initializing", "Terraform plan", "nothing", "\x1b[1mterraform\x1b[0m apply", "done"}
	m.follow, m.search = false, "terraform"
	for _, tc := range []struct {
		dir, want int
	}{{1, 1}, {1, 3}, {1, 1}, {-1, 3}, {-1, 1}, {-1, 3}} {
		next, _ := m.step(c, tc.dir)
		m = next.(Model)
		if m.matchAt != tc.want || m.follow {
			t.Fatalf("step %+d: match at %d (following %v), want %d", tc.dir, m.matchAt, m.follow, tc.want)
		}
	}
	m.search, m.matchAt = "absent", -1
	*c.Asks = nil
	m.step(c, 1)
	if st, ok := (*c.Asks)[0].(screen.Status); !ok || !st.Err {
		t.Fatalf("no match said nothing: %+v", *c.Asks)
	}
}

// The match span is highlighted, not the line, and the log's own colour
// codes (a reset inside the span among them) neither hide nor end it.
func TestHighlightMarksTheSpanThroughColourCodes(t *testing.T) {
	for _, tc := range []struct{ line, needle, want string }{
		{"plan: web -> web-app", "WEB", "plan: \x1b[7mweb\x1b[27m -> \x1b[7mweb\x1b[27m-app"},
		{"\x1b[33m~\x1b[0m name = \"web\"", "e = \"w", "\x1b[33m~\x1b[0m nam\x1b[7me = \"w\x1b[27meb\""},
		{"a\x1b[1mbc\x1b[0md", "bcd", "a\x1b[1m\x1b[7mbc\x1b[0m\x1b[7md\x1b[27m"},
		{"nothing here", "absent", "nothing here"},
		{"no search", "", "no search"},
	} {
		got := Highlight(tc.line, tc.needle)
		if got != tc.want {
			t.Errorf("Highlight(%q, %q) = %q, want %q", tc.line, tc.needle, got, tc.want)
		}
		if ansi.Strip(got) != ansi.Strip(tc.line) {
			t.Errorf("Highlight changed the text of %q: %q", tc.line, ansi.Strip(got))
		}
	}
}

// ↑ and ↓ in the search prompt recall earlier searches and come back to
// the line being typed.
func TestSearchHistory(t *testing.T) {
	c, _ := uitest.Context(t, uitest.NewFake())
	m := Open("dev-network", "r1", &model.Run{ID: "r1", State: model.StateFinished})
	m.lines = []string{"alpha", "beta"}
	for _, term := range []string{"alpha", "beta", "beta"} {
		m.typing, m.input = true, kit.Input{Value: term}
		next, _ := m.submitSearch(c)
		m = next.(Model)
	}
	if len(m.history) != 2 {
		t.Fatalf("history %q: a repeated search is kept once", m.history)
	}
	// / starts a new search empty, the last one a ↑ away.
	next, _ := do(c, m, keys.LogSearch)
	if m = next.(Model); !m.typing || m.input.Value != "" || m.recall(-1).input.Value != "beta" {
		t.Fatalf("/ opened the prompt on %q (typing %v)", m.input.Value, m.typing)
	}
	m.typing, m.input, m.histAt = true, kit.Input{Value: "gam"}, len(m.history)
	for _, tc := range []struct {
		by   int
		want string
	}{{-1, "beta"}, {-1, "alpha"}, {-1, "alpha"}, {1, "beta"}, {1, "gam"}} {
		m = m.recall(tc.by)
		if m.input.Value != tc.want {
			t.Fatalf("recall %+d: %q, want %q", tc.by, m.input.Value, tc.want)
		}
	}
}

// :save writes the log as shown, colour codes out and a URL's password
// hidden, to a new file of mode 0600; it refuses to overwrite unless
// :save!; read-only mode allows it (it changes nothing in the backend).
func TestSaveWritesTheLogAsShown(t *testing.T) {
	c, muts := uitest.Context(t, uitest.NewFake())
	muts.ReadOnlyMode = true
	m := Open("dev-network", "r1", &model.Run{ID: "r1", State: model.StateFinished})
	m.lines = []string{"\x1b[32m+\x1b[0m create", "Cloning https://bot:s3cret@git.example/acme/net.git"}
	path := filepath.Join(t.TempDir(), "run.log")
	run := func(verb string) savedMsg {
		t.Helper()
		_, cmd, ok := m.Command(c, verb, []string{path})
		if !ok || cmd == nil {
			t.Fatalf(":%s was not taken", verb)
		}
		return cmd().(savedMsg)
	}
	if res := run("save"); res.err != nil || res.lines != 2 {
		t.Fatalf("save: %+v", res)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "+ create\nCloning https://bot:***@git.example/acme/net.git\n" {
		t.Fatalf("saved %q", data)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	if res := run("save"); res.err == nil || !strings.Contains(res.err.Error(), ":save! ") {
		t.Fatalf("a second save overwrote the file: %+v", res)
	}
	os.Chmod(path, 0o644)
	if res := run("save!"); res.err != nil {
		t.Fatalf("save!: %+v", res)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode after save! %v", fi.Mode().Perm())
	}
	link := filepath.Join(t.TempDir(), "link.log")
	os.Symlink(path, link)
	if _, cmd, _ := m.Command(c, "save!", []string{link}); cmd().(savedMsg).err == nil {
		t.Fatal("saved through a symbolic link")
	}
	if _, _, ok := m.Command(c, "sort", nil); ok {
		t.Fatal("the run view took a command it does not know")
	}
}

func TestAnswersOfAnotherRunViewAreDropped(t *testing.T) {
	c, _ := uitest.Context(t, uitest.NewFake())
	old, now := Open("s", "r0", nil), Open("s", "r1", nil)
	next, _ := now.Update(c, runMsg{gen: old.gen, run: model.Run{ID: "r0", State: model.StateFailed}})
	if next.(Model).run != nil {
		t.Fatal("a closed run view's answer was taken")
	}
}

// do runs the view's action bound to name, as its key would.
func do(c *screen.Context, m Model, id keys.ID) (screen.Screen, tea.Cmd) {
	for _, g := range m.Keys(c) {
		for _, a := range g.Actions {
			if a.Key == id && a.Do != nil {
				return a.Do()
			}
		}
	}
	panic(fmt.Sprintf("no action %d", id))
}
