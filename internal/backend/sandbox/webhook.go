package sandbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

// Sync looks for pushes to the sandbox's repositories now, as a VCS webhook
// would deliver them. The engine also does this by itself, at most once per
// clock second; tests call Sync to not depend on that.
func (e *Engine) Sync(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.clock.Now()
	e.advanceTo(ctx, t)
	err := e.sync(ctx, t)
	e.advanceTo(ctx, t)
	return err
}

// sync compares every repository's refs with what it saw last: a moved
// branch is a push, a new tag a module version.
func (e *Engine) sync(ctx context.Context, at time.Time) error {
	e.lastSync = at
	for _, repo := range e.repos {
		stamp, err := repo.git.RefsStamp()
		if err != nil {
			return fmt.Errorf("watch %s: %w", repo.name, err)
		}
		if stamp == repo.stamp {
			continue
		}
		refs, err := repo.git.Refs(ctx, "refs/heads", "refs/tags")
		if err != nil {
			return fmt.Errorf("watch %s: %w", repo.name, err)
		}
		heads, tags := map[string]string{}, map[string]vcs.Ref{}
		for _, r := range refs {
			if b, ok := strings.CutPrefix(r.Name, "refs/heads/"); ok {
				heads[b] = r.Commit
			} else if t, ok := strings.CutPrefix(r.Name, "refs/tags/"); ok {
				tags[t] = r
			}
		}
		for branch, head := range heads {
			if old := repo.heads[branch]; old != head {
				if err := e.pushed(ctx, repo, branch, old, head, at); err != nil {
					return err
				}
			}
		}
		repo.heads, repo.tags, repo.stamp = heads, tags, stamp
	}
	for _, m := range e.modules {
		if vs := m.versions(); len(vs) > 0 {
			m.Latest = vs[0].Number
		}
	}
	return nil
}

// pushed handles a branch of repo moving from old to head: stacks tracking it
// whose project root changed get a tracked run of the new head; the others,
// and locked stacks (only the lock holder starts runs there), only learn
// how far behind the branch they are.
func (e *Engine) pushed(ctx context.Context, repo *repository, branch, old, head string, at time.Time) error {
	repo.heads[branch] = head
	for _, s := range e.stacks {
		if s.repo != repo || s.Branch != branch {
			continue
		}
		changed := old == ""
		if !changed {
			var err error
			if changed, err = repo.changedUnder(ctx, old, head, s.ProjectRoot); err != nil {
				return fmt.Errorf("push to %s/%s: %w", repo.name, branch, err)
			}
		}
		s.BranchHead = head
		if changed && s.Lock == nil {
			s.TrackedCommit, s.CommitsBehind = head, 0
			e.newRun(s, model.RunDeploy, head, "", repo.message(ctx, head), at)
			continue
		}
		n, err := repo.commitsBetween(ctx, s.TrackedCommit, head)
		if err != nil {
			return fmt.Errorf("push to %s/%s: %w", repo.name, branch, err)
		}
		s.CommitsBehind = n
	}
	return nil
}
