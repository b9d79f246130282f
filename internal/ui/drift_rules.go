package ui

import (
	"context"
	"errors"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
)

// RepoFiles reads a file of a stack's repository at the branch the stack
// tracks; a missing file is backend.ErrNotFound. repos.Wrap's backends,
// which read through the clone cache, are ones.
type RepoFiles interface {
	StackFile(ctx context.Context, stackID, path string) ([]byte, error)
}

// loadRepoRules reads the ignore file of every drifted stack's repository.
// Stacks that did not drift need none: nothing of theirs could be ignored.
// A file that cannot be read or parsed is reported, and its stack keeps the
// other rules, so one bad file never hides drift elsewhere.
func loadRepoRules(ctx context.Context, files RepoFiles, stacks []model.Stack) (map[string][]drift.Rule, error) {
	if files == nil {
		return nil, nil
	}
	out := map[string][]drift.Rule{}
	var errs []error
	for _, s := range stacks {
		if !s.Drift.Drifted {
			continue
		}
		data, err := files.StackFile(ctx, s.ID, drift.IgnoreFile)
		if errors.Is(err, backend.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rules, err := drift.ParseIgnoreFile(data, repoName(s.Repo)+"@"+s.Branch+":"+drift.IgnoreFile)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[s.ID] = rules
	}
	return out, errors.Join(errs...)
}

// repoName is the last path element of a repository URL or path, without .git.
func repoName(repo string) string {
	for i := len(repo) - 1; i >= 0; i-- {
		if repo[i] == '/' || repo[i] == ':' {
			repo = repo[i+1:]
			break
		}
	}
	if n := len(repo); n > 4 && repo[n-4:] == ".git" {
		repo = repo[:n-4]
	}
	return repo
}

// applyDrift evaluates every placed stack's drift against its rules (repo
// file, then config, then those added this session) and leaves the
// effective drift on the stack, so the tree markers, tab counts and detail
// pane count exactly what the inbox counts. fresh says the forest was just
// loaded; otherwise the stacks hold effective drift already and the reports
// keep what the backend said, so a rule added later applies to that.
func (m *Model) applyDrift(fresh bool) {
	reports := make(map[string]drift.Report, len(m.drift.reports))
	for i := range m.forest.Envs {
		for _, s := range m.forest.Envs[i].Stacks() {
			raw := s.Drift
			if !fresh {
				raw = m.drift.reports[s.ID].Drift
			}
			rep := drift.Evaluate(raw, s.Env, m.rulesFor(s.ID))
			reports[s.ID] = rep
			s.Drift = rep.Effective()
		}
	}
	m.drift.reports = reports
	m.drift.cursor = max(0, min(m.drift.cursor, len(m.driftEntries())-1))
	m.index.attention = attentionByEnv(&m.forest)
}

func (m *Model) rulesFor(stackID string) []drift.Rule {
	var rules []drift.Rule
	rules = append(rules, m.drift.repoRules[stackID]...)
	rules = append(rules, m.drift.configRules...)
	return append(rules, m.drift.added...)
}
