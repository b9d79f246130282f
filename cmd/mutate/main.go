// Command mutate runs mutation testing with gremlins over packages, one at a
// time, and prints for each its test efficacy (killed of killed + lived),
// mutator coverage, time and the mutants that lived. `make mutate` runs it;
// it is not part of `make test`.
//
// A target is a package directory (internal/vcs: the package and those
// below it), or DIR=Func,Func,... to mutate only those functions and
// methods of the package: for packages whose suite is too slow to run once
// per mutant, the code where a silent break is dangerous. The scope is
// given to gremlins as a diff: a throwaway git directory whose one commit
// holds the package's files without those functions, so they are the only
// lines `git diff` shows as changed. The package itself is not touched.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	gremlins := flag.String("gremlins", "gremlins", "the gremlins `binary`")
	workers := flag.Int("workers", 0, "mutants tested at once (0: gremlins' default, one per CPU)")
	coefficient := flag.Int("timeout-coefficient", 0, "a mutant's test run may take this many times the unmutated run (0: enough for -min-timeout, at least 3)")
	minTimeout := flag.Duration("min-timeout", 30*time.Second, "with no -timeout-coefficient, the least time a mutant's test run is given (it compiles the package first)")
	logs := flag.String("logs", "", "write each package's gremlins output to `DIR`/<package>.log (default: discarded)")
	verbose := flag.Bool("v", false, "stream gremlins' output")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: mutate [flags] DIR[=Func,Func...]...")
		os.Exit(2)
	}
	r := runner{gremlins: *gremlins, workers: *workers, coefficient: *coefficient, minTimeout: *minTimeout, logs: *logs, verbose: *verbose}
	var rows []result
	failed := false
	for _, arg := range flag.Args() {
		t, err := parseTarget(arg)
		if err == nil {
			var res result
			res, err = r.run(t)
			rows = append(rows, res)
			printResult(os.Stdout, res)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "mutate: %s: %v\n", arg, err)
			failed = true
		}
	}
	printTable(os.Stdout, rows)
	if failed {
		os.Exit(1)
	}
}

// target is a package directory and, when scoped, the functions to mutate.
type target struct {
	dir   string
	funcs []string
}

func parseTarget(arg string) (target, error) {
	dir, list, scoped := strings.Cut(arg, "=")
	t := target{dir: filepath.Clean(dir)}
	if scoped {
		for _, f := range strings.Split(list, ",") {
			if f = strings.TrimSpace(f); f != "" {
				t.funcs = append(t.funcs, f)
			}
		}
		if len(t.funcs) == 0 {
			return t, errors.New("no functions after =")
		}
	}
	if fi, err := os.Stat(t.dir); err != nil || !fi.IsDir() {
		return t, fmt.Errorf("%s is not a directory", t.dir)
	}
	return t, nil
}

func (t target) String() string {
	if len(t.funcs) == 0 {
		return t.dir
	}
	return fmt.Sprintf("%s (%d functions)", t.dir, len(t.funcs))
}

type runner struct {
	gremlins    string
	workers     int
	coefficient int
	minTimeout  time.Duration
	logs        string
	verbose     bool
}

