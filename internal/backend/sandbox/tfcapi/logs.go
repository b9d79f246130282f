package tfcapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// Log stream framing, as TFC's archivist serves it.
const (
	stx = "\x02"
	etx = "\x03"
)

// logs serves a plan's or apply's log-read-url: unauthenticated, like TFC's
// pre-signed URLs, honouring ?offset=&limit= over the framed stream.
//
// The plan log is what the run wrote until its plan was over, the apply log
// what it wrote from its confirmation on; each is closed with ETX once its
// phase has ended, so a reader following plan then apply, as on TFC, reads
// every line once and knows when to stop.
func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	id := r.PathValue("id")
	k, ok := s.runByID(ctx, id)
	plan := strings.HasPrefix(id, "plan-")
	if !ok || !(plan || strings.HasPrefix(id, "apply-")) {
		http.NotFound(w, r)
		return
	}
	run, err := s.b.GetRun(ctx, k.stack, k.run)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	byState, err := s.b.RunLogsByState(ctx, k.stack, k.run)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	extras, err := s.b.RunExtras(ctx, k.stack)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	x := extras[k.run]
	planLog, applyLog := splitLog(byState)
	text, closed := planLog, planStatus(run, x) != "running" && planStatus(run, x) != "pending"
	if !plan {
		status := applyStatus(run, x)
		text, closed = applyLog, status == "finished" || status == "errored" || status == "canceled" || status == "unreachable"
	}
	stream := stx + text
	if closed {
		stream += etx
	}
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = min(max(offset, 0), len(stream))
	end := len(stream)
	if limit, err := strconv.Atoi(q.Get("limit")); err == nil && limit > 0 {
		end = min(offset+limit, end)
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(stream[offset:end]))
}

// splitLog cuts a run's log where its apply phase begins.
func splitLog(byState []sandbox.StateLog) (plan, apply string) {
	var p, a strings.Builder
	applying := false
	for _, l := range byState {
		switch l.State {
		case model.StateConfirmed, model.StatePreparingApply, model.StateApplying, model.StatePerforming, model.StateDestroying:
			applying = true
		}
		b := &p
		if applying {
			b = &a
		}
		for _, line := range l.Lines {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return p.String(), a.String()
}
