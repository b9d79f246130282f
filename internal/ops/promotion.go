package ops

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promote"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/vcs"
)

// promotion prepares moving a repository's target branch: refused when the
// target moved since the plan (no override lands a diff nobody reviewed).
// Failing gates need a typed reason; a protected target its name.
func (p *Pipeline) promotion(r mutation.Promotion) (mutation.Mutation, error) {
	if p.cfg.Git == nil {
		return mutation.Mutation{}, errors.New("promotions need a clone cache; none is set up")
	}
	plan := r.Plan
	failed := promotion.Failed(r.Gates)
	for _, g := range failed {
		if g.Name == promotion.GateTargetUnchanged {
			return mutation.Mutation{}, fmt.Errorf("%s: %s (r computes the diff again)", g.Name, g.Reason)
		}
	}
	strategy := p.cfg.Strategy
	lines := []string{
		"Action       promote (move the " + plan.Target.Name + " branch; its stacks then run)",
		"Repository   " + r.Label + " (" + path.Base(plan.Repo) + ")",
		fmt.Sprintf("Move         %s (%s) → %s", plan.Target.Branch, model.ShortSHA(plan.TargetHead), model.ShortSHA(plan.Commit)),
		fmt.Sprintf("Commits      %d", len(plan.Commits)),
		"Strategy     " + string(strategy),
	}
	if p.protected(plan.Target.Name) {
		lines[0] += " · " + plan.Target.Name + " is protected"
	}
	lines = append(lines, fmt.Sprintf("Gates        %d of %d pass", len(r.Gates)-len(failed), len(r.Gates)))
	for _, g := range failed {
		lines = append(lines, "✗ gate "+g.Name+g.Count()+": "+g.Reason)
	}
	if r.Radius != nil || len(plan.Affected) == 0 {
		lines = append(append(lines, ""), promotion.PromotionRadius(r.Radius)...)
	} else {
		lines = append(lines, "Stacks       "+strings.Join(affectedIDs(plan), ", "))
	}
	var fields []mutation.Field
	overrideAt, confirmAt := -1, -1
	if len(failed) > 0 {
		overrideAt = len(fields)
		fields = append(fields, mutation.Field{Label: fmt.Sprintf("%d %s failed: type why you go ahead anyway (recorded in the audit log)",
			len(failed), plural(len(failed), "gate")), Required: true})
	}
	strict := plan.Target.Protected || p.protected(plan.Target.Name)
	if strict {
		confirmAt = len(fields)
		fields = append(fields, mutation.Field{Label: "Protected: type the environment name (" + plan.Target.Name + ") to go ahead", Want: plan.Target.Name})
	}
	m := mutation.Mutation{
		Action: "promotion", Keys: []string{mutation.PromotionKey(plan.Repo)}, Confirm: true,
		Title: fmt.Sprintf("Promote %s %s → %s?", r.Label, plan.Source.Name, plan.Target.Name),
		Lines: lines, Fields: fields, Strict: strict, Buttons: []mutation.Button{{Label: "Promote", Hotkey: mutation.HotkeyYes}},
		Sending:   fmt.Sprintf("promoting %s to %s…", r.Label, plan.Target.Name),
		Cancelled: "cancelled: no branch was moved",
	}
	m.Send = func(ctx context.Context, a mutation.Answer) mutation.Outcome {
		opts := promote.Options{Strategy: strategy}
		if overrideAt >= 0 {
			opts.Override = strings.TrimSpace(a.Values[overrideAt])
		}
		if confirmAt >= 0 {
			opts.ConfirmEnv = a.Values[confirmAt]
		}
		res := p.sendPromotion(ctx, plan, r.Gates, opts)
		res.Label = r.Label
		return mutation.Outcome{Promotion: res}
	}
	return m, nil
}

