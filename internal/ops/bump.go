package ops

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/modules"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
)

// bump prepares a module bump: the files it edits (from the screen), how
// the commits move (the strategy) and, on a protected branch, the module's
// name to type.
func (p *Pipeline) bump(r mutation.Bump) (mutation.Mutation, error) {
	if p.cfg.Git == nil {
		return mutation.Mutation{}, errors.New("bumps need a clone cache; none is set up")
	}
	pr := p.cfg.Strategy == promotion.PullRequest
	how := "pushed to " + r.Branch
	if pr {
		how = "proposed as a pull request to " + r.Branch
	}
	lines := append(append([]string(nil), r.Lines...), "",
		fmt.Sprintf("One commit per repository on %s, %s; its %s stacks then run.", r.Branch, how, r.Env))
	m := mutation.Mutation{
		Action: "bump", Keys: []string{mutation.ModuleKey(r.Address)}, Confirm: true,
		Title: fmt.Sprintf("Bump %s to %s in %d %s?", r.Name, r.Target, len(r.Repos), repositories(len(r.Repos))),
		Lines: lines, Buttons: []mutation.Button{{Label: "Bump", Hotkey: mutation.HotkeyYes}},
		Sending:   fmt.Sprintf("bumping %s to %s in %d %s…", r.Name, r.Target, len(r.Repos), repositories(len(r.Repos))),
		Cancelled: "cancelled: nothing was changed",
	}
	if p.protected(r.Env) {
		m.Strict = true
		m.Fields = []mutation.Field{{Label: "Protected: type the module name (" + r.Name + ") to go ahead", Want: r.Name}}
	}
	req := modules.BumpRequest{Address: r.Address, Name: r.Name, Target: r.Target, Repos: r.Repos,
		Roots: r.Roots, Branch: r.Branch, PullRequest: pr}
	m.Send = func(ctx context.Context, _ mutation.Answer) mutation.Outcome {
		ctx, cancel := context.WithTimeout(ctx, gitTimeout)
		defer cancel()
		results, err := modules.Bump(ctx, p.cfg.Git, req)
		out := &mutation.BumpResult{Bump: r, PullRequest: pr, Err: err}
		for _, res := range results {
			entry := p.pushEntry("bump", r.Env, res.Repo, bumpDetail(req, res), res.Err)
			if aerr := p.cfg.Audit.Record(entry); aerr != nil && res.Err == nil {
				res.Err = fmt.Errorf("done, but the audit log failed: %w", aerr)
			}
			rb := mutation.RepoBump{Repo: res.Repo, Commit: res.Commit, Text: bumpResultText(res), Err: res.Err}
			for _, e := range res.Edits {
				if !contains(rb.Dirs, path.Clean(e.Call.Dir)) {
					rb.Dirs = append(rb.Dirs, path.Clean(e.Call.Dir))
				}
			}
			out.Repos = append(out.Repos, rb)
		}
		return mutation.Outcome{Bump: out}
	}
	return m, nil
}

func bumpDetail(req modules.BumpRequest, r modules.BumpResult) string {
	switch {
	case r.Err != nil && r.Commit != "":
		return fmt.Sprintf("module %s to %s; commit %s for %s", req.Address, req.Target, r.Commit, req.Branch)
	case r.Err != nil:
		return fmt.Sprintf("module %s to %s", req.Address, req.Target)
	case r.Commit == "":
		return "module " + req.Address + " already at " + req.Target
	case req.PullRequest:
		return fmt.Sprintf("%s; commit %s on %s; pull request %s", r.Message, r.Commit, r.Push.Branch, orDash(r.PullRequest.URL))
	}
	return fmt.Sprintf("%s; commit %s pushed to %s", r.Message, r.Commit, r.Push.Branch)
}

// bumpResultText is one repository's outcome in a line.
func bumpResultText(r modules.BumpResult) string {
	base := repoBase(r.Repo)
	switch {
	case r.Err != nil:
		return fmt.Sprintf("✗ %s: %v — %s", base, r.Err, backend.Hint(r.Err))
	case r.Commit == "":
		return "· " + base + ": already at the target, nothing committed"
	case r.PullRequest.URL != "" || r.PullRequest.Note != "":
		text := fmt.Sprintf("✓ %s: %s on %s", base, model.ShortSHA(r.Commit), r.Push.Branch)
		if r.PullRequest.URL != "" {
			text += " · pull request " + r.PullRequest.URL
		}
		if r.PullRequest.Note != "" {
			text += " · " + r.PullRequest.Note
		}
		return text
	}
	return fmt.Sprintf("✓ %s: %s pushed to %s — %s", base, model.ShortSHA(r.Commit), r.Push.Branch, r.Message)
}

// repoBase is a repository's short name: "payments" for .../payments.git.
func repoBase(repo string) string {
	return strings.TrimSuffix(path.Base(strings.TrimSuffix(repo, "/")), ".git")
}

