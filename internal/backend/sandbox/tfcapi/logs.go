package tfcapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

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
	var changes []model.ResourceChange
	if planStatus(run, x) == "finished" {
		if changes, err = s.b.RunChanges(ctx, k.stack, k.run); err != nil {
			writeBackendError(w, err)
			return
		}
	}
	planLog, applyLog := splitLog(byState, run, changes, s.b.Now())
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

// splitLog cuts a run's log where its apply phase begins. The workspaces
// have structured run output: Terraform's plan is written as its
// machine-readable UI (one JSON message a line: the version, a
// planned_change per resource, the change summary; resource_drift for a
// refresh-only plan), which names resources and actions and never values.
func splitLog(byState []sandbox.StateLog, run model.Run, changes []model.ResourceChange, now time.Time) (plan, apply string) {
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
		lines := l.Lines
		if l.State == model.StatePlanning {
			lines = machineUI(run, changes, planningAt(run, now))
		}
		for _, line := range lines {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return p.String(), a.String()
}

// planningAt is when the run started planning.
func planningAt(run model.Run, now time.Time) time.Time {
	for _, t := range run.History {
		if t.State == model.StatePlanning {
			return t.At
		}
	}
	return now
}

// uiMessage is one message of Terraform's machine-readable UI.
type uiMessage struct {
	Level     string         `json:"@level"`
	Message   string         `json:"@message"`
	Module    string         `json:"@module"`
	Timestamp string         `json:"@timestamp"`
	Type      string         `json:"type"`
	Terraform string         `json:"terraform,omitempty"`
	UI        string         `json:"ui,omitempty"`
	Change    map[string]any `json:"change,omitempty"`
	Changes   map[string]any `json:"changes,omitempty"`
}

// machineUI is a plan's machine-readable UI messages.
func machineUI(run model.Run, changes []model.ResourceChange, at time.Time) []string {
	ts := at.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	msgs := []uiMessage{{Message: "Terraform " + terraformVersion, Type: "version", Terraform: terraformVersion, UI: "1.2"}}
	add, change, remove := 0, 0, 0
	for _, c := range changes {
		typ, name := splitAddress(c.Address)
		res := map[string]any{"addr": c.Address, "module": moduleAddress(c.Address), "resource": typ + "." + name,
			"implied_provider": providerOf(typ), "resource_type": typ, "resource_name": name, "resource_key": nil}
		if run.Kind == model.RunDriftCheck {
			msgs = append(msgs, uiMessage{Message: c.Address + ": Drift detected (update)", Type: "resource_drift",
				Change: map[string]any{"resource": res, "action": "update"}})
			continue
		}
		action, verb := "update", "update"
		switch c.Action {
		case model.ActionAdd:
			action, verb = "create", "create"
			add++
		case model.ActionDestroy:
			action, verb = "delete", "delete"
			remove++
		case model.ActionReplace:
			action, verb = "replace", "replace"
			add++
			remove++
		default:
			change++
		}
		ch := map[string]any{"resource": res, "action": action}
		switch c.Reason {
		case "replace_because_cannot_update":
			ch["reason"] = "cannot_update"
		case "":
		default:
			ch["reason"] = c.Reason
		}
		msgs = append(msgs, uiMessage{Message: c.Address + ": Plan to " + verb, Type: "planned_change", Change: ch})
	}
	op := "plan"
	if run.Kind == model.RunDriftCheck {
		op = "refresh-only"
	}
	msgs = append(msgs, uiMessage{Message: fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy.", add, change, remove),
		Type: "change_summary", Changes: map[string]any{"add": add, "change": change, "import": 0, "remove": remove, "operation": op}})
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		m.Level, m.Module, m.Timestamp = "info", "terraform.ui", ts
		line, _ := json.Marshal(m)
		out = append(out, string(line))
	}
	return out
}

// splitAddress is the type and name of an address's resource (index cut).
func splitAddress(addr string) (typ, name string) {
	parts := strings.Split(addr, ".")
	if len(parts) < 2 {
		return addr, ""
	}
	name = parts[len(parts)-1]
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	return parts[len(parts)-2], name
}

// moduleAddress is "module.x" of an address inside a module, else "".
func moduleAddress(addr string) string {
	parts := strings.Split(addr, ".")
	if len(parts) <= 2 {
		return ""
	}
	return strings.Join(parts[:len(parts)-2], ".")
}

// providerOf is the provider of a resource type: its first word.
func providerOf(typ string) string {
	p, _, _ := strings.Cut(typ, "_")
	return p
}
