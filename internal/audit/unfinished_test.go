package audit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// deadPID is the id of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestUnfinishedPushesAreReportedOnce: a pending push line without an
// outcome whose process is gone is reported and closed as unknown, once;
// answered pushes, and pushes of a process still running, are not.
func TestUnfinishedPushesAreReportedOnce(t *testing.T) {
	f := NewFile(filepath.Join(t.TempDir(), "audit.jsonl"))
	at := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	dead := deadPID(t)
	for _, e := range []Entry{
		{Action: "promotion push", Target: "http://127.0.0.1:1/acme/payments.git", Ref: "refs/heads/qa", Result: ResultPending, PID: dead, Detail: "a → b"},
		{Action: "git push", Target: "http://127.0.0.1:1/acme/identity.git", Ref: "refs/heads/dev", Result: ResultPending, PID: dead},
		{Action: "git push", Target: "http://127.0.0.1:1/acme/identity.git", Ref: "refs/heads/dev", Result: ResultOK, PID: dead},
		{Action: "bump push", Target: "http://127.0.0.1:1/acme/storefront.git", Ref: "refs/heads/dev", Result: ResultPending, PID: os.Getpid()},
		{Action: "git push", Target: "file:///old/analytics.git", Ref: "refs/heads/main", Result: ResultPending}, // before pids were written
		{Action: "confirm", Target: "qa-network", Result: ResultOK},
	} {
		e.Time = at
		if err := f.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.SettleUnfinished(at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Target != "http://127.0.0.1:1/acme/payments.git" || got[1].Target != "file:///old/analytics.git" {
		t.Fatalf("unfinished: %+v", got)
	}
	w := UnfinishedWarning(got)
	if strings.Contains(w, "\n") || !strings.Contains(w, "2 git pushes") || !strings.Contains(w, "qa of http://127.0.0.1:1/acme/payments.git (promotion push, 2026-03-14 15:09 UTC)") {
		t.Errorf("warning %q", w)
	}
	again, err := f.SettleUnfinished(at.Add(2 * time.Hour))
	if err != nil || len(again) != 0 {
		t.Errorf("reported again: %+v, %v", again, err)
	}
	data, _ := os.ReadFile(f.Path())
	if n := strings.Count(string(data), `"result":"unknown"`); n != 2 || !strings.Contains(string(data), "check refs/heads/qa on the remote") {
		t.Errorf("the log after settling (%d unknown lines):\n%s", n, data)
	}
	if UnfinishedWarning(nil) != "" {
		t.Error("a warning without pushes")
	}
}

// TestUnfinishedReadsOnlyTheEnd: a huge log is read from its last
// megabytes, and a missing one has nothing unfinished.
func TestUnfinishedReadsOnlyTheEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if got, err := NewFile(path).SettleUnfinished(time.Now()); err != nil || got != nil {
		t.Fatalf("no log: %v, %v", got, err)
	}
	old := `{"time":"2026-01-01T00:00:00Z","action":"git push","target":"t","result":"pending","ref":"refs/heads/old"}` + "\n"
	filler := strings.Repeat(`{"time":"2026-01-01T00:00:00Z","action":"confirm","target":"x","result":"ok"}`+"\n", maxScan/70)
	if err := os.WriteFile(path, []byte(old+filler), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := NewFile(path).SettleUnfinished(time.Now())
	if err != nil || len(got) != 0 {
		t.Errorf("a pending line beyond the scanned end: %+v, %v", got, err)
	}
}
