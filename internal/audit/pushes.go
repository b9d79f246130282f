package audit

import (
	"fmt"
	"os"
	"time"

	"github.com/stackview/stackview/internal/vcs"
)

// PushJournal records git pushes in an audit log: a pending line before
// each push and one with its outcome (ok, error or unknown) after, both
// with the ref to check on the remote.
type PushJournal struct {
	Recorder Recorder
	Backend  string // as in Entry
	Endpoint string
	Now      func() time.Time // nil = time.Now
}

var _ vcs.PushJournal = PushJournal{}

// Record implements vcs.PushJournal.
func (j PushJournal) Record(ev vcs.PushEvent) error {
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	action := "git push"
	if ev.Purpose.Action != "" {
		action = ev.Purpose.Action + " push"
	}
	detail := fmt.Sprintf("%s → %s", orNew(ev.Old), vcs.ShortSHA(ev.New))
	if ev.Purpose.Detail != "" {
		detail = ev.Purpose.Detail + "; " + detail
	}
	if ev.Err != nil {
		detail += "; " + ev.Err.Error()
	}
	return j.Recorder.Record(Entry{Time: now(), Backend: j.Backend, Endpoint: j.Endpoint, Action: action,
		Environment: ev.Purpose.Environment, Target: ev.Repo, Result: ev.Result, Detail: detail, Ref: ev.Ref, PID: os.Getpid()})
}

func orNew(old string) string {
	if old == "" {
		return "(new)"
	}
	return vcs.ShortSHA(old)
}
