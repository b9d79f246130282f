package tfcapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
)

// Log stream framing, as TFC's archivist serves it.
const (
	stx = "\x02"
	etx = "\x03"
)

// maxLogPages bounds how many engine chunks one log read gathers.
const maxLogPages = 10000

// logs serves a plan's or apply's log-read-url: unauthenticated, like TFC's
// pre-signed URLs, honouring ?offset=&limit= over the framed stream.
//
// The engine keeps one log per run. It is served whole as the plan log,
// closed with ETX once the run is terminal (a run waiting for confirmation
// has more log to come after it is confirmed). The apply log is empty and
// closes at the same time, so a reader following plan then apply, as on TFC,
// reads every line once.
func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	id := r.PathValue("id")
	k, ok := s.ids.lookup(id)
	if !ok || !(strings.HasPrefix(id, "plan-") || strings.HasPrefix(id, "apply-")) {
		http.NotFound(w, r)
		return
	}
	run, err := s.b.GetRun(ctx, k.stack, k.run)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	text := ""
	if strings.HasPrefix(id, "plan-") {
		if text, err = s.fullLog(ctx, k); err != nil {
			writeBackendError(w, err)
			return
		}
	}
	stream := stx + text
	if run.State.Terminal() {
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

// fullLog gathers every chunk the engine has for the run so far.
func (s *Server) fullLog(ctx context.Context, k runKey) (string, error) {
	var b strings.Builder
	token := ""
	for range maxLogPages {
		c, err := s.b.RunLogs(ctx, k.stack, k.run, token)
		if err != nil {
			return "", err
		}
		b.WriteString(c.Text)
		if c.Done || c.Text == "" || c.Next == token {
			break
		}
		token = c.Next
	}
	return b.String(), nil
}
