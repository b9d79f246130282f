package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/stackfilter"
)

type lsFlags struct {
	env    string
	state  string
	asJSON bool
}

func lsCommand() *command {
	f := &lsFlags{}
	return &command{
		path:    []string{"ls"},
		summary: "print the environment / business-unit stack tree without the UI",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.env, "env", "", "only the environment `NAME`")
			fs.StringVar(&f.state, "state", "", "only stacks in state `NAME` (a prefix, any case; several: failed,unconfirmed), as the tree's state: filter")
			fs.BoolVar(&f.asJSON, "json", false, "print one JSON object (the format scripts rely on; see README)")
		},
		run: func(a *app) error { return a.ls(f) },
	}
}

func (a *app) ls(f *lsFlags) error {
	if len(a.args) > 0 {
		return usagef("ls: unexpected argument %q", a.args[0])
	}
	if f.env != "" {
		if _, ok := a.cfg.Environment(f.env); !ok {
			return usagef("ls: unknown environment %q: configured are %s", f.env, strings.Join(a.cfg.EnvironmentNames(), ", "))
		}
	}
	keep := func(*model.Stack) bool { return true }
	if f.state != "" {
		if strings.ContainsAny(f.state, " \t") {
			return usagef("ls: --state takes state names separated by commas, not %q", f.state)
		}
		q, err := stackfilter.Parse("state:" + f.state)
		if err != nil {
			return usagef("ls: --state: %v", err)
		}
		keep = q.Match
	}
	if rec := a.defaultAudit(); rec != nil {
		a.reportUnfinishedPushes(rec)
	}
	be, closeBackend, err := a.openBackend()
	if err != nil {
		return err
	}
	defer closeBackend()
	stacks, incomplete, err := listAll(a.ctx, be)
	if err != nil {
		return fmt.Errorf("listing stacks: %w (%s)", err, backend.HeadlessHint(err))
	}
	if s, ok := be.(settler); ok {
		s.Settle(stacks) // a one-shot listing has no next refresh to show default branches in
	}
	forest := model.BuildForest(stacks, a.cfg.Environments, a.cfg.Mapping)
	var trees []*model.EnvTree
	for i := range forest.Envs {
		if f.env == "" || forest.Envs[i].Env.Name == f.env {
			trees = append(trees, &forest.Envs[i])
		}
	}
	if f.asJSON {
		err = writeJSON(a.stdout, a.cfg.Backend, trees, keep)
	} else {
		err = writeText(a.stdout, trees, len(forest.Unmapped), keep)
	}
	if err == nil && incomplete != nil {
		err = fmt.Errorf("the list above is incomplete: %w (%s)", incomplete, backend.HeadlessHint(incomplete))
	}
	return err
}

// listAll lists every stack the way the UI does, page by page (each
// request with its own timeout, the listing with none), then reads the
// details ls prints that a lean listing leaves out (latest runs,
// dependencies, drift). incomplete says which pages could not be read: the
// stacks on them are missing from what is printed.
func listAll(ctx context.Context, be backend.Backend) (stacks []model.Stack, incomplete, err error) {
	var l backend.Listing
	if err := backend.PageStacks(ctx, be, backend.PageRequest{Full: true}, l.Apply); err != nil {
		return nil, nil, err
	}
	if p := l.Progress(); p.Failed > 0 {
		why := p.Err
		if why == nil {
			why = errors.New("no reason given")
		}
		incomplete = fmt.Errorf("%d %s of stacks could not be read: %w", p.Failed, plural(p.Failed, "page"), why)
	}
	stacks, err = backend.ReadDetails(ctx, be, l.Stacks())
	return stacks, incomplete, err
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// settler fills in what a backend looked up in the background (repos.Wrap's
// default branches).
type settler interface{ Settle([]model.Stack) }

// The JSON shapes below are a public format: scripts rely on these names.
type lsOutput struct {
	Backend      string  `json:"backend"`
	Environments []lsEnv `json:"environments"`
}

type lsEnv struct {
	Name      string    `json:"name"`
	Branch    string    `json:"branch"`
	Protected bool      `json:"protected"`
	Stacks    []lsStack `json:"stacks"`
}

type lsStack struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Layer         string   `json:"layer"`
	BusinessUnit  *string  `json:"business_unit"`
	Repository    string   `json:"repository"`
	Branch        string   `json:"branch"`
	ProjectRoot   string   `json:"project_root"`
	State         string   `json:"state"`
	TrackedCommit string   `json:"tracked_commit"`
	BranchHead    *string  `json:"branch_head"`
	DependsOn     []string `json:"depends_on"`
	Labels        []string `json:"labels"`
	Locked        bool     `json:"locked"`
	Disabled      bool     `json:"disabled"`
	Drifted       bool     `json:"drifted"`
	DriftStatus   string   `json:"drift_status"`
	DriftUnknown  *string  `json:"drift_unknown"`
	URL           string   `json:"url"`
	LatestRun     *lsRun   `json:"latest_run"`
	// Added with issue 14: the newest tracked run (deploy or destroy), and
	// whether an approval policy holds one of the stack's runs.
	LatestTrackedRun *lsRun `json:"latest_tracked_run"`
	NeedsApproval    bool   `json:"needs_approval"`
	// Added with issue 18: every run of the stack that waits on a person,
	// oldest first, not only the newest; null while the backend has not
	// read them (never "none" for "not known").
	WaitingRuns []lsWaiting `json:"waiting_runs"`
}

