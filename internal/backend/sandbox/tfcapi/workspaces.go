package tfcapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/model"
)

// Tag names the server derives when the engine's labels do not carry them.
const (
	envTagPrefix   = "env:"
	buTagPrefix    = "bu:"
	environmentTag = "layer:environment"
	administrative = "administrative"
)

// sanitizeName makes a TFC workspace or organisation name: letters,
// digits, '-' and '_'.
func sanitizeName(s string) string {
	return replaceInvalid(s, func(c byte) bool { return isAlnum(c) || c == '-' || c == '_' })
}

// sanitizeTag makes a TFC flat tag name: lower case; letters, digits, '-',
// '_' and ':'.
func sanitizeTag(s string) string {
	return replaceInvalid(strings.ToLower(s), func(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == ':' })
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// replaceInvalid replaces each run of bytes that are not valid with one
// '-'. Valid bytes are ASCII, so a multi-byte character is one run. It is
// called for every workspace on every list page, hence no regexp, and s
// itself when nothing needs replacing.
func replaceInvalid(s string, valid func(byte) bool) string {
	i := 0
	for i < len(s) && valid(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		if valid(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteByte('-')
		for i < len(s) && !valid(s[i]) {
			i++
		}
	}
	return b.String()
}

// stacks lists the engine's stacks sorted by workspace name, each with its
// current run as TFC defines it.
func (s *Server) stacks(ctx context.Context) ([]model.Stack, error) {
	all, err := s.b.ListStacks(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(all))
	for i, st := range all {
		names[st.ID] = sanitizeName(st.Name)
		if all[i].LatestRun, err = s.currentRun(ctx, st); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return names[all[i].ID] < names[all[j].ID] })
	return all, nil
}

// currentRun is the workspace's current-run: the newest run that is not
// speculative. Plan-only and refresh-only runs never become a workspace's
// current run in TFC, so the workspace's status follows its last run that
// applies, as the engine's stack state does.
func (s *Server) currentRun(ctx context.Context, st model.Stack) (*model.Run, error) {
	if st.LatestRun == nil || st.LatestRun.Kind.Tracked() {
		return st.LatestRun, nil
	}
	cursor := ""
	for {
		runs, next, err := s.b.ListRuns(ctx, st.ID, cursor)
		if err != nil {
			return nil, err
		}
		for i := range runs {
			if runs[i].Kind.Tracked() {
				return &runs[i], nil
			}
		}
		if next == "" {
			return nil, nil
		}
		cursor = next
	}
}

// findStack lists the stacks and returns the one pred picks, with all of
// them (run triggers need the others).
func (s *Server) findStack(ctx context.Context, what string, pred func(model.Stack) bool) (model.Stack, []model.Stack, error) {
	all, err := s.stacks(ctx)
	if err != nil {
		return model.Stack{}, nil, err
	}
	for _, st := range all {
		if pred(st) {
			return st, all, nil
		}
	}
	return model.Stack{}, nil, backend.NotFoundf("%s", what)
}

// stackOf finds the stack behind a workspace id.
func (s *Server) stackOf(ctx context.Context, wsID string) (model.Stack, []model.Stack, error) {
	return s.findStack(ctx, "workspace "+wsID, func(st model.Stack) bool { return workspaceID(st.ID) == wsID })
}

func labelValue(labels []string, prefix string) string {
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, prefix); ok && v != "" {
			return v
		}
	}
	return ""
}

func businessUnit(st model.Stack) string {
	if st.BusinessUnit != "" {
		return st.BusinessUnit
	}
	return labelValue(st.Labels, buTagPrefix)
}

