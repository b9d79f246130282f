package promote

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/vcs"
)

// ErrGatesFailed refuses a promotion with failing gates and no override.
var ErrGatesFailed = errors.New("promotion gates failed")

// GatesFailedError names the gates that stopped a promotion.
type GatesFailedError struct{ Failed []promotion.Gate }

func (e *GatesFailedError) Error() string {
	var parts []string
	hint := " (override with a reason to go ahead)"
	for _, g := range e.Failed {
		parts = append(parts, fmt.Sprintf("%q: %s", g.Name, g.Reason))
		if g.Name == promotion.GateTargetUnchanged {
			hint = "" // no override lands a diff nobody reviewed
		}
	}
	return "promotion refused: gate " + strings.Join(parts, "; gate ") + hint
}

func (e *GatesFailedError) Unwrap() error { return ErrGatesFailed }

// Options choose how Execute promotes.
type Options struct {
	Strategy promotion.Strategy
	// Override is the reason a person typed to go ahead despite failing
	// gates; "" refuses when any gate fails.
	Override string
	// ConfirmEnv is the environment name the person typed: a protected
	// target is only promoted when it matches.
	ConfirmEnv string
}

// ErrNotConfirmed refuses a protected target without its name typed.
var ErrNotConfirmed = errors.New("promotion not confirmed")

// ErrNoGates refuses a promotion whose gates were never checked.
var ErrNoGates = errors.New("promotion gates not checked: call Check first")

// Result is what Execute did, for the audit log and the runs that follow.
type Result struct {
	Plan        promotion.Plan
	Strategy    promotion.Strategy
	Gates       []promotion.Gate
	Overridden  []promotion.Gate // failing gates the Override reason went past
	Override    string           // that reason
	Push        vcs.PushResult
	PullRequest vcs.PullRequest
}

// Execute promotes p after gates (from Check) by opts.Strategy. It refuses
// unchecked gates, failing gates unless overridden, a protected target
// whose name was not typed and, whatever the override, a target branch
// that moved since p was computed: the diff the person approved must be
// the one that lands.
func Execute(ctx context.Context, cl *vcs.Clone, p promotion.Plan, gates []promotion.Gate, opts Options) (Result, error) {
	res := Result{Plan: p, Strategy: opts.Strategy, Gates: gates, Override: opts.Override}
	if len(gates) == 0 {
		return res, ErrNoGates
	}
	if p.Target.Protected && opts.ConfirmEnv != p.Target.Name {
		return res, fmt.Errorf("%w: %s is protected: type its name to promote", ErrNotConfirmed, p.Target.Name)
	}
	failed := promotion.Failed(gates)
	if len(failed) > 0 && strings.TrimSpace(opts.Override) == "" {
		return res, &GatesFailedError{Failed: failed}
	}
	res.Overridden = failed
	if err := cl.Fetch(ctx); err != nil {
		return res, err
	}
	head, err := cl.Head(ctx, p.Target.Branch)
	if err != nil {
		return res, err
	}
	if head != p.TargetHead {
		return res, &GatesFailedError{Failed: []promotion.Gate{promotion.TargetUnchanged(promotion.GateInput{Plan: p, TargetHead: head})}}
	}
	title := fmt.Sprintf("Promote %s %s → %s", cl.Name(), p.Source.Name, p.Target.Name)
	// The push's journal lines (pending, then its outcome) say what it
	// is for, with any override: they are written even if this program
	// is killed while the push runs.
	if res.Strategy == "" {
		res.Strategy = promotion.FastForward
	}
	ctx = vcs.WithPushPurpose(ctx, vcs.PushPurpose{Action: "promotion", Environment: p.Target.Name, Detail: pushDetail(title, p, res)})
	switch res.Strategy {
	case promotion.FastForward:
		res.Push, err = cl.PushFastForward(ctx, p.Commit, p.Target.Branch)
	case promotion.MergeCommit:
		res.Push, err = cl.MergeAndPush(ctx, p.Commit, p.Target.Branch,
			fmt.Sprintf("%s (%s)", title, vcs.ShortSHA(p.Commit)))
	case promotion.PullRequest:
		res.PullRequest, err = vcs.OpenPullRequest(ctx, vcs.PullRequestRequest{
			RepoURL: p.Repo, Base: p.Target.Branch, Head: p.Source.Branch, Title: title, Body: prBody(p),
		})
	default:
		err = fmt.Errorf("unknown promotion strategy %q (fast-forward, merge or pull-request)", opts.Strategy)
	}
	return res, err
}

// pushDetail is the journal's account of a promotion's push.
func pushDetail(title string, p promotion.Plan, res Result) string {
	d := fmt.Sprintf("%s (%s, %d commits, %s)", title, vcs.ShortSHA(p.Commit), len(p.Commits), res.Strategy)
	if len(res.Overridden) > 0 {
		names := make([]string, len(res.Overridden))
		for i, g := range res.Overridden {
			names[i] = g.Name
		}
		d += fmt.Sprintf("; gates %s overridden: %q", strings.Join(names, ", "), res.Override)
	}
	return d
}

// prBody lists the commits and affected stacks of a promotion.
func prBody(p promotion.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Promotes %s to %s (%d commits).\n\n", vcs.ShortSHA(p.Commit), p.Target.Branch, len(p.Commits))
	for _, c := range p.Commits {
		fmt.Fprintf(&b, "- %s %s\n", c.Short(), c.Subject)
	}
	if len(p.Affected) > 0 {
		b.WriteString("\nStacks that will run:\n")
		for _, a := range p.Affected {
			fmt.Fprintf(&b, "- %s\n", a.StackID)
		}
	}
	if len(p.Modules) > 0 {
		b.WriteString("\nModule changes:\n")
		for _, m := range p.Modules {
			fmt.Fprintf(&b, "- %s\n", m)
		}
	}
	b.WriteString("\nOpened by stackview.\n")
	return b.String()
}
