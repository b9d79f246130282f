package promote

import (
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/vcs"
)

// TestPushDetail: the journal names overridden gates and the reason only
// when there are some.
func TestPushDetail(t *testing.T) {
	p := promotion.Plan{Commit: "c3c3c3c3c3", Commits: []vcs.Commit{{}, {}}}
	if got := pushDetail("Promote dev → qa", p, Result{Strategy: promotion.FastForward}); got != "Promote dev → qa (c3c3c3c, 2 commits, "+string(promotion.FastForward)+")" {
		t.Errorf("without overrides: %q", got)
	}
	res := Result{Strategy: promotion.FastForward, Overridden: []promotion.Gate{{Name: promotion.GateSourceDeployed}, {Name: promotion.GateTargetNoDrift}}, Override: "hotfix"}
	if got := pushDetail("Promote", p, res); !strings.HasSuffix(got, "; gates "+promotion.GateSourceDeployed+", "+promotion.GateTargetNoDrift+` overridden: "hotfix"`) {
		t.Errorf("with overrides: %q", got)
	}
}

// TestPRBody: the pull request lists the commits, and the stacks that
// will run and the module changes only when there are some.
func TestPRBody(t *testing.T) {
	p := promotion.Plan{Commit: "c3c3c3c3c3", Target: model.Environment{Name: "qa", Branch: "qa"},
		Commits: []vcs.Commit{{SHA: "c3c3c3c3c3", Subject: "Add audit bucket"}}}
	bare := prBody(p)
	if !strings.Contains(bare, "- c3c3c3c Add audit bucket\n") || strings.Contains(bare, "Stacks that will run") ||
		strings.Contains(bare, "Module changes") || !strings.HasSuffix(bare, "\nOpened by stackview.\n") {
		t.Errorf("without stacks or modules:\n%s", bare)
	}
	p.Affected = []promotion.Affected{{StackID: "qa-identity"}}
	p.Modules = []promotion.ModuleChange{{Dir: "terraform", Name: "vpc", From: "1.0.0", To: "1.1.0"}}
	full := prBody(p)
	if !strings.Contains(full, "\nStacks that will run:\n- qa-identity\n") || !strings.Contains(full, "\nModule changes:\n- terraform: module vpc 1.0.0 → 1.1.0\n") {
		t.Errorf("with stacks and modules:\n%s", full)
	}
}
