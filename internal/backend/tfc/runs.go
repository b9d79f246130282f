package tfc

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// runsPerPage is the run list page size; the run list endpoints are limited
// to 30 requests a minute, so pages are large.
const runsPerPage = 50

// allOperations asks the run list for plan-only runs too, which TFC leaves
// out by default.
const allOperations = "plan_only,plan_and_apply,refresh_only,destroy,empty_apply,save_plan"

var runIncludes = []tfe.RunIncludeOpt{tfe.RunPlan, tfe.RunApply, tfe.RunWorkspace, tfe.RunConfigVerIngress, tfe.RunCreatedBy}

// runRow is the part of a run stackview reads, decoded by hand so that a
// time in a format go-tfe's iso8601 decoding refuses costs that time, not
// the run, the list or the tree (see parseTime). Status timestamps are
// RFC 3339, which go-tfe reads with any offset.
type runRow struct {
	ID                     string                    `jsonapi:"primary,runs"`
	Status                 tfe.RunStatus             `jsonapi:"attr,status"`
	StatusTimestamps       *tfe.RunStatusTimestamps  `jsonapi:"attr,status-timestamps"`
	Actions                *tfe.RunActions           `jsonapi:"attr,actions"`
	Message                string                    `jsonapi:"attr,message"`
	PlanOnly               bool                      `jsonapi:"attr,plan-only"`
	RefreshOnly            bool                      `jsonapi:"attr,refresh-only"`
	IsDestroy              bool                      `jsonapi:"attr,is-destroy"`
	AutoApply              bool                      `jsonapi:"attr,auto-apply"`
	SavePlan               bool                      `jsonapi:"attr,save-plan"`
	CreatedAt              string                    `jsonapi:"attr,created-at"`
	ForceCancelAvailableAt string                    `jsonapi:"attr,force-cancel-available-at"`
	Plan                   *tfe.Plan                 `jsonapi:"relation,plan"`
	Apply                  *tfe.Apply                `jsonapi:"relation,apply"`
	ConfigurationVersion   *tfe.ConfigurationVersion `jsonapi:"relation,configuration-version"`
	CreatedBy              *tfe.User                 `jsonapi:"relation,created-by"`
	Workspace              *workspaceRef             `jsonapi:"relation,workspace"`
}

// workspaceRef is the included workspace of a run: its name names the
// run's page.
type workspaceRef struct {
	ID   string `jsonapi:"primary,workspaces"`
	Name string `jsonapi:"attr,name"`
}

type runRowList struct {
	*tfe.Pagination
	Items []*runRow
}

// runListQuery is the run list's query string (go-tfe's RunListOptions'
// wire names).
type runListQuery struct {
	PageNumber int    `url:"page[number],omitempty"`
	PageSize   int    `url:"page[size],omitempty"`
	Operation  string `url:"filter[operation],omitempty"`
	Include    string `url:"include,omitempty"`
}

type runReadQuery struct {
	Include string `url:"include,omitempty"`
}

func includeList(opts []tfe.RunIncludeOpt) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = string(o)
	}
	return strings.Join(parts, ",")
}

func (r *runRow) flags() runFlags {
	return runFlags{confirmable: r.Actions != nil && r.Actions.IsConfirmable, planOnly: r.PlanOnly || r.RefreshOnly,
		autoApply: r.AutoApply}
}

// toRun converts a run; included plan, workspace and ingress attributes
// fill the delta, URL and commit.
func (c *Client) toRun(stackID string, r *runRow) model.Run {
	f := r.flags()
	created := parseTime(r.CreatedAt)
	out := model.Run{
		ID: r.ID, StackID: stackID, Kind: model.RunDeploy, State: stateAt(r.Status, f, r.StatusTimestamps),
		RawState: string(r.Status), Title: r.Message, CreatedAt: created, UpdatedAt: created,
		History: history(r.StatusTimestamps, f), AutoApply: r.AutoApply && !f.planOnly, SavedPlan: r.SavePlan,
	}
	switch {
	case r.RefreshOnly:
		out.Kind = model.RunDriftCheck
	case r.PlanOnly:
		out.Kind = model.RunPlan
	case r.IsDestroy:
		out.Kind = model.RunDestroy
	}
	if a := r.Actions; a != nil {
		out.Actions = &model.RunActions{Confirm: a.IsConfirmable, Discard: a.IsDiscardable, Cancel: a.IsCancelable,
			ForceCancel: a.IsForceCancelable, ForceCancelAt: parseTime(r.ForceCancelAvailableAt)}
	}
	if n := len(out.History); n > 0 {
		out.UpdatedAt = out.History[n-1].At
	}
	if r.Plan != nil && r.Plan.Status == tfe.PlanFinished {
		out.Delta = &model.Delta{Add: r.Plan.ResourceAdditions, Change: r.Plan.ResourceChanges,
			Destroy: r.Plan.ResourceDestructions}
	}
	if cv := r.ConfigurationVersion; cv != nil && cv.IngressAttributes != nil {
		out.Commit = cv.IngressAttributes.CommitSHA
	}
	if r.CreatedBy != nil {
		out.TriggeredBy = r.CreatedBy.Username
	}
	if r.Workspace != nil && r.Workspace.Name != "" {
		out.URL = c.workspaceURL(r.Workspace.Name) + "/runs/" + url.PathEscape(r.ID)
	}
	return out
}

