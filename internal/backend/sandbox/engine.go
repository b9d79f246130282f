package sandbox

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// Options configure a sandbox engine.
type Options struct {
	Dir     string // where repositories live; "" = a temp dir removed by Close
	Seed    int64  // same seed ⇒ same organisation
	Stacks  int    // scale mode: generate this many stacks; 0 = the default organisation
	Clock   Clock  // nil = real time
	Org     string // organisation name; default "acme"
	BaseURL string // prefix of stack and run URLs; default "sandbox://<org>"
}

// You is the user of the sandbox: the holder of the locks it takes and the
// trigger of the runs it starts.
const You = "you"

// Engine is the sandbox organisation. It is safe for concurrent use.
type Engine struct {
	mu        sync.Mutex
	clock     Clock
	org       string
	baseURL   string
	dir       string
	removeDir bool
	dirLock   *dirLock // held until Close: one process per directory
	journal   *journal // what changed the world, replayed on resume; nil for a temporary sandbox
	rng       *rand.Rand
	seed      int64 // the organisation's seed, for spreads drawn per stack
	ids       idState

	repos    []*repository
	stacks   []*stack
	byID     map[string]*stack
	modules  []*module
	active   []*run // runs not yet terminal, in creation order
	runSeq   uint64 // runs created so far (run.seq)
	parsed   parseCache
	exprs    exprCache
	lastSync time.Time
	sched    driftSchedule

	git     *http.Server // ServeGit's server; nil until started
	gitBase string

	// reviewer, set only while seeding, confirms waiting runs after a delay
	// the way a colleague would; nil afterwards.
	reviewer func(r *run) (time.Duration, bool)
}

type stack struct {
	model.Stack
	deps    []Dependency // DependsOn, with references
	repo    *repository
	applied string                 // commit of the last applied run ("" = nothing applied)
	applies int                    // how many runs applied, so a saved plan knows it is out of date
	drift   []model.ResourceChange // resources changed behind Terraform's back, found by the next drift check
	runs    []*run                 // creation order
}

type module struct {
	model.Module
	repo *repository
}

var _ backend.Backend = (*Engine)(nil)

// Info names the sandbox.
func (e *Engine) Info() backend.Info {
	return backend.Info{Kind: "sandbox-direct", Endpoint: "in-process", Account: e.org, Sandbox: true}
}

// Capabilities: the sandbox does everything.
func (e *Engine) Capabilities() backend.Capabilities {
	return backend.Capabilities{DriftCheck: true, Review: true, Lock: true, Stop: true, Promote: true, SyncCommit: true}
}

// Close stops the git server, closes the journal (with a checkpoint of the
// world a resume will check), removes the temporary directory, if the
// engine made one, and releases the directory.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer func() { e.dirLock.release(); e.dirLock = nil }()
	gitErr := e.stopGit()
	if e.journal != nil {
		gitErr = errors.Join(gitErr, e.checkpoint(), e.journal.close())
		e.journal = nil
	}
	if !e.removeDir || e.dir == "" {
		return gitErr
	}
	err := os.RemoveAll(e.dir)
	e.dir = ""
	if err != nil {
		return errors.Join(gitErr, fmt.Errorf("remove sandbox dir: %w", err))
	}
	return gitErr
}

// Dir is where the sandbox's repositories live ("" after Close removed it).
func (e *Engine) Dir() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dir
}

// now advances every run to the clock's time and, at most once per clock
// second, looks for pushes. Callers hold e.mu.
func (e *Engine) now(ctx context.Context) (time.Time, error) {
	t := e.clock.Now()
	if err := ctx.Err(); err != nil {
		return t, err
	}
	e.advanceTo(ctx, t)
	if t.Sub(e.lastSync) >= time.Second {
		if err := e.sync(ctx, t); err != nil {
			return t, err
		}
		e.advanceTo(ctx, t)
	}
	if e.sched.due(t) {
		if err := e.record(entry{Op: opDrift, At: t}); err != nil {
			return t, err
		}
		e.runDriftSchedule(ctx, t)
	}
	return t, nil
}

func (e *Engine) stack(id string) (*stack, error) {
	s, ok := e.byID[id]
	if !ok {
		return nil, backend.NotFoundf("stack %q", id)
	}
	return s, nil
}

func (e *Engine) addStack(s *stack) {
	e.stacks = append(e.stacks, s)
	e.byID[s.ID] = s
}

func (e *Engine) sortStacks() {
	sort.Slice(e.stacks, func(i, j int) bool { return e.stacks[i].ID < e.stacks[j].ID })
}

func (e *Engine) stackURL(id string) string { return e.baseURL + "/stack/" + id }

// dependents lists the stacks that depend on id, in id order.
func (e *Engine) dependents(id string) []*stack {
	var out []*stack
	for _, s := range e.stacks {
		for _, d := range s.DependsOn {
			if d == id {
				out = append(out, s)
				break
			}
		}
	}
	return out
}
