package ops

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/stackview/stackview/internal/backend"
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
			entry := p.entry("bump", r.Env, res.Repo, bumpDetail(req, res), res.Err)
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
// rather than changing infrastructure, so it is not confirmed.
func (p *Pipeline) ignore(r mutation.Ignore) mutation.Mutation {
	m := mutation.Mutation{Action: "ignore drift", Keys: []string{"ignore " + r.Rule.Address + " " + r.Rule.Attribute + " " + r.Rule.Environment},
		Sending: "ignoring " + r.What}
	save := p.cfg.SaveIgnore
	m.Send = func(context.Context, mutation.Answer) mutation.Outcome {
		res := &mutation.IgnoreResult{Rule: r.Rule, What: r.What}
		if save != nil {
			res.Err = save(r.Rule)
			res.Saved = res.Err == nil
		}
		detail := fmt.Sprintf("address %s; attribute %s; reason: %s", r.Rule.Address, r.Rule.Attribute, r.Rule.Reason)
		if !res.Saved && res.Err == nil {
			detail += "; this session only"
		}
		if aerr := p.cfg.Audit.Record(p.entry("ignore drift", r.Rule.Environment, r.Rule.Address, detail, res.Err)); aerr != nil && res.Err == nil {
			res.Err = fmt.Errorf("ignored, but the audit log failed: %w", aerr)
		}
		return mutation.Outcome{Ignore: res}
	}
	return m
}
