package tfc_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

func stackByName(t *testing.T, stacks []model.Stack, name string) model.Stack {
	t.Helper()
	for _, s := range stacks {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no stack %q", name)
	return model.Stack{}
}

func TestListStacksMapsWorkspacesOntoTheDefaultMapping(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := ctxFor(t)
	stacks, err := h.client.ListStacks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stacks) != 9 {
		t.Fatalf("got %d stacks, want 9", len(stacks))
	}
	bu := stackByName(t, stacks, "bu001-dev")
	if bu.ID != "ws-bu001-dev" || !slices.Contains(bu.Labels, "env:dev") || !slices.Contains(bu.Labels, "bu:bu001") {
		t.Errorf("bu001-dev: id %q labels %v", bu.ID, bu.Labels)
	}
	if !slices.Equal(bu.DependsOn, []string{"ws-network-dev"}) {
		t.Errorf("bu001-dev depends on %v, want the dev environment workspace", bu.DependsOn)
	}
	if !bu.Drift.Drifted || !slices.Equal(bu.Drift.Resources, []string{"aws_s3_bucket.logs"}) || bu.Drift.CheckedAt.IsZero() {
		t.Errorf("bu001-dev drift = %+v", bu.Drift)
	}
	if r := bu.Repository; r.Provider != "github" || r.Namespace != "stackview" || r.Name != "bu001" ||
		r.WebURL != "https://github.com/stackview/bu001" || bu.Branch != "dev" || bu.Space != "bu001" || !bu.CanWrite {
		t.Errorf("bu001-dev repository %+v branch %q space %q canWrite %v", r, bu.Branch, bu.Space, bu.CanWrite)
	}
	r := bu.LatestRun
	if r == nil || r.State != model.StateFinished || r.RawState != "applied" || r.Kind != model.RunDeploy ||
		r.Delta == nil || *r.Delta != (model.Delta{Add: 1}) || r.Commit == "" || r.Commit != bu.TrackedCommit {
		t.Errorf("bu001-dev latest run = %+v", r)
	}
	if bu.State != model.StateFinished || !strings.HasPrefix(bu.URL, h.url+"/app/fake-org/workspaces/bu001-dev") {
		t.Errorf("bu001-dev state %s url %s", bu.State, bu.URL)
	}
	if net := stackByName(t, stacks, "network-qa"); net.Drift.Drifted || len(net.DependsOn) != 0 {
		t.Errorf("network-qa = %+v", net)
	}

	forest := model.BuildForest(stacks, model.DefaultEnvironments(), model.DefaultMapping())
	dev := forest.Env("dev")
	if dev.Root == nil || dev.Root.Name != "network-dev" || len(dev.Units) != 2 || dev.Units[0].Name != "bu001" {
		t.Errorf("dev tree: root %v units %+v", dev.Root, dev.Units)
	}
	if len(forest.Unmapped) != 0 {
		t.Errorf("unmapped stacks: %d", len(forest.Unmapped))
	}
}

