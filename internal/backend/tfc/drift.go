package tfc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// assessmentResult is a health assessment (go-tfe has no type for it).
type assessmentResult struct {
	ID          string    `jsonapi:"primary,assessment-results"`
	Drifted     bool      `jsonapi:"attr,drifted"`
	Succeeded   bool      `jsonapi:"attr,succeeded"`
	CreatedAt   time.Time `jsonapi:"attr,created-at,iso8601"`
	CompletedAt time.Time `jsonapi:"attr,completed-at,iso8601"`
}

// drift reads the workspace's current assessment result, and the drifted
// resources when it drifted. Workspaces never assessed cost no call; a
// result already seen (same id, or same last-assessment time) comes from
// the cache.
func (c *Client) drift(ctx context.Context, w *workspaceRow) (model.Drift, error) {
	d, key, ok := c.cachedDrift(w)
	if ok {
		return d, nil
	}
	res := &assessmentResult{}
	err := c.call(ctx, "tfc: read assessment of "+w.ID, func(ctx context.Context) error {
		req, err := c.api.NewRequest("GET", "workspaces/"+w.ID+"/current-assessment-result", nil)
		if err != nil {
			return err
		}
		return req.Do(ctx, res)
	})
	if errors.Is(err, backend.ErrNotFound) {
		return model.Drift{}, nil // assessments off, or none has run
	}
	if err != nil {
		return model.Drift{}, err
	}
	d = model.Drift{Drifted: res.Drifted, CheckedAt: res.CreatedAt, RunID: res.ID}
	if !res.CompletedAt.IsZero() {
		d.CheckedAt = res.CompletedAt
	}
	if res.Drifted {
		if d.Changes, err = c.driftedResources(ctx, res.ID); err != nil {
			return model.Drift{}, err
		}
		for _, ch := range d.Changes {
			d.Resources = append(d.Resources, ch.Address)
		}
	}
	c.cache.putDrift(key, d)
	return d, nil
}

// cachedDrift is the workspace's drift when it needs no request: never
// assessed, or its current assessment already read. key names the
// assessment in the cache.
func (c *Client) cachedDrift(w *workspaceRow) (d model.Drift, key string, ok bool) {
	if w.Assessment == nil && w.LastAssessmentAt.IsZero() {
		return model.Drift{}, "", true
	}
	key = w.ID + "@" + w.LastAssessmentAt.String()
	if w.Assessment != nil && w.Assessment.ID != "" {
		key = w.Assessment.ID
	}
	d, ok = c.cache.drift(key)
	return d, key, ok
}

// driftedResources reads resource_drift from the assessment's plan JSON,
// with the attributes that drifted.
func (c *Client) driftedResources(ctx context.Context, id string) ([]model.ResourceChange, error) {
	var buf bytes.Buffer
	err := c.call(ctx, "tfc: read assessment "+id, func(ctx context.Context) error {
		req, err := c.api.NewRequest("GET", "assessment-results/"+id+"/json-output", nil)
		if err != nil {
			return err
		}
		return req.Do(ctx, &buf)
	})
	if err != nil {
		return nil, err
	}
	var plan struct {
		ResourceDrift []struct {
			Address string `json:"address"`
			Change  struct {
				Before       json.RawMessage `json:"before"`
				After        json.RawMessage `json:"after"`
				AfterUnknown json.RawMessage `json:"after_unknown"`
			} `json:"change"`
		} `json:"resource_drift"`
	}
	if err := json.Unmarshal(buf.Bytes(), &plan); err != nil {
		return nil, errors.New("tfc: assessment " + id + ": plan JSON is malformed")
	}
	out := make([]model.ResourceChange, 0, len(plan.ResourceDrift))
	for _, r := range plan.ResourceDrift {
		out = append(out, model.ResourceChange{Address: r.Address, Action: model.ActionChange,
			Attributes: changedAttributes(r.Change.Before, r.Change.After, r.Change.AfterUnknown)})
	}
	return out, nil
}
