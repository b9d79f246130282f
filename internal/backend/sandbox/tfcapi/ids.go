package tfcapi

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"regexp"
	"strings"
	"sync"
)

// runKey addresses a run the way backend.Backend does.
type runKey struct{ stack, run string }

// runIDs maps engine runs to TFC run ids and back. TFC addresses a run
// without its workspace, so the id must stand for both halves; a short hash
// keeps ids free of '/', and the table remembers every id handed out so the
// reverse lookup is exact. Workspace and module ids need no table: they are
// derived from the engine id and found again by listing.
type runIDs struct {
	mu   sync.Mutex
	runs map[string]runKey // hash → (stack id, run id)
}

func newRunIDs() *runIDs { return &runIDs{runs: map[string]runKey{}} }

var slugRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,60}$`)

// readable keeps a slug as it is and hashes anything else.
func readable(prefix, key string) string {
	if slugRe.MatchString(key) {
		return prefix + key
	}
	return prefix + digest(key)
}

func digest(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

func workspaceID(stackID string) string { return readable("ws-", stackID) }

func moduleID(engineID string) string { return readable("mod-", engineID) }

// id returns the run's id with the given prefix: run, plan, apply, cv, ia
// ids of one run share its hash.
func (x *runIDs) id(prefix string, k runKey) string {
	h := digest(k.stack, k.run)
	x.mu.Lock()
	x.runs[h] = k
	x.mu.Unlock()
	return prefix + "-" + h
}

// lookup resolves any of those ids back to the run.
func (x *runIDs) lookup(id string) (runKey, bool) {
	_, h, ok := strings.Cut(id, "-")
	if !ok {
		return runKey{}, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	k, ok := x.runs[h]
	return k, ok
}

// runByID resolves a run, plan, apply, cv or assessment id. An id not in the
// table was handed out by an earlier server on the same sandbox (resumed
// from its directory): every workspace's runs are listed once to find it,
// so an id stays valid as long as its run exists, as TFC's do.
func (s *Server) runByID(ctx context.Context, id string) (runKey, bool) {
	if k, ok := s.ids.lookup(id); ok {
		return k, true
	}
	stacks, err := s.b.ListStacks(ctx)
	if err != nil {
		return runKey{}, false
	}
	for _, st := range stacks {
		for cursor := ""; ; {
			runs, next, err := s.b.ListRuns(ctx, st.ID, cursor)
			if err != nil {
				break
			}
			for _, r := range runs {
				s.ids.id("run", runKey{st.ID, r.ID})
			}
			if cursor = next; next == "" {
				break
			}
		}
	}
	return s.ids.lookup(id)
}
