// Package repos puts the one place where a stack's repository, as its
// backend names it, becomes something git can use, in front of any
// backend: every stack leaves it with the clone URL in Stack.Repo (see
// vcs.Resolver: forge hosts, [git] url_rewrites, [git.clones]), its project
// root normalized, and, when the backend says only "the default branch"
// (TFC's branch ""), the branch the repository's HEAD names. Default
// branches are looked up once per repository, in the background, so the
// first listing never waits for git; the next one has them. It also reads
// files of stacks' repositories (drift ignore files) through the clone
// cache, for every backend alike.
package repos

import (
	"context"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/diskcache"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

// Defaults of Options.
const (
	DefaultFileTTL      = 5 * time.Minute
	defaultLookupBudget = 30 * time.Second
	lookupFetchers      = 4
)

// Options configure Wrap.
type Options struct {
	Resolver vcs.Resolver
	// Cache looks up default branches and reads files. Nil: neither (the
	// branch stays "" and files are not found).
	Cache *vcs.Cache
	// FileTTL is how long a file read through the cache is reused.
	FileTTL time.Duration
	// Known, when set, keeps the default branches found between starts: a
	// branch found by an earlier start is used at once and looked up again
	// in the background.
	Known *diskcache.Store
}

// Backend is a backend.Backend whose stacks carry resolved repositories.
type Backend struct {
	backend.Backend
	opts Options

	mu       sync.Mutex
	stacks   map[string]model.Stack  // the last listing, for StackFile
	branches map[string]branchLookup // clone URL → its default branch
	files    map[string]fileRead     // clone URL, branch, path → content
	lookups  chan struct{}           // bounds concurrent lookups
	pending  sync.WaitGroup          // lookups in flight (Wait)
}

type branchLookup struct {
	branch string
	err    error
	done   bool
}

type fileRead struct {
	data []byte
	err  error
	at   time.Time
}

// planner is a Backend whose inner backend plans commits
// (backend.CommitPlanner), which the wrapper must not hide.
type planner struct {
	*Backend
	cp backend.CommitPlanner
}

func (p planner) PlanCommit(ctx context.Context, stackID, commit string) (model.Run, error) {
	return p.cp.PlanCommit(ctx, stackID, commit)
}

// Wrap puts the resolver in front of b. The result reads files (StackFile,
// the UI's RepoFiles) and implements backend.CommitPlanner exactly when b
// does.
func Wrap(b backend.Backend, opts Options) backend.Backend {
	if opts.FileTTL <= 0 {
		opts.FileTTL = DefaultFileTTL
	}
	w := &Backend{Backend: b, opts: opts, stacks: map[string]model.Stack{}, branches: map[string]branchLookup{},
		files: map[string]fileRead{}, lookups: make(chan struct{}, lookupFetchers)}
	if cp, ok := b.(backend.CommitPlanner); ok {
		return planner{Backend: w, cp: cp}
	}
	return w
}

// ListStacks lists the wrapped backend's stacks with their repositories
// resolved.
func (w *Backend) ListStacks(ctx context.Context) ([]model.Stack, error) {
	stacks, err := w.Backend.ListStacks(ctx)
	if err != nil {
		return nil, err
	}
	w.resolveAll(stacks)
	return stacks, nil
}

// PageStacks lists the wrapped backend page by page (backend.PageStacks),
// each page's repositories resolved.
func (w *Backend) PageStacks(ctx context.Context, req backend.PageRequest, page func(backend.StackPage)) error {
	return backend.PageStacks(ctx, w.Backend, req, func(p backend.StackPage) {
		w.resolveAll(p.Stacks)
		page(p)
	})
}

// ReadDetails reads the wrapped backend's unread details
// (backend.ReadDetails), repositories resolved.
func (w *Backend) ReadDetails(ctx context.Context, stacks []model.Stack) ([]model.Stack, error) {
	out, err := backend.ReadDetails(ctx, w.Backend, stacks)
	w.resolveAll(out)
	return out, err
}

// resolveAll resolves stacks in place and remembers them for StackFile.
func (w *Backend) resolveAll(stacks []model.Stack) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range stacks {
		w.resolve(&stacks[i])
		w.stacks[stacks[i].ID] = stacks[i]
	}
}

func (w *Backend) Lock(ctx context.Context, stackID, note string) (model.Stack, error) {
	return w.one(w.Backend.Lock(ctx, stackID, note))
}

func (w *Backend) Unlock(ctx context.Context, stackID string) (model.Stack, error) {
	return w.one(w.Backend.Unlock(ctx, stackID))
}

