package tfc

import (
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
	}
	chunk := backend.LogChunk{Text: string(data), Next: next.String(), Done: settled && !full}
	if closed && at.phase == "plan" && applies(r) {
		// The plan log is complete; the apply log follows, now or after
		// confirmation. A run waiting for confirmation is done for now.
		chunk.Next = logToken{phase: "apply"}.String()
		chunk.Done = state.Waiting()
	}
	return chunk, nil
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
// creates, updates, deletes or replaces, with the attributes that change;
// for a refresh-only plan (a drift check), the resources that drifted.
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
		return nil, fmt.Errorf("%w; reading a plan's JSON needs admin access to the workspace", err)
	}
	if err != nil {
		return nil, err
	}
	if r.RefreshOnly {
		return parseDrift(raw)
	}
	return parsePlanJSON(raw)
}

// planJSON is the part of `terraform show -json` stackview reads.
type planJSON struct {
	ResourceChanges []resourceChangeJSON `json:"resource_changes"`
	ResourceDrift   []resourceChangeJSON `json:"resource_drift"`
}

type resourceChangeJSON struct {
	Address string `json:"address"`
	Change  struct {
		Actions      []string        `json:"actions"`
		Before       json.RawMessage `json:"before"`
		After        json.RawMessage `json:"after"`
		AfterUnknown json.RawMessage `json:"after_unknown"`
	} `json:"change"`
}

// parseDrift lists a plan's resource_drift: what changed outside
// Terraform, with the attributes that did.
func parseDrift(raw []byte) ([]model.ResourceChange, error) {
	var p planJSON
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, errors.New("tfc: plan JSON is malformed")
	}
	out := make([]model.ResourceChange, 0, len(p.ResourceDrift))
	for _, r := range p.ResourceDrift {
		out = append(out, model.ResourceChange{Address: r.Address, Action: model.ActionChange,
			Attributes: changedAttributes(r.Change.Before, r.Change.After, r.Change.AfterUnknown)})
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
		out = append(out, model.ResourceChange{Address: rc.Address, Action: action,
			Attributes: changedAttributes(rc.Change.Before, rc.Change.After, rc.Change.AfterUnknown)})
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

// changedAttributes lists the top-level attributes whose value differs
// between before and after, or that are unknown until apply, sorted.
func changedAttributes(before, after, unknown json.RawMessage) []string {
	var b, a map[string]any
	var u map[string]any
	_ = json.Unmarshal(before, &b) // null or a non-object means "nothing to compare"
	_ = json.Unmarshal(after, &a)
	_ = json.Unmarshal(unknown, &u)
	set := map[string]bool{}
	if b != nil && a != nil {
		for k, v := range a {
			if !reflect.DeepEqual(b[k], v) {
				set[k] = true
			}
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				set[k] = true
			}
		}
	}
	for k, v := range u {
		if v == true {
			set[k] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
