package tfc

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/model"
)

// maxPendingPages bounds the organisation run list one listing reads: at
// 100 runs a page, more unfinished runs than this are not followed.
const maxPendingPages = 10

// orgRunQuery is the organisation run list's query string (go-tfe's
// RunListForOrganizationOptions' wire names).
type orgRunQuery struct {
	PageNumber  int    `url:"page[number],omitempty"`
	PageSize    int    `url:"page[size],omitempty"`
	StatusGroup string `url:"filter[status_group],omitempty"`
	Operation   string `url:"filter[operation],omitempty"`
	Include     string `url:"include,omitempty"`
}

// orgRunList is a page of it: its pagination has no totals.
type orgRunList struct {
	*tfe.PaginationNextPrev
	Items []*runRow
}

// pendingRuns holds the last read of the organisation's unfinished runs.
type pendingRuns struct {
	mu   sync.Mutex
	at   time.Time
	byWS map[string][]model.Run
}

// pending lists every workspace's unfinished runs (queued, working or
// waiting on a person), oldest first, from the organisation's run list
// filtered to non-final statuses: one request per hundred such runs, on
// the list TFC limits to 30 requests a minute, so it is read once per
// listing (and reused for runListTTL), never per workspace or per key.
func (c *Client) pending(ctx context.Context) (map[string][]model.Run, error) {
	p := &c.pendingRead
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byWS != nil && time.Since(p.at) < runListTTL {
		return p.byWS, nil
	}
	out := map[string][]model.Run{}
	for pageNo := 1; pageNo > 0 && pageNo <= maxPendingPages; {
		list := &orgRunList{}
		err := c.call(ctx, "tfc: list unfinished runs (page "+strconv.Itoa(pageNo)+")", func(ctx context.Context) error {
			req, err := c.api.NewRequest("GET", "organizations/"+url.PathEscape(c.org)+"/runs", &orgRunQuery{
				PageNumber: pageNo, PageSize: 100, StatusGroup: "non_final", Operation: allOperations,
				Include: includeList(runIncludes)})
			if err != nil {
				return err
			}
			return req.Do(ctx, list)
		})
		if err != nil {
			return nil, err
		}
		for _, r := range list.Items {
			if r.Workspace == nil || r.Workspace.ID == "" {
				continue
			}
			run := c.toRun(r.Workspace.ID, r)
			if !run.State.Terminal() { // a run may end between the filter and the page
				out[r.Workspace.ID] = append(out[r.Workspace.ID], run)
			}
		}
		next := 0
		if list.PaginationNextPrev != nil && list.NextPage > pageNo {
			next = list.NextPage
		}
		pageNo = next
	}
	for _, runs := range out {
		slices.SortStableFunc(runs, func(a, b model.Run) int {
			if model.Newer(b, a) {
				return -1
			}
			return 1
		})
	}
	p.byWS, p.at = out, time.Now()
	return out, nil
}

// forgetPending makes the next listing read the unfinished runs again: a
// run was started or acted on.
func (c *Client) forgetPending() {
	c.pendingRead.mu.Lock()
	c.pendingRead.byWS = nil
	c.pendingRead.mu.Unlock()
}

// addPending fills every stack's pending runs and blocker from one read of
// the organisation's unfinished runs; when it fails they stay unknown, and
// it says so.
func (c *Client) addPending(ctx context.Context, stacks []model.Stack) bool {
	byWS, err := c.pending(ctx)
	if err != nil {
		return false
	}
	for i := range stacks {
		s := &stacks[i]
		s.Pending, s.PendingKnown = append([]model.Run{}, byWS[s.ID]...), true
		for j := range s.Pending {
			if s.Pending[j].Exclusive() {
				b := s.Pending[j]
				s.Blocker = &b
				break
			}
		}
	}
	return true
}
