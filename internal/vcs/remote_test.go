package vcs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// remote is a bare repository standing in for a forge, with a work tree
// ("author") that commits and pushes to it the way a colleague would.
type remote struct {
	t      *testing.T
	URL    string
	bare   string
	author Git
}

func newRemote(t *testing.T) *remote {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	r := &remote{t: t, bare: filepath.Join(dir, "payments.git")}
	r.URL = "file://" + r.bare
	if _, err := (Git{}).Run(ctx, "init", "--quiet", "--bare", "--initial-branch=main", r.bare); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if _, err := (Git{}).Run(ctx, "init", "--quiet", "--initial-branch=main", work); err != nil {
		t.Fatal(err)
	}
	r.author = Git{Dir: work, Env: TestIdentity()}
	r.git("remote", "add", "origin", r.URL)
	r.write(map[string]string{"stacks/api/main.tf": "# api\n", "stacks/ledger/main.tf": "# ledger\n"})
	r.git("add", "-A")
	r.git("commit", "--quiet", "-m", "Initial stacks")
	r.git("push", "--quiet", "origin", "main:main", "main:dev", "main:qa")
	return r
}

func (r *remote) git(args ...string) string {
	r.t.Helper()
	out, err := r.author.Run(context.Background(), args...)
	if err != nil {
		r.t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// commit writes files on top of the remote's branch and pushes it; it
// returns the new commit.
func (r *remote) commit(branch, msg string, files map[string]string) string {
	r.t.Helper()
	r.git("fetch", "--quiet", "origin")
	r.git("checkout", "--quiet", "-B", branch, "origin/"+branch)
	r.write(files)
	r.git("add", "-A")
	r.git("commit", "--quiet", "-m", msg)
	r.git("push", "--quiet", "origin", "HEAD:refs/heads/"+branch)
	return r.git("rev-parse", "HEAD")
}

func (r *remote) write(files map[string]string) {
	r.t.Helper()
	for p, content := range files {
		full := filepath.Join(r.author.Dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// head is the remote's branch as the remote has it.
func (r *remote) head(branch string) string {
	r.t.Helper()
	out, err := (Git{Dir: r.bare}).Run(context.Background(), "rev-parse", "refs/heads/"+branch)
	if err != nil {
		r.t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// recorded is a Cache in a temp dir that records every command it sends.
type recorded struct {
	*Cache
	cmds [][]string
}

func newCache(t *testing.T) *recorded {
	rc := &recorded{}
	rc.Cache = &Cache{Dir: t.TempDir(), Record: func(_ string, args []string) { rc.cmds = append(rc.cmds, args) }}
	return rc
}

func (rc *recorded) open(t *testing.T, url string) *Clone {
	t.Helper()
	cl, err := rc.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// pushes lists the recorded git push command lines.
func (rc *recorded) pushes() []string {
	var out []string
	for _, c := range rc.cmds {
		if c[0] == "push" {
			out = append(out, strings.Join(c, " "))
		}
	}
	return out
}
