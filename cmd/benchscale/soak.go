package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/stackview/stackview/internal/backend/tfc"
	"github.com/stackview/stackview/internal/model"
)

// The soak (-soak DURATION) serves a sandbox of n stacks with the real
// `stackview sandbox serve` (which holds each user to HCP Terraform's rate
// limits: 30 requests a second, run lists 30 a minute) and reads it through
// the TFC client for the whole duration the way the UI does: a refresh
// every few seconds with the selected stack's runs and latest run, the
// selection moving, a plan now and then followed to its end, a promotion
// check's run lists every minute. It prints requests per minute and the
// 429s the client received, which must be none.

// Soak cadence: the UI's default refresh, a user moving the selection, and
// the rarer actions.
const (
	soakRefresh   = 5 * time.Second
	soakSelect    = 2 * time.Second
	soakPlanEvery = 30 * time.Second
	soakCheckRuns = time.Minute
	soakCheckSize = 10 // stacks a promotion check reads runs of
	soakCallLimit = 15 * time.Second
)

// soakCounter counts what the client sends and what comes back, below the
// scheduler (so every attempt is counted), per minute.
type soakCounter struct {
	base      http.RoundTripper
	start     time.Time
	mu        sync.Mutex
	perMinute []soakMinute
	perSecond map[int64]int // the busiest second shows how close to the limit the client went
	requests  atomic.Int64
	limited   atomic.Int64
}

type soakMinute struct{ requests, runLists, limited, serverErrors int }

func (c *soakCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.requests.Add(1)
	resp, err := c.base.RoundTrip(req)
	at := time.Since(c.start)
	c.mu.Lock()
	defer c.mu.Unlock()
	m := int(at / time.Minute)
	for len(c.perMinute) <= m {
		c.perMinute = append(c.perMinute, soakMinute{})
	}
	c.perMinute[m].requests++
	c.perSecond[int64(at/time.Second)]++
	if req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, "/runs") {
		c.perMinute[m].runLists++
	}
	if resp != nil {
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			c.perMinute[m].limited++
			c.limited.Add(1)
		case resp.StatusCode >= 500:
			c.perMinute[m].serverErrors++
		}
	}
	return resp, err
}

func (c *soakCounter) busiestSecond() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	best := 0
	for _, n := range c.perSecond {
		best = max(best, n)
	}
	return best
}

var exported = regexp.MustCompile(`(?m)^export (\w+)=(\S+)$`)

// startServe runs `stackview sandbox serve` with n stacks and returns the
// TFC variables it printed.
func startServe(ctx context.Context, bin string, n int) (map[string]string, func() error, error) {
	cmd := exec.CommandContext(ctx, bin, "sandbox", "serve", "--sandbox-stacks", strconv.Itoa(n),
		"--addr", "127.0.0.1:0", "--tfc-addr", "127.0.0.1:0")
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+os.TempDir()+"/benchscale-soak-no-config")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w (build it with make build)", bin, err)
	}
	stop := func() error {
		_ = cmd.Process.Signal(os.Interrupt)
		return cmd.Wait()
	}
	env := map[string]string{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if m := exported.FindStringSubmatch(line); m != nil {
			env[m[1]] = m[2]
		}
		if strings.Contains(line, "serving until interrupted") {
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return env, stop, nil
		}
	}
	_ = stop()
	return nil, nil, errors.New("sandbox serve ended before it served")
}

// soak runs the soak and prints its figures.
func soak(ctx context.Context, w io.Writer, bin string, n int, d time.Duration, home string) error {
	fmt.Fprintf(os.Stderr, "benchscale: soak: serving %d stacks with %s sandbox serve…\n", n, bin)
	env, stop, err := startServe(ctx, bin, n)
	if err != nil {
		return err
	}
	defer func() { _ = stop() }()
	counter := &soakCounter{base: newCounter().base, start: time.Now(), perSecond: map[int64]int{}}
	c, err := tfc.New(ctx, tfc.Config{Address: env["TFE_ADDRESS"], Organization: env["TF_CLOUD_ORGANIZATION"],
		Env: func(k string) string { return env[k] }, HomeDir: home, HTTPClient: &http.Client{Transport: counter}})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "benchscale: soak: reading for %s…\n", d)
	u := &soakUser{c: c, rng: rand.New(rand.NewPCG(15, 2000))}
	errs := u.run(ctx, d)
	figures(w, counter, n, d, u, errs)
	return nil
}

