package vcs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/bounds"
)

// InitBare creates a bare repository at path whose HEAD names branch. It
// writes the layout git init --bare makes (without sample hooks) itself, so
// tools that create many repositories pay for no git process here.
func InitBare(ctx context.Context, path, branch string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(path, "HEAD")); err == nil {
		return fmt.Errorf("init %s: a repository is already there", path)
	}
	for _, d := range []string{"objects/info", "objects/pack", "refs/heads", "refs/tags", "info"} {
		if err := os.MkdirAll(filepath.Join(path, d), 0o755); err != nil {
			return fmt.Errorf("init %s: %w", path, err)
		}
	}
	files := map[string]string{
		"HEAD":   "ref: refs/heads/" + branch + "\n",
		"config": "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(path, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("init %s: %w", path, err)
		}
	}
	return nil
}

// FastImport feeds a git fast-import stream into the repository and, when
// marksFile is not empty, writes the mark → object table there.
func (g Git) FastImport(ctx context.Context, stream io.Reader, marksFile string) error {
	args := []string{"fast-import", "--quiet", "--done"}
	if marksFile != "" {
		args = append(args, "--export-marks="+marksFile)
	}
	_, err := g.RunInput(ctx, stream, args...)
	return err
}

// RevParse resolves a revision to a full object name.
func (g Git) RevParse(ctx context.Context, rev string) (string, error) {
	out, err := g.Run(ctx, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", rev, err)
	}
	return strings.TrimSpace(out), nil
}

// Ref is one reference: its name, the commit it points at (peeled through
// annotated tags) and that commit's (or the tag's) date.
type Ref struct {
	Name   string
	Commit string
	Date   time.Time
}

// Refs lists the references under the given prefixes (all when none).
func (g Git) Refs(ctx context.Context, prefixes ...string) ([]Ref, error) {
	args := append([]string{"for-each-ref", "--format=%(refname) %(objectname) %(*objectname) %(creatordate:unix)"}, prefixes...)
	out, err := g.Run(ctx, args...)
	if err != nil {
		return nil, err
	}
	var refs []Ref
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, " ")
		if len(f) != 4 {
			return nil, fmt.Errorf("for-each-ref: unexpected line %q", line)
		}
		r := Ref{Name: f[0], Commit: f[1]}
		if f[2] != "" {
			r.Commit = f[2]
		}
		if sec, err := strconv.ParseInt(f[3], 10, 64); err == nil {
			r.Date = time.Unix(sec, 0).UTC()
		}
		refs = append(refs, r)
	}
	return refs, nil
}

// TreeEntry is one file of a commit's tree.
type TreeEntry struct {
	Path string
	Blob string
}

// ListTree lists the files of commit (recursively) under path ("" = all).
func (g Git) ListTree(ctx context.Context, commit, path string) ([]TreeEntry, error) {
	args := []string{"ls-tree", "-r", "-z", commit}
	if path != "" {
		args = append(args, "--", path)
	}
	out, err := g.Run(ctx, args...)
	if err != nil {
		return nil, err
	}
	var entries []TreeEntry
	for _, rec := range strings.Split(out, "\x00") {
		meta, name, ok := strings.Cut(rec, "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta)
		if len(f) == 3 && f[1] == "blob" {
			entries = append(entries, TreeEntry{Path: name, Blob: f[2]})
		}
	}
	return entries, nil
}

// MaxBlobSize is the largest file ReadBlobs reads: anyone who can push
// can add a file of gigabytes, and every file stackview reads from a
// repository (Terraform, ignore rules) is far smaller.
const MaxBlobSize = bounds.MaxTerraformFile

// ReadBlobs returns the contents of the given objects (blob ids or
// "<commit>:<path>" specs). A blob larger than MaxBlobSize is not read: it
// is in the map with nil content (an empty file has empty, non-nil
// content), for the caller to report.
func (g Git) ReadBlobs(ctx context.Context, specs []string) (map[string][]byte, error) {
	res := make(map[string][]byte, len(specs))
	if len(specs) == 0 {
		return res, nil
	}
	sizes, err := g.catFile(ctx, "--batch-check", specs, nil)
	if err != nil {
		return nil, err
	}
	var small []string
	for _, s := range specs {
		if sizes[s] <= MaxBlobSize {
			small = append(small, s)
		} else {
			res[s] = nil
		}
	}
	if len(small) == 0 {
		return res, nil
	}
	if _, err := g.catFile(ctx, "--batch", small, res); err != nil {
		return nil, err
	}
	return res, nil
}

// catFile runs git cat-file in a batch mode over specs and returns their
// sizes; with --batch it also puts each content into contents.
func (g Git) catFile(ctx context.Context, mode string, specs []string, contents map[string][]byte) (map[string]int64, error) {
	var in bytes.Buffer
	for _, s := range specs {
		in.WriteString(s + "\n")
	}
	out, err := g.RunInput(ctx, &in, "cat-file", mode)
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(bytes.NewReader(out))
	sizes := make(map[string]int64, len(specs))
	for _, s := range specs {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("cat-file: short output for %q", s)
		}
		f := strings.Fields(header)
		if len(f) == 2 && f[1] == "missing" {
			return nil, fmt.Errorf("cat-file: %s does not exist", s)
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("cat-file: unexpected header %q", header)
		}
		n, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("cat-file: bad size in %q", header)
		}
		sizes[s] = n
		if contents == nil {
			continue
		}
		buf := make([]byte, n+1) // content plus the trailing newline
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("cat-file: short content for %q", s)
		}
		contents[s] = buf[:n]
	}
	return sizes, nil
}

// ChangedFiles lists the paths that differ between two commits.
func (g Git) ChangedFiles(ctx context.Context, from, to string) ([]string, error) {
	out, err := g.Run(ctx, "diff", "--name-only", "-z", from, to)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, p := range strings.Split(out, "\x00") {
		if p != "" {
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// CountCommits counts the commits reachable from to but not from from (from..to).
func (g Git) CountCommits(ctx context.Context, from, to string) (int, error) {
	out, err := g.Run(ctx, "rev-list", "--count", from+".."+to)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(out))
}

// ReadMarks parses a fast-import marks file (":<mark> <sha>" lines).
func ReadMarks(data []byte) (map[int]string, error) {
	marks := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		m, sha, ok := strings.Cut(line, " ")
		n, err := strconv.Atoi(strings.TrimPrefix(m, ":"))
		if !ok || err != nil {
			return nil, fmt.Errorf("marks: bad line %q", line)
		}
		marks[n] = sha
	}
	return marks, nil
}
