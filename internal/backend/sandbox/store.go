package sandbox

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

// repository is one bare git repository of the sandbox and what the engine
// knows about it. Trees and blobs are cached: the seed fills the cache with
// the content it wrote, so only commits pushed later are read from git.
type repository struct {
	name string // e.g. "payments" or "modules/terraform-aws-vpc"
	path string // absolute path of the bare repository
	git  vcs.Git
	// stamp fingerprints the refs as of the last look, so an unchanged
	// repository costs no git process.
	stamp string
	// ident is how stacks and modules name the repository (see ServeGit).
	ident model.Repository

	heads   map[string]string            // branch → commit, as last seen
	tags    map[string]vcs.Ref           // tag name → ref, as last seen
	parents map[string]string            // commit → first parent, for seeded commits
	commits map[string]CommitInfo        // commit → author, date, subject
	trees   map[string]map[string]string // commit → path → blob id
	blobs   map[string][]byte            // blob id → content
}

func newRepository(name, path string) *repository {
	return &repository{name: name, path: path, git: vcs.Git{Dir: path},
		heads: map[string]string{}, tags: map[string]vcs.Ref{}, parents: map[string]string{},
		commits: map[string]CommitInfo{}, trees: map[string]map[string]string{}, blobs: map[string][]byte{}}
}

// url is how stacks and modules name the repository.
func (r *repository) url() string { return "file://" + r.path }

// blobID is git's object name for a blob with this content.
func blobID(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// remember caches a commit's full snapshot.
func (r *repository) remember(commit, parent string, info CommitInfo, files map[string][]byte) {
	tree := make(map[string]string, len(files))
	for p, c := range files {
		id := blobID(c)
		tree[p] = id
		r.blobs[id] = c
	}
	r.trees[commit] = tree
	r.parents[commit] = parent
	r.commits[commit] = info
}

// tree returns commit's path → blob map, reading git on a cache miss.
func (r *repository) tree(ctx context.Context, commit string) (map[string]string, error) {
	if t, ok := r.trees[commit]; ok {
		return t, nil
	}
	entries, err := r.git.ListTree(ctx, commit, "")
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", r.name, short(commit), err)
	}
	t := make(map[string]string, len(entries))
	for _, e := range entries {
		t[e.Path] = e.Blob
	}
	r.trees[commit] = t
	return t, nil
}

// files returns the content of the files under dir at commit.
func (r *repository) files(ctx context.Context, commit, dir string) (map[string][]byte, error) {
	if commit == "" {
		return map[string][]byte{}, nil
	}
	t, err := r.tree(ctx, commit)
	if err != nil {
		return nil, err
	}
	var missing []string
	want := map[string]string{}
	for p, id := range t {
		if underRoot(p, dir) {
			want[p] = id
			if _, ok := r.blobs[id]; !ok {
				missing = append(missing, id)
			}
		}
	}
	if len(missing) > 0 {
		got, err := r.git.ReadBlobs(ctx, missing)
		if err != nil {
			return nil, fmt.Errorf("read %s at %s: %w", r.name, short(commit), err)
		}
		for id, c := range got {
			r.blobs[id] = c
		}
	}
	out := make(map[string][]byte, len(want))
	for p, id := range want {
		out[p] = r.blobs[id]
	}
	return out, nil
}

// changedUnder reports whether any file under dir differs between two commits.
func (r *repository) changedUnder(ctx context.Context, from, to, dir string) (bool, error) {
	a, err := r.tree(ctx, from)
	if err != nil {
		return false, err
	}
	b, err := r.tree(ctx, to)
	if err != nil {
		return false, err
	}
	for p, id := range b {
		if underRoot(p, dir) && a[p] != id {
			return true, nil
		}
	}
	for p := range a {
		if _, ok := b[p]; !ok && underRoot(p, dir) {
			return true, nil
		}
	}
	return false, nil
}

// commitsBetween counts commits in from..to: by walking seeded parents when
// it can, else by asking git.
func (r *repository) commitsBetween(ctx context.Context, from, to string) (int, error) {
	n := 0
	for c := to; c != from; n++ {
		p, ok := r.parents[c]
		if !ok {
			return r.git.CountCommits(ctx, from, to)
		}
		if p == "" {
			return n + 1, nil
		}
		c = p
	}
	return n, nil
}

// commit describes a commit, from the seed or else from git.
func (r *repository) commit(ctx context.Context, sha string) (CommitInfo, error) {
	if c, ok := r.commits[sha]; ok {
		return c, nil
	}
	out, err := r.git.Run(ctx, "log", "-1", "--format=%an%x00%ae%x00%at%x00%s", sha)
	if err != nil {
		return CommitInfo{}, fmt.Errorf("commit %s of %s: %w", short(sha), r.name, err)
	}
	f := strings.SplitN(strings.TrimSpace(out), "\x00", 4)
	if len(f) != 4 {
		return CommitInfo{}, fmt.Errorf("commit %s of %s: unexpected log output %q", short(sha), r.name, out)
	}
	secs, _ := strconv.ParseInt(f[2], 10, 64)
	c := CommitInfo{Hash: sha, AuthorName: f[0], AuthorLogin: loginOf(f[1]), Time: time.Unix(secs, 0).UTC(), Message: f[3]}
	r.commits[sha] = c
	return c, nil
}

// message is a commit's subject line, or "" when git cannot tell.
func (r *repository) message(ctx context.Context, sha string) string {
	c, _ := r.commit(ctx, sha)
	return c.Message
}

// loginOf is the user name of an email address: its local part.
func loginOf(email string) string {
	name, _, _ := strings.Cut(email, "@")
	return name
}

func underRoot(p, root string) bool {
	root = strings.Trim(root, "/")
	return root == "" || root == "." || strings.HasPrefix(p, root+"/")
}

func short(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}
