package tfc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/plantext"
	"github.com/stackview/stackview/internal/model"
)

// logChunkSize is how many bytes one RunLogs call asks for.
const logChunkSize = 64 << 10

// Log stream framing: TFC logs start with STX and end with ETX once closed.
const (
	stx = 0x02
	etx = 0x03
)

// logToken is where a log reader is: the phase (plan, then apply) and the
// byte offset into that phase's framed stream. Encoded "plan:123".
type logToken struct {
	phase  string
	offset int
}

func parseLogToken(s string) (logToken, error) {
	if s == "" {
		return logToken{phase: "plan"}, nil
	}
	phase, off, ok := strings.Cut(s, ":")
	n, err := strconv.Atoi(off)
	if !ok || err != nil || n < 0 || (phase != "plan" && phase != "apply") {
		return logToken{}, fmt.Errorf("tfc: bad log token %q", s)
	}
	return logToken{phase: phase, offset: n}, nil
}

func (t logToken) String() string { return t.phase + ":" + strconv.Itoa(t.offset) }

// RunLogs reads the next chunk of the plan log, then of the apply log, from
// their log-read-urls (which need no token). Done is set once the run has
// settled (terminal or waiting for confirmation) and nothing more is there.
func (c *Client) RunLogs(ctx context.Context, stackID, runID, token string) (backend.LogChunk, error) {
	at, err := parseLogToken(token)
	if err != nil {
		return backend.LogChunk{}, err
	}
	r, err := c.readRun(ctx, stackID, runID)
	if err != nil {
		return backend.LogChunk{}, err
	}
	state := stateAt(r.Status, r.flags(), r.StatusTimestamps)
	settled := state.Terminal() || state.Waiting()
	logURL := ""
	switch {
	case at.phase == "plan" && r.Plan != nil:
		logURL = r.Plan.LogReadURL
	case at.phase == "apply" && r.Apply != nil:
		logURL = r.Apply.LogReadURL
	}
	if logURL == "" {
		return backend.LogChunk{Next: at.String(), Done: settled}, nil
	}
	data, err := c.fetchLog(ctx, logURL, at.offset)
	if err != nil {
		return backend.LogChunk{}, err
	}
	next := logToken{phase: at.phase, offset: at.offset + len(data)}
	full := len(data) == logChunkSize
	if at.offset == 0 && len(data) > 0 && data[0] == stx {
		data = data[1:]
	}
	closed := len(data) > 0 && data[len(data)-1] == etx
	if closed {
		data, next.offset = data[:len(data)-1], next.offset-1
	} else if tail := partialLine(data, full); tail > 0 {
		// A structured log is read a line at a time: the rest of this
		// line comes with the next chunk.
		data, next.offset = data[:len(data)-tail], next.offset-tail
	}
	chunk := backend.LogChunk{Text: renderUI(data), Next: next.String(), Done: settled && !full}
	if closed && at.phase == "plan" && applies(r) {
		// The plan log is complete; the apply log follows, now or after
		// confirmation. A run waiting for confirmation is done for now.
		chunk.Next = logToken{phase: "apply"}.String()
		chunk.Done = state.Waiting()
	}
	return chunk, nil
}

// partialLine is how many bytes at the end of data follow its last line
// break; 0 when data ends with one, or when a full chunk has none (a line
// longer than a chunk is passed on as it comes).
func partialLine(data []byte, full bool) int {
	i := bytes.LastIndexByte(data, '\n')
	if i < 0 && full {
		return 0
	}
	return len(data) - 1 - i
}

// renderUI shows a structured run's log as HCP Terraform does: each of
// Terraform's machine-readable UI messages by its text; other lines as
// they are.
func renderUI(data []byte) string {
	if bytes.IndexByte(data, '{') < 0 {
		return string(data)
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if msg, ok := plantext.JSONMessage(l); ok {
			lines[i] = msg
		}
	}
	return strings.Join(lines, "\n")
}

// applies reports whether a run has, or may still have, an apply log.
func applies(r *runRow) bool {
	return !r.PlanOnly && r.Apply != nil && r.Apply.Status != tfe.ApplyUnreachable && r.Apply.Status != ""
}

// fetchLog reads from a log-read-url. It is a pre-signed URL: no
// Authorization header is sent, so the token never goes to a log host.
func (c *Client) fetchLog(ctx context.Context, logURL string, offset int) ([]byte, error) {
	u, err := url.Parse(logURL)
	if err != nil || !u.IsAbs() {
		return nil, errors.New("tfc: the run's log-read-url is not an absolute URL")
	}
	q := u.Query()
	q.Set("offset", strconv.Itoa(offset))
	q.Set("limit", strconv.Itoa(logChunkSize))
	u.RawQuery = q.Encode()
	var data []byte
	err = c.call(ctx, "tfc: read run log", func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return errors.New("log host unreachable")
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return errors.New(resp.Status)
		}
		data, err = io.ReadAll(io.LimitReader(resp.Body, logChunkSize))
		return err
	})
	return data, err
}

