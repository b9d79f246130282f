package vcs

import (
	"context"
	"strings"
	"testing"
)

// TestHostileRepository: a commit whose subject and author carry terminal
// escapes is listed without them, and a file of more than MaxBlobSize is
// listed unread (nil) instead of being loaded into memory.
func TestHostileRepository(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRemote(t)
	r.author.Env = []string{"GIT_AUTHOR_NAME=Mallory\x1b[8m", "GIT_AUTHOR_EMAIL=m@example.invalid",
		"GIT_COMMITTER_NAME=Mallory", "GIT_COMMITTER_EMAIL=m@example.invalid"}
	head := r.commit("dev", "Harmless \x1b[31mfix\x1b[0m\x1b]0;pwned\x07", map[string]string{
		"stacks/api/main.tf":  "# small\n",
		"stacks/api/huge.tf":  "# " + strings.Repeat("x", MaxBlobSize) + "\n",
		"stacks/api/limit.tf": "#" + strings.Repeat("x", MaxBlobSize-2) + "\n", // exactly the limit: read
		"stacks/api/empty.tf": "",
	})
	cl := newCache(t).open(t, r.URL)
	log, err := cl.Log(ctx, r.head("qa"), head)
	if err != nil || len(log) != 1 {
		t.Fatalf("log %+v, %v", log, err)
	}
	if log[0].Subject != "Harmless fix" || log[0].Author != "Mallory <m@example.invalid>" {
		t.Errorf("subject %q, author %q", log[0].Subject, log[0].Author)
	}
	files, err := cl.Files(ctx, head, "stacks/api")
	if err != nil {
		t.Fatal(err)
	}
	if string(files["stacks/api/main.tf"]) != "# small\n" || files["stacks/api/huge.tf"] != nil || len(files["stacks/api/limit.tf"]) != MaxBlobSize ||
		files["stacks/api/empty.tf"] == nil || len(files["stacks/api/empty.tf"]) != 0 {
		t.Errorf("main %q, huge %d bytes (nil %v), empty nil %v", files["stacks/api/main.tf"], len(files["stacks/api/huge.tf"]),
			files["stacks/api/huge.tf"] == nil, files["stacks/api/empty.tf"] == nil)
	}
}
