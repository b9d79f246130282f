package sandbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/stackview/stackview/internal/model"
)

func (e *Engine) prepareLog(ctx context.Context, r *run) []string {
	s := r.stack
	return []string{
		fmt.Sprintf("Preparing the workspace for %s run %s", r.Kind, r.ID),
		fmt.Sprintf("Cloning %s at %s", s.repo.url(), short(r.Commit)),
		fmt.Sprintf("Checked out %s: %s", short(r.Commit), s.repo.message(ctx, r.Commit)),
		fmt.Sprintf("Project root: %s", s.ProjectRoot),
	}
}

func initLog(res planResult) []string {
	lines := []string{"Initializing the backend...", "", "Initializing modules..."}
	lines = append(lines, res.modules...)
	if res.failure != nil {
		return append(append(lines, ""), res.failure...)
	}
	return append(lines, "", "Initializing provider plugins...",
		"- Finding hashicorp/aws versions matching \"~> 5.0\"...",
		"- Installing hashicorp/aws v5.82.2...", "",
		"Terraform has been successfully initialized!")
}

var actionWords = map[model.ChangeAction]struct{ symbol, verb string }{
	model.ActionAdd:     {"+", "will be created"},
	model.ActionChange:  {"~", "will be updated in-place"},
	model.ActionDestroy: {"-", "will be destroyed"},
}

func planLog(changes []model.ResourceChange) []string {
	if len(changes) == 0 {
		return []string{"No changes. Your infrastructure matches the configuration.", "",
			"Terraform has compared your real infrastructure against your configuration",
			"and found no differences, so no changes are needed."}
	}
	lines := []string{
		"Terraform used the selected providers to generate the following execution",
		"plan. Resource actions are indicated with the following symbols:",
		"  + create", "  ~ update in-place", "  - destroy", "",
		"Terraform will perform the following actions:", "",
	}
	for _, c := range changes {
		w := actionWords[c.Action]
		typ, name := resourceTypeName(c.Address)
		lines = append(lines, fmt.Sprintf("  # %s %s", c.Address, w.verb),
			fmt.Sprintf("  %s resource %q %q {", w.symbol, typ, name))
		for _, a := range c.Attributes {
			val := "(known after apply)"
			if c.Action == model.ActionChange {
				val = "-> (changed)"
			}
			lines = append(lines, fmt.Sprintf("      %s %s = %s", w.symbol, a, val))
		}
		lines = append(lines, "    }", "")
	}
	d := model.DeltaOf(changes)
	return append(lines, fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy.", d.Add, d.Change, d.Destroy))
}

func applyLog(changes []model.ResourceChange) []string {
	var lines []string
	for i, c := range changes {
		secs := 2 + i%7
		switch c.Action {
		case model.ActionAdd:
			lines = append(lines, c.Address+": Creating...", fmt.Sprintf("%s: Creation complete after %ds", c.Address, secs))
		case model.ActionChange:
			lines = append(lines, c.Address+": Modifying...", fmt.Sprintf("%s: Modifications complete after %ds", c.Address, secs))
		case model.ActionDestroy:
			lines = append(lines, c.Address+": Destroying...", fmt.Sprintf("%s: Destruction complete after %ds", c.Address, secs))
		}
	}
	d := model.DeltaOf(changes)
	return append(lines, "", fmt.Sprintf("Apply complete! Resources: %d added, %d changed, %d destroyed.", d.Add, d.Change, d.Destroy))
}

// resourceTypeName splits "module.x.aws_vpc.this" into "aws_vpc", "this".
func resourceTypeName(addr string) (string, string) {
	parts := strings.Split(addr, ".")
	if len(parts) < 2 {
		return addr, ""
	}
	return parts[len(parts)-2], parts[len(parts)-1]
}
