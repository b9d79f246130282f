package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/bounds"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/sanitize"
	"github.com/stackview/stackview/internal/vcs"
)

// markerFormat is the layout of a sandbox directory and the rules its
// journal replays under. Format 1 (no journal: a resume forgot every run)
// is migrated; bump it when the seed or the engine's rules change what a
// journal replays into, and say in readMarker what becomes of the older.
const markerFormat = 2

// MaxStacks bounds a scale sandbox (Options.Stacks, and a sandbox.json
// that says more): about 0.8 GiB of memory and half a minute to build.
const MaxStacks = 50_000

// maxMarker bounds the sandbox.json read.
const maxMarker = 64 << 10

type marker struct {
	Format int       `json:"format"`
	Org    string    `json:"org"`
	Seed   int64     `json:"seed"`
	Stacks int       `json:"stacks"`
	Base   time.Time `json:"base"`
	// Created is when the sandbox was made: the seeded past ends and the
	// drift schedule starts there, and the journal goes on from there.
	Created time.Time `json:"created"`
}

// New creates the sandbox organisation in opts.Dir, or resumes the one
// already there. A resumed sandbox keeps the seed, organisation and scale it
// was created with (opts' values for those are ignored), replays its
// journal into the world it left (journal.go), and sees pushes made since
// as new pushes.
func New(ctx context.Context, opts Options) (*Engine, error) {
	if opts.Stacks < 0 || opts.Stacks > MaxStacks {
		return nil, fmt.Errorf("sandbox: want 0 to %d stacks, got %d", MaxStacks, opts.Stacks)
	}
	e := &Engine{clock: opts.Clock, org: opts.Org, baseURL: opts.BaseURL, byID: map[string]*stack{}, parsed: parseCache{}, exprs: exprCache{}}
	if e.clock == nil {
		e.clock = realClock{}
	}
	if e.org == "" {
		e.org = "acme"
	}
	if opts.Dir == "" {
		removeLeftovers()
	}
	dir, lock, resume, cleanup, err := openDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Engine, error) {
		cleanup()
		lock.release()
		return nil, err
	}
	e.dir, e.removeDir, e.dirLock = dir, opts.Dir == "", lock
	now := e.clock.Now()
	m := marker{Format: markerFormat, Org: e.org, Seed: opts.Seed, Stacks: opts.Stacks, Base: now.UTC().Truncate(24 * time.Hour), Created: now}
	if resume {
		if m, err = readMarker(dir); err != nil {
			return fail(err)
		}
		e.org = m.Org
	} else if err := os.WriteFile(filepath.Join(dir, creatingFile), nil, 0o600); err != nil {
		return fail(fmt.Errorf("sandbox: %w", err))
	}
	if e.baseURL == "" {
		e.baseURL = "sandbox://" + e.org
	}
	if err := e.load(ctx, m, resume); err != nil {
		return fail(err)
	}
	if err := os.Remove(filepath.Join(dir, creatingFile)); err != nil && !resume {
		return fail(fmt.Errorf("sandbox: %w", err))
	}
	return e, nil
}

// readMarker reads and checks sandbox.json: a tampered one must not make
// the sandbox build something unbounded. A format 1 marker (no journal,
// no creation time) comes back as format 1 with the file's time as its
// creation, for load to migrate.
func readMarker(dir string) (marker, error) {
	var m marker
	path := filepath.Join(dir, markerFile)
	data, err := bounds.ReadFile(path, maxMarker)
	if err != nil {
		return m, fmt.Errorf("sandbox: read %s: %w", markerFile, err)
	}
	const startOver = "remove the directory to start over"
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("sandbox: %s in %s is corrupt (%v): %s", markerFile, dir, err, startOver)
	}
	switch {
	case m.Format > markerFormat:
		return m, fmt.Errorf("sandbox: %s in %s has format %d, written by a newer stackview; this one reads formats 1 to %d: run the newer one, or %s",
			markerFile, dir, m.Format, markerFormat, startOver)
	case m.Format < 1:
		return m, fmt.Errorf("sandbox: %s in %s has format %d; this stackview reads formats 1 to %d (%s)", markerFile, dir, m.Format, markerFormat, startOver)
	case m.Stacks < 0 || m.Stacks > MaxStacks:
		return m, fmt.Errorf("sandbox: %s in %s asks for %d stacks, not 0 to %d: %s", markerFile, dir, m.Stacks, MaxStacks, startOver)
	case !orgName.MatchString(m.Org):
		return m, fmt.Errorf("sandbox: %s in %s names the organisation %q, not a short name of letters, digits and dashes: %s",
			markerFile, dir, sanitize.Clip(m.Org, 40), startOver)
	case m.Format == 1:
		fi, err := os.Stat(path)
		if err != nil {
			return m, fmt.Errorf("sandbox: read %s: %w", markerFile, err)
		}
		m.Created = fi.ModTime()
	case m.Created.Before(m.Base):
		return m, fmt.Errorf("sandbox: %s in %s says it was created before its seeded past ended: %s", markerFile, dir, startOver)
	}
	return m, nil
}