// tags are the stack's labels plus the env:, bu: and layer:environment tags
// its placement implies, sorted and without duplicates.
func tags(st model.Stack) []string {
	var out []string
	for _, l := range st.Labels {
		out = append(out, sanitizeTag(l))
	}
	if st.Env != "" && labelValue(st.Labels, envTagPrefix) == "" {
		out = append(out, sanitizeTag(envTagPrefix+st.Env))
	}
	if bu := businessUnit(st); bu != "" && labelValue(st.Labels, buTagPrefix) == "" {
		out = append(out, sanitizeTag(buTagPrefix+bu))
	}
	if st.Layer == model.LayerEnvironment {
		out = append(out, environmentTag)
	}
	if st.Administrative || st.Layer == model.LayerAdministrative {
		out = append(out, administrative)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// keyValueTagged reports a business-unit workspace: it carries its
// placement as key/value tags (its own env, its project's bu), as
// organisations tag since HCP Terraform added them. Environment and
// administrative workspaces keep flat tags, as older workspaces do: the
// two kinds are separate, and a client must read both.
func keyValueTagged(st model.Stack) bool {
	t := tags(st)
	return businessUnit(st) != "" && !slices.Contains(t, environmentTag) && !slices.Contains(t, administrative)
}

// flatTags are the workspace's tag-names.
func flatTags(st model.Stack) []string {
	if !keyValueTagged(st) {
		return tags(st)
	}
	var out []string
	for _, t := range tags(st) {
		if !strings.HasPrefix(t, envTagPrefix) && !strings.HasPrefix(t, buTagPrefix) {
			out = append(out, t)
		}
	}
	return out
}

func userID(username string) string { return readable("user-", username) }

func userResource(username string) resource {
	return resource{Type: "users", ID: userID(username), Attributes: map[string]any{"username": username}}
}

// access is what a user may do on a workspace: admins everything (where
// the engine lets anyone write), the reader plan on dev workspaces and
// only read elsewhere.
type access struct{ plan, apply, lock, admin bool }

func accessOf(u *user, st model.Stack) access {
	switch {
	case u == nil || !st.CanWrite:
		return access{}
	case u.admin:
		return access{plan: true, apply: true, lock: true, admin: true}
	}
	return access{plan: slices.Contains(tags(st), envTagPrefix+"dev")}
}

// serviceProviders names repository providers as TFC's vcs-repo does. The
// sandbox's own git server stands in for a GitHub Enterprise host.
var serviceProviders = map[string]string{
	"github": "github", "github-enterprise": "github_enterprise", "git": "github_enterprise",
	"gitlab": "gitlab_hosted", "bitbucket-cloud": "bitbucket_hosted", "bitbucket-datacenter": "bitbucket_data_center",
	"azure-devops": "ado_services",
}

// defaultBranch is the branch every sandbox repository's HEAD names.
const defaultBranch = "main"

// vcsRepo is the workspace's vcs-repo as TFC shows it: identifier
// "org/repo" (never a URL), the web page as repository-http-url, "" as the
// branch of a workspace that follows the repository's default branch.
func vcsRepo(st model.Stack) map[string]any {
	repo := st.Repository
	if !repo.Known() {
		return nil
	}
	ident := repo.Namespace + "/" + repo.Name
	branch := st.Branch
	if branch == defaultBranch {
		branch = ""
	}
	return map[string]any{
		"identifier": ident, "display-identifier": ident, "branch": branch,
		"repository-http-url": repo.WebURL, "service-provider": serviceProviders[repo.Provider],
		"ingress-submodules": false, "oauth-token-id": "ot-" + digest("sandbox-vcs"),
		"webhook-url": "", "tags-regex": nil,
	}
}

// workingDirectory is the stack's project root as TFC workspaces often
// have it: roots below the top level with a leading slash.
func workingDirectory(root string) string {
	if strings.Contains(root, "/") && !strings.HasPrefix(root, "/") {
		return "/" + root
	}
	return root
}

// workspaceResource renders a stack as r's user sees it, adding what inc
// asks for to col.
func (s *Server) workspaceResource(r *http.Request, st model.Stack, inc includes, col *collector) (resource, error) {
	id := workspaceID(st.ID)
	prjID, prjName := project(st)
	acc := accessOf(userOf(r), st)
	attrs := map[string]any{
		"name":                   sanitizeName(st.Name),
		"description":            st.Description,
		"tag-names":              nonNil(flatTags(st)),
		"locked":                 st.Lock != nil,
		"auto-apply":             st.Autodeploy,
		"auto-apply-run-trigger": st.Autodeploy,
		"execution-mode":         "remote",
		"working-directory":      workingDirectory(st.ProjectRoot),
		"terraform-version":      terraformVersion,
		// Structured run output: plan logs are Terraform's machine-readable
		// UI, which names resources but shows no values (logs.go).
		"structured-run-output-enabled": true,
		"assessments-enabled":           true,
		"environment":                   "default",
		"source":                        "tfe-api",
		"file-triggers-enabled":         true,
		"global-remote-state":           false,
		"created-at":                    timestamp(sandboxEpoch),
		"updated-at":                    timestamp(sandboxEpoch),
		"latest-change-at":              timestamp(sandboxEpoch),
		"last-assessment-result-at":     offsetTime(st.Drift.CheckedAt),
		"actions":                       map[string]bool{"is-destroyable": false},
		"permissions": map[string]bool{
			"can-queue-run": acc.plan, "can-queue-apply": acc.apply, "can-lock": acc.lock,
			"can-unlock": acc.lock, "can-force-unlock": acc.admin, "can-update": acc.admin,
			"can-read-state-versions": true, "can-queue-destroy": acc.apply, "can-read-settings": acc.admin,
		},
	}
	count, err := s.b.ResourceCount(r.Context(), st.ID)
	if err != nil {
		return resource{}, err
	}
	attrs["resource-count"] = count
	lockedBy := none()
	if st.Lock != nil {
		attrs["locked-reason"] = st.Lock.Note
		lockedBy = one("users", userID(st.Lock.Holder))
		if inc.has("locked_by") {
			col.add(userResource(st.Lock.Holder))
		}
	}
	if v := vcsRepo(st); v != nil {
		attrs["vcs-repo"], attrs["vcs-repo-identifier"] = v, v["identifier"]
	}
	rels := map[string]relationship{
		"organization":              one("organizations", s.org),
		"project":                   one("projects", prjID),
		"current-run":               none(),
		"latest-run":                none(),
		"current-assessment-result": none(),
		"locked-by":                 lockedBy,
	}
	bindingRefs := []ref{}
	for _, b := range tagBindings(st) {
		res := b.resource(id)
		bindingRefs = append(bindingRefs, ref{Type: res.Type, ID: res.ID})
		if inc.has("effective_tag_bindings") {
			col.add(res)
		}
	}
	rels["effective-tag-bindings"] = relationship{Data: bindingRefs}
	if st.LatestRun != nil {
		k := runKey{stack: st.ID, run: st.LatestRun.ID}
		rels["current-run"] = one("runs", s.ids.id("run", k))
		rels["latest-run"] = rels["current-run"]
		if inc.has("current_run") {
			extras, err := s.b.RunExtras(r.Context(), st.ID)
			if err != nil {
				return resource{}, err
			}
			col.add(s.runResource(r, st, *st.LatestRun, extras[st.LatestRun.ID], inc.under("current_run"), col))
		}
	}
	if !st.Drift.CheckedAt.IsZero() {
		rels["current-assessment-result"] = one("assessment-results", s.assessmentID(st))
	}
	if inc.has("project") {
		col.add(projectResource(prjID, prjName, s.org))
	}
	if inc.has("organization") {
		col.add(s.orgResource())
	}
	return resource{Type: "workspaces", ID: id, Attributes: attrs, Relationships: rels,
		Links: map[string]string{
			"self":      "/api/v2/organizations/" + s.org + "/workspaces/" + sanitizeName(st.Name),
			"self-html": "/app/" + s.org + "/workspaces/" + sanitizeName(st.Name),
		}}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// matchWorkspace applies the list filters TFC offers; unknown parameters
// (go-tfe sends a junk TagBindings=) are ignored.
func matchWorkspace(st model.Stack, q map[string][]string, runStatus func(model.Stack) string) bool {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	name := sanitizeName(st.Name)
	if v := get("search[name]"); v != "" && !strings.Contains(strings.ToLower(name), strings.ToLower(v)) {
		return false
	}
	if v := get("search[wildcard-name]"); v != "" && !wildcard(v, name) {
		return false
	}
	var have []string // the flat tags, read only when a filter needs them
	if get("search[tags]") != "" || get("search[exclude-tags]") != "" {
		have = flatTags(st)
	}
	if v := get("search[tags]"); v != "" {
		for _, t := range strings.Split(v, ",") {
			if !slices.Contains(have, strings.TrimSpace(strings.ToLower(t))) {
				return false
			}
		}
	}
	if v := get("search[exclude-tags]"); v != "" {
		for _, t := range strings.Split(v, ",") {
			if slices.Contains(have, strings.TrimSpace(strings.ToLower(t))) {
				return false
			}
		}
	}
	if len(q["filter[tagged][0][key]"]) > 0 && !matchBindings(tagBindings(st), q) {
		return false
	}
	if v := get("filter[project][id]"); v != "" {
		if id, _ := project(st); id != v {
			return false
		}
	}
	if v := get("filter[current-run][status]"); v != "" && !slices.Contains(strings.Split(v, ","), runStatus(st)) {
		return false
	}
	return true
}

// sortWorkspaces orders the matched workspaces (indices into all, which is
// by name) as sort asks: "name" (the default) or "current-run.created-at",
// reversed by a leading "-". Workspaces without a current run sort as
// PostgreSQL sorts nulls: last going up, first going down (TFC does not
// say; this is the less forgiving reading for a client that reads the
// newest runs first). Another key is a 400, as for a filter TFC does not
// know.
func sortWorkspaces(w http.ResponseWriter, key string, all []model.Stack, matched []int) bool {
	desc := strings.HasPrefix(key, "-")
	switch strings.TrimPrefix(key, "-") {
	case "", "name":
		if desc {
			slices.Reverse(matched)
		}
	case "current-run.created-at":
		created := func(i int) (time.Time, bool) {
			if r := all[i].LatestRun; r != nil {
				return r.CreatedAt, true
			}
			return time.Time{}, false
		}
		sort.SliceStable(matched, func(a, b int) bool {
			ta, okA := created(matched[a])
			tb, okB := created(matched[b])
			switch {
			case okA != okB:
				return okA != desc // nulls last going up, first going down
			case desc:
				return ta.After(tb)
			}
			return ta.Before(tb)
		})
	default:
		writeError(w, http.StatusBadRequest, "invalid sort", "sort by "+key+" is not supported; use name or current-run.created-at")
		return false
	}
	return true
}

// tagBinding is a key/value tag of a key/value-tagged workspace (see
// keyValueTagged): its "key:value" labels as key=value.
type tagBinding struct{ key, value string }

func tagBindings(st model.Stack) []tagBinding {
	if !keyValueTagged(st) {
		return nil
	}
	var out []tagBinding
	for _, t := range tags(st) {
		if k, v, ok := strings.Cut(t, ":"); ok && (k+":" == envTagPrefix || k+":" == buTagPrefix) {
			out = append(out, tagBinding{key: k, value: v})
		}
	}
	return out
}

func (b tagBinding) resource(wsID string) resource {
	return resource{Type: "effective-tag-bindings", ID: "etb-" + digest(wsID, b.key, b.value),
		Attributes: map[string]any{"key": b.key, "value": b.value}}
}

// matchBindings applies filter[tagged][i][key] / [value]: every listed key
// must be bound, to the value when one is given.
func matchBindings(have []tagBinding, q map[string][]string) bool {
	for i := 0; ; i++ {
		keys := q[fmt.Sprintf("filter[tagged][%d][key]", i)]
		if len(keys) == 0 {
			return true
		}
		values := q[fmt.Sprintf("filter[tagged][%d][value]", i)]
		if !slices.ContainsFunc(have, func(b tagBinding) bool {
			return b.key == keys[0] && (len(values) == 0 || values[0] == "" || b.value == values[0])
		}) {
			return false
		}
	}
}

// wildcard matches TFC's search[wildcard-name]: *suffix, prefix*, *infix*.
func wildcard(pattern, name string) bool {
	lead, trail := strings.HasPrefix(pattern, "*"), strings.HasSuffix(pattern, "*")
	core := strings.Trim(pattern, "*")
	switch {
	case lead && trail:
		return strings.Contains(name, core)
	case lead:
		return strings.HasSuffix(name, core)
	case trail:
		return strings.HasPrefix(name, core)
	}
	return name == core
}

func (s *Server) listWorkspaces(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrg(w, r) {
		return
	}
	q := r.URL.Query()
	all, err := s.listing(r.Context(), parsePage(q).number == 1)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	status := func(st model.Stack) string {
		if st.LatestRun == nil {
			return ""
		}
		return tfcStatus(*st.LatestRun, sandbox.RunExtra{})
	}
	var matched []int // indices into all: a stack is too large to copy for every page
	for i := range all {
		if matchWorkspace(all[i], q, status) {
			matched = append(matched, i)
		}
	}
	if !sortWorkspaces(w, q.Get("sort"), all, matched) {
		return
	}
	start, end, meta, links := parsePage(q).window(r, len(matched))
	inc, ok := parseIncludes(w, q, workspaceIncludeOpts)
	if !ok {
		return
	}
	col := &collector{}
	data := make([]resource, 0, end-start)
	for _, i := range matched[start:end] {
		res, err := s.workspaceResource(r, all[i], inc, col)
		if err != nil {
			writeBackendError(w, err)
			return
		}
		data = append(data, res)
	}
	writeJSON(w, http.StatusOK, document{Data: data, Included: col.list, Meta: meta, Links: links})
}

// listingTTL is how long the stacks read for the first page of a workspace
// list serve its later pages. A client pages through every workspace right
// after the first page (stackview eight pages at a time); reading every
// stack again for each page made listing N workspaces cost N²/100, and at
// 10,000 workspaces, each request late by --latency, a listing takes
// several seconds. A first page always reads afresh, so a new listing
// never starts from old state.
const listingTTL = 30 * time.Second

// listingSnapshot is the stacks behind the latest first page.
type listingSnapshot struct {
	at     time.Time
	stacks []model.Stack // shared by requests: read only
}

func (s *Server) listing(ctx context.Context, firstPage bool) ([]model.Stack, error) {
	s.mu.Lock()
	snap := s.listed
	s.mu.Unlock()
	if !firstPage && snap != nil && time.Since(snap.at) < listingTTL {
		return snap.stacks, nil
	}
	all, err := s.stacks(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.listed = &listingSnapshot{at: time.Now(), stacks: all}
	s.mu.Unlock()
	return all, nil
}

func (s *Server) writeWorkspace(w http.ResponseWriter, r *http.Request, st model.Stack) {
	inc, ok := parseIncludes(w, r.URL.Query(), workspaceIncludeOpts)
	if !ok {
		return
	}
	col := &collector{}
	data, err := s.workspaceResource(r, st, inc, col)
	if err != nil {
		writeBackendError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, document{Data: data, Included: col.list})
}

func (s *Server) readWorkspace(w http.ResponseWriter, r *http.Request) {
	st, _, err := s.stackOf(r.Context(), r.PathValue("id"))
	if err != nil {
		writeBackendError(w, err)
		return
	}
	s.writeWorkspace(w, r, st)
}

func (s *Server) readWorkspaceByName(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrg(w, r) {
		return
	}
	name := r.PathValue("name")
	st, _, err := s.findStack(r.Context(), "workspace "+name, func(st model.Stack) bool { return sanitizeName(st.Name) == name })
	if err != nil {
		writeBackendError(w, err)
		return
	}
	s.writeWorkspace(w, r, st)
}

// workspaceAction locks and unlocks. go-tfe sends the lock reason as a
// JSON:API-ish document; a plain {"reason":…} is accepted too.
func (s *Server) workspaceAction(w http.ResponseWriter, r *http.Request) {
	st, _, err := s.stackOf(r.Context(), r.PathValue("id"))
	if err != nil {
		writeBackendError(w, err)
		return
	}
	if !accessOf(userOf(r), st).lock {
		writeError(w, http.StatusNotFound, "not found", "workspace "+r.PathValue("id")+" not found")
		return
	}
	switch r.PathValue("action") {
	case "lock":
		if st.Lock != nil {
			writeError(w, http.StatusConflict, "conflict", "Unable to lock workspace. The workspace is already locked.")
			return
		}
		st, err = s.b.Lock(r.Context(), st.ID, lockReason(r.Body))
	case "unlock", "force-unlock":
		if st.Lock == nil {
			writeError(w, http.StatusConflict, "conflict", "Unable to unlock workspace. The workspace is not locked.")
			return
		}
		st, err = s.b.Unlock(r.Context(), st.ID)
		var locked *backend.LockedError
		if errors.As(err, &locked) {
			// go-tfe tells the holder's kind from these words.
			writeError(w, http.StatusConflict, "conflict", "Unable to unlock workspace. The workspace is locked by User "+locked.Lock.Holder+".")
			return
		}
	default:
		writeError(w, http.StatusNotFound, "not found", "unknown action "+r.PathValue("action"))
		return
	}
	if err != nil {
		writeBackendError(w, err)
		return
	}
	s.writeWorkspace(w, r, st)
}

func lockReason(body io.Reader) string {
	var doc struct {
		Reason string `json:"reason"`
		Data   struct {
			Attributes struct {
				Reason string `json:"reason"`
			} `json:"attributes"`
		} `json:"data"`
	}
	raw, _ := io.ReadAll(io.LimitReader(body, 1<<16))
	if json.Unmarshal(raw, &doc) != nil {
		return ""
	}
	if doc.Reason != "" {
		return doc.Reason
	}
	return doc.Data.Attributes.Reason
}
