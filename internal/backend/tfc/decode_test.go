package tfc

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/jsonapi"
)

// samplePage is a page of workspaces as the API sends one: current runs
// with plans, commits and their creator, projects, tag bindings, locks held
// by a user, a team and a run, an assessment, times in both of the API's
// forms and attributes stackview does not read.
const samplePage = `{
 "data": [
  {"id": "ws-1", "type": "workspaces",
   "attributes": {"name": "payments-prod", "description": null, "tag-names": ["env:prod", "administrative"],
     "locked": true, "locked-reason": "incident 42", "auto-apply": false, "working-directory": "/stacks/api",
     "last-assessment-result-at": "2026-11-01T10:00:00+00:00", "resource-count": 120, "terraform-version": "1.9.8",
     "vcs-repo": {"identifier": "acme/payments", "branch": "", "repository-http-url": "https://github.com/acme/payments",
       "service-provider": "github", "oauth-token-id": "ot-1", "ingress-submodules": false},
     "permissions": {"can-queue-run": true, "can-queue-apply": false, "can-lock": true, "can-update": false}},
   "relationships": {
     "current-run": {"data": {"id": "run-1", "type": "runs"}},
     "project": {"data": {"id": "prj-1", "type": "projects"}},
     "locked-by": {"data": {"id": "user-1", "type": "users"}},
     "effective-tag-bindings": {"data": [{"id": "etb-1", "type": "effective-tag-bindings"}, {"id": "etb-2", "type": "effective-tag-bindings"}]},
     "current-assessment-result": {"data": {"id": "asmtres-1", "type": "assessment-results"}},
     "organization": {"data": {"id": "acme", "type": "organizations"}}}},
  {"id": "ws-2", "type": "workspaces",
   "attributes": {"name": "search-dev", "tag-names": [], "locked": true, "vcs-repo": null, "permissions": null},
   "relationships": {"current-run": {"data": null}, "locked-by": {"data": {"id": "team-1", "type": "teams"}},
     "project": {"data": {"id": "prj-2", "type": "projects"}}, "effective-tag-bindings": {"data": []}}},
  {"id": "ws-3", "type": "workspaces",
   "attributes": {"name": "network-qa", "locked": true},
   "relationships": {"current-run": {"data": {"id": "run-3", "type": "runs"}},
     "locked-by": {"data": {"id": "run-3", "type": "runs"}}}}
 ],
 "included": [
  {"id": "run-1", "type": "runs", "attributes": {"status": "planned", "message": "Queued manually",
    "plan-only": false, "refresh-only": false, "is-destroy": false, "auto-apply": false, "save-plan": false,
    "created-at": "2026-11-01T09:00:00.123Z", "force-cancel-available-at": null,
    "actions": {"is-cancelable": true, "is-confirmable": true, "is-discardable": true, "is-force-cancelable": false},
    "status-timestamps": {"plan-queued-at": "2026-11-01T09:00:01+00:00", "planning-at": "2026-11-01T09:00:02Z",
      "planned-at": "2026-11-01T09:01:00+00:00"}},
   "relationships": {"plan": {"data": {"id": "plan-1", "type": "plans"}},
     "configuration-version": {"data": {"id": "cv-1", "type": "configuration-versions"}},
     "created-by": {"data": {"id": "user-2", "type": "users"}}}},
  {"id": "plan-1", "type": "plans", "attributes": {"status": "finished", "resource-additions": 1, "resource-changes": 2, "resource-destructions": 3}},
  {"id": "cv-1", "type": "configuration-versions", "attributes": {"status": "uploaded"},
   "relationships": {"ingress-attributes": {"data": {"id": "ia-1", "type": "ingress-attributes"}}}},
  {"id": "ia-1", "type": "ingress-attributes", "attributes": {"commit-sha": "0a1b2c3d"}},
  {"id": "user-2", "type": "users", "attributes": {"username": "bob"}},
  {"id": "user-1", "type": "users", "attributes": {"username": "alice"}},
  {"id": "team-1", "type": "teams", "attributes": {"name": "platform"}},
  {"id": "prj-1", "type": "projects", "attributes": {"name": "prod"}},
  {"id": "prj-2", "type": "projects", "attributes": {"name": "dev"}},
  {"id": "etb-1", "type": "effective-tag-bindings", "attributes": {"key": "env", "value": "prod"}},
  {"id": "etb-2", "type": "effective-tag-bindings", "attributes": {"key": "bu", "value": "payments"}},
  {"id": "run-3", "type": "runs", "attributes": {"status": "applying", "created-at": "2026-11-01T08:00:00Z"}}
 ],
 "meta": {"pagination": {"current-page": 2, "prev-page": 1, "next-page": 3, "total-pages": 5, "total-count": 412, "page-size": 100}}
}`

// TestWorkspacePagesDecodeAsGoTFEDecodesThem: the hand decoder reads every
// field stackview uses as go-tfe's JSON:API decoder does.
func TestWorkspacePagesDecodeAsGoTFEDecodesThem(t *testing.T) {
	rows, pg, err := decodeWorkspaces([]byte(samplePage))
	if err != nil {
		t.Fatal(err)
	}
	want, err := jsonapi.UnmarshalManyPayload(bytes.NewReader([]byte(samplePage)), reflect.TypeFor[*workspaceRow]())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) || pg == nil || pg.TotalCount != 412 || pg.TotalPages != 5 || pg.NextPage != 3 || pg.PreviousPage != 1 || pg.CurrentPage != 2 {
		t.Fatalf("%d rows (go-tfe: %d), pagination %+v", len(rows), len(want), pg)
	}
	c := &Client{address: "https://app.terraform.io", org: "acme"}
	for i, w := range want {
		got, exp := c.toStack(rows[i]), c.toStack(w.(*workspaceRow))
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("workspace %d:\n hand   %+v\n go-tfe %+v", i, got, exp)
		}
		if g, e := rows[i].LastAssessmentAt, w.(*workspaceRow).LastAssessmentAt; g != e || assessmentKey(rows[i]) != assessmentKey(w.(*workspaceRow)) {
			t.Errorf("workspace %d: assessment %q/%q, go-tfe %q/%q", i, g, assessmentKey(rows[i]), e, assessmentKey(w.(*workspaceRow)))
		}
	}
	if h := lockHolder(rows[1].LockedBy); h != "platform" {
		t.Errorf("a team's lock is held by %q", h)
	}
	if h := lockHolder(rows[2].LockedBy); h != "run run-3" {
		t.Errorf("a run's lock is held by %q", h)
	}
	if r := rows[0].CurrentRun; r.StatusTimestamps == nil || r.StatusTimestamps.PlannedAt.IsZero() || r.ConfigurationVersion.IngressAttributes.CommitSHA != "0a1b2c3d" {
		t.Errorf("current run %+v", r)
	}
}

// TestAWorkspacePageIsBounded: an answer larger than a page can be is not
// read whole.
func TestAWorkspacePageIsBounded(t *testing.T) {
	b := &boundedBuffer{max: 10}
	if _, err := b.Write([]byte(strings.Repeat("x", 11))); err != errTooLarge {
		t.Errorf("an 11-byte write into 10: %v", err)
	}
}
