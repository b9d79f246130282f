package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/stackview/stackview/internal/bounds"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

// The sandbox remembers by journaling what changes its world from outside:
// every mutation a user sends, every push it sees in its repositories and
// every firing of its drift schedule, each with the clock time it happened
// at. The engine is deterministic (a seed, and runs that advance in time
// order whenever they are asked: see advanceTo), so a resumed sandbox
// rebuilds its seeded past and replays the journal into the same world:
// the same runs with the same ids and states, locks with their holder and
// note, confirmations, tracked commits, approvals. One line per event, so a
// mutation costs one small append whatever the sandbox's size, not a
// snapshot of the world (BenchmarkPersistedMutation10000).
//
// An entry is written and synced before it is applied (write-ahead): a
// process killed in between replays it at the next start, as a real
// service that received a request may have applied it. An entry whose
// mutation is refused is taken back.

// journalFile is the journal, under the sandbox's state directory.
const journalFile = "journal.jsonl"

// Bounds of the journal read at resume.
const (
	maxJournal = 64 << 20
	maxEntry   = 1 << 20
)

// Journal operations.
const (
	opStart       = "start" // Trigger, StartRun
	opPlanCommit  = "plan-commit"
	opConfirm     = "confirm"
	opDiscard     = "discard"
	opRetry       = "retry"
	opCancel      = "cancel"
	opInterrupt   = "interrupt"
	opStop        = "stop"
	opForceCancel = "force-cancel"
	opReview      = "review"
	opPromote     = "promote"
	opLock        = "lock"
	opUnlock      = "unlock"
	opSyncCommit  = "sync-commit"
	// opRefs: a repository's refs moved (pushes, new tags), as sync saw
	// them; opAdopt: refs taken as they are without starting runs (a
	// directory migrated from format 1, which did not remember).
	opRefs  = "refs"
	opAdopt = "adopt"
	// opDrift: the drift schedule fired (its runs depend on when).
	opDrift = "drift"
	// opCheckpoint: a digest of the world when a session closed, checked
	// when the journal is replayed.
	opCheckpoint = "checkpoint"
)

// entry is one journal line.
type entry struct {
	Op    string    `json:"op"`
	At    time.Time `json:"at"`
	Stack string    `json:"stack,omitempty"`
	Run   string    `json:"run,omitempty"`
	// start and plan-commit
	Kind      model.RunKind `json:"kind,omitempty"`
	Commit    string        `json:"commit,omitempty"`
	Message   string        `json:"message,omitempty"`
	By        string        `json:"by,omitempty"`
	AutoApply *bool         `json:"auto_apply,omitempty"`
	SavePlan  bool          `json:"save_plan,omitempty"`
	Assess    bool          `json:"assess,omitempty"`
	// review, lock
	Approve bool   `json:"approve,omitempty"`
	Note    string `json:"note,omitempty"`
	// refs and adopt: the repository's branches and tags after the move
	Repo  string            `json:"repo,omitempty"`
	Heads map[string]string `json:"heads,omitempty"`
	Tags  map[string]tagRef `json:"tags,omitempty"`
	// checkpoint
	Digest string `json:"digest,omitempty"`
}

type tagRef struct {
	Commit string    `json:"commit"`
	Date   time.Time `json:"date"`
}

// journal appends entries to the journal file. A nil journal (a temporary
// sandbox, removed when it closes) records nothing.
type journal struct {
	f       *os.File
	path    string
	size    int64
	written bool // something was appended this session
}

// openJournal opens the journal for appending, creating it (0600, never
// through a symlink) when missing; size is where the valid entries end.
func openJournal(path string, size int64) (*journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sandbox: open %s: %w", journalFile, err)
	}
	// A line torn by a crash is cut off, so the next entry starts clean.
	if err := f.Truncate(size); err != nil {
		f.Close()
		return nil, fmt.Errorf("sandbox: open %s: %w", journalFile, err)
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("sandbox: open %s: %w", journalFile, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, err
	}
	return &journal{f: f, path: path, size: size}, nil
}

