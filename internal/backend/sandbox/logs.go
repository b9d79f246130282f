package sandbox

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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

// SGR colours as Terraform writes them in a plan (its -no-color is off on
// Spacelift and HCP Terraform): logs carry escape codes a pager must read
// through.
const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
	sgrRed    = "\x1b[31m"
)

var actionWords = map[model.ChangeAction]struct{ symbol, colour, verb string }{
	model.ActionAdd:     {"+", sgrGreen, "will be created"},
	model.ActionChange:  {"~", sgrYellow, "will be updated in-place"},
	model.ActionDestroy: {"-", sgrRed, "will be destroyed"},
	model.ActionReplace: {"-/+", sgrRed, "must be replaced"},
}

// planLog is Terraform's human-readable plan of changes, with values: what
// a Spacelift run's planning log holds. A drift check lists what changed
// outside Terraform instead, recorded -> real.
func planLog(kind model.RunKind, changes []model.ResourceChange) []string {
	if kind == model.RunDriftCheck {
		return driftLog(changes)
	}
	if len(changes) == 0 {
		return []string{"", sgrGreen + sgrBold + "No changes." + sgrReset + sgrBold + " Your infrastructure matches the configuration." + sgrReset, "",
			"Terraform has compared your real infrastructure against your configuration",
			"and found no differences, so no changes are needed."}
	}
	lines := []string{"",
		"Terraform used the selected providers to generate the following execution",
		"plan. Resource actions are indicated with the following symbols:",
	}
	// As Terraform does, the legend names only the actions the plan takes.
	for _, a := range []struct {
		action model.ChangeAction
		line   string
	}{
		{model.ActionAdd, "  " + sgrGreen + "+" + sgrReset + " create"},
		{model.ActionChange, "  " + sgrYellow + "~" + sgrReset + " update in-place"},
		{model.ActionDestroy, "  " + sgrRed + "-" + sgrReset + " destroy"},
		{model.ActionReplace, sgrRed + "-/+" + sgrReset + " destroy and then create replacement"},
	} {
		if slices.ContainsFunc(changes, func(c model.ResourceChange) bool { return c.Action == a.action }) {
			lines = append(lines, a.line)
		}
	}
	lines = append(lines, "", "Terraform will perform the following actions:", "")
	for _, c := range changes {
		w := actionWords[c.Action]
		lines = append(lines, "  "+sgrBold+"# "+c.Address+sgrReset+" "+w.verb)
		switch c.Reason {
		case "delete_because_no_resource_config":
			lines = append(lines, "  # (because "+c.Address+" is not in configuration)")
		case "delete_because_no_module":
			lines = append(lines, "  # (because "+moduleOf(c.Address)+" is not in configuration)")
		}
		lines = append(lines, resourceBlock(c, w.symbol, w.colour)...)
	}
	d := deltaOf(changes)
	return append(lines, fmt.Sprintf(sgrBold+"Plan:"+sgrReset+" %d to add, %d to change, %d to destroy.", d.Add, d.Change, d.Destroy))
}

// driftLog is a refresh-only plan's account of drift.
func driftLog(changes []model.ResourceChange) []string {
	if len(changes) == 0 {
		return []string{"", sgrGreen + sgrBold + "No changes." + sgrReset + sgrBold + " Your infrastructure still matches the configuration." + sgrReset, "",
			"Terraform has checked that the real remote objects still match the result of",
			"your most recent changes, and found no differences."}
	}
	lines := []string{"", sgrBold + "Note: Objects have changed outside of Terraform" + sgrReset, "",
		"Terraform detected the following changes made outside of Terraform since the",
		"last \"terraform apply\" which may have affected this plan:", ""}
	for _, c := range changes {
		lines = append(lines, "  "+sgrBold+"# "+c.Address+sgrReset+" has changed")
		lines = append(lines, resourceBlock(c, "~", sgrYellow)...)
	}
	return append(lines, "This is a refresh-only plan, so Terraform will not take any actions to undo",
		"these. If you were expecting these changes then you can apply this plan to",
		"record the updated values in the Terraform state without changing any remote",
		"objects.")
}

// resourceBlock is one resource's block of a plan: an attribute per line,
// a map's keys inside it, "# forces replacement" where it does.
func resourceBlock(c model.ResourceChange, symbol, colour string) []string {
	typ, name := resourceTypeName(c.Address)
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	lines := []string{fmt.Sprintf("%s%s%s%s resource %q %q {", strings.Repeat(" ", 3-len(symbol)), colour, symbol, sgrReset, typ, name)}
	width := 0
	for _, v := range c.Values {
		top, _, _ := strings.Cut(v.Path, ".")
		width = max(width, len(top))
	}
	for i := 0; i < len(c.Values); {
		top, _, nested := strings.Cut(c.Values[i].Path, ".")
		if !nested {
			v := c.Values[i]
			line := "      " + attrSymbol(c.Action, v) + " " + pad(top, width) + " = " + sideText(c.Action, v)
			if slices.Contains(c.ReplacePaths, top) {
				line += sgrRed + " # forces replacement" + sgrReset
			}
			lines = append(lines, line)
			i++
			continue
		}
		lines = append(lines, "      "+mapSymbol(c.Action)+" "+pad(top, width)+" = {")
		for ; i < len(c.Values); i++ {
			t, key, ok := strings.Cut(c.Values[i].Path, ".")
			if !ok || t != top {
				break
			}
			lines = append(lines, "          "+attrSymbol(c.Action, c.Values[i])+" "+strconv.Quote(key)+" = "+sideText(c.Action, c.Values[i]))
		}
		lines = append(lines, "        }")
	}
	return append(lines, "    }", "")
}

// attrSymbol marks one attribute's line: what happens to it.
func attrSymbol(action model.ChangeAction, v model.AttributeChange) string {
	switch {
	case action == model.ActionAdd || (v.Before.Null && !v.After.Null):
		return sgrGreen + "+" + sgrReset
	case action == model.ActionDestroy || (v.After.Null && !v.Before.Null):
		return sgrRed + "-" + sgrReset
	}
	return sgrYellow + "~" + sgrReset
}

// mapSymbol marks a map attribute whose keys change: the map itself is
// created or destroyed with its resource, else updated.
func mapSymbol(action model.ChangeAction) string {
	switch action {
	case model.ActionAdd:
		return sgrGreen + "+" + sgrReset
	case model.ActionDestroy:
		return sgrRed + "-" + sgrReset
	}
	return sgrYellow + "~" + sgrReset
}

// sideText is an attribute's value(s) as the plan writes them.
func sideText(action model.ChangeAction, v model.AttributeChange) string {
	text := func(x model.Value) string {
		switch {
		case x.Sensitive:
			return "(sensitive value)"
		case x.Unknown:
			return "(known after apply)"
		case x.Null:
			return "null"
		}
		return x.Text
	}
	switch {
	case v.Before.Sensitive || v.After.Sensitive:
		return "(sensitive value)"
	case action == model.ActionAdd || (v.Before.Null && !v.After.Null):
		return text(v.After)
	}
	return text(v.Before) + " " + sgrYellow + "->" + sgrReset + " " + text(v.After)
}

func pad(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len(s))) }

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
		case model.ActionReplace:
			lines = append(lines, c.Address+": Destroying...", fmt.Sprintf("%s: Destruction complete after %ds", c.Address, secs),
				c.Address+": Creating...", fmt.Sprintf("%s: Creation complete after %ds", c.Address, secs+1))
		}
	}
	d := deltaOf(changes)
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
