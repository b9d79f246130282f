package tfcapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/backend"
)

// contentType is what TFC answers with, and what go-tfe sends.
const contentType = "application/vnd.api+json"

// resource is one JSON:API resource object. Types must match go-tfe's
// `jsonapi:"primary,<type>"` tags exactly or decoding fails.
type resource struct {
	Type          string                  `json:"type"`
	ID            string                  `json:"id"`
	Attributes    map[string]any          `json:"attributes,omitempty"`
	Relationships map[string]relationship `json:"relationships,omitempty"`
	Links         map[string]string       `json:"links,omitempty"`
}

// relationship holds a *ref, a []ref, or nil (encoded as "data": null).
type relationship struct {
	Data any `json:"data"`
}

type ref struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

func one(typ, id string) relationship { return relationship{Data: &ref{Type: typ, ID: id}} }

func none() relationship { return relationship{Data: nil} }

type document struct {
	Data     any        `json:"data"`
	Included []resource `json:"included,omitempty"`
	Meta     *listMeta  `json:"meta,omitempty"`
	Links    *listLinks `json:"links,omitempty"`
}

type listMeta struct {
	Pagination pagination `json:"pagination"`
}

// pagination is TFC's meta.pagination; prev/next are null at the ends.
type pagination struct {
	CurrentPage int  `json:"current-page"`
	PageSize    int  `json:"page-size"`
	PrevPage    *int `json:"prev-page"`
	NextPage    *int `json:"next-page"`
	// The totals are nil in the organisation's run list, which has none.
	TotalPages *int `json:"total-pages,omitempty"`
	TotalCount *int `json:"total-count,omitempty"`
}

type listLinks struct {
	Self  string  `json:"self"`
	First string  `json:"first"`
	Prev  *string `json:"prev"`
	Next  *string `json:"next"`
	Last  string  `json:"last,omitempty"`
}

// page is one requested window of a list.
type page struct {
	number, size int
}

const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// parsePage reads page[number] and page[size]; TFC caps the size at 100 and
// treats junk as the defaults.
func parsePage(q url.Values) page {
	p := page{number: 1, size: defaultPageSize}
	if n, err := strconv.Atoi(q.Get("page[number]")); err == nil && n > 0 {
		p.number = n
	}
	if n, err := strconv.Atoi(q.Get("page[size]")); err == nil && n > 0 {
		p.size = min(n, maxPageSize)
	}
	return p
}

// window returns the slice bounds of the page within total items and the
// meta and links that describe it.
func (p page) window(r *http.Request, total int) (start, end int, meta *listMeta, links *listLinks) {
	pages := max(1, (total+p.size-1)/p.size)
	start = min((p.number-1)*p.size, total)
	end = min(start+p.size, total)
	pg := pagination{CurrentPage: p.number, PageSize: p.size, TotalPages: &pages, TotalCount: &total}
	linkTo := func(n int) string {
		u := *r.URL
		u.Scheme, u.Host = schemeOf(r), r.Host
		q := u.Query()
		q.Set("page[number]", strconv.Itoa(n))
		q.Set("page[size]", strconv.Itoa(p.size))
		u.RawQuery = q.Encode()
		return u.String()
	}
	links = &listLinks{Self: linkTo(p.number), First: linkTo(1), Last: linkTo(pages)}
	if p.number > 1 {
		prev := min(p.number-1, pages)
		pg.PrevPage = &prev
		l := linkTo(prev)
		links.Prev = &l
	}
	if p.number < pages {
		next := p.number + 1
		pg.NextPage = &next
		l := linkTo(next)
		links.Next = &l
	}
	return start, end, &listMeta{Pagination: pg}, links
}

func schemeOf(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// baseURL is the absolute address the client used to reach us, so links
// such as log-read-url work behind any listener.
func baseURL(r *http.Request) string { return schemeOf(r) + "://" + r.Host }

// timestamp formats t as TFC's documented samples show resource times
// such as created-at: UTC, milliseconds, a literal Z (go-tfe's iso8601
// decoding needs the Z). The zero time is null.
func timestamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// offsetTime formats t as TFC's samples show status-timestamps, assessment
// results' created-at and last-assessment-result-at: whole seconds with a
// +00:00 offset, which go-tfe's iso8601 decoding refuses. The zero time is
// null.
func offsetTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}