// append writes en and syncs it to disk; the returned mark undoes it.
func (j *journal) append(en entry) (int64, error) {
	if j == nil {
		return 0, nil
	}
	line, err := json.Marshal(en)
	if err != nil {
		return 0, fmt.Errorf("sandbox: save %s: %w", en.Op, err)
	}
	if len(line) >= maxEntry {
		return 0, fmt.Errorf("sandbox: %s is too large to save (%d bytes; at most %d): shorten its note or message", en.Op, len(line), maxEntry-1)
	}
	mark := j.size
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		j.undo(mark)
		return 0, fmt.Errorf("sandbox: save %s in %s: %w (nothing was done)", en.Op, j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		j.undo(mark)
		return 0, fmt.Errorf("sandbox: save %s in %s: %w (nothing was done)", en.Op, j.path, err)
	}
	j.size, j.written = mark+int64(len(line))+1, true
	return mark, nil
}

// undo takes back the entries appended since mark. If it fails, the entry
// stays: replaying a refused mutation refuses it again.
func (j *journal) undo(mark int64) {
	if j == nil {
		return
	}
	if err := j.f.Truncate(mark); err == nil {
		j.size = mark
		_, _ = j.f.Seek(mark, io.SeekStart)
	}
}

func (j *journal) close() error {
	if j == nil {
		return nil
	}
	return j.f.Close()
}

// readJournal reads the journal's entries, bounded, and returns where the
// valid ones end: a last line without its newline was torn by a crash
// before it was synced, so its mutation never answered, and it is dropped.
// A missing journal is an empty one.
func readJournal(path string) ([]entry, int64, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("sandbox: read %s: %w", journalFile, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("sandbox: read %s: %w", journalFile, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("sandbox: %s is not a regular file", path)
	}
	if err := bounds.Size(path, fi.Size(), maxJournal); err != nil {
		return nil, 0, fmt.Errorf("sandbox: %w: the sandbox's history is too long to replay; remove the directory to start over", err)
	}
	var out []entry
	var valid int64
	rd := bufio.NewReaderSize(io.LimitReader(f, maxJournal), 64<<10)
	for n := 1; ; n++ {
		line, err := readLine(rd, maxEntry)
		if errors.Is(err, io.EOF) {
			return out, valid, nil
		}
		if errors.Is(err, errTorn) {
			return out, valid, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("sandbox: %s line %d: %w", path, n, err)
		}
		var en entry
		if err := json.Unmarshal(line, &en); err != nil || en.Op == "" {
			return nil, 0, fmt.Errorf("sandbox: %s line %d is corrupt: remove the directory to start over", path, n)
		}
		out = append(out, en)
		valid += int64(len(line)) + 1
	}
}

var errTorn = errors.New("a torn last line")

// readLine reads one newline-terminated line of at most max bytes.
func readLine(rd *bufio.Reader, max int) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := rd.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > max {
			return nil, fmt.Errorf("an entry longer than %d bytes", max)
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(buf, []byte("\n")), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(buf) == 0:
			return nil, io.EOF
		case errors.Is(err, io.EOF):
			return nil, errTorn
		default:
			return nil, err
		}
	}
}

// syncDir makes a file created or renamed in dir survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sandbox: sync %s: %w", dir, err)
	}
	return nil
}

// record journals an event that comes from outside a mutation (refs that
// moved, the drift schedule firing). Callers hold e.mu.
func (e *Engine) record(en entry) error {
	_, err := e.journal.append(en)
	return err
}

// mutate applies one user mutation at the engine's now: journaled first,
// taken back if refused. The world is advanced to now before, as a replay
// will have it, so a mutation whose caller gave up meanwhile is not sent.
func (e *Engine) mutate(ctx context.Context, en entry) (*run, *stack, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now, err := e.now(ctx)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, nil, err
	}
	en.At = now
	mark, err := e.journal.append(en)
	if err != nil {
		return nil, nil, err
	}
	// Once journaled it must be applied whole, as the replay will.
	r, s, err := e.apply(context.WithoutCancel(ctx), &en)
	if err != nil {
		e.journal.undo(mark)
	}
	return r, s, err
}