// soakUser does what a user of the UI makes the client do.
type soakUser struct {
	c        *tfc.Client
	rng      *rand.Rand
	stacks   []model.Stack
	selected string
	followed map[string]string // run id → stack id
	calls    int
	failures []string
}

func (u *soakUser) call(ctx context.Context, what string, f func(ctx context.Context) error) {
	ctx, cancel := context.WithTimeout(ctx, soakCallLimit)
	defer cancel()
	u.calls++
	if err := f(ctx); err != nil && ctx.Err() == nil {
		u.failures = append(u.failures, what+": "+err.Error())
	}
}

func (u *soakUser) run(ctx context.Context, d time.Duration) []string {
	u.followed = map[string]string{}
	end := time.After(d)
	refresh, sel := time.NewTicker(soakRefresh), time.NewTicker(soakSelect)
	plan, check := time.NewTicker(soakPlanEvery), time.NewTicker(soakCheckRuns)
	defer func() { refresh.Stop(); sel.Stop(); plan.Stop(); check.Stop() }()
	u.refresh(ctx)
	for {
		select {
		case <-ctx.Done():
			return u.failures
		case <-end:
			return u.failures
		case <-refresh.C:
			u.refresh(ctx)
		case <-sel.C:
			u.selectOne(ctx)
		case <-plan.C:
			u.plan(ctx)
		case <-check.C:
			u.promotionCheck(ctx)
		}
	}
}

// refresh is the UI's tick: the stacks, the selected stack's runs, and the
// runs it follows.
func (u *soakUser) refresh(ctx context.Context) {
	u.call(ctx, "list stacks", func(ctx context.Context) (err error) {
		stacks, err := u.c.ListStacks(ctx)
		if err == nil {
			u.stacks = stacks
		}
		return err
	})
	if u.selected == "" && len(u.stacks) > 0 {
		u.selected = u.stacks[0].ID
	}
	u.runsOf(ctx, u.selected)
	for runID, stackID := range u.followed {
		u.call(ctx, "get run", func(ctx context.Context) error {
			r, err := u.c.GetRun(ctx, stackID, runID)
			if err == nil && r.State.Terminal() {
				delete(u.followed, runID)
			}
			return err
		})
	}
}

func (u *soakUser) runsOf(ctx context.Context, stackID string) {
	if stackID == "" {
		return
	}
	u.call(ctx, "list runs", func(ctx context.Context) error {
		_, _, err := u.c.ListRuns(ctx, stackID, "")
		return err
	})
}

func (u *soakUser) selectOne(ctx context.Context) {
	if len(u.stacks) == 0 {
		return
	}
	u.selected = u.stacks[u.rng.IntN(len(u.stacks))].ID
	u.runsOf(ctx, u.selected)
}

func (u *soakUser) plan(ctx context.Context) {
	if u.selected == "" {
		return
	}
	u.call(ctx, "trigger plan", func(ctx context.Context) error {
		r, err := u.c.Trigger(ctx, u.selected, model.RunPlan)
		if err == nil {
			u.followed[r.ID] = u.selected
		}
		return err
	})
}

// promotionCheck reads the runs of a repository's stacks, as a promotion's
// gates do.
func (u *soakUser) promotionCheck(ctx context.Context) {
	for range min(soakCheckSize, len(u.stacks)) {
		u.runsOf(ctx, u.stacks[u.rng.IntN(len(u.stacks))].ID)
	}
}

func figures(w io.Writer, c *soakCounter, n int, d time.Duration, u *soakUser, failures []string) {
	fmt.Fprintf(w, "Soak: the TFC client against `stackview sandbox serve` (%d stacks, HCP Terraform's rate limits), %s as the UI reads\n\n", n, d)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "minute\trequests\trun lists\t429s\t5xx\t")
	c.mu.Lock()
	for i, m := range c.perMinute {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t\n", i+1, m.requests, m.runLists, m.limited, m.serverErrors)
	}
	c.mu.Unlock()
	tw.Flush()
	total := c.requests.Load()
	fmt.Fprintf(w, "\nrequests: %d (%.0f per minute); busiest second: %d requests (limit 30); 429s received: %d\n",
		total, float64(total)/d.Minutes(), c.busiestSecond(), c.limited.Load())
	fmt.Fprintf(w, "client calls: %d, failed: %d\n", u.calls, len(failures))
	for i, f := range failures {
		if i == 10 {
			fmt.Fprintf(w, "  … %d more\n", len(failures)-10)
			break
		}
		fmt.Fprintln(w, "  "+f)
	}
}
