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
	GateTargetSettled   = "nothing waiting, queued or failed in target"
	GateTargetUnchanged = "target branch not moved"
)

// maxNamesInGateReason keeps a failing gate's reason to one readable line.
const maxNamesInGateReason = 4

// Gate is one named check before a promotion.
type Gate struct {
	Name   string
	Pass   bool
	Reason string
	// Stacks is how many stacks the gate judged and Passed how many of
	// them pass; both 0 for a gate that judges no stack.
	Stacks, Passed int
}

// Count is " (k of n stacks)" for a gate that judges stacks, else "".
func (g Gate) Count() string {
	if g.Stacks == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d of %d %s)", g.Passed, g.Stacks, plural(g.Stacks, "stack"))
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
	// WaveStacks are every stack the promotion's runs may reach — the
	// affected target stacks and, transitively, the stacks depending on
	// them, in any repository (Waves) — with the drift ignore rules
	// applied: the target gates judge each of them.
	WaveStacks []model.Stack
}

// Gates judges a promotion: every gate, in a fixed order, with its reason.
func Gates(in GateInput) []Gate {
	return []Gate{
		sourceDeployed(in),
		sourceSettled(in),
		targetNoDrift(in),
		targetWritable(in),
		targetSettled(in),
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
		g.Stacks++
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
		default:
			g.Passed++
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
	g := Gate{Name: GateSourceSettled, Stacks: len(in.SourceStacks)}
	var bad []string
	for _, s := range in.SourceStacks {
		st := s.State
		if r := s.LatestTrackedRun; r != nil && !r.State.Terminal() {
			st = r.State // a plan running on the source does not unsettle it
		}
		if st.Waiting() || st.Active() || st == model.StateFailed {
			bad = append(bad, s.ID+" is "+string(st))
			continue
		}
		g.Passed++
	}
	if len(bad) > 0 {
		g.Reason = names(bad)
		return g
	}
	g.Pass, g.Reason = true, fmt.Sprintf("no %s stack of this repository is unconfirmed, failed or running", in.Plan.Source.Name)
	return g
}

// judgeWaves runs check on every stack the promotion's runs may reach:
// each problem it finds fails the stack, and the gate with any.
func judgeWaves(name string, in GateInput, check func(model.Stack) []string, pass string) Gate {
	g := Gate{Name: name, Stacks: len(in.WaveStacks)}
	var bad []string
	for _, s := range in.WaveStacks {
		problems := check(s)
		if len(problems) == 0 {
			g.Passed++
			continue
		}
		bad = append(bad, s.ID+" "+strings.Join(problems, "; "))
	}
	switch {
	case len(bad) > 0:
		g.Reason = names(bad)
	case len(in.WaveStacks) == 0:
		g.Pass, g.Reason = true, "no stack's code changes: no run starts"
	default:
		g.Pass, g.Reason = true, pass
	}
	return g
}

// targetNoDrift judges the drift after the ignore rules (the inbox's):
// a deploy on a drifted stack reverts what changed behind Terraform's back.
func targetNoDrift(in GateInput) Gate {
	return judgeWaves(GateTargetNoDrift, in, func(s model.Stack) []string {
		if !s.Drift.Drifted {
			return nil
		}
		return []string{fmt.Sprintf("has drifted (%d %s)", len(s.Drift.Resources), plural(len(s.Drift.Resources), "resource"))}
	}, "no stack the promotion's runs reach has drifted (ignore rules applied)")
}

// targetWritable: a stack someone else locked or that is disabled will not
// run. A lock of yours (a :freeze) does not fail it; its reason says so.
func targetWritable(in GateInput) Gate {
	var yours []string
	g := judgeWaves(GateTargetWritable, in, func(s model.Stack) []string {
		switch {
		case s.Disabled:
			return []string{"is disabled"}
		case s.Locked() && s.Lock.Mine:
			yours = append(yours, s.ID)
		case s.Locked():
			return []string{fmt.Sprintf("is locked by %s (%s): its runs will not start", s.Lock.Holder, s.Lock.Note)}
		}
		return nil
	}, "every stack the promotion's runs reach can run")
	if g.Pass && len(yours) > 0 {
		g.Reason += "; locked by you: " + names(yours)
	}
	return g
}

// targetSettled: a deploy or task waiting on a person or queued holds the
// stack, so the promotion's run queues behind it; a failed latest deploy
// there needs looking at first. A plan waiting for review holds nothing.
func targetSettled(in GateInput) Gate {
	return judgeWaves(GateTargetSettled, in, func(s model.Stack) []string {
		var out []string
		waiting, _ := s.Waiting()
		for _, r := range waiting {
			if r.Exclusive() {
				out = append(out, fmt.Sprintf("has %s %s %s", r.Kind, r.ID, r.State))
			}
		}
		for _, r := range s.Pending {
			if (r.State == model.StateQueued || r.State == model.StateReady) && !r.WaitsOnPerson() && r.Exclusive() {
				out = append(out, fmt.Sprintf("has %s %s queued", r.Kind, r.ID))
			}
		}
		if r := s.LatestTrackedRun; r != nil && r.State == model.StateFailed {
			out = append(out, "last deploy FAILED")
		}
		return out
	}, "no stack the promotion's runs reach has a deploy or task waiting, queued or failed")
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