// includes is the parsed include= parameter (comma list, dotted paths).
type includes map[string]bool

// Include values TFC accepts, per resource; anything else is a 400.
var (
	workspaceIncludeOpts = []string{"organization", "current_configuration_version",
		"current_configuration_version.ingress_attributes", "current_run", "current_run.plan",
		"current_run.configuration_version", "current_run.configuration_version.ingress_attributes",
		"effective_tag_bindings", "locked_by", "readme", "outputs", "current-state-version", "project"}
	runIncludeOpts = []string{"plan", "apply", "created_by", "cost_estimate", "configuration_version",
		"configuration_version.ingress_attributes", "workspace", "task_stages"}
	runTriggerIncludeOpts = []string{"workspace", "sourceable"}
)

// parseIncludes reads the include= comma list and answers 400, as TFC
// does, when it names something the endpoint does not offer.
func parseIncludes(w http.ResponseWriter, q url.Values, allowed []string) (includes, bool) {
	inc := includes{}
	for _, v := range q["include"] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			if !slices.Contains(allowed, p) {
				writeError(w, http.StatusBadRequest, "Invalid include parameter", "unknown include value "+p)
				return nil, false
			}
			inc[p] = true
		}
	}
	return inc, true
}

// has reports whether path, or anything below it, was asked for.
func (inc includes) has(path string) bool {
	for p := range inc {
		if p == path || strings.HasPrefix(p, path+".") {
			return true
		}
	}
	return false
}

// under returns the includes below prefix, re-rooted at it.
func (inc includes) under(prefix string) includes {
	out := includes{}
	for p := range inc {
		if rest, ok := strings.CutPrefix(p, prefix+"."); ok {
			out[rest] = true
		}
	}
	return out
}

// collector gathers included resources without duplicates.
type collector struct {
	seen map[ref]bool
	list []resource
}

func (c *collector) add(r resource) {
	k := ref{Type: r.Type, ID: r.ID}
	if c.seen == nil {
		c.seen = map[ref]bool{}
	}
	if !c.seen[k] {
		c.seen[k] = true
		c.list = append(c.list, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type apiError struct {
	Status string `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
}

func writeError(w http.ResponseWriter, status int, title, detail string) {
	writeJSON(w, status, map[string][]apiError{"errors": {{
		Status: strconv.Itoa(status), Title: title, Detail: detail,
	}}})
}

// writeBackendError turns the engine's typed errors into TFC's statuses.
func writeBackendError(w http.ResponseWriter, err error) {
	var rl *backend.RateLimitError
	switch {
	case errors.As(err, &rl):
		writeRateLimited(w, rl.RetryAfter)
	case errors.Is(err, backend.ErrNotFound):
		writeError(w, http.StatusNotFound, "not found", err.Error())
	case errors.Is(err, backend.ErrConflict):
		// The engine's own words name its states, not TFC's.
		writeError(w, http.StatusConflict, "conflict", "The request conflicts with the current state of the resource.")
	case errors.Is(err, backend.ErrUnauthorized):
		writeError(w, http.StatusUnauthorized, "unauthorized", "")
	case errors.Is(err, backend.ErrUnsupported):
		writeError(w, http.StatusUnprocessableEntity, "unprocessable entity", err.Error())
	default:
		writeError(w, http.StatusInternalServerError, "internal error", err.Error())
	}
}

// writeRateLimited answers 429 with a numeric X-RateLimit-Reset in seconds:
// go-tfe exits the process on a non-numeric one.
func writeRateLimited(w http.ResponseWriter, reset time.Duration) {
	w.Header().Set("X-RateLimit-Limit", rateLimitHeader)
	w.Header().Set("X-RateLimit-Remaining", "0")
	w.Header().Set("X-RateLimit-Reset", fmt.Sprintf("%.3f", reset.Seconds()))
	writeError(w, http.StatusTooManyRequests, "Too many requests",
		"You have exceeded the API's rate limit.")
}