func TestDeployRunLifecycle(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := ctxFor(t)
	const ws = "ws-bu001-qa"
	run, err := h.client.Trigger(ctx, ws, model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	if run.State != model.StateQueued || run.Kind != model.RunDeploy || run.StackID != ws || !strings.Contains(run.URL, "/runs/"+run.ID) ||
		run.TriggeredBy != "fake-user" {
		t.Fatalf("triggered run = %+v", run)
	}
	if _, err := h.client.Confirm(ctx, ws, run.ID); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("confirming a queued run: %v, want ErrConflict", err)
	}
	h.fake.Advance(time.Minute)
	h.fake.Advance(time.Minute)
	run, err = h.client.GetRun(ctx, ws, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run.State != model.StateUnconfirmed || run.RawState != "planned" || run.Delta == nil || *run.Delta != (model.Delta{Add: 1, Change: 1}) {
		t.Fatalf("planned run = %+v", run)
	}
	if got := states(run.History); !slices.Equal(got, []model.RunState{model.StateQueued, model.StatePlanning, model.StateUnconfirmed}) {
		t.Errorf("history = %v", got)
	}
	changes, err := h.client.RunChanges(ctx, ws, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.ResourceChange{
		{Address: "aws_s3_bucket.new", Action: model.ActionAdd, Attributes: []string{}},
		{Address: "aws_iam_role.app", Action: model.ActionChange, Attributes: []string{"policy"}},
	}
	if len(changes) != 2 || changes[0].Address != want[0].Address || changes[0].Action != want[0].Action ||
		changes[1].Action != want[1].Action || !slices.Equal(changes[1].Attributes, want[1].Attributes) {
		t.Errorf("changes = %+v", changes)
	}
	text, chunk := readLogs(t, h, ws, run.ID, "")
	// Structured run output: the plan is Terraform's machine-readable UI,
	// shown by its messages.
	if !chunk.Done || !strings.Contains(text, "queued\nTerraform 1.9.8\naws_s3_bucket.new: Plan to create\naws_iam_role.app: Plan to update\nPlan: 1 to add") {
		t.Errorf("log while unconfirmed = %q (done %v)", text, chunk.Done)
	}

	if run, err = h.client.Confirm(ctx, ws, run.ID); err != nil || run.State != model.StateConfirmed {
		t.Fatalf("confirm: %+v, %v", run, err)
	}
	h.fake.Advance(time.Minute)
	h.fake.Advance(time.Minute)
	if run, err = h.client.GetRun(ctx, ws, run.ID); err != nil || run.State != model.StateFinished || run.RawState != "applied" {
		t.Fatalf("applied run: %+v, %v", run, err)
	}
	more, chunk := readLogs(t, h, ws, run.ID, chunk.Next)
	if !chunk.Done || more != "confirm\napplying\napply complete\n" {
		t.Errorf("log after confirm = %q (done %v)", more, chunk.Done)
	}
	all, _ := readLogs(t, h, ws, run.ID, "")
	if all != text+more {
		t.Errorf("whole log %q != the two halves %q + %q", all, text, more)
	}
}

func states(h []model.RunTransition) []model.RunState {
	var out []model.RunState
	for _, t := range h {
		out = append(out, t.State)
	}
	return out
}

// readLogs follows a run's log from token until a chunk says Done.
func readLogs(t *testing.T, h *harness, stackID, runID, token string) (string, backend.LogChunk) {
	t.Helper()
	var b strings.Builder
	for range 20 {
		c, err := h.client.RunLogs(ctxFor(t), stackID, runID, token)
		if err != nil {
			t.Fatalf("RunLogs: %v", err)
		}
		b.WriteString(c.Text)
		if c.Done {
			return b.String(), c
		}
		token = c.Next
	}
	t.Fatalf("log of %s never done; so far %q", runID, b.String())
	return "", backend.LogChunk{}
}

func TestPlanRunsAreListedAndPaged(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := ctxFor(t)
	const ws = "ws-network-prod"
	for range 3 {
		if _, err := h.client.Trigger(ctx, ws, model.RunPlan); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		h.fake.Advance(time.Minute)
	}
	runs, next, err := h.client.ListRuns(ctx, ws, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 4 || next != "" {
		t.Fatalf("got %d runs (next %q), want 3 plans and the seed deploy", len(runs), next)
	}
	if runs[0].Kind != model.RunPlan || runs[0].State != model.StateFinished || runs[0].RawState != "planned_and_finished" || runs[3].Kind != model.RunDeploy {
		t.Errorf("runs = %+v", runs)
	}
	stacks, err := h.client.ListStacks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Plan-only runs are speculative: they never become the workspace's
	// current run, so the stack still shows its last deploy.
	if lr := stackByName(t, stacks, "network-prod").LatestRun; lr == nil || lr.ID != runs[3].ID {
		t.Errorf("latest run %+v, want the seed deploy %s", lr, runs[3].ID)
	}
}

func TestDiscardCancelAndRetry(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := ctxFor(t)
	const ws = "ws-bu002-dev"
	queued, err := h.client.Trigger(ctx, ws, model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.Discard(ctx, ws, queued.ID); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("discarding a queued run: %v, want ErrConflict", err)
	}
	if r, err := h.client.Cancel(ctx, ws, queued.ID); err != nil || r.State != model.StateCanceled {
		t.Fatalf("cancel: %+v, %v", r, err)
	}
	run, err := h.client.Trigger(ctx, ws, model.RunDeploy)
	if err != nil {
		t.Fatal(err)
	}
	h.fake.Advance(time.Minute)
	h.fake.Advance(time.Minute)
	if r, err := h.client.Discard(ctx, ws, run.ID); err != nil || r.State != model.StateDiscarded {
		t.Fatalf("discard: %+v, %v", r, err)
	}

	plan, err := h.client.Trigger(ctx, ws, model.RunPlan)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.fake.Fail("bu002-dev", newestFakeRun(t, h, ws)); err != nil {
		t.Fatal(err)
	}
	retry, err := h.client.Retry(ctx, ws, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if retry.ID == plan.ID || retry.Kind != model.RunPlan || retry.Commit != plan.Commit || retry.State != model.StateQueued {
		t.Errorf("retry = %+v of %+v", retry, plan)
	}
}

// newestFakeRun is the fake's own id of the newest run of the workspace.
func newestFakeRun(t *testing.T, h *harness, ws string) string {
	t.Helper()
	runs, _, err := h.fake.ListRuns(ctxFor(t), strings.TrimPrefix(ws, "ws-"), "")
	if err != nil || len(runs) == 0 {
		t.Fatalf("fake runs: %v", err)
	}
	return runs[0].ID
}

func TestLockAndUnlock(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := ctxFor(t)
	const ws = "ws-network-dev"
	st, err := h.client.Lock(ctx, ws, "maintenance window")
	if err != nil {
		t.Fatal(err)
	}
	if st.Lock == nil || st.Lock.Note != "maintenance window" || st.ID != ws {
		t.Fatalf("locked stack = %+v", st)
	}
	if _, err := h.client.Lock(ctx, ws, "again"); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("second lock: %v, want ErrConflict", err)
	}
	if st, err = h.client.Unlock(ctx, ws); err != nil || st.Lock != nil {
		t.Fatalf("unlock: %+v, %v", st, err)
	}
	if _, err := h.client.Unlock(ctx, ws); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("second unlock: %v, want ErrConflict", err)
	}
}

func TestModulesUseRegistryAddresses(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := ctxFor(t)
	mods, err := h.client.ListModules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 2 {
		t.Fatalf("modules = %+v", mods)
	}
	var vpc model.Module
	for _, m := range mods {
		if m.Name == "vpc" {
			vpc = m
		}
	}
	if vpc.Source != "app.terraform.io/fake-org/vpc/aws" || vpc.Latest != "2.0.0" || vpc.Provider != "aws" ||
		vpc.Repo != "https://github.com/stackview/terraform-aws-vpc.git" {
		t.Errorf("vpc = %+v", vpc)
	}
	vs, err := h.client.ListModuleVersions(ctx, vpc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var nums []string
	for _, v := range vs {
		nums = append(nums, v.Number)
	}
	if !slices.Equal(nums, []string{"2.0.0", "1.1.0", "1.0.0"}) {
		t.Errorf("versions = %v", nums)
	}
}

func TestErrorsAreTyped(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := ctxFor(t)
	if _, err := h.client.GetRun(ctx, "ws-network-dev", "run-nosuchrun"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("unknown run: %v, want ErrNotFound", err)
	}
	if _, _, err := h.client.ListRuns(ctx, "ws-nosuch", ""); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("unknown workspace: %v, want ErrNotFound", err)
	}
	if _, err := h.client.Trigger(ctx, "ws-network-dev", "destroy"); err == nil {
		t.Error("an unknown run kind was queued")
	}
	if !h.client.Capabilities().DriftCheck || !h.client.Capabilities().Lock {
		t.Errorf("capabilities = %+v", h.client.Capabilities())
	}
	if info := h.client.Info(); info.Kind != "tfc" || info.Account != "fake-org" || info.Endpoint != h.url || !info.Sandbox {
		t.Errorf("info = %+v", info)
	}
}

func TestLogReadsCarryNoToken(t *testing.T) {
	var logReads, withToken atomic.Int32
	h := newHarness(t, harnessOpts{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/sandbox-logs/") {
				logReads.Add(1)
				if r.Header.Get("Authorization") != "" {
					withToken.Add(1)
				}
			}
			next.ServeHTTP(w, r)
		})
	}})
	stacks, err := h.client.ListStacks(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	st := stackByName(t, stacks, "network-dev")
	text, _ := readLogs(t, h, st.ID, st.LatestRun.ID, "")
	if text != "queued\napplied\n" || logReads.Load() == 0 || withToken.Load() != 0 {
		t.Errorf("log %q after %d reads, %d of them with a token", text, logReads.Load(), withToken.Load())
	}
}

func TestOlderServersWithoutNewIncludesStillList(t *testing.T) {
	var refused atomic.Int32
	h := newHarness(t, harnessOpts{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Query().Get("include"), "effective_tag_bindings") {
				refused.Add(1)
				w.Header().Set("Content-Type", "application/vnd.api+json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"errors":[{"status":"400","title":"Invalid include parameter"}]}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	for range 2 {
		stacks, err := h.client.ListStacks(ctxFor(t))
		if err != nil {
			t.Fatal(err)
		}
		// Flat tags still place workspaces; key/value tags need the
		// effective_tag_bindings include such servers lack.
		if st := stackByName(t, stacks, "network-dev"); st.LatestRun == nil || !slices.Contains(st.Labels, "env:dev") {
			t.Errorf("network-dev = %+v", st)
		}
	}
	if _, err := h.client.Lock(ctxFor(t), "ws-bu001-dev", "x"); err != nil {
		t.Fatal(err)
	}
	if refused.Load() != 1 {
		t.Errorf("the full includes were tried %d times, want once", refused.Load())
	}
}
