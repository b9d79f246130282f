package vcs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommitAuthor: commits carry the user's git identity only when the
// cache may read the user's configuration and it names one; otherwise
// stackview's own.
func TestCommitAuthor(t *testing.T) {
	ctx := context.Background()
	r := newRemote(t)
	global := filepath.Join(t.TempDir(), "gitconfig")
	if err := os.WriteFile(global, []byte("[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CONFIG_GLOBAL", global)
	for _, tc := range []struct {
		userConfig bool
		want       string
	}{{true, "Ada Lovelace <ada@example.com>"}, {false, "stackview <stackview@example.invalid>"}} {
		rc := newCache(t)
		rc.UserConfig = tc.userConfig
		cl := rc.open(t, r.URL)
		dev, _ := cl.Head(ctx, "dev")
		sha, err := cl.CommitFiles(ctx, dev, map[string][]byte{"x.tf": []byte("\n")}, "x")
		if err != nil {
			t.Fatal(err)
		}
		c, err := cl.Commit(ctx, sha)
		if err != nil || c.Author != tc.want {
			t.Errorf("UserConfig %v: author %q, %v; want %q", tc.userConfig, c.Author, err, tc.want)
		}
		committer, _ := cl.git.Run(ctx, "log", "-1", "--format=%cn <%ce>", sha)
		if strings.TrimSpace(committer) != tc.want {
			t.Errorf("UserConfig %v: committer %q, want %q", tc.userConfig, committer, tc.want)
		}
		cl.Close()
	}
}
