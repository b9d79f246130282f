package spaceliftapi

import (
	"encoding/json"
	"testing"
	"time"
)

// The operation shapes real clients send (spacectl, the Terraform provider,
// the Flows app, per the API reference) must validate and answer.
func TestDocumentedOperationShapes(t *testing.T) {
	f := newFixture(t, 2)
	tok := f.login(t)
	var runs struct{ Runs []struct{ ID string } }
	decode(t, f.post(t, tok, `query($id: ID!) { stack(id: $id) { runs { id } } }`, map[string]any{"id": "stack-000"}), "stack", &runs)
	run := runs.Runs[0].ID
	f.eng.Hold("stack-001") // a run that waits for review
	var plan struct{ ID string }
	decode(t, f.post(t, tok, `mutation($s: ID!) { runTrigger(stack: $s, runType: PROPOSED) { id } }`, map[string]any{"s": "stack-001"}), "runTrigger", &plan)
	f.eng.Advance(time.Second) // planning
	f.eng.Advance(time.Second) // pending review
	pending := plan.ID

	cases := []struct {
		name, query string
		vars        map[string]any
	}{
		{"introspection", `{ __schema { queryType { name } mutationType { name } } }`, nil},
		{"viewer", `query { viewer { id name } }`, nil},
		{"stacks", `query { stacks { id name space administrative state labels description branch repository
			projectRoot isDisabled lockedBy lockedAt lockNote canWrite autodeploy
			trackedCommit { hash message authorName authorLogin timestamp url tag }
			trackedBranchHead { hash timestamp } blocker { id state type title } blocked } }`, nil},
		{"stack show", `query GetStack($id: ID!) { stack(id: $id) { id name repository repositoryURL provider namespace apiHost
			isDrifted needsApproval outputs { id value sensitive description } entities { id address name type parent drifted }
			dependsOn { id stackId dependsOnStackId referenceCount triggerAlways stack { id name } dependsOnStack { id name }
			references { id outputName inputName type triggerAlways } }
			isDependedOnBy { id stack { id name } } } }`, map[string]any{"id": "stack-000"}},
		{"provider stack read", `query StackRead($id: ID!) { stack(id: $id) { id administrative afterApply afterDestroy
			afterInit afterPerform afterPlan afterRun autodeploy autoretry beforeApply beforeDestroy beforeInit beforePerform
			beforePlan branch deleting description githubActionDeploy labels localPreviewEnabled managesStateFile name
			namespace projectRoot protectFromDeletion provider repository runnerImage space terraformVersion
			vendorConfig { __typename ... on StackConfigVendorTerraform { useSmartSanitization version workspace } }
			workerPool { id } } }`, map[string]any{"id": "stack-000"}},
		{"spacectl run list json", `query($stackId: ID!, $before: ID) { stack(id: $stackId) { runs(before: $before) {
			id branch canRetry comments { body createdAt username } commit { authorLogin authorName hash } createdAt
			delta { addCount changeCount deleteCount resources } driftDetection expired isMostRecent needsApproval
			state title triggeredBy } } }`, map[string]any{"stackId": "stack-000", "before": nil}},
		{"run lists apart", `query($id: ID!, $before: ID) { stack(id: $id) {
			runs(before: $before) { id type needsApproval } proposedRuns(before: $before) { id type driftDetection }
			tasks(before: $before) { id type command } } }`, map[string]any{"id": "stack-000", "before": nil}},
		{"run list", `query($stackId: ID!, $before: ID) { stack(id: $stackId) { runs(before: $before) {
			id type state title branch createdAt updatedAt triggeredBy driftDetection needsApproval expired
			commit { hash message authorName } delta { addCount changeCount deleteCount resources } } } }`,
			map[string]any{"stackId": "stack-000", "before": nil}},
		{"run history", `query($stack: ID!, $run: ID!) { stack(id: $stack) { run(id: $run) {
			history { state stateVersion timestamp terminal hasLogs note username } } } }`,
			map[string]any{"stack": "stack-000", "run": run}},
		{"run logs", `query($stack: ID!, $run: ID!, $state: RunState!, $token: String, $stateVersion: Int) { stack(id: $stack) {
			run(id: $run) { logs(state: $state, token: $token, stateVersion: $stateVersion) {
			exists expired finished hasMore nextToken messages { message timestamp } } } } }`,
			map[string]any{"stack": "stack-000", "run": run, "state": "PLANNING", "token": nil, "stateVersion": 0}},
		{"run changes", `query($stack: ID!, $run: ID!) { stack(id: $stack) { run(id: $run) {
			changesV3(input: {}) { resources { address previousAddress metadata { type } } } } } }`,
			map[string]any{"stack": "stack-000", "run": run}},
		{"modules", `query { modules { id name terraformProvider provider repository moduleSource current { id number state yanked } } }`, nil},
		{"search modules", `query($input: SearchInput!) { searchModules(input: $input) { pageInfo { endCursor hasNextPage }
			edges { node { id name terraformProvider current { number } } } } }`,
			map[string]any{"input": map[string]any{"first": 50, "orderBy": map[string]any{"field": "name", "direction": "ASC"}}}},
		{"module versions", `query($id: ID!, $input: SearchInput!) { module(id: $id) { id versions(includeFailed: false) { number }
			searchModuleVersions(input: $input) { pageInfo { endCursor hasNextPage } edges { cursor node {
			id number state yanked createdAt commit { hash message } } } } } }`,
			map[string]any{"id": "terraform-aws-vpc", "input": map[string]any{"first": 50, "orderBy": map[string]any{"field": "createdAt", "direction": "DESC"},
				"predicates": []any{map[string]any{"field": "state", "exclude": true, "constraint": map[string]any{"enumEquals": []string{"FAILED"}}}}}}},
		{"trigger", `mutation($stack: ID!, $sha: String, $type: RunType, $rc: RuntimeConfigInput, $force: ForceApplyMode) {
			runTrigger(stack: $stack, commitSha: $sha, runType: $type, runtimeConfig: $rc, forceApply: $force) {
			id state type createdAt triggeredBy } }`, map[string]any{"stack": "stack-001", "sha": nil, "type": "TRACKED", "rc": nil, "force": "SINGLE"}},
		{"lock", `mutation($id: ID!, $note: String) { stackLock(id: $id, note: $note) { id lockedAt lockedBy lockNote } }`,
			map[string]any{"id": "stack-001", "note": "maintenance"}},
		{"unlock", `mutation($id: ID!) { stackUnlock(id: $id) { id lockedBy } }`, map[string]any{"id": "stack-001"}},
		{"confirm blocker", `mutation($stack: ID!) { runConfirm(stack: $stack) { id state } }`, map[string]any{"stack": "stack-000"}},
		{"review", `mutation ReviewRun($stack: ID!, $run: ID, $decision: RunReviewDecision!, $note: String) {
			runReview(stack: $stack, run: $run, decision: $decision, note: $note) { id author decision note state timestamp } }`,
			map[string]any{"stack": "stack-001", "run": pending, "decision": "APPROVE", "note": "Approved"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := f.post(t, tok, tc.query, tc.vars)
			if len(resp.Errors) > 0 {
				t.Fatalf("errors: %+v", resp.Errors)
			}
			for k, v := range resp.Data {
				if !json.Valid(v) || string(v) == "null" {
					t.Errorf("%s = %s", k, v)
				}
			}
		})
	}
}