// lsWaiting is a run that waits on a person: to be confirmed, reviewed or
// approved (needs_approval: an approval policy holds it).
type lsWaiting struct {
	ID            string `json:"id"`
	Kind          string `json:"kind"`
	State         string `json:"state"`
	NeedsApproval bool   `json:"needs_approval"`
}

type lsRun struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	State     string `json:"state"`
	Commit    string `json:"commit"`
	CreatedAt string `json:"created_at"`
}

func writeJSON(w io.Writer, backendName string, trees []*model.EnvTree, keep func(*model.Stack) bool) error {
	out := lsOutput{Backend: backendName, Environments: []lsEnv{}}
	for _, t := range trees {
		env := lsEnv{Name: t.Env.Name, Branch: t.Env.Branch, Protected: t.Env.Protected, Stacks: []lsStack{}}
		for _, s := range t.Stacks() {
			if keep(s) {
				env.Stacks = append(env.Stacks, jsonStack(s))
			}
		}
		out.Environments = append(out.Environments, env)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func jsonStack(s *model.Stack) lsStack {
	out := lsStack{
		ID: s.ID, Name: s.Name, Layer: string(s.Layer), Repository: s.Repo, Branch: s.Branch,
		ProjectRoot: s.ProjectRoot, State: string(s.State), TrackedCommit: s.TrackedCommit,
		DependsOn: nonNil(s.DependsOn), Labels: nonNil(s.Labels), Locked: s.Locked(),
		Disabled: s.Disabled, Drifted: s.Drift.Drifted, DriftStatus: s.Drift.Status(), URL: s.URL,
		NeedsApproval: s.NeedsApproval,
	}
	if why := s.Drift.Unknown; why != "" {
		out.DriftUnknown = &why
	}
	if s.BusinessUnit != "" {
		bu := s.BusinessUnit
		out.BusinessUnit = &bu
	}
	if s.BranchHead != "" {
		head := s.BranchHead
		out.BranchHead = &head
	}
	out.LatestRun, out.LatestTrackedRun = jsonRun(s.LatestRun), jsonRun(s.LatestTrackedRun)
	if waiting, known := s.Waiting(); known {
		out.WaitingRuns = []lsWaiting{}
		for _, r := range waiting {
			out.WaitingRuns = append(out.WaitingRuns, lsWaiting{ID: r.ID, Kind: string(r.Kind), State: string(r.State), NeedsApproval: r.NeedsApproval})
		}
	}
	return out
}

func jsonRun(r *model.Run) *lsRun {
	if r == nil {
		return nil
	}
	return &lsRun{ID: r.ID, Kind: string(r.Kind), State: string(r.State), Commit: r.Commit,
		CreatedAt: r.CreatedAt.UTC().Format(time.RFC3339)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeText(w io.Writer, trees []*model.EnvTree, unmapped int, keep func(*model.Stack) bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, t := range trees {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		protected := ""
		if t.Env.Protected {
			protected = ", protected"
		}
		fmt.Fprintf(tw, "%s (branch %s%s)\n", t.Env.Name, t.Env.Branch, protected)
		fmt.Fprintln(tw, "  STACK\tSTATE\tUNIT\tLATEST RUN\tCOMMIT\tMARKS")
		row := func(prefix string, s *model.Stack) {
			if keep(s) {
				textRow(tw, prefix, s)
			}
		}
		if t.Root != nil {
			row("  ", t.Root)
		}
		for _, u := range t.Units {
			for _, s := range u.Stacks {
				row("  └ ", s)
			}
		}
		for _, s := range t.Unassigned {
			row("  ? ", s)
		}
		for _, s := range t.Admin {
			row("  ⚙ ", s)
		}
	}
	if unmapped > 0 {
		fmt.Fprintf(tw, "\n%d stacks match no configured environment (see [mapping] in the config)\n", unmapped)
	}
	return tw.Flush()
}

func textRow(w io.Writer, prefix string, s *model.Stack) {
	run := "-"
	if r := s.LatestRun; r != nil {
		run = fmt.Sprintf("%s %s %s", r.Kind, r.State, r.CreatedAt.UTC().Format("01-02 15:04"))
	}
	commit := short(s.TrackedCommit)
	if behind := s.Behind(); behind != "" {
		commit += " " + behind
	}
	var marks []string
	switch s.Drift.Status() {
	case model.DriftDrifted:
		marks = append(marks, "drifted")
	case model.DriftUnknown:
		marks = append(marks, "drift unknown")
	}
	if s.Locked() {
		marks = append(marks, "locked by "+s.Lock.Holder)
	}
	if s.Disabled {
		marks = append(marks, "disabled")
	}
	bu := s.BusinessUnit
	if bu == "" {
		bu = "-"
	}
	fmt.Fprintf(w, "%s%s\t%s\t%s\t%s\t%s\t%s\n", prefix, s.Name, s.State, bu, run, commit, strings.Join(marks, ", "))
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