// RunChanges reads the plan's JSON output and lists the resources it
// creates, updates, deletes or replaces, with their values before and
// after; for a refresh-only plan (a drift check), the resources that
// drifted, recorded → real. The plan JSON needs admin access to the
// workspace: without it (404), the resources are read from the plan's log,
// which names them (and, in a workspace with the console UI, shows
// values), and each says why values are missing.
func (c *Client) RunChanges(ctx context.Context, stackID, runID string) ([]model.ResourceChange, error) {
	r, err := c.readRun(ctx, stackID, runID)
	if err != nil {
		return nil, err
	}
	if r.Plan == nil || r.Plan.Status != tfe.PlanFinished {
		return nil, nil
	}
	var raw []byte
	err = c.call(ctx, "tfc: read plan of run "+runID, func(ctx context.Context) (err error) {
		raw, err = c.api.Plans.ReadJSONOutput(ctx, r.Plan.ID)
		return err
	})
	if errors.Is(err, backend.ErrNotFound) {
		why := "values need admin access to the workspace: HCP Terraform answered 404 for the plan's JSON"
		changes, lerr := c.changesFromLog(ctx, r)
		if lerr != nil {
			return nil, fmt.Errorf("%w; reading a plan's JSON needs admin access to the workspace, and its log could not be read: %v", err, lerr)
		}
		for i := range changes {
			if !changes[i].HasValues() {
				changes[i].NoValues = why
			}
		}
		return changes, nil
	}
	if err != nil {
		return nil, err
	}
	if r.RefreshOnly {
		return parseDrift(raw)
	}
	return parsePlanJSON(raw)
}

// changesFromLog reads the whole plan log and the resources it names:
// planned_change messages of a structured run (no values), else
// Terraform's plan text (values read from the log).
func (c *Client) changesFromLog(ctx context.Context, r *runRow) ([]model.ResourceChange, error) {
	if r.Plan.LogReadURL == "" {
		return nil, errors.New("the run has no plan log")
	}
	var log bytes.Buffer
	for offset := 0; ; {
		data, err := c.fetchLog(ctx, r.Plan.LogReadURL, offset)
		if err != nil {
			return nil, err
		}
		offset += len(data)
		log.Write(bytes.Trim(data, "\x02\x03"))
		if len(data) < logChunkSize || bytes.HasSuffix(data, []byte{etx}) {
			break
		}
		if log.Len() > maxPlanLog {
			return nil, fmt.Errorf("the plan log is over %d MiB", maxPlanLog>>20)
		}
	}
	if changes := plantext.ParseJSON(log.String()); len(changes) > 0 {
		return changes, nil
	}
	changes := plantext.Parse(log.String())
	for i := range changes {
		if len(changes[i].Values) == 0 && changes[i].NoValues == "" {
			changes[i].ValuesFrom, changes[i].NoValues = model.ValuesNone, "the plan log shows no values for it"
		}
	}
	return changes, nil
}

// maxPlanLog bounds a plan log read for its resources.
const maxPlanLog = 16 << 20

// planJSON is the part of `terraform show -json` stackview reads.
type planJSON struct {
	ResourceChanges []resourceChangeJSON `json:"resource_changes"`
	ResourceDrift   []resourceChangeJSON `json:"resource_drift"`
}

type resourceChangeJSON struct {
	Address string `json:"address"`
	Change  struct {
		Actions         []string        `json:"actions"`
		Before          json.RawMessage `json:"before"`
		After           json.RawMessage `json:"after"`
		AfterUnknown    json.RawMessage `json:"after_unknown"`
		BeforeSensitive json.RawMessage `json:"before_sensitive"`
		AfterSensitive  json.RawMessage `json:"after_sensitive"`
		ReplacePaths    [][]any         `json:"replace_paths"`
	} `json:"change"`
	ActionReason string `json:"action_reason"`
}

// parseDrift lists a plan's resource_drift: what changed outside
// Terraform, recorded (before) → real (after).
func parseDrift(raw []byte) ([]model.ResourceChange, error) {
	var p planJSON
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, errors.New("tfc: plan JSON is malformed")
	}
	out := make([]model.ResourceChange, 0, len(p.ResourceDrift))
	for _, r := range p.ResourceDrift {
		c := valuesOf(r)
		c.Action = model.ActionChange
		// Drift names what drifted by path ("tags.LastScanned"): ignore
		// rules match attributes so.
		c.Attributes = nil
		for _, v := range c.Values {
			c.Attributes = append(c.Attributes, v.Path)
		}
		out = append(out, c)
	}
	return out, nil
}

