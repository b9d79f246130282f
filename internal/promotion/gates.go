package promotion

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stackview/stackview/internal/model"
)

// Gate names, as the UI and the audit log show them.
const (
	GateSourceDeployed  = "deployed in source"
	GateSourceSettled   = "nothing pending or failed in source"
	GateTargetNoDrift   = "no drift in target"
	GateTargetWritable  = "target stacks unlocked and enabled"
	GateTargetUnchanged = "target branch not moved"
)

// maxNamesInGateReason keeps a failing gate's reason to one readable line.
const maxNamesInGateReason = 4

// Gate is one named check before a promotion.
type Gate struct {
	Name   string
	Pass   bool
	Reason string
}

// GateInput is the model data the gates judge; it is gathered by Check
// (or a test) and judged by Gates without I/O.
type GateInput struct {
	Plan Plan
	// SourceStacks and TargetStacks are the stacks of the repository that
	// track the source and the target branch.
	SourceStacks, TargetStacks []model.Stack
	// Deploys holds each source stack's latest deploy run (absent: none).
	Deploys map[string]model.Run
	// Expected maps a source stack to the newest commit at or before the
	// promoted one that touched its project root ("" when none did).
	Expected map[string]string
	// DeployedRoot maps a source stack to the newest commit at or before
	// its latest deploy's that touched its project root: a deploy of a
	// later commit that left the root alone (Spacelift deploys branch
	// heads) ran the same code. Absent: the deploy's commit is compared.
	DeployedRoot map[string]string
	// TargetHead is the target branch's commit now.
	TargetHead string
}

// Gates judges a promotion: every gate, in a fixed order, with its reason.
func Gates(in GateInput) []Gate {
	return []Gate{
		sourceDeployed(in),
		sourceSettled(in),
		targetNoDrift(in),
		targetWritable(in),
		TargetUnchanged(in),
	}
}

// Failed returns the gates that did not pass.
func Failed(gates []Gate) []Gate {
	var out []Gate
	for _, g := range gates {
		if !g.Pass {
			out = append(out, g)
		}
	}
	return out
}

func sourceDeployed(in GateInput) Gate {
	g := Gate{Name: GateSourceDeployed}
	var bad []string
	for _, s := range in.SourceStacks {
		want := in.Expected[s.ID]
		if want == "" {
			continue // its project root does not exist at the promoted commit
		}
		r, ok := in.Deploys[s.ID]
		ran := r.Commit
		if root, known := in.DeployedRoot[s.ID]; known {
			ran = root
		}
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s has never deployed %s", s.ID, model.ShortSHA(want)))
		case ran != want:
			bad = append(bad, fmt.Sprintf("%s last deployed %s, not %s", s.ID, model.ShortSHA(r.Commit), model.ShortSHA(want)))
		case r.State != model.StateFinished:
			bad = append(bad, fmt.Sprintf("%s's deploy of %s is %s", s.ID, model.ShortSHA(want), r.State))
		}
	}
	if len(bad) > 0 {
		g.Reason = names(bad)
		return g
	}
	g.Pass, g.Reason = true, fmt.Sprintf("every %s stack of this repository finished deploying the promoted code", in.Plan.Source.Name)
	if len(in.SourceStacks) == 0 {
		g.Reason = fmt.Sprintf("no %s stack tracks this repository: nothing proves the code there", in.Plan.Source.Name)
	}
	return g
}

func sourceSettled(in GateInput) Gate {
	g := Gate{Name: GateSourceSettled}
	var bad []string
	for _, s := range in.SourceStacks {
		st := s.State
		if r := s.LatestTrackedRun; r != nil && !r.State.Terminal() {
			st = r.State // a plan running on the source does not unsettle it
		}
		if st.Waiting() || st.Active() || st == model.StateFailed {
			bad = append(bad, s.ID+" is "+string(st))
		}
	}
	if len(bad) > 0 {
		g.Reason = names(bad)
		return g
	}
	g.Pass, g.Reason = true, fmt.Sprintf("no %s stack of this repository is unconfirmed, failed or running", in.Plan.Source.Name)
	return g
}

func targetNoDrift(in GateInput) Gate {
	g := Gate{Name: GateTargetNoDrift}
	var bad []string
	for _, s := range in.TargetStacks {
		if s.Drift.Drifted {
			bad = append(bad, fmt.Sprintf("%s has drifted (%d resources)", s.ID, len(s.Drift.Resources)))
		}
	}
	if len(bad) > 0 {
		g.Reason = names(bad)
		return g
	}
	g.Pass, g.Reason = true, fmt.Sprintf("no %s stack of this repository has drifted", in.Plan.Target.Name)
	return g
}

func targetWritable(in GateInput) Gate {
	g := Gate{Name: GateTargetWritable}
	var bad []string
	for _, s := range in.TargetStacks {
		switch {
		case s.Disabled:
			bad = append(bad, s.ID+" is disabled")
		case s.Locked():
			bad = append(bad, fmt.Sprintf("%s is locked by %s (%s)", s.ID, s.Lock.Holder, s.Lock.Note))
		}
	}
	if len(bad) > 0 {
		g.Reason = names(bad)
		return g
	}
	g.Pass, g.Reason = true, fmt.Sprintf("every %s stack of this repository can run", in.Plan.Target.Name)
	return g
}

func TargetUnchanged(in GateInput) Gate {
	g := Gate{Name: GateTargetUnchanged}
	if in.TargetHead != in.Plan.TargetHead {
		g.Reason = fmt.Sprintf("%s moved from %s to %s since the diff was computed: review the diff again",
			in.Plan.Target.Branch, model.ShortSHA(in.Plan.TargetHead), model.ShortSHA(in.TargetHead))
		return g
	}
	g.Pass, g.Reason = true, fmt.Sprintf("%s is still at %s", in.Plan.Target.Branch, model.ShortSHA(in.TargetHead))
	return g
}

// names joins problems, at most a few of them, sorted for stable output.
func names(items []string) string {
	sort.Strings(items)
	if len(items) > maxNamesInGateReason {
		return strings.Join(items[:maxNamesInGateReason], "; ") + fmt.Sprintf("; and %d more", len(items)-maxNamesInGateReason)
	}
	return strings.Join(items, "; ")
}
