package modules

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/stackview/stackview/internal/tfmod"
	"github.com/stackview/stackview/internal/vcs"
)

// BumpRequest asks to move every use of one module, in scope, to a version.
type BumpRequest struct {
	Address string // the module: tfmod.Source.Address()
	Name    string // its short name for messages ("vpc"); "" = from the address
	Target  string // the version to ask for, e.g. "1.4.0"
	// Repos are the repositories in scope (every repository using the
	// module, one repository, or the one of a single stack).
	Repos []string
	// Roots, when set, limits a repository (by URL) to these project
	// roots: the scope of a single stack.
	Roots map[string][]string
	// Branch is where the bump is committed; "" = "dev".
	Branch string
	// PullRequest proposes each repository's commit as a pull request
	// (from a new branch) instead of pushing it to Branch.
	PullRequest bool
}

// BumpResult is what happened in one repository.
type BumpResult struct {
	Repo    string
	Commit  string // the bump commit ("" when nothing changed)
	Message string
	Edits   []tfmod.Edit
	Files   []string
	// Push is the move of Branch (or of the pull request's branch).
	Push        vcs.PushResult
	PullRequest vcs.PullRequest
	// Err is why this repository was not bumped; the others still were.
	Err error
}

// Bump edits, commits and pushes (or proposes) the bump in each repository
// in scope, one commit per repository, a few repositories at a time
// (results in the order of req.Repos). A failing repository does not stop
// the others; the joined error lists every failure, and each result says
// what happened there. Nothing is left half-done in the cache: commits are
// objects until a push succeeds.
func Bump(ctx context.Context, cache *vcs.Cache, req BumpRequest) ([]BumpResult, error) {
	if req.Branch == "" {
		req.Branch = "dev"
	}
	if req.Name == "" {
		req.Name = shortName(req.Address)
	}
	results := make([]BumpResult, len(req.Repos))
	sem := make(chan struct{}, bumpParallel)
	var wg sync.WaitGroup
	for i, repo := range req.Repos {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = bumpRepo(ctx, cache, req, repo)
		}()
	}
	wg.Wait()
	var errs []error
	for _, r := range results {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return results, errors.Join(errs...)
}

// bumpParallel is how many repositories are bumped at once: each is a
// clone or fetch and a push, mostly waiting on the network.
const bumpParallel = 4

func bumpRepo(ctx context.Context, cache *vcs.Cache, req BumpRequest, repo string) (res BumpResult) {
	res.Repo = repo
	fail := func(err error) BumpResult {
		res.Err = fmt.Errorf("bump %s in %s: %w", req.Name, path.Base(repo), err)
		return res
	}
	cl, err := cache.Open(ctx, repo)
	if err != nil {
		return fail(err)
	}
	defer cl.Close()
	head, err := cl.Head(ctx, req.Branch)
	if err != nil {
		return fail(err)
	}
	files, err := cl.FilesWhere(ctx, head, "", tfmod.IsTerraform)
	if err != nil {
		return fail(err)
	}
	changed, edits, err := editFiles(files, req, req.Roots[repo])
	if err != nil {
		return fail(err)
	}
	if len(edits) == 0 {
		res.Push = vcs.PushResult{Branch: req.Branch, Old: head, New: head, UpToDate: true}
		return res
	}
	res.Edits = edits
	for f := range changed {
		res.Files = append(res.Files, f)
	}
	sort.Strings(res.Files)
	res.Message = bumpMessage(req, edits)
	// The push's journal lines say what it is for, even if this program
	// is killed while it runs.
	ctx = vcs.WithPushPurpose(ctx, vcs.PushPurpose{Action: "bump", Detail: fmt.Sprintf("%s on %s", res.Message, req.Branch)})
	if res.Commit, err = cl.CommitFiles(ctx, head, changed, res.Message); err != nil {
		return fail(err)
	}
	if !req.PullRequest {
		res.Push, err = cl.PushFastForward(ctx, res.Commit, req.Branch)
		if err != nil {
			return fail(err)
		}
		return res
	}
	prBranch := fmt.Sprintf("stackview/bump-%s-%s", req.Name, req.Target)
	if err := cl.CreateBranch(ctx, res.Commit, prBranch); err != nil {
		return fail(err)
	}
	res.Push = vcs.PushResult{Branch: prBranch, New: res.Commit}
	res.PullRequest, err = vcs.OpenPullRequest(ctx, vcs.PullRequestRequest{
		RepoURL: repo, Base: req.Branch, Head: prBranch, Title: res.Message,
		Body: fmt.Sprintf("%s\n\nEdited by stackview in %s.\n", res.Message, strings.Join(res.Files, ", ")),
	})
	if err != nil {
		return fail(err)
	}
	return res
}

// editFiles bumps the module in every .tf file (under roots, when given).
func editFiles(files map[string][]byte, req BumpRequest, roots []string) (map[string][]byte, []tfmod.Edit, error) {
	sel := func(c tfmod.Call) bool {
		if c.Source.Address() != req.Address {
			return false
		}
		if len(roots) == 0 {
			return true
		}
		for _, r := range roots {
			if path.Clean(r) == c.Dir {
				return true
			}
		}
		return false
	}
	changed := map[string][]byte{}
	var edits []tfmod.Edit
	for _, name := range sortedNames(files) {
		out, e, err := tfmod.BumpFile(name, files[name], sel, req.Target)
		if err != nil {
			var p tfmod.Problem
			if errors.As(err, &p) {
				continue // unparseable: reported by the inventory, never fatal here
			}
			return nil, nil, err
		}
		if len(e) > 0 {
			changed[name], edits = out, append(edits, e...)
		}
	}
	return changed, edits, nil
}

// bumpMessage is "Bump module vpc 1.2.0 → 1.4.0" (every distinct "from"
// listed when the uses differed).
func bumpMessage(req BumpRequest, edits []tfmod.Edit) string {
	var froms, tos []string
	seenF, seenT := map[string]bool{}, map[string]bool{}
	for _, e := range edits {
		if !seenF[e.From] {
			seenF[e.From], froms = true, append(froms, e.From)
		}
		if !seenT[e.To] {
			seenT[e.To], tos = true, append(tos, e.To)
		}
	}
	return fmt.Sprintf("Bump module %s %s → %s", req.Name, strings.Join(froms, ", "), strings.Join(tos, ", "))
}

// shortName is a module's name from its address: the registry name
// ("spacelift.io/acme/vpc/aws" → "vpc") or the repository's base name.
func shortName(address string) string {
	src := tfmod.ParseSource(address)
	if src.Name != "" {
		return src.Name
	}
	return strings.TrimSuffix(path.Base(address), ".git")
}

func sortedNames(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