// orgName is what an organisation name in sandbox.json may be.
var orgName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,62}$`)

// writeMarker writes sandbox.json by renaming a complete, synced file into
// place, so neither a killed process nor a crash leaves half of one.
func writeMarker(dir string, m marker) error {
	data, _ := json.MarshalIndent(m, "", "  ")
	tmp, err := os.CreateTemp(dir, markerFile+".*")
	if err != nil {
		return fmt.Errorf("sandbox: write %s: %w", markerFile, err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	if err := errors.Join(werr, tmp.Sync(), tmp.Close(), os.Rename(tmp.Name(), filepath.Join(dir, markerFile))); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("sandbox: write %s: %w", markerFile, err)
	}
	return syncDir(dir)
}

// load builds the organisation: write (or, resuming, find) the repositories,
// replay the seeded past up to the sandbox's creation and, resuming, its
// journal; then catch up with now.
func (e *Engine) load(ctx context.Context, m marker, resume bool) error {
	e.rng = rand.New(rand.NewPCG(uint64(m.Seed), 0x1d5))
	e.seed = m.Seed
	so, err := buildSeed(ctx, e.org, m.Seed, m.Stacks, m.Base)
	if err != nil {
		return err
	}
	shas, err := e.materializeAll(ctx, so.repos, resume)
	if err != nil {
		return err
	}
	if !resume {
		if err := writeMarker(e.dir, m); err != nil {
			return err
		}
	}
	sd := &seeding{e: e, ctx: ctx, shas: shas}
	if err := sd.build(so, resume); err != nil {
		return err
	}
	if err := sd.replay(so); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.advanceTo(ctx, m.Created)
	if m.Stacks == 0 {
		e.startDriftSchedule(m.Created)
	}
	if err := e.openJournal(ctx, resume); err != nil {
		return err
	}
	if m.Format == 1 {
		if err := e.migrate(ctx, m); err != nil {
			return err
		}
	}
	_, err = e.now(ctx)
	return err
}

// openJournal replays a resumed sandbox's journal and opens it for what
// happens next. A temporary sandbox keeps none. Callers hold e.mu.
func (e *Engine) openJournal(ctx context.Context, resume bool) error {
	if e.removeDir {
		return nil
	}
	path := filepath.Join(e.dir, "state", journalFile)
	var size int64
	if resume {
		entries, valid, err := readJournal(path)
		if err != nil {
			return err
		}
		if err := e.replay(ctx, entries); err != nil {
			return err
		}
		size = valid
	}
	j, err := openJournal(path, size)
	e.journal = j
	return err
}

// migrate brings a format 1 directory to this format: its runs were never
// saved, so the seeded world stands, and the refs as they are now are
// adopted without starting runs (their pushes were handled, by the
// stackview that forgot them); stacks learn how far behind they are.
// Callers hold e.mu.
func (e *Engine) migrate(ctx context.Context, m marker) error {
	t := e.clock.Now()
	for _, repo := range e.repos {
		if err := e.observe(ctx, repo, opAdopt, t); err != nil {
			return fmt.Errorf("sandbox: migrate %s: %w", e.dir, err)
		}
	}
	m.Format = markerFormat
	return writeMarker(e.dir, m)
}

// materializeAll writes (or finds) every repository, a few at a time.
func (e *Engine) materializeAll(ctx context.Context, repos []*seedRepo, resume bool) (map[string][]string, error) {
	shas := make([][]string, len(repos))
	errs := make([]error, len(repos))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, r := range repos {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			shas[i], errs[i] = e.materialize(ctx, r, resume)
		}()
	}
	wg.Wait()
	out := make(map[string][]string, len(repos))
	for i, r := range repos {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[r.name] = shas[i]
	}
	return out, nil
}

// materialize writes one repository with a single fast-import (or, resuming,
// reads the marks it wrote then) and returns its commits' object names.
func (e *Engine) materialize(ctx context.Context, r *seedRepo, resume bool) ([]string, error) {
	path := filepath.Join(e.dir, "repos", r.name+".git")
	marksPath := filepath.Join(e.dir, "state", r.name+".marks")
	if !resume {
		if err := os.MkdirAll(filepath.Dir(marksPath), 0o700); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		if err := vcs.InitBare(ctx, path, "main"); err != nil {
			return nil, fmt.Errorf("sandbox: create %s: %w", r.name, err)
		}
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(r.writeFastImport(pw)) }()
		err := vcs.Git{Dir: path}.FastImport(ctx, pr, marksPath)
		pr.Close()
		if err != nil {
			return nil, fmt.Errorf("sandbox: seed %s: %w", r.name, err)
		}
	}
	data, err := os.ReadFile(marksPath)
	if err != nil {
		return nil, fmt.Errorf("sandbox: repository %s: %w", r.name, err)
	}
	marks, err := vcs.ReadMarks(data)
	if err != nil {
		return nil, fmt.Errorf("sandbox: repository %s: %w", r.name, err)
	}
	shas := make([]string, len(r.commits))
	for i := range r.commits {
		if shas[i] = marks[i+1]; shas[i] == "" {
			return nil, fmt.Errorf("sandbox: repository %s: commit %d missing from its marks", r.name, i+1)
		}
	}
	return shas, nil
}

// seeding replays the seeded past into the engine.
type seeding struct {
	e    *Engine
	ctx  context.Context
	shas map[string][]string
}

func (sd *seeding) sha(repo string, idx int) string { return sd.shas[repo][idx] }

func (sd *seeding) repo(name string) *repository {
	for _, r := range sd.e.repos {
		if r.name == name {
			return r
		}
	}
	return nil
}

// build creates repositories (their caches filled from the seed), modules
// and stacks as they were at the start of the seeded past.
func (sd *seeding) build(so *seedOrg, resume bool) error {
	e := sd.e
	for _, sr := range so.repos {
		r := newRepository(sr.name, filepath.Join(e.dir, "repos", sr.name+".git"))
		r.ident = r.identity(e.org, "")
		if !resume { // the refs are the seed's: no need to read them back
			stamp, err := r.git.RefsStamp()
			if err != nil {
				return fmt.Errorf("sandbox: %w", err)
			}
			r.stamp = stamp
		}
		shas := sd.shas[sr.name]
		for i, c := range sr.commits {
			parent := ""
			if c.parent >= 0 {
				parent = shas[c.parent]
			}
			name, _, _ := strings.Cut(c.author, " <")
			r.remember(shas[i], parent, CommitInfo{Hash: shas[i], Message: c.msg, AuthorName: name,
				AuthorLogin: login(c.author), Time: c.at.UTC()}, c.files)
		}
		for b, i := range sr.heads {
			r.heads[b] = shas[i]
			if b == "dev" || b == "qa" || b == "main" {
				r.heads[b] = shas[0] // pushes move them during the replay
			}
		}
		for t, i := range sr.tags {
			r.tags[t] = vcs.Ref{Name: "refs/tags/" + t, Commit: shas[i], Date: sr.commits[i].at.UTC()}
		}
		e.repos = append(e.repos, r)
	}
	for _, r := range e.repos {
		if name, ok := cutModuleRepo(r.name); ok {
			m := &module{repo: r, Module: model.Module{ID: moduleRepoName(name), Name: name, Provider: "aws",
				Source: registrySource(e.org, name), Repo: r.ident.URL}}
			if vs := m.versions(); len(vs) > 0 {
				m.Latest = vs[0].Number
			}
			e.modules = append(e.modules, m)
		}
	}
	sort.Slice(e.modules, func(i, j int) bool { return e.modules[i].ID < e.modules[j].ID })
	for _, ss := range so.stacks {
		if err := sd.ctx.Err(); err != nil {
			return err
		}
		r := sd.repo(ss.repo)
		s := &stack{Stack: ss.Stack, repo: r, deps: ss.deps}
		s.URL = e.stackURL(s.ID) // the repository: see repository.identity
		s.TrackedCommit, s.BranchHead = r.heads[s.Branch], r.heads[s.Branch]
		e.addStack(s)
	}
	e.sortStacks()
	return nil
}

// replay runs the seeded timeline with a reviewer confirming deploys.
func (sd *seeding) replay(so *seedOrg) error {
	e := sd.e
	leave := map[string]string{}
	for id, idx := range so.leave {
		leave[id] = sd.sha(e.byID[id].repo.name, idx)
	}
	e.reviewer = func(r *run) (time.Duration, bool) { return 3 * time.Minute, leave[r.StackID] != r.Commit }
	defer func() { e.reviewer = nil }()
	sort.SliceStable(so.events, func(i, j int) bool { return so.events[i].at.Before(so.events[j].at) })
	for _, ev := range so.events {
		if err := sd.ctx.Err(); err != nil {
			return err
		}
		e.advanceTo(sd.ctx, ev.at)
		if err := ev.do(sd); err != nil {
			return err
		}
	}
	return nil
}

// push moves a branch during the replay, as a push the webhook delivers.
func (sd *seeding) push(repo, branch string, idx int, at time.Time) error {
	r := sd.repo(repo)
	return sd.e.pushed(sd.ctx, r, branch, r.heads[branch], sd.sha(repo, idx), at, true)
}

func cutModuleRepo(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "modules/terraform-aws-")
	return rest, ok
}
