package sandbox_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// killedEnv makes this test binary the process TestKilledSandboxRemembers
// kills: it opens the sandbox directory named by the variable, confirms
// qa-payments-ledger's waiting deploy and locks dev-network, says so on
// stdout, and waits to be killed.
const killedEnv = "STACKVIEW_SANDBOX_KILLED_HELPER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(killedEnv); dir != "" {
		if err := killedHelper(dir); err != nil {
			fmt.Println("error:", err)
		}
		select {} // killed here
	}
	os.Exit(m.Run())
}

func killedHelper(dir string) error {
	e, err := sandbox.New(bg, sandbox.Options{Dir: dir, Clock: sandbox.NewManualClock(epoch.Add(time.Minute))})
	if err != nil {
		return err
	}
	ss, err := e.ListStacks(bg)
	if err != nil {
		return err
	}
	for _, s := range ss {
		if s.ID == "qa-payments-ledger" {
			if _, err := e.Confirm(bg, s.ID, s.LatestRun.ID); err != nil {
				return err
			}
			fmt.Println("confirmed", s.LatestRun.ID)
		}
	}
	if _, err := e.Lock(bg, "dev-network", "locked by a process that was killed"); err != nil {
		return err
	}
	fmt.Println("done")
	return nil
}

// TestKilledSandboxRemembers: a process that confirmed a run and took a
// lock is killed (SIGKILL: no Close, no clean-up); the next one on the
// directory finds both, and the directory's lock free.
func TestKilledSandboxRemembers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e, _ := newEngine(t, sandbox.Options{Dir: dir})
	e.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), killedEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		for sc := bufio.NewScanner(out); sc.Scan(); {
			lines <- sc.Text()
		}
	}()
	var confirmed string
	deadline := time.After(60 * time.Second)
wait:
	for {
		select {
		case l, ok := <-lines:
			switch {
			case !ok || strings.HasPrefix(l, "error:"):
				cmd.Process.Kill()
				t.Fatalf("the helper ended: %s", l)
			case strings.HasPrefix(l, "confirmed "):
				confirmed = strings.TrimPrefix(l, "confirmed ")
			case l == "done":
				break wait
			}
		case <-deadline:
			cmd.Process.Kill()
			t.Fatal("the helper never finished its mutations")
		}
	}
	cmd.Process.Kill()
	cmd.Wait()

	e, _ = newEngine(t, sandbox.Options{Dir: dir, Clock: sandbox.NewManualClock(epoch.Add(time.Minute))})
	r, err := e.GetRun(bg, "qa-payments-ledger", confirmed)
	if err != nil {
		t.Fatal(err)
	}
	if r.State == model.StateUnconfirmed || r.History[len(r.History)-1].Note != "confirmed by you" {
		t.Errorf("the confirmed run after the kill: %s, %+v", r.State, r.History[len(r.History)-1])
	}
	if l := listStacks(t, e)["dev-network"].Lock; l == nil || l.Note != "locked by a process that was killed" {
		t.Errorf("dev-network's lock after the kill: %+v", l)
	}
}
