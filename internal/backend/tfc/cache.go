package tfc

import (
	"slices"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/diskcache"
	"github.com/stackview/stackview/internal/model"
)

// cache keeps what changes rarely: run triggers for dependencyTTL,
// assessment results for good (a new assessment has a new id), and for the
// session the reads the API refused (a token's access does not change
// while stackview runs; asking again would only spend the rate limit).
// Run triggers and assessment results are also kept on disk (disk, when
// the client has a cache directory), so the next start shows every
// workspace's dependencies at once: run triggers read by an earlier start
// are stale, shown and read again in the background.
type cache struct {
	mu      sync.Mutex
	now     func() time.Time
	disk    *diskcache.Store
	depsBy  map[string]depEntry
	drifts  map[string]model.Drift
	refusal map[string]string // detail + "\x00" + workspace → why
	runList map[string]runPage
	current map[string]string // workspace → its current run (id and status) in the last listing
}

// runPage is a workspace's first page of runs as read at, with the current
// run the workspace had then.
type runPage struct {
	runs    []model.Run
	next    string
	at      time.Time
	current string
}

type depEntry struct {
	ids []string
	at  time.Time
}

func newCache() *cache {
	return &cache{now: time.Now, depsBy: map[string]depEntry{}, drifts: map[string]model.Drift{}, refusal: map[string]string{},
		runList: map[string]runPage{}, current: map[string]string{}}
}

// deps returns the workspace's cached run-trigger sources, if any were
// read, and whether they are still fresh (read within dependencyTTL).
func (c *cache) deps(wsID string) (ids []string, fresh, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.depsBy[wsID]
	if !ok {
		var ids []string
		at, found := c.disk.Get("deps "+wsID, &ids)
		if !found {
			return nil, false, false
		}
		e = depEntry{ids: ids, at: at}
		c.depsBy[wsID] = e
	}
	return slices.Clone(e.ids), c.now().Sub(e.at) <= dependencyTTL, true
}

func (c *cache) putDeps(wsID string, ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := depEntry{ids: slices.Clone(ids), at: c.now()}
	c.depsBy[wsID] = e
	c.disk.Put("deps "+wsID, e.ids, e.at)
}

func (c *cache) drift(key string) (model.Drift, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.drifts[key]
	if !ok {
		if _, found := c.disk.Get("drift "+key, &d); !found {
			return model.Drift{}, false
		}
		c.drifts[key] = d
	}
	d.Resources = slices.Clone(d.Resources)
	return d, true
}

func (c *cache) putDrift(key string, d model.Drift) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d.Resources = slices.Clone(d.Resources)
	c.drifts[key] = d
	c.disk.Put("drift "+key, d, c.now())
}

// save writes what was read since to disk, if the client has a cache
// directory; a failure costs only the next start's head start.
func (c *cache) save() { _ = c.disk.Save() }

// refuse remembers that the API refused a detail of a workspace, and why.
func (c *cache) refuse(detail, wsID, why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refusal[detail+"\x00"+wsID] = why
}

func (c *cache) refused(detail, wsID string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	why, ok := c.refusal[detail+"\x00"+wsID]
	return why, ok
}

// runs is the workspace's cached first page of runs, if it was read within
// ttl and the workspace's current run has not changed since.
func (c *cache) runs(wsID string, ttl time.Duration) ([]model.Run, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.runList[wsID]
	if !ok || c.now().Sub(p.at) > ttl || p.current != c.current[wsID] {
		return nil, "", false
	}
	return slices.Clone(p.runs), p.next, true
}

func (c *cache) putRuns(wsID string, runs []model.Run, next string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runList[wsID] = runPage{runs: slices.Clone(runs), next: next, at: c.now(), current: c.current[wsID]}
}

// forgetRuns drops a workspace's cached runs: the client changed them.
func (c *cache) forgetRuns(wsID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.runList, wsID)
}

// sawCurrent records a workspace's current run as a listing showed it.
func (c *cache) sawCurrent(wsID, run string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.current[wsID] = run
}