// repositories is "repository" or "repositories" for n.
func repositories(n int) string {
	if n == 1 {
		return "repository"
	}
	return "repositories"
}

// ignore prepares a drift ignore rule: kept for this session by the UI,
// saved to the user config where it can be, and audited. It hides drift
// from everyone who reads the inbox, the counts and the gates, so it is
// confirmed with a reason, which becomes the rule's.
func (p *Pipeline) ignore(r mutation.Ignore) mutation.Mutation {
	where := "this session only (no config file to save it to)"
	if p.cfg.SaveIgnore != nil {
		where = "the user config, " + orDash(p.cfg.IgnoreFile) + " (d in the ignore list, I, removes it)"
	}
	bare := r.Rule
	bare.Reason = "" // asked for below
	m := mutation.Mutation{Action: "ignore drift", Keys: []string{ignoreKey(r.Rule)}, Confirm: true,
		Title: "Ignore the drift of " + r.What + "?",
		Lines: append(ruleLines(bare),
			"Saved to     "+where,
			"Effect       its drift no longer counts: not in the inbox, the tabs, the attention view nor the promotion gates"),
		Fields: []mutation.Field{{Label: "Why is this drift noise? (the rule's reason, shown to whoever reads it; recorded in the audit log)",
			Value: r.Rule.Reason, Required: true}},
		Buttons:   []mutation.Button{{Label: "Ignore", Hotkey: mutation.HotkeyYes}},
		Sending:   "ignoring " + r.What,
		Cancelled: "cancelled: nothing is ignored",
	}
	save := p.cfg.SaveIgnore
	m.Send = func(_ context.Context, a mutation.Answer) mutation.Outcome {
		rule := r.Rule
		rule.Reason = strings.TrimSpace(a.Values[0])
		res := &mutation.IgnoreResult{Rule: rule, What: r.What}
		if save != nil {
			res.Err = save(rule)
			res.Saved = res.Err == nil
		}
		detail := ruleDetail(rule)
		if !res.Saved && res.Err == nil {
			detail += "; this session only"
		}
		if aerr := p.cfg.Audit.Record(p.entry("ignore drift", rule.Environment, rule.Address, detail, res.Err)); aerr != nil && res.Err == nil {
			res.Err = fmt.Errorf("ignored, but the audit log failed: %w", aerr)
		}
		return mutation.Outcome{Ignore: res}
	}
	return m
}

// unignore prepares removing an ignore rule of the user config (or of
// this session): its drift counts again. Confirmed and audited like the
// ignore it undoes.
func (p *Pipeline) unignore(r mutation.Unignore) mutation.Mutation {
	inConfig := r.Rule.Source == drift.SourceConfig
	where := "this session (it was never saved)"
	if inConfig {
		where = "the user config, " + orDash(p.cfg.IgnoreFile)
	}
	m := mutation.Mutation{Action: "unignore drift", Keys: []string{ignoreKey(r.Rule)}, Confirm: true,
		Title: "Stop ignoring " + r.What + "?",
		Lines: append(ruleLines(r.Rule),
			"Removed from "+where,
			"Effect       its drift counts again: in the inbox, the tabs, the attention view and the promotion gates"),
		Buttons:   []mutation.Button{{Label: "Remove", Hotkey: mutation.HotkeyYes}},
		Sending:   "removing the ignore rule of " + r.What,
		Cancelled: "cancelled: the rule stays",
	}
	remove := p.cfg.RemoveIgnore
	m.Send = func(context.Context, mutation.Answer) mutation.Outcome {
		res := &mutation.IgnoreResult{Rule: r.Rule, What: r.What, Removed: true}
		if inConfig && remove != nil {
			res.Err = remove(r.Rule)
			res.Saved = res.Err == nil
		}
		detail := ruleDetail(r.Rule)
		if !inConfig {
			detail += "; this session only"
		}
		if aerr := p.cfg.Audit.Record(p.entry("unignore drift", r.Rule.Environment, r.Rule.Address, detail, res.Err)); aerr != nil && res.Err == nil {
			res.Err = fmt.Errorf("removed, but the audit log failed: %w", aerr)
		}
		return mutation.Outcome{Ignore: res}
	}
	return m
}

func ignoreKey(r drift.Rule) string {
	return "ignore " + r.Address + " " + r.Attribute + " " + r.Environment
}

// ruleLines are a rule's fields in a confirmation.
func ruleLines(r drift.Rule) []string {
	attr := r.Attribute
	if attr == drift.AnyAttribute {
		attr += " (the whole resource)"
	}
	lines := []string{"Address      " + r.Address, "Attribute    " + attr, "Environment  " + orDash(r.Environment)}
	if r.Reason != "" {
		lines = append(lines, "Reason       "+r.Reason)
	}
	return lines
}

func ruleDetail(r drift.Rule) string {
	return fmt.Sprintf("address %s; attribute %s; reason: %s", r.Address, r.Attribute, r.Reason)
}
