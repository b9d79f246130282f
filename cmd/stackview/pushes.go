package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/vcs"
)

// reportUnfinishedPushes says on stderr which git pushes of an earlier
// stackview never got an outcome in the audit log (unfinishedPushes).
func (a *app) reportUnfinishedPushes(rec *audit.File) {
	if w := unfinishedPushes(rec); w != "" {
		fmt.Fprintf(a.stderr, "stackview: warning: %s\n", w)
	}
}

// unfinishedPushes records as unknown the git pushes of an earlier
// stackview that never got an outcome in the audit log (it was killed
// while they ran: the branch may or may not have moved), so each is said
// once, and returns the line that says which to check, or "". The UI
// shows it on its status line: printed before the screen takes over, it
// would be wiped at once.
func unfinishedPushes(rec *audit.File) string {
	pushes, err := rec.SettleUnfinished(time.Now())
	if err != nil {
		return err.Error()
	}
	return audit.UnfinishedWarning(pushes)
}

// defaultAudit is the audit log at its default place, or nil (with a
// warning) when there is no state directory.
func (a *app) defaultAudit() *audit.File {
	path, err := audit.DefaultPath()
	if err != nil {
		fmt.Fprintf(a.stderr, "stackview: warning: %v\n", err)
		return nil
	}
	return audit.NewFile(path)
}

// errPushStopped is the program's failure when the user insisted on
// stopping a git push: its outcome is unknown.
var errPushStopped = errors.New("git push stopped before it finished: its outcome is recorded as unknown in the audit log")

// finishPushes waits for the git pushes still running when the UI ends
// (a push that outlived stackview would move a branch with no outcome in
// the audit log), saying so, until they finish or the user insists with
// ctrl+c or another signal: then they are stopped, recorded as unknown,
// and the error says which branches to check.
func (a *app) finishPushes() error {
	insist := a.sig.waitingForPushes()
	if in := a.pushes.InFlight(); len(in) > 0 {
		fmt.Fprintf(a.stderr, "stackview: waiting for git push to finish (%s); press ctrl+c to stop it\n", pushNames(in))
	}
	done := make(chan struct{})
	go func() {
		_ = a.pushes.Finish(context.Background())
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-insist:
		stopped := a.pushes.InFlight()
		a.pushes.Stop()
		<-done
		return fmt.Errorf("%w: check %s on the remote", errPushStopped, pushNames(stopped))
	}
}

func pushNames(in []vcs.PushInfo) string {
	names := make([]string, len(in))
	for i, p := range in {
		names[i] = p.Repo + " → " + p.Branch
	}
	return strings.Join(names, ", ")
}