// readRun reads a run with its plan, apply, workspace and commit, and checks
// it belongs to the stack.
func (c *Client) readRun(ctx context.Context, stackID, runID string) (*runRow, error) {
	r := &runRow{}
	err := c.call(ctx, "tfc: read run "+runID, func(ctx context.Context) error {
		req, err := c.api.NewRequest("GET", "runs/"+url.PathEscape(runID), &runReadQuery{Include: includeList(runIncludes)})
		if err != nil {
			return err
		}
		return req.Do(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	if r.Workspace == nil || r.Workspace.ID != stackID {
		return nil, backend.NotFoundf("run %s of workspace %s", runID, stackID)
	}
	return r, nil
}

func (c *Client) GetRun(ctx context.Context, stackID, runID string) (model.Run, error) {
	r, err := c.readRun(ctx, stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	return c.toRun(stackID, r), nil
}

// runListTTL is how long a workspace's first page of runs is reused: TFC
// allows 30 run-list reads a minute, and a UI asks on every refresh and
// selection. A run the client starts or acts on, or a new current run in a
// listing, makes the page be read again at once.
const runListTTL = 15 * time.Second

// ListRuns pages by page number; the cursor is the next page's number. Run
// lists are limited to 30 requests a minute: the scheduler paces them and
// first pages are reused for runListTTL.
func (c *Client) ListRuns(ctx context.Context, stackID, cursor string) ([]model.Run, string, error) {
	if cursor == "" {
		if runs, next, ok := c.cache.runs(stackID, runListTTL); ok {
			return runs, next, nil
		}
	}
	pageNo := 1
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 1 {
			return nil, "", fmt.Errorf("tfc: list runs: bad cursor %q", cursor)
		}
		pageNo = n
	}
	list := &runRowList{}
	err := c.call(ctx, "tfc: list runs of "+stackID, func(ctx context.Context) error {
		req, err := c.api.NewRequest("GET", "workspaces/"+url.PathEscape(stackID)+"/runs", &runListQuery{
			PageNumber: pageNo, PageSize: runsPerPage, Operation: allOperations, Include: includeList(runIncludes)})
		if err != nil {
			return err
		}
		return req.Do(ctx, list)
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]model.Run, 0, len(list.Items))
	for _, r := range list.Items {
		out = append(out, c.toRun(stackID, r))
	}
	next := ""
	if list.Pagination != nil && list.NextPage > pageNo {
		next = strconv.Itoa(list.NextPage)
	}
	if cursor == "" {
		c.cache.putRuns(stackID, out, next)
	}
	return out, next, nil
}

// runsChanged forgets what was read of the workspace's runs and of the
// organisation's unfinished ones: a run was started or acted on.
func (c *Client) runsChanged(stackID string) {
	c.cache.forgetRuns(stackID)
	c.forgetPending()
}

// runMessage is the message of every run stackview queues, so a run's page
// says where it came from.
const runMessage = "Queued from stackview"

// Trigger queues a plan-only run (RunPlan), a normal run (RunDeploy) or, as
// a drift check, a refresh-only plan: a health assessment cannot be started
// through the API, and a refresh-only plan reports the same drift in its
// plan (RunChanges) without changing the workspace's assessment.
func (c *Client) Trigger(ctx context.Context, stackID string, kind model.RunKind) (model.Run, error) {
	switch kind {
	case model.RunPlan, model.RunDeploy, model.RunDriftCheck:
	default:
		return model.Run{}, fmt.Errorf("tfc: trigger: unknown run kind %q", kind)
	}
	return c.create(ctx, stackID, tfe.RunCreateOptions{
		Workspace:   &tfe.Workspace{ID: stackID},
		PlanOnly:    tfe.Bool(kind != model.RunDeploy),
		RefreshOnly: tfe.Bool(kind == model.RunDriftCheck),
		Message:     tfe.String(runMessage),
	})
}

func (c *Client) create(ctx context.Context, stackID string, opts tfe.RunCreateOptions) (model.Run, error) {
	defer c.runsChanged(stackID)
	var r *tfe.Run
	err := c.changing(ctx, "tfc: queue run on "+stackID, stackID, false, func(ctx context.Context) (err error) {
		r, err = c.api.Runs.Create(ctx, opts)
		return err
	})
	if err != nil {
		return model.Run{}, err
	}
	return c.GetRun(ctx, stackID, r.ID)
}

// Retry queues a new run of the same kind on the run's configuration
// version, i.e. the same commit.
func (c *Client) Retry(ctx context.Context, stackID, runID string) (model.Run, error) {
	r, err := c.readRun(ctx, stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	if r.ConfigurationVersion == nil || r.ConfigurationVersion.ID == "" {
		return model.Run{}, backend.Conflictf("run %s has no configuration version to retry", runID)
	}
	return c.create(ctx, stackID, tfe.RunCreateOptions{
		Workspace:            &tfe.Workspace{ID: stackID},
		ConfigurationVersion: &tfe.ConfigurationVersion{ID: r.ConfigurationVersion.ID},
		PlanOnly:             tfe.Bool(r.PlanOnly),
		RefreshOnly:          tfe.Bool(r.RefreshOnly),
		IsDestroy:            tfe.Bool(r.IsDestroy),
		Message:              tfe.String("Retry of " + runID + " from stackview"),
	})
}

// act runs one run action (202 on success, 409 when the run is not in a
// state that allows it) and returns the run as it is afterwards. A 409
// when the run's actions flag allowed the action is the workspace lock's
// doing (changing).
func (c *Client) act(ctx context.Context, stackID, runID, what string, allowed func(*tfe.RunActions) bool, fn func(context.Context) error) (model.Run, error) {
	defer c.runsChanged(stackID)
	r, err := c.readRun(ctx, stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	if err := c.changing(ctx, "tfc: "+what+" run "+runID, stackID, r.Actions == nil || !allowed(r.Actions), fn); err != nil {
		return model.Run{}, err
	}
	return c.GetRun(ctx, stackID, runID)
}

func (c *Client) Confirm(ctx context.Context, stackID, runID string) (model.Run, error) {
	return c.act(ctx, stackID, runID, "confirm", func(a *tfe.RunActions) bool { return a.IsConfirmable }, func(ctx context.Context) error {
		return c.api.Runs.Apply(ctx, runID, tfe.RunApplyOptions{})
	})
}

func (c *Client) Discard(ctx context.Context, stackID, runID string) (model.Run, error) {
	return c.act(ctx, stackID, runID, "discard", func(a *tfe.RunActions) bool { return a.IsDiscardable }, func(ctx context.Context) error {
		return c.api.Runs.Discard(ctx, runID, tfe.RunDiscardOptions{})
	})
}

func (c *Client) Cancel(ctx context.Context, stackID, runID string) (model.Run, error) {
	return c.act(ctx, stackID, runID, "cancel", func(a *tfe.RunActions) bool { return a.IsCancelable }, func(ctx context.Context) error {
		return c.api.Runs.Cancel(ctx, runID, tfe.RunCancelOptions{})
	})
}

// Stop interrupts a started run: a graceful cancel first, and a
// force-cancel once TFC offers one (after a cancel that did not finish the
// run within its cool-off), so pressing stop again escalates.
func (c *Client) Stop(ctx context.Context, stackID, runID string) (model.Run, error) {
	r, err := c.readRun(ctx, stackID, runID)
	if err != nil {
		return model.Run{}, err
	}
	what, fn := "cancel", func(ctx context.Context) error { return c.api.Runs.Cancel(ctx, runID, tfe.RunCancelOptions{}) }
	if r.Actions != nil && r.Actions.IsForceCancelable {
		what, fn = "force-cancel", func(ctx context.Context) error {
			return c.api.Runs.ForceCancel(ctx, runID, tfe.RunForceCancelOptions{})
		}
	}
	c.runsChanged(stackID)
	if err := c.call(ctx, "tfc: "+what+" run "+runID, fn); err != nil {
		return model.Run{}, err
	}
	return c.GetRun(ctx, stackID, runID)
}

// Review: TFC has no run approvals stackview can drive (policy overrides
// are a different thing).
func (c *Client) Review(context.Context, string, string, bool, string) (model.Run, error) {
	return model.Run{}, fmt.Errorf("tfc: run reviews: %w", backend.ErrUnsupported)
}

// Promote: TFC cannot turn a speculative plan into an apply; start a normal
// run instead.
func (c *Client) Promote(context.Context, string, string) (model.Run, error) {
	return model.Run{}, fmt.Errorf("tfc: deploying a speculative plan: %w", backend.ErrUnsupported)
}

// SyncCommit: a VCS workspace always runs its branch head.
func (c *Client) SyncCommit(context.Context, string) (model.Stack, error) {
	return model.Stack{}, fmt.Errorf("tfc: moving the tracked commit: %w", backend.ErrUnsupported)
}
