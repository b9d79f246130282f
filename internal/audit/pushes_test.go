package audit

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/vcs"
)

func TestPushJournalLines(t *testing.T) {
	if vcs.PushPending != ResultPending || vcs.PushOK != ResultOK || vcs.PushFailed != ResultError || vcs.PushUnknown != ResultUnknown {
		t.Fatal("vcs push results and audit results differ")
	}
	m := &Memory{}
	at := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	j := PushJournal{Recorder: m, Backend: "sandbox", Endpoint: "in-process", Now: func() time.Time { return at }}
	ev := vcs.PushEvent{Result: vcs.PushPending, Repo: "file:///r/payments.git", Ref: "refs/heads/qa",
		Old: "1111111aaaa", New: "2222222bbbb", Purpose: vcs.PushPurpose{Action: "promotion", Environment: "qa", Detail: "Promote payments.git dev → qa"}}
	if err := j.Record(ev); err != nil {
		t.Fatal(err)
	}
	ev.Result, ev.Err, ev.Purpose, ev.Old = vcs.PushUnknown, errors.New("stopped"), vcs.PushPurpose{}, ""
	if err := j.Record(ev); err != nil {
		t.Fatal(err)
	}
	e := m.Entries()
	if e[0].Action != "promotion push" || e[0].Environment != "qa" || e[0].Result != ResultPending || e[0].Ref != "refs/heads/qa" ||
		e[0].Detail != "Promote payments.git dev → qa; 1111111 → 2222222" {
		t.Errorf("pending: %+v", e[0])
	}
	if e[1].Action != "git push" || e[1].Result != ResultUnknown || e[1].Detail != "(new) → 2222222; stopped" {
		t.Errorf("unknown: %+v", e[1])
	}
	if !e[0].Time.Equal(at) || !e[1].Time.Equal(at) {
		t.Errorf("times %s, %s; want the journal's clock, %s", e[0].Time, e[1].Time, at)
	}
	j.Now = nil // the real clock
	before := time.Now()
	if err := j.Record(ev); err != nil {
		t.Fatal(err)
	}
	if got := m.Entries()[2].Time; got.Before(before) || got.After(time.Now()) {
		t.Errorf("without a clock the entry is stamped %s, want now", got)
	}
	line, _ := json.Marshal(e[1])
	if !strings.Contains(string(line), `"ref":"refs/heads/qa"`) {
		t.Errorf("JSON: %s", line)
	}
	plain, _ := json.Marshal(Entry{Action: "confirm"})
	if strings.Contains(string(plain), `"ref"`) {
		t.Errorf("an entry without a ref: %s", plain)
	}
}