// report is the part of gremlins' JSON output read here.
type report struct {
	Efficacy   float64 `json:"test_efficacy"`
	Coverage   float64 `json:"mutations_coverage"`
	Killed     int     `json:"mutants_killed"`
	Lived      int     `json:"mutants_lived"`
	NotViable  int     `json:"mutants_not_viable"`
	NotCovered int     `json:"mutants_not_covered"`
	Files      []struct {
		Name      string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

type result struct {
	target   target
	report   report
	timedOut int // not in gremlins' JSON: read from its summary
	took     time.Duration
	lived    []string // file:line:column TYPE
}

func (r runner) run(t target) (result, error) {
	res := result{target: t}
	tmp, err := os.MkdirTemp("", "stackview-mutate-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "report.json")
	args := []string{"unleash", "--output", out}
	if r.workers > 0 {
		args = append(args, "--workers", fmt.Sprint(r.workers))
	}
	coefficient := r.coefficient
	if coefficient <= 0 {
		if coefficient, err = r.enoughCoefficient(t); err != nil {
			return res, err
		}
	}
	args = append(args, "--timeout-coefficient", fmt.Sprint(coefficient))
	// Uncached: gremlins times its coverage run to bound each mutant's, and
	// a cached result takes no time.
	env := append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -count=1"))
	if len(t.funcs) > 0 {
		gitEnv, err := scope(t, filepath.Join(tmp, "git"))
		if err != nil {
			return res, err
		}
		env = append(env, gitEnv...)
		args = append(args, "--diff", "HEAD")
	}
	args = append(args, "./"+t.dir)
	cmd := exec.Command(r.gremlins, args...)
	cmd.Env = env
	var sink io.Writer = io.Discard
	if r.logs != "" {
		if err := os.MkdirAll(r.logs, 0o755); err != nil {
			return res, err
		}
		f, err := os.Create(filepath.Join(r.logs, strings.ReplaceAll(t.dir, "/", "_")+".log"))
		if err != nil {
			return res, err
		}
		defer f.Close()
		sink = f
	}
	if r.verbose {
		sink = io.MultiWriter(sink, os.Stdout)
	}
	var tail bytes.Buffer // the end of gremlins' output, to explain a failure
	cmd.Stdout = io.MultiWriter(sink, &tail)
	cmd.Stderr = cmd.Stdout
	fmt.Printf("mutate: %s ...\n", t)
	start := time.Now()
	runErr := cmd.Run()
	res.took = time.Since(start)
	data, err := os.ReadFile(out)
	if err != nil {
		msg := tail.String()
		if len(msg) > 2000 {
			msg = msg[len(msg)-2000:]
		}
		return res, fmt.Errorf("gremlins wrote no report (%v):\n%s", errors.Join(runErr, err), msg)
	}
	if err := json.Unmarshal(data, &res.report); err != nil {
		return res, fmt.Errorf("gremlins' report: %w", err)
	}
	if _, after, ok := strings.Cut(tail.String(), "Timed out: "); ok {
		_, _ = fmt.Sscanf(after, "%d", &res.timedOut)
	}
	for _, f := range res.report.Files {
		for _, m := range f.Mutations {
			if m.Status == "LIVED" {
				res.lived = append(res.lived, fmt.Sprintf("%s:%d:%d %s", filepath.Join(t.dir, f.Name), m.Line, m.Column, m.Type))
			}
		}
	}
	slices.Sort(res.lived)
	return res, nil
}

// enoughCoefficient times the package's tests as gremlins will and returns
// the coefficient that gives each mutant's run at least minTimeout: a
// mutant whose run times out counts neither as killed nor as lived, so a
// timeout too short for compiling would hide mutants.
func (r runner) enoughCoefficient(t target) (int, error) {
	start := time.Now()
	out, err := exec.Command("go", "test", "-count=1", "-cover", "./"+t.dir+"/...").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("the tests fail without a mutant:\n%s", out)
	}
	took := time.Since(start)
	return max(3, int(r.minTimeout/took)+1), nil
}

// scope writes a git directory under gitDir whose one commit holds t's
// files with t's functions cut out, and returns the environment that makes
// git (and so gremlins' --diff HEAD) compare the package against it.
func scope(t target, gitDir string) ([]string, error) {
	abs, err := filepath.Abs(t.dir)
	if err != nil {
		return nil, err
	}
	cuts, err := findFuncs(abs, t.funcs)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "GIT_DIR="+gitDir, "GIT_WORK_TREE="+abs,
		"GIT_AUTHOR_NAME=mutate", "GIT_AUTHOR_EMAIL=mutate@localhost", "GIT_COMMITTER_NAME=mutate",
		"GIT_COMMITTER_EMAIL=mutate@localhost", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	git := func(stdin []byte, args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Env = env
		cmd.Stdin = bytes.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out)), nil
	}
	if _, err := git(nil, "init", "-q"); err != nil {
		return nil, err
	}
	for file, spans := range cuts {
		src, err := os.ReadFile(filepath.Join(abs, file))
		if err != nil {
			return nil, err
		}
		blob, err := git(cutLines(src, spans), "hash-object", "-w", "--stdin")
		if err != nil {
			return nil, err
		}
		if _, err := git(nil, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+file); err != nil {
			return nil, err
		}
	}
	tree, err := git(nil, "write-tree")
	if err != nil {
		return nil, err
	}
	commit, err := git(nil, "commit-tree", tree, "-m", "the package without the functions to mutate")
	if err != nil {
		return nil, err
	}
	if _, err := git(nil, "update-ref", "HEAD", commit); err != nil {
		return nil, err
	}
	return env[len(os.Environ()):], nil
}

// span is a range of lines, 1-based and inclusive.
type span struct{ from, to int }

// findFuncs finds each named function or method in dir's non-test files:
// the lines of each, by file. A name that matches nothing is an error, so
// a scope cannot silently shrink when code moves.
func findFuncs(dir string, names []string) (map[string][]span, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	found := map[string]bool{}
	cuts := map[string][]span{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || !slices.Contains(names, fn.Name.Name) {
				continue
			}
			found[fn.Name.Name] = true
			name := filepath.Base(path)
			cuts[name] = append(cuts[name], span{fset.Position(fn.Pos()).Line, fset.Position(fn.End()).Line})
		}
	}
	for _, n := range names {
		if !found[n] {
			return nil, fmt.Errorf("no function %s in %s", n, dir)
		}
	}
	return cuts, nil
}

// cutLines is src without the lines in spans.
func cutLines(src []byte, spans []span) []byte {
	lines := bytes.SplitAfter(src, []byte("\n"))
	var out []byte
	for i, l := range lines {
		n := i + 1
		if !slices.ContainsFunc(spans, func(s span) bool { return n >= s.from && n <= s.to }) {
			out = append(out, l...)
		}
	}
	return out
}

func printResult(w io.Writer, r result) {
	fmt.Fprintf(w, "mutate: %s: efficacy %.2f%%, mutator coverage %.2f%%, killed %d, lived %d, not covered %d, timed out %d, in %s\n",
		r.target, r.report.Efficacy, r.report.Coverage, r.report.Killed, r.report.Lived, r.report.NotCovered, r.timedOut, r.took.Round(time.Second))
	for _, l := range r.lived {
		fmt.Fprintf(w, "  lived: %s\n", l)
	}
}

func printTable(w io.Writer, rows []result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "package\tefficacy\tmutator coverage\tkilled\tlived\tnot covered\ttimed out\ttime\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%.2f%%\t%.2f%%\t%d\t%d\t%d\t%d\t%s\t\n", r.target, r.report.Efficacy, r.report.Coverage,
			r.report.Killed, r.report.Lived, r.report.NotCovered, r.timedOut, r.took.Round(time.Second))
	}
	_ = tw.Flush()
}