func parsePlanJSON(raw []byte) ([]model.ResourceChange, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var p planJSON
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, errors.New("tfc: plan JSON is malformed")
	}
	var out []model.ResourceChange
	for _, rc := range p.ResourceChanges {
		action, ok := changeAction(rc.Change.Actions)
		if !ok {
			continue
		}
		c := valuesOf(rc)
		c.Action = action
		out = append(out, c)
	}
	return out, nil
}

// changeAction maps Terraform's action list; no-op and read are not changes.
func changeAction(actions []string) (model.ChangeAction, bool) {
	switch strings.Join(actions, ",") {
	case "create":
		return model.ActionAdd, true
	case "update":
		return model.ActionChange, true
	case "delete":
		return model.ActionDestroy, true
	case "delete,create", "create,delete":
		return model.ActionReplace, true
	}
	return "", false
}

// valuesOf reads one resource change's values: every top-level attribute
// whose value differs between before and after, is unknown until apply, or
// is sensitive on a side that changes, and, for maps and objects, each key
// that does ("tags.Name"). Sensitive values are never kept, only marked.
func valuesOf(rc resourceChangeJSON) model.ResourceChange {
	c := model.ResourceChange{Address: rc.Address, ValuesFrom: model.ValuesPlan, Reason: rc.ActionReason}
	var before, after, unknown map[string]any
	_ = json.Unmarshal(rc.Change.Before, &before) // null or a non-object: that side does not exist
	_ = json.Unmarshal(rc.Change.After, &after)
	_ = json.Unmarshal(rc.Change.AfterUnknown, &unknown)
	bSens, aSens := marks(rc.Change.BeforeSensitive), marks(rc.Change.AfterSensitive)
	for _, k := range keysOf(before, after, unknown) {
		bv, bok := before[k]
		av, aok := after[k]
		vals := attributeValues(k, side{bv, bok && before != nil, bSens(k)}, side{av, aok && after != nil, aSens(k)}, unknown[k])
		if len(vals) > 0 {
			c.Attributes = append(c.Attributes, k)
			c.Values = append(c.Values, vals...)
		}
	}
	for _, p := range rc.Change.ReplacePaths {
		if len(p) > 0 {
			if s, ok := p[0].(string); ok {
				c.ReplacePaths = append(c.ReplacePaths, s)
			}
		}
	}
	return c
}

// keysOf is every key of the maps, sorted, once.
func keysOf(maps ...map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// side is one side of an attribute: its JSON value, whether the side
// has it, and whether it is sensitive.
type side struct {
	v         any
	ok        bool
	sensitive bool
}

// attributeValues compares one attribute; unknown is after_unknown's mark.
func attributeValues(path string, b, a side, unknown any) []model.AttributeChange {
	unk := unknown == true
	if !unk && b.ok == a.ok && reflect.DeepEqual(b.v, a.v) && b.sensitive == a.sensitive {
		return nil
	}
	bm, bIsMap := b.v.(map[string]any)
	am, aIsMap := a.v.(map[string]any)
	um, _ := unknown.(map[string]any)
	if !strings.Contains(path, ".") && !b.sensitive && !a.sensitive && !unk &&
		(bIsMap || b.v == nil) && (aIsMap || a.v == nil) && (bIsMap || aIsMap) {
		var out []model.AttributeChange
		for _, k := range keysOf(bm, am, um) {
			bv, bok := bm[k]
			av, aok := am[k]
			out = append(out, attributeValues(path+"."+k, side{bv, bok, false}, side{av, aok, false}, um[k])...)
		}
		return out
	}
	return []model.AttributeChange{{Path: path, Before: jsonValue(b, false), After: jsonValue(a, unk)}}
}

// jsonValue renders one side; a sensitive value is marked, never kept.
func jsonValue(s side, unknown bool) model.Value {
	switch {
	case unknown:
		return model.Value{Unknown: true}
	case s.sensitive && s.ok && s.v != nil:
		return model.Value{Sensitive: true}
	case !s.ok || s.v == nil:
		return model.Value{Null: true}
	}
	return model.Known(renderJSON(s.v))
}

// renderJSON writes a JSON value as Terraform's plan shows it (HCL).
func renderJSON(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = renderJSON(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(keys) == 0 {
			return "{}"
		}
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + " = " + renderJSON(x[k])
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	return fmt.Sprint(v)
}

// marks reads before_sensitive / after_sensitive: true (everything), or an
// object marking attributes.
func marks(raw json.RawMessage) func(string) bool {
	var all bool
	if json.Unmarshal(raw, &all) == nil {
		return func(string) bool { return all }
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return func(k string) bool {
		switch x := m[k].(type) {
		case bool:
			return x
		case map[string]any, []any:
			return true // a structure with sensitive parts: shown as sensitive whole
		}
		return false
	}
}
