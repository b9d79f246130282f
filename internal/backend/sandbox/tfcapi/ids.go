package tfcapi

import (
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
