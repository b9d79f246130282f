package sandbox

import (
	"context"
	"fmt"
	"maps"
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
		if stamp, err := repo.git.RefsStamp(); err != nil {
			return fmt.Errorf("watch %s: %w", repo.name, err)
		} else if stamp == repo.stamp {
			continue
		}
		if err := e.observe(ctx, repo, opRefs, at); err != nil {
			return fmt.Errorf("watch %s: %w", repo.name, err)
		}
	}
	return nil
}

// observe reads repo's refs and, when they moved, journals them (op: refs,
// or adopt to start no runs) and applies them.
func (e *Engine) observe(ctx context.Context, repo *repository, op string, at time.Time) error {
	heads, tags, stamp, err := repo.readRefs(ctx)
	if err != nil {
		return err
	}
	if !maps.Equal(heads, repo.heads) || !sameTags(tags, repo.tags) {
		if err := e.record(refsEntry(op, repo, heads, tags, at)); err != nil {
			return err
		}
		// Journaled: applied whole, whoever gave up meanwhile.
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), planReadTimeout)
		err := e.moveRefs(mctx, repo, heads, tags, at, op == opRefs)
		cancel()
		if err != nil {
			return err
		}
	}
	repo.stamp = stamp
	return nil
}

// moveRefs gives repo these branches and tags at time at: each branch that
// moved is a push (pushed), in name order; without runs (adopting refs)
// stacks only learn how far behind their branch they are.
func (e *Engine) moveRefs(ctx context.Context, repo *repository, heads map[string]string, tags map[string]vcs.Ref, at time.Time, runs bool) error {
	for _, branch := range sortedKeys(heads) {
		if old := repo.heads[branch]; old != heads[branch] {
			if err := e.pushed(ctx, repo, branch, old, heads[branch], at, runs); err != nil {
				return err
			}
		}
	}
	if heads == nil {
		heads = map[string]string{}
	}
	repo.heads, repo.tags = heads, tags
	for _, m := range e.modules {
		if m.repo == repo {
			m.Latest = ""
			if vs := m.versions(); len(vs) > 0 {
				m.Latest = vs[0].Number
			}
		}
	}
	return nil
}

// readRefs reads the repository's branches and tags, and the stamp of
// what it read.
func (r *repository) readRefs(ctx context.Context) (map[string]string, map[string]vcs.Ref, string, error) {
	stamp, err := r.git.RefsStamp()
	if err != nil {
		return nil, nil, "", err
	}
	refs, err := r.git.Refs(ctx, "refs/heads", "refs/tags")
	if err != nil {
		return nil, nil, "", err
	}
	heads, tags := map[string]string{}, map[string]vcs.Ref{}
	for _, ref := range refs {
		if b, ok := strings.CutPrefix(ref.Name, "refs/heads/"); ok {
			heads[b] = ref.Commit
		} else if t, ok := strings.CutPrefix(ref.Name, "refs/tags/"); ok {
			tags[t] = ref
		}
	}
	return heads, tags, stamp, nil
}

// sameTags reports whether two tag sets name the same commits.
func sameTags(a, b map[string]vcs.Ref) bool {
	return maps.EqualFunc(a, b, func(x, y vcs.Ref) bool { return x.Commit == y.Commit })
}

// pushed handles a branch of repo moving from old to head: stacks tracking it
// whose project root changed get a tracked run of the new head; the others,
// locked stacks (only the lock holder starts runs there) and, without runs,
// every stack only learn how far behind the branch they are.
func (e *Engine) pushed(ctx context.Context, repo *repository, branch, old, head string, at time.Time, runs bool) error {
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
		if changed && s.Lock == nil && runs {
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