func (w *Backend) SyncCommit(ctx context.Context, stackID string) (model.Stack, error) {
	return w.one(w.Backend.SyncCommit(ctx, stackID))
}

func (w *Backend) one(s model.Stack, err error) (model.Stack, error) {
	if err != nil {
		return s, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.resolve(&s)
	return s, nil
}

// resolve fills s's clone URL, project root and default branch. Callers
// hold w.mu.
func (w *Backend) resolve(s *model.Stack) {
	repo := s.Repository
	if !repo.Known() && s.Repo != "" {
		repo = model.Repository{Provider: "git", URL: s.Repo} // a backend that gives only a URL
	}
	if u := w.opts.Resolver.CloneURL(repo); u != "" {
		s.Repo = u
	}
	s.ProjectRoot = vcs.ProjectRoot(s.ProjectRoot)
	if s.Branch != "" || s.Repo == "" || w.opts.Cache == nil {
		return
	}
	l, ok := w.branches[s.Repo]
	if !ok {
		var known string
		if _, found := w.opts.Known.Get("default branch "+s.Repo, &known); found && known != "" {
			l = branchLookup{branch: known, done: true} // from an earlier start: looked up again below
		}
		w.branches[s.Repo] = l
		w.lookUp(s.Repo)
	}
	if l.done && l.err == nil {
		s.Branch = l.branch
	}
}

// lookUp finds a repository's default branch in the background.
func (w *Backend) lookUp(url string) {
	w.pending.Add(1)
	go func() {
		defer w.pending.Done()
		w.lookups <- struct{}{}
		defer func() { <-w.lookups }()
		ctx, cancel := context.WithTimeout(context.Background(), defaultLookupBudget)
		defer cancel()
		branch, err := w.opts.Cache.RemoteDefaultBranch(ctx, url)
		w.mu.Lock()
		if prev := w.branches[url]; err == nil || !prev.done {
			w.branches[url] = branchLookup{branch: branch, err: err, done: true}
		} // a failed lookup again keeps the branch an earlier start found
		w.mu.Unlock()
		if err == nil {
			w.opts.Known.Put("default branch "+url, branch, time.Now())
			_ = w.opts.Known.Save()
		}
	}()
}

// Wait waits for the default-branch lookups in flight.
func (w *Backend) Wait() { w.pending.Wait() }

// Settle waits for the default-branch lookups in flight and fills in the
// branches they found: for a one-shot listing (`ls`), which has no next
// listing to show them.
func (w *Backend) Settle(stacks []model.Stack) {
	w.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range stacks {
		w.resolve(&stacks[i])
	}
}

// StackFile reads a file of the stack's repository at the head of the
// branch it tracks, through the clone cache (the UI's RepoFiles): a missing
// file is backend.ErrNotFound. Reads are reused for FileTTL.
func (w *Backend) StackFile(ctx context.Context, stackID, file string) ([]byte, error) {
	w.mu.Lock()
	s, ok := w.stacks[stackID]
	w.mu.Unlock()
	switch {
	case !ok:
		return nil, backend.NotFoundf("stack %s", stackID)
	case s.Repo == "" || s.Branch == "" || w.opts.Cache == nil:
		return nil, backend.NotFoundf("%s: the repository or branch of %s is not known", file, s.Name)
	}
	key := s.Repo + "\x00" + s.Branch + "\x00" + file
	w.mu.Lock()
	f, ok := w.files[key]
	w.mu.Unlock()
	if ok && time.Since(f.at) < w.opts.FileTTL {
		return f.data, f.err
	}
	data, err := w.read(ctx, s.Repo, s.Branch, file)
	if ctx.Err() == nil {
		w.mu.Lock()
		w.files[key] = fileRead{data: data, err: err, at: time.Now()}
		w.mu.Unlock()
	}
	return data, err
}

func (w *Backend) read(ctx context.Context, repo, branch, file string) ([]byte, error) {
	cl, err := w.opts.Cache.Open(ctx, repo)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	head, err := cl.Head(ctx, branch)
	if err != nil {
		return nil, err
	}
	file = strings.TrimPrefix(path.Clean(file), "/")
	files, err := cl.FilesWhere(ctx, head, path.Dir(file), func(p string) bool { return p == file })
	if err != nil {
		return nil, err
	}
	data, ok := files[file]
	if !ok {
		return nil, backend.NotFoundf("%s in %s at %s", file, cl.Name(), branch)
	}
	return data, nil
}
