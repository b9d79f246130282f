package sandbox

import (
	"fmt"
	"io"
	"maps"
	"strings"
	"time"
)

// seedRepo is a repository's whole history as the seed writes it: linear
// commits with full snapshots, where branches and tags point.
type seedRepo struct {
	name    string
	commits []*seedCommit
	heads   map[string]int // branch → commit index
	tags    map[string]int // tag → commit index
}

type seedCommit struct {
	parent int // index of the parent commit, -1 for the root
	msg    string
	author string // "Name <email>"
	at     time.Time
	files  map[string][]byte
}

// repoBuilder accumulates commits of one repository from a mutable working state.
type repoBuilder struct {
	repo  *seedRepo
	org   string
	roots map[string]*tfConfig // project root → its main.tf
	extra map[string][]byte    // other files, e.g. a README
}

func newRepoBuilder(name, org string) *repoBuilder {
	return &repoBuilder{repo: &seedRepo{name: name, heads: map[string]int{}, tags: map[string]int{}},
		org: org, roots: map[string]*tfConfig{}, extra: map[string][]byte{}}
}

// commit snapshots the working state as a child of the latest commit.
func (b *repoBuilder) commit(msg, author string, at time.Time) int {
	files := maps.Clone(b.extra)
	for root, cfg := range b.roots {
		files[strings.TrimPrefix(root+"/main.tf", "./")] = cfg.render(b.org)
	}
	b.repo.commits = append(b.repo.commits, &seedCommit{parent: len(b.repo.commits) - 1, msg: msg, author: author, at: at, files: files})
	return len(b.repo.commits) - 1
}

// writeFastImport writes the repository as one git fast-import stream. Commit
// i gets mark i+1 and is written on main, which the final resets (like every
// other ref) point at its real commit; every date comes from the seed, so object names are stable.
func (r *seedRepo) writeFastImport(w io.Writer) error {
	var err error
	put := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, args...)
		}
	}
	data := func(b []byte) {
		put("data %d\n", len(b))
		if err == nil {
			_, err = w.Write(b)
		}
		put("\n")
	}
	for i, c := range r.commits {
		put("commit refs/heads/main\nmark :%d\n", i+1)
		put("author %s %d +0000\ncommitter %s %d +0000\n", c.author, c.at.Unix(), c.author, c.at.Unix())
		data([]byte(c.msg + "\n"))
		var prev map[string][]byte
		if c.parent >= 0 {
			put("from :%d\n", c.parent+1)
			prev = r.commits[c.parent].files
		}
		for _, p := range sortedKeys(prev) {
			if _, ok := c.files[p]; !ok {
				put("D %s\n", p)
			}
		}
		for _, p := range sortedKeys(c.files) {
			if old, ok := prev[p]; !ok || string(old) != string(c.files[p]) {
				put("M 100644 inline %s\n", p)
				data(c.files[p])
			}
		}
		put("\n")
	}
	refs := map[string]int{}
	for b, i := range r.heads {
		refs["refs/heads/"+b] = i
	}
	for t, i := range r.tags {
		refs["refs/tags/"+t] = i
	}
	for _, n := range sortedKeys(refs) {
		put("reset %s\nfrom :%d\n\n", n, refs[n]+1)
	}
	put("done\n")
	return err
}