// replay applies a resumed sandbox's journal. A mutation the replay
// refuses was refused live too (or was journaled by a process killed
// before it could be applied), and changes nothing; a checkpoint that does
// not match means this engine is not the one that wrote the journal.
func (e *Engine) replay(ctx context.Context, entries []entry) error {
	for i := range entries {
		en := &entries[i]
		if err := ctx.Err(); err != nil {
			return err
		}
		e.advanceTo(ctx, en.At)
		switch en.Op {
		case opRefs, opAdopt:
			repo := e.repoNamed(en.Repo)
			if repo == nil {
				return e.diverged(i, fmt.Sprintf("it names a repository %q the sandbox does not have", en.Repo))
			}
			if err := e.moveRefs(ctx, repo, en.Heads, refTags(en.Tags), en.At, en.Op == opRefs); err != nil {
				return fmt.Errorf("sandbox: replaying %s: %w", journalFile, err)
			}
		case opDrift:
			e.runDriftSchedule(ctx, en.At)
		case opCheckpoint:
			if got := e.digest(); got != en.Digest {
				return e.diverged(i, "the world it replays differs from the one it saved")
			}
		default:
			if _, ok := runActions[en.Op]; !ok && !stackOps[en.Op] {
				return e.diverged(i, fmt.Sprintf("it holds an operation %q this stackview does not know", en.Op))
			}
			_, _, _ = e.apply(ctx, en)
		}
	}
	return nil
}

// diverged is the refusal of a journal this engine cannot replay.
func (e *Engine) diverged(i int, why string) error {
	return fmt.Errorf("sandbox: %s in %s cannot be resumed: entry %d: %s. It was written by another version of stackview: run that version, or remove the directory to start over",
		journalFile, e.dir, i+1, why)
}

// checkpoint journals the world's digest at the clock's time, if this
// session journaled anything. Callers hold e.mu.
func (e *Engine) checkpoint() error {
	if e.journal == nil || !e.journal.written {
		return nil
	}
	t := e.clock.Now()
	e.advanceTo(context.Background(), t)
	return e.record(entry{Op: opCheckpoint, At: t, Digest: e.digest()})
}

// digest fingerprints what the journal must reproduce: stacks' commits,
// locks, drift and applied state, and every run's id and progress.
func (e *Engine) digest() string {
	h := sha256.New()
	for _, s := range e.stacks {
		fmt.Fprintf(h, "%s|%s|%s|%d|%s|%d|%t|%d|%s\n", s.ID, s.TrackedCommit, s.BranchHead, s.CommitsBehind,
			s.applied, s.applies, s.Drift.Drifted, s.Drift.CheckedAt.UnixNano(), s.Drift.RunID)
		if l := s.Lock; l != nil {
			fmt.Fprintf(h, "lock|%s|%s|%d\n", l.Holder, l.Note, l.At.UnixNano())
		}
		for _, r := range s.runs {
			fmt.Fprintf(h, "%s|%s|%d|%d|%t\n", r.ID, r.State, len(r.History), r.UpdatedAt.UnixNano(), r.NeedsApproval)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func (e *Engine) repoNamed(name string) *repository {
	for _, r := range e.repos {
		if r.name == name {
			return r
		}
	}
	return nil
}

// refsEntry is the journal entry of a repository's refs after a move.
func refsEntry(op string, repo *repository, heads map[string]string, tags map[string]vcs.Ref, at time.Time) entry {
	en := entry{Op: op, At: at, Repo: repo.name, Heads: heads, Tags: map[string]tagRef{}}
	for name, t := range tags {
		en.Tags[name] = tagRef{Commit: t.Commit, Date: t.Date}
	}
	return en
}

// refTags turns a journal entry's tags back into refs.
func refTags(tags map[string]tagRef) map[string]vcs.Ref {
	out := make(map[string]vcs.Ref, len(tags))
	for name, t := range tags {
		out[name] = vcs.Ref{Name: "refs/tags/" + name, Commit: t.Commit, Date: t.Date}
	}
	return out
}