// sendPromotion moves the branch and audits the promotion, whatever the
// outcome.
func (p *Pipeline) sendPromotion(ctx context.Context, plan promotion.Plan, gates []promotion.Gate, opts promote.Options) *mutation.PromotionResult {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	var res promote.Result
	err := p.cfg.Git.With(ctx, plan.Repo, func(cl *vcs.Clone) error {
		var err error
		res, err = promote.Execute(ctx, cl, plan, gates, opts)
		return err
	})
	if err != nil {
		res.Plan, res.Gates, res.Strategy, res.Override = plan, gates, opts.Strategy, opts.Override
	}
	at := p.cfg.Now()
	entry := p.pushEntry("promotion", plan.Target.Name, plan.Repo, promotionDetail(res), err)
	return &mutation.PromotionResult{
		Plan: plan, Strategy: res.Strategy, New: res.Push.New, UpToDate: res.Push.UpToDate,
		PullRequestURL: res.PullRequest.URL, PullRequestCreated: res.PullRequest.Created, PullRequestNote: res.PullRequest.Note,
		At: at, Err: err, Unknown: entry.Result == audit.ResultUnknown, AuditErr: p.cfg.Audit.Record(entry),
	}
}

// promotionDetail is the audit log's account of a promotion: commits,
// gates, strategy, overrides and what moved.
func promotionDetail(res promote.Result) string {
	p := res.Plan
	parts := []string{fmt.Sprintf("%s → %s: %s to %s", p.Source.Name, p.Target.Name, p.Target.Branch, model.ShortSHA(p.Commit))}
	var commits []string
	for _, c := range p.Commits {
		commits = append(commits, c.Short()+" "+c.Subject)
	}
	parts = append(parts, fmt.Sprintf("commits (%d): %s", len(p.Commits), strings.Join(commits, ", ")))
	var gates []string
	for _, g := range res.Gates {
		state := "FAIL "
		if g.Pass {
			state = "pass "
		}
		gates = append(gates, state+g.Name)
	}
	parts = append(parts, "gates: "+strings.Join(gates, ", "), "strategy: "+string(res.Strategy))
	if len(res.Overridden) > 0 || (res.Override != "" && len(promotion.Failed(res.Gates)) > 0) {
		parts = append(parts, "override: "+res.Override)
	}
	if res.Push.New != "" {
		parts = append(parts, fmt.Sprintf("pushed %s..%s", model.ShortSHA(res.Push.Old), model.ShortSHA(res.Push.New)))
	}
	if res.PullRequest.URL != "" {
		parts = append(parts, "pull request: "+res.PullRequest.URL)
	}
	if ids := affectedIDs(p); len(ids) > 0 {
		parts = append(parts, "runs expected on: "+strings.Join(ids, ", "))
	}
	return strings.Join(parts, "; ")
}

func affectedIDs(p promotion.Plan) []string {
	ids := make([]string, 0, len(p.Affected))
	for _, a := range p.Affected {
		ids = append(ids, a.StackID)
	}
	return ids
}

// predict prepares a proposed run of the promoted commit on every affected
// target stack. It changes nothing, so it is not confirmed; it is a run
// started all the same: refused in read-only mode, and audited.
func (p *Pipeline) predict(r mutation.Predict) (mutation.Mutation, error) {
	cp, ok := p.cfg.Backend.(backend.CommitPlanner)
	plan := r.Plan
	switch {
	case !ok:
		return mutation.Mutation{}, fmt.Errorf("%s cannot plan a given commit: no predicted plans", p.info.Kind)
	case len(plan.Affected) == 0:
		return mutation.Mutation{}, fmt.Errorf("no %s stack's code changes: nothing to plan", plan.Target.Name)
	}
	m := mutation.Mutation{Action: "predicted plans", Keys: []string{"predicted plans " + plan.Repo},
		Sending: fmt.Sprintf("planning %d %s at %s…", len(plan.Affected), plural(len(plan.Affected), "stack"), model.ShortSHA(plan.Commit))}
	m.Send = func(ctx context.Context, _ mutation.Answer) mutation.Outcome {
		plans := make([]mutation.PredictedPlan, 0, len(plan.Affected))
		for _, a := range plan.Affected {
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			run, err := cp.PlanCommit(cctx, a.StackID, plan.Commit)
			cancel()
			entry := p.sentEntry("predicted plan", plan.Target.Name, a.StackID,
				fmt.Sprintf("commit %s; run %s", model.ShortSHA(plan.Commit), run.ID), a.StackID+"'s runs", err)
			if aerr := p.cfg.Audit.Record(entry); aerr != nil && err == nil {
				err = fmt.Errorf("started, but the audit log failed: %w", aerr)
			}
			pp := mutation.PredictedPlan{StackID: a.StackID, Err: err}
			if err == nil {
				pp.Run = &run
			}
			plans = append(plans, pp)
		}
		return mutation.Outcome{Predicted: plans}
	}
	return m, nil
}
