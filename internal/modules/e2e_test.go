package modules_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/modules"
	"github.com/stackview/stackview/internal/promote/promotetest"
	"github.com/stackview/stackview/internal/tfmod"
	"github.com/stackview/stackview/internal/vcs"
)

const s3Bucket = "spacelift.io/acme/s3-bucket/aws"

// useAuditLogs adds an s3-bucket module block at 1.0.0 to a .tf file.
func useAuditLogs(old string) string {
	return old + "\n# Audit logs, kept for a year.\nmodule \"audit_logs\" {\n  source  = \"" + s3Bucket + "\"\n  version = \"1.0.0\"\n\n  name = \"audit\"\n}\n"
}

// TestBumpAcrossThreeBusinessUnits: three business units use s3-bucket
// 1.0.0 in every environment; a bump to 1.1.0 makes one commit on each dev
// branch, their dev stacks deploy it with the module's changes in the plan,
// and the inventory shows dev ahead of qa and prod.
func TestBumpAcrossThreeBusinessUnits(t *testing.T) {
	ctx := context.Background()
	w := promotetest.New(t)
	units := map[string]string{"dev-payments-ledger": "stacks/ledger/main.tf", "dev-identity": "terraform/main.tf", "dev-storefront": "terraform/main.tf"}
	var repos []string
	setup := map[string]string{}
	for id, file := range units {
		repo := w.Stack(id).Repo
		repos = append(repos, repo)
		for _, branch := range []string{"dev", "qa", "main"} {
			head := w.Push(repo, branch, file, useAuditLogs)
			if branch == "dev" {
				setup[id] = head
			}
		}
	}
	slices.Sort(repos)
	w.Until("the setup to deploy in dev", func() bool {
		for id, head := range setup {
			if w.DeployState(id, head) != model.StateFinished {
				return false
			}
		}
		return true
	})

	var progress []string
	var mu sync.Mutex
	w.Cache.Progress = func(m string) {
		mu.Lock()
		defer mu.Unlock()
		progress = append(progress, m)
	}
	results, err := modules.Bump(ctx, w.Cache, modules.BumpRequest{Address: s3Bucket, Target: "1.1.0", Repos: repos})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 {
		t.Fatalf("%d results, want 3", len(results))
	}
	for _, r := range results {
		if r.Message != "Bump module s3-bucket 1.0.0 → 1.1.0" || len(r.Edits) != 1 || r.Push.New != r.Commit || r.Push.UpToDate {
			t.Errorf("%s: %+v", r.Repo, r)
		}
	}
	if !slices.ContainsFunc(progress, func(m string) bool { return strings.HasPrefix(m, "cloning ") }) ||
		!slices.ContainsFunc(progress, func(m string) bool { return strings.HasPrefix(m, "pushing ") }) {
		t.Errorf("progress = %q", progress)
	}
	for _, args := range w.Sent {
		if args[0] == "push" && (len(args) != 3 || !strings.HasSuffix(args[2], ":refs/heads/dev")) {
			t.Errorf("unexpected push %q", args)
		}
	}

	w.Sync()
	byRepo := map[string]string{}
	for _, r := range results {
		byRepo[r.Repo] = r.Commit
	}
	for id := range units {
		commit := byRepo[w.Stack(id).Repo]
		w.Until(id+" to deploy the bump", func() bool { return w.DeployState(id, commit) == model.StateFinished })
		run := w.Stack(id).LatestRun
		if run.Commit != commit || run.Delta == nil || *run.Delta != (model.Delta{Add: 1, Change: 2}) {
			t.Errorf("%s: latest run %+v", id, run)
			continue
		}
		changes, err := w.E.RunChanges(ctx, id, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		var addrs []string
		for _, c := range changes {
			addrs = append(addrs, string(c.Action)+" "+c.Address)
		}
		want := []string{"CHANGE module.audit_logs.aws_s3_bucket.this", "ADD module.audit_logs.aws_s3_bucket_public_access_block.this",
			"CHANGE module.audit_logs.aws_s3_bucket_versioning.this"}
		if !slices.Equal(addrs, want) {
			t.Errorf("%s plan = %q, want %q", id, addrs, want)
		}
	}

	var inv tfmod.Inventory
	for _, repo := range repos {
		cl, err := w.Cache.Open(ctx, repo)
		if err != nil {
			t.Fatal(err)
		}
		part, err := modules.Scan(ctx, cl, []string{"dev", "qa", "main"}, w.Stacks())
		cl.Close()
		if err != nil {
			t.Fatal(err)
		}
		inv.Merge(part)
	}
	versions := &modules.Versions{Backend: w.E, Cache: w.Cache}
	uses := inv.Of(s3Bucket)
	if len(uses) != 9 {
		t.Fatalf("%d uses of s3-bucket, want 9: %v", len(uses), uses)
	}
	for _, u := range uses {
		st, err := versions.Status(ctx, u.Call)
		if err != nil {
			t.Fatal(err)
		}
		want := "1.0.0"
		if u.Branch == "dev" {
			want = "1.1.0"
		}
		if u.StackID == "" || st.Current != want || st.Newest != "2.0.0" || !st.Major {
			t.Errorf("%s (stack %q): %+v, want current %s of newest 2.0.0", u, u.StackID, st, want)
		}
	}
	if got := inv.Repos(s3Bucket, "dev"); !slices.Equal(got, repos) {
		t.Errorf("repos using s3-bucket on dev = %q, want %q", got, repos)
	}
}

// TestBumpRefusedInOneRepository: a repository whose remote refuses the
// push fails alone, with the remote's words; the others are bumped.
func TestBumpRefusedInOneRepository(t *testing.T) {
	ctx := context.Background()
	w := promotetest.New(t)
	ledger, store := w.Stack("dev-payments-ledger"), w.Stack("dev-storefront")
	for _, s := range []model.Stack{ledger, store} {
		w.Push(s.Repo, "dev", strings.TrimPrefix(s.ProjectRoot+"/main.tf", "./"), useAuditLogs)
	}
	hooks := filepath.Join(strings.TrimPrefix(store.Repo, "file://"), "hooks")
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hooks, "pre-receive"), []byte("#!/bin/sh\necho 'dev is frozen until Monday' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := w.Stack("dev-storefront").BranchHead
	results, err := modules.Bump(ctx, w.Cache, modules.BumpRequest{Address: s3Bucket, Target: "1.1.0", Repos: []string{ledger.Repo, store.Repo}})
	if !errors.Is(err, vcs.ErrPushRejected) || !strings.Contains(err.Error(), "dev is frozen until Monday") {
		t.Fatalf("err = %v, want the storefront push rejected in the remote's words", err)
	}
	if results[0].Err != nil || results[0].Push.New == "" || results[1].Err == nil {
		t.Fatalf("results = %+v", results)
	}
	w.Sync()
	if got := w.Stack("dev-storefront").BranchHead; got != before {
		t.Fatalf("storefront dev moved to %s", got)
	}
	if got := w.Stack("dev-payments-ledger").BranchHead; got != results[0].Commit {
		t.Fatalf("payments dev = %s, want the bump %s", got, results[0].Commit)
	}
}

// TestBumpAsPullRequest pushes the bump to its own branch and, off GitHub,
// says how to open the pull request; dev does not move.
func TestBumpAsPullRequest(t *testing.T) {
	ctx := context.Background()
	w := promotetest.New(t)
	s := w.Stack("dev-storefront")
	w.Push(s.Repo, "dev", "terraform/main.tf", useAuditLogs)
	dev := w.Stack("dev-storefront").BranchHead
	results, err := modules.Bump(ctx, w.Cache, modules.BumpRequest{Address: s3Bucket, Target: "1.1.0", Repos: []string{s.Repo}, PullRequest: true})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if r.Push.Branch != "stackview/bump-s3-bucket-1.1.0" || r.PullRequest.Created || !strings.Contains(r.PullRequest.Note, "not on GitHub") {
		t.Fatalf("result = %+v", r)
	}
	w.Sync()
	if got := w.Stack("dev-storefront").BranchHead; got != dev {
		t.Fatalf("dev moved to %s in pull-request mode", got)
	}
	cl, err := w.Cache.Open(ctx, s.Repo)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if head, _ := cl.Head(ctx, r.Push.Branch); head != r.Commit {
		t.Fatalf("%s = %s, want the bump %s", r.Push.Branch, head, r.Commit)
	}
}

// TestBumpNothingToDo: a repository that does not use the module is left
// alone: no commit, no push.
func TestBumpNothingToDo(t *testing.T) {
	ctx := context.Background()
	w := promotetest.New(t)
	repo := w.Stack("dev-identity").Repo
	results, err := modules.Bump(ctx, w.Cache, modules.BumpRequest{Address: s3Bucket, Target: "1.1.0", Repos: []string{repo}})
	if err != nil || len(results) != 1 || results[0].Commit != "" || !results[0].Push.UpToDate {
		t.Fatalf("results %+v, err %v: identity does not use s3-bucket", results, err)
	}
	for _, args := range w.Sent {
		if args[0] == "push" || args[0] == "commit-tree" {
			t.Fatalf("sent %q with nothing to bump", args)
		}
	}
}
