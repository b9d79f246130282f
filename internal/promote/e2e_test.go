package promote_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promote"
	"github.com/stackview/stackview/internal/promote/promotetest"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/vcs"
)

var (
	bg   = context.Background()
	dev  = model.Environment{Name: "dev", Branch: "dev"}
	qa   = model.Environment{Name: "qa", Branch: "qa"}
	prod = model.Environment{Name: "prod", Branch: "main", Protected: true}
)

func TestPromoteDevToQAToProd(t *testing.T) {
	w := promotetest.New(t)
	repo := w.Stack("dev-identity").Repo
	head := w.Push(repo, "dev", "terraform/main.tf", promotetest.AddResource("audit"))
	w.Until("dev-identity to deploy the change", func() bool { return w.DeployState("dev-identity", head) == model.StateFinished })

	cl := w.Open("dev-identity")
	plan, err := promote.Compute(bg, cl, w.Stacks(), dev, qa)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Commit != head || !plan.FastForward || len(plan.Commits) != 1 || plan.Commits[0].Subject != "Change terraform/main.tf on dev" {
		t.Fatalf("plan = %+v", plan)
	}
	if len(plan.Affected) != 1 || plan.Affected[0].StackID != "qa-identity" || plan.Affected[0].Files[0] != "terraform/main.tf" {
		t.Fatalf("affected = %+v", plan.Affected)
	}
	gates, err := promote.Check(bg, cl, w.E, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if failed := promotion.Failed(gates); len(failed) != 0 {
		t.Fatalf("failing gates: %+v", failed)
	}
	res, err := promote.Execute(bg, cl, plan, gates, promote.Options{Strategy: promotion.FastForward})
	if err != nil {
		t.Fatal(err)
	}
	if res.Push.New != head || res.Push.Old != plan.TargetHead {
		t.Fatalf("push = %+v", res.Push)
	}
	w.Sync()
	qaStack := w.Stack("qa-identity")
	if qaStack.TrackedCommit != head || qaStack.LatestRun == nil || qaStack.LatestRun.Commit != head || qaStack.LatestRun.Kind != model.RunDeploy {
		t.Fatalf("qa-identity after the promotion: tracked %s, latest run %+v", qaStack.TrackedCommit, qaStack.LatestRun)
	}

	// qa does not autodeploy: a person confirms, then qa goes on to prod.
	w.Until("qa-identity to wait for confirmation", func() bool { return w.DeployState("qa-identity", head) == model.StateUnconfirmed })
	if _, err := w.E.Confirm(bg, "qa-identity", w.Stack("qa-identity").LatestRun.ID); err != nil {
		t.Fatal(err)
	}
	w.Until("qa-identity to finish", func() bool { return w.DeployState("qa-identity", head) == model.StateFinished })
	toProd, err := promote.Compute(bg, cl, w.Stacks(), qa, prod)
	if err != nil {
		t.Fatal(err)
	}
	gates, err = promote.Check(bg, cl, w.E, toProd, nil)
	if err != nil {
		t.Fatal(err)
	}
	if failed := promotion.Failed(gates); len(failed) != 0 {
		t.Fatalf("failing gates qa → prod: %+v", failed)
	}
	if _, err := promote.Execute(bg, cl, toProd, gates, promote.Options{}); !errors.Is(err, promote.ErrNotConfirmed) {
		t.Fatalf("promoting to protected prod without typing its name: err = %v", err)
	}
	if _, err := promote.Execute(bg, cl, toProd, gates, promote.Options{ConfirmEnv: "prod"}); err != nil {
		t.Fatal(err)
	}
	w.Sync()
	if r := w.Stack("prod-identity").LatestRun; r == nil || r.Commit != head || r.Kind != model.RunDeploy {
		t.Fatalf("prod-identity's latest run after the promotion: %+v", r)
	}
	want := []string{"push origin " + head + ":refs/heads/qa", "push origin " + head + ":refs/heads/main"}
	var pushes []string
	for _, args := range w.Sent {
		if args[0] == "push" {
			pushes = append(pushes, strings.Join(args, " "))
		}
	}
	if !slices.Equal(pushes, want) {
		t.Fatalf("pushes = %q, want %q", pushes, want)
	}
}

func TestBoardRow(t *testing.T) {
	w := promotetest.New(t)
	cl := w.Open("dev-payments-api")
	row, err := promote.BoardRow(bg, cl, []model.Environment{dev, qa, prod}, w.Stacks())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range row.Cells {
		var ids []string
		for _, s := range c.Stacks {
			ids = append(ids, s.ID)
		}
		got = append(got, fmt.Sprintf("%s %q ↓%d %v", c.Env.Name, c.Head.Subject, c.Behind, ids))
	}
	want := []string{
		`dev "Bump ecs-service module to 2.1.0" ↓0 [dev-payments-api dev-payments-ledger]`,
		`qa "Raise ledger queue visibility timeout" ↓1 [qa-payments-api qa-payments-ledger]`,
		`prod "Alarm on API 5xx rate" ↓1 [prod-payments-api prod-payments-ledger]`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("row =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if next, ok := promotion.Next([]model.Environment{dev, qa, prod}, "qa"); !ok || next != prod {
		t.Fatalf("promotion.Next(qa) = %v, %v", next, ok)
	}
}

func TestFailedDevStackFailsTheGateAndRefuses(t *testing.T) {
	w := promotetest.New(t)
	if s := w.Stack("dev-analytics"); s.State != model.StateFailed {
		t.Fatalf("the seed's dev-analytics is %s, want FAILED", s.State)
	}
	cl := w.Open("dev-analytics")
	plan, err := promote.Compute(bg, cl, w.Stacks(), dev, qa)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Modules) != 1 || plan.Modules[0].Name != "lake" || plan.Modules[0].From != "1.1.0" || plan.Modules[0].To != "2.1.0" {
		t.Fatalf("module changes = %+v", plan.Modules)
	}
	gates, err := promote.Check(bg, cl, w.E, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	failed := promotion.Failed(gates)
	if len(failed) == 0 || failed[0].Name != promotion.GateSourceDeployed || !strings.Contains(failed[0].Reason, "dev-analytics") {
		t.Fatalf("failed gates = %+v", failed)
	}
	qaBefore, _ := cl.Head(bg, "qa")
	_, err = promote.Execute(bg, cl, plan, gates, promote.Options{Strategy: promotion.FastForward})
	var gf *promote.GatesFailedError
	if !errors.As(err, &gf) || !strings.Contains(err.Error(), `"`+promotion.GateSourceDeployed+`"`) {
		t.Fatalf("err = %v, want a refusal naming the gate", err)
	}
	if qaAfter, _ := cl.Head(bg, "qa"); qaAfter != qaBefore {
		t.Fatal("a refused promotion moved qa")
	}
	res, err := promote.Execute(bg, cl, plan, gates, promote.Options{Override: "the registry publishes 2.1.0 today"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Overridden) != len(failed) || res.Overridden[0].Name != promotion.GateSourceDeployed ||
		res.Override != "the registry publishes 2.1.0 today" || res.Push.New != plan.Commit {
		t.Fatalf("overridden promotion = %+v", res)
	}
}

func TestDivergedBranchesExplainTheChoice(t *testing.T) {
	w := promotetest.New(t)
	repo := w.Stack("dev-identity").Repo
	hotfix := w.Push(repo, "qa", "terraform/main.tf", promotetest.AddResource("qa_hotfix"))
	w.Until("the qa hotfix to plan", func() bool { return w.DeployState("qa-identity", hotfix) == model.StateUnconfirmed })
	head := w.Push(repo, "dev", "README.md", func(s string) string { return s + "More docs.\n" })

	cl := w.Open("dev-identity")
	plan, err := promote.Compute(bg, cl, w.Stacks(), dev, qa)
	if err != nil {
		t.Fatal(err)
	}
	if plan.FastForward || len(plan.Affected) != 0 {
		t.Fatalf("plan = %+v: want diverged, README only", plan)
	}
	gates := check(t, w, cl, plan)
	_, err = promote.Execute(bg, cl, plan, gates, promote.Options{Strategy: promotion.FastForward})
	if !errors.Is(err, vcs.ErrNotFastForward) || !strings.Contains(err.Error(), "merge") || !strings.Contains(err.Error(), "pull request") {
		t.Fatalf("err = %v, want the not-a-fast-forward explanation", err)
	}
	res, err := promote.Execute(bg, cl, plan, gates, promote.Options{Strategy: promotion.MergeCommit})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := cl.IsAncestor(bg, head, res.Push.New); !ok {
		t.Fatal("the merge commit does not contain dev's head")
	}
	if ok, _ := cl.IsAncestor(bg, hotfix, res.Push.New); !ok {
		t.Fatal("the merge commit dropped qa's hotfix")
	}
	_, err = promote.Execute(bg, cl, plan, gates, promote.Options{Strategy: promotion.PullRequest})
	var gf *promote.GatesFailedError
	if !errors.As(err, &gf) || gf.Failed[0].Name != promotion.GateTargetUnchanged || strings.Contains(err.Error(), "override") {
		t.Fatalf("err = %v: the plan is stale after the merge and must be refused", err)
	}
}

func TestDirtyConfiguredCloneIsRefused(t *testing.T) {
	w := promotetest.New(t)
	repo := w.Stack("dev-payments-api").Repo
	mine := filepath.Join(t.TempDir(), "payments")
	if _, err := (vcs.Git{}).Run(bg, "clone", "--quiet", repo, mine); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(mine, "stacks", "api", "main.tf"), []byte("# half-done edit\n"), 0o644)
	w.Cache.Clones = map[string]string{repo: mine}
	_, err := w.Cache.Open(bg, repo)
	var dirty *vcs.DirtyError
	if !errors.As(err, &dirty) || len(dirty.Files) != 1 || dirty.Files[0] != "M stacks/api/main.tf" {
		t.Fatalf("err = %v, want the clone refused listing stacks/api/main.tf", err)
	}
}

func TestPullRequestOffGitHubSaysWhatToDo(t *testing.T) {
	w := promotetest.New(t)
	cl := w.Open("dev-payments-api")
	plan, err := promote.Compute(bg, cl, w.Stacks(), dev, qa)
	if err != nil {
		t.Fatal(err)
	}
	res, err := promote.Execute(bg, cl, plan, check(t, w, cl, plan), promote.Options{Strategy: promotion.PullRequest})
	if err != nil {
		t.Fatal(err)
	}
	if res.PullRequest.Created || res.PullRequest.URL != "" || !strings.Contains(res.PullRequest.Note, "not on GitHub") {
		t.Fatalf("pull request = %+v", res.PullRequest)
	}
}

// check runs the gates and insists they pass.
func check(t *testing.T, w *promotetest.World, cl *vcs.Clone, plan promotion.Plan) []promotion.Gate {
	t.Helper()
	gates, err := promote.Check(bg, cl, w.E, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if failed := promotion.Failed(gates); len(failed) > 0 {
		t.Fatalf("failing gates: %+v", failed)
	}
	return gates
}
