package vcs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const stream = `blob
mark :1
data 6
hello

commit refs/heads/main
mark :2
committer T <t@example.com> 1700000000 +0000
data 5
init
M 100644 :1 app/main.tf

blob
mark :3
data 6
world

commit refs/heads/main
mark :4
committer T <t@example.com> 1700000100 +0000
data 7
second
from :2
M 100644 :3 app/main.tf
M 100644 :1 other/x.tf

reset refs/tags/v1.0.0
from :2

done
`

func seeded(t *testing.T) (Git, map[int]string) {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "r.git")
	if err := InitBare(ctx, dir, "main"); err != nil {
		t.Fatal(err)
	}
	g := Git{Dir: dir}
	marks := filepath.Join(t.TempDir(), "marks")
	if err := g.FastImport(ctx, strings.NewReader(stream), marks); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(marks)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadMarks(data)
	if err != nil {
		t.Fatal(err)
	}
	return g, m
}

func TestRepositoryHelpers(t *testing.T) {
	ctx := context.Background()
	g, marks := seeded(t)
	head, err := g.RevParse(ctx, "main")
	if err != nil || head != marks[4] {
		t.Fatalf("RevParse main = %q, %v; want %s", head, err, marks[4])
	}
	refs, err := g.Refs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs[0].Name != "refs/heads/main" || refs[1].Commit != marks[2] || refs[1].Date.Unix() != 1700000000 {
		t.Fatalf("Refs = %+v", refs)
	}
	files, err := g.ListTree(ctx, head, "app")
	if err != nil || len(files) != 1 || files[0].Path != "app/main.tf" {
		t.Fatalf("ListTree = %+v, %v", files, err)
	}
	blobs, err := g.ReadBlobs(ctx, []string{files[0].Blob, marks[2] + ":app/main.tf"})
	if err != nil {
		t.Fatal(err)
	}
	if string(blobs[files[0].Blob]) != "world\n" || string(blobs[marks[2]+":app/main.tf"]) != "hello\n" {
		t.Fatalf("ReadBlobs = %q", blobs)
	}
	if _, err := g.ReadBlobs(ctx, []string{files[0].Blob, head + ":no/such.tf"}); err == nil || !strings.Contains(err.Error(), head+":no/such.tf does not exist") {
		t.Fatalf("ReadBlobs of a path the commit lacks: %v", err)
	}
	changed, err := g.ChangedFiles(ctx, marks[2], marks[4])
	if err != nil || strings.Join(changed, ",") != "app/main.tf,other/x.tf" {
		t.Fatalf("ChangedFiles = %v, %v", changed, err)
	}
	n, err := g.CountCommits(ctx, marks[2], marks[4])
	if err != nil || n != 1 {
		t.Fatalf("CountCommits = %d, %v", n, err)
	}
}

func TestErrorsCarryStderrWithoutCredentials(t *testing.T) {
	g, _ := seeded(t)
	_, err := g.RevParse(context.Background(), "nope")
	var gerr *Error
	if !errors.As(err, &gerr) {
		t.Fatalf("want *Error, got %v", err)
	}
	_, err = Git{Dir: t.TempDir()}.Run(context.Background(), "ls-remote", "https://user:s3cret@127.0.0.1:1/x.git")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error leaks credentials or is nil: %v", err)
	}
}

func TestMissingGit(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Git{}.Run(context.Background(), "version")
	if !errors.Is(err, ErrGitNotFound) || !strings.Contains(err.Error(), "install git") {
		t.Fatalf("got %v", err)
	}
}

func TestCloneCommitPush(t *testing.T) {
	ctx := context.Background()
	g, marks := seeded(t)
	work := filepath.Join(t.TempDir(), "w")
	if _, err := (Git{}).Run(ctx, "clone", "--quiet", "--branch", "main", g.Dir, work); err != nil {
		t.Fatal(err)
	}
	w := Git{Dir: work, Env: TestIdentity()}
	if err := os.WriteFile(filepath.Join(work, "app", "new.tf"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"add", "-A"}, {"commit", "--quiet", "-m", "add"}, {"push", "--quiet", "origin", "HEAD:main"}} {
		if _, err := w.Run(ctx, args...); err != nil {
			t.Fatal(err)
		}
	}
	n, err := g.CountCommits(ctx, marks[4], "main")
	if err != nil || n != 1 {
		t.Fatalf("after push CountCommits = %d, %v", n, err)
	}
}

func TestRefsStampMovesWithRefs(t *testing.T) {
	ctx := context.Background()
	g, marks := seeded(t)
	before, err := g.RefsStamp()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := g.RefsStamp(); again != before {
		t.Fatal("stamp changed without a ref change")
	}
	if _, err := g.Run(ctx, "update-ref", "refs/heads/dev", marks[2]); err != nil {
		t.Fatal(err)
	}
	if after, _ := g.RefsStamp(); after == before {
		t.Fatal("stamp did not change after a new branch")
	}
}

func TestUserConfigIsIgnoredUnlessAsked(t *testing.T) {
	home := t.TempDir()
	cfg := filepath.Join(home, "gitconfig")
	if err := os.WriteFile(cfg, []byte("[user]\n\tname = From User Config\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CONFIG_GLOBAL", cfg)
	t.Setenv("HOME", home)
	dir := t.TempDir()
	if out, err := (Git{Dir: dir}).Run(context.Background(), "config", "--get", "user.name"); err == nil {
		t.Fatalf("isolated git read the user's config: %q", out)
	}
	out, err := (Git{Dir: dir, UserConfig: true}).Run(context.Background(), "config", "--get", "user.name")
	if err != nil || strings.TrimSpace(out) != "From User Config" {
		t.Fatalf("UserConfig git: %q, %v", out, err)
	}
}

func TestInitBareIsARepository(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "x.git")
	if err := InitBare(ctx, dir, "trunk"); err != nil {
		t.Fatal(err)
	}
	g := Git{Dir: dir}
	if out, err := g.Run(ctx, "rev-parse", "--is-bare-repository"); err != nil || strings.TrimSpace(out) != "true" {
		t.Fatalf("rev-parse --is-bare-repository = %q, %v", out, err)
	}
	if out, err := g.Run(ctx, "symbolic-ref", "HEAD"); err != nil || strings.TrimSpace(out) != "refs/heads/trunk" {
		t.Fatalf("HEAD = %q, %v", out, err)
	}
	if out, err := g.Run(ctx, "fsck", "--strict"); err != nil {
		t.Fatalf("fsck: %q, %v", out, err)
	}
	if err := InitBare(ctx, dir, "trunk"); err == nil {
		t.Fatal("InitBare over an existing repository succeeded")
	}
}
