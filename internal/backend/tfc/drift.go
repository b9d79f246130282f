package tfc

import (
	"bytes"
	"context"
	"errors"

	"github.com/stackview/stackview/internal/model"
)

// assessmentResult is a health assessment (go-tfe has no type for it).
// Times are strings: TFC writes them with a +00:00 offset (see parseTime).
type assessmentResult struct {
	ID          string `jsonapi:"primary,assessment-results"`
	Drifted     bool   `jsonapi:"attr,drifted"`
	Succeeded   *bool  `jsonapi:"attr,succeeded"`
	ErrorMsg    string `jsonapi:"attr,error-msg"`
	CreatedAt   string `jsonapi:"attr,created-at"`
	CompletedAt string `jsonapi:"attr,completed-at"`
}

// Details whose refusal is remembered for the session.
const (
	refusedTriggers    = "run triggers"
	refusedAssessment  = "assessment"
	refusedDriftDetail = "drifted resources"
)

// assessed reports a workspace the listing says has an assessment result.
func assessed(w *workspaceRow) bool {
	return (w.Assessment != nil && w.Assessment.ID != "") || w.LastAssessmentAt != ""
}

// cachedDrift is the workspace's drift when it needs no request: never
// assessed, refused for the session, or its current assessment already
// read.
func (c *Client) cachedDrift(w *workspaceRow) (model.Drift, bool) {
	if !assessed(w) {
		return model.Drift{}, true
	}
	if why, ok := c.cache.refused(refusedAssessment, w.ID); ok {
		return model.Drift{Unknown: why}, true
	}
	return c.cache.drift(assessmentKey(w))
}

// assessmentKey names the workspace's current assessment in the cache: its
// id, else the time the listing gives for it.
func assessmentKey(w *workspaceRow) string {
	if w.Assessment != nil && w.Assessment.ID != "" {
		return w.Assessment.ID
	}
	return w.ID + "@" + w.LastAssessmentAt
}

// drift reads the workspace's current assessment result, and the drifted
// resources when it drifted. What TFC refuses (404: a token without read or
// admin access) becomes drift the stack shows as unknown, with why; a
// failed assessment is unknown too, never "no drift". Only transient
// failures are errors.
//
// A read of the same assessment already under way is shared.
func (c *Client) drift(ctx context.Context, w *workspaceRow) (model.Drift, error) {
	v, err, _ := c.reads.Do("drift "+assessmentKey(w), func() (any, error) { return c.readDrift(ctx, w) })
	d, _ := v.(model.Drift)
	return d, err
}

func (c *Client) readDrift(ctx context.Context, w *workspaceRow) (model.Drift, error) {
	if d, ok := c.cachedDrift(w); ok {
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
	if refused(err) {
		// The listing says there is one: the token may not read it.
		why := "HCP Terraform refused the workspace's current assessment (" + statusOf(err) +
			") although the workspace has one: the token may not read it"
		c.cache.refuse(refusedAssessment, w.ID, why)
		return model.Drift{Unknown: why}, nil
	}
	if err != nil {
		return model.Drift{}, err
	}
	d := model.Drift{Drifted: res.Drifted, CheckedAt: parseTime(res.CreatedAt), RunID: res.ID}
	if at := parseTime(res.CompletedAt); !at.IsZero() {
		d.CheckedAt = at
	}
	switch {
	case res.Succeeded != nil && !*res.Succeeded:
		d.Drifted, d.Unknown = false, "the last health assessment failed"
		if res.ErrorMsg != "" {
			d.Unknown += ": " + res.ErrorMsg
		}
	case res.Drifted:
		if why, ok := c.cache.refused(refusedDriftDetail, w.ID); ok {
			d.Unknown = why
			break
		}
		changes, err := c.driftedResources(ctx, res.ID)
		switch {
		case refused(err):
			why := "listing the drifted resources needs admin access to the workspace; HCP Terraform answered " + statusOf(err)
			c.cache.refuse(refusedDriftDetail, w.ID, why)
			d.Unknown = why
		case err != nil:
			d.Unknown = "could not list the drifted resources: " + err.Error()
			return d, nil // not cached: the next refresh tries again
		}
		d.Changes = changes
		for _, ch := range changes {
			d.Resources = append(d.Resources, ch.Address)
		}
	}
	c.cache.putDrift(assessmentKey(w), d)
	return d, nil
}

// driftedResources reads resource_drift from the assessment's plan JSON,
// with the attributes that drifted. Only workspace admins may read it.
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
	changes, err := parseDrift(buf.Bytes())
	if err != nil {
		return nil, errors.New("tfc: assessment " + id + ": plan JSON is malformed")
	}
	return changes, nil
}
