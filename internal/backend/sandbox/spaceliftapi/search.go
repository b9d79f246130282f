package spaceliftapi

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
)

// searchInput is SearchInput. orderBy is accepted and ignored: results come
// in the engine's order (stacks by id, versions newest first).
type searchInput struct {
	First          *int32
	After          *string
	FullTextSearch *string
	Predicates     *[]predicate
	OrderBy        *struct {
		Field     string
		Direction string
	}
}

type predicate struct {
	Field      string
	Exclude    *bool
	Constraint struct {
		BooleanEquals *[]bool
		EnumEquals    *[]string
		StringMatches *[]string
	}
}

// Page sizes: spacectl asks for 50; larger requests are capped, as the real
// API's maximum is unconfirmed.
const (
	defaultPageSize = 50
	maxPageSize     = 100
)

type pageInfo struct {
	EndCursor       *string
	HasNextPage     bool
	HasPreviousPage bool
}

// connection is a Relay connection (StacksConnection, ModulesConnection,
// VersionsConnection).
type connection[T any] struct {
	Edges    []*edge[T]
	PageInfo pageInfo
}

type edge[T any] struct {
	Cursor string
	Node   T
}

// page cuts one page out of items, each identified by key; cursors are
// opaque encodings of the key of the item they follow.
func page[T any](items []T, key func(T) string, in searchInput) (*connection[T], error) {
	start := 0
	if in.After != nil && *in.After != "" {
		raw, err := base64.RawURLEncoding.DecodeString(*in.After)
		i := slices.IndexFunc(items, func(it T) bool { return key(it) == string(raw) })
		if err != nil || i < 0 {
			return nil, apiError{msg: fmt.Sprintf("invalid cursor %q", *in.After), code: "BAD_REQUEST"}
		}
		start = i + 1
	}
	size := defaultPageSize
	if in.First != nil && *in.First > 0 {
		size = min(int(*in.First), maxPageSize)
	}
	end := min(start+size, len(items))
	conn := &connection[T]{
		Edges:    make([]*edge[T], 0, end-start),
		PageInfo: pageInfo{HasNextPage: end < len(items), HasPreviousPage: start > 0},
	}
	for _, it := range items[start:end] {
		conn.Edges = append(conn.Edges, &edge[T]{Cursor: base64.RawURLEncoding.EncodeToString([]byte(key(it))), Node: it})
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn, nil
}

func searchStacks(all []*stackResolver, in searchInput) (*connection[*stackResolver], error) {
	var matched []*stackResolver
	for _, st := range all {
		ok, err := matchStack(st, in)
		if err != nil {
			return nil, err
		}
		if ok {
			matched = append(matched, st)
		}
	}
	return page(matched, func(s *stackResolver) string { return s.st.ID }, in)
}

// matchStack applies the full-text search and every predicate (all must
// hold). Supported fields are those spacectl and the Terraform provider use.
func matchStack(r *stackResolver, in searchInput) (bool, error) {
	st := r.st
	if in.FullTextSearch != nil && *in.FullTextSearch != "" {
		q := strings.ToLower(*in.FullTextSearch)
		if !strings.Contains(strings.ToLower(st.Name), q) && !strings.Contains(strings.ToLower(st.ID), q) {
			return false, nil
		}
	}
	if in.Predicates == nil {
		return true, nil
	}
	for _, p := range *in.Predicates {
		var strs []string
		var flag *bool
		switch p.Field {
		case "name":
			strs = []string{st.Name}
		case "branch":
			strs = []string{st.Branch}
		case "repository":
			strs = []string{st.Repo}
		case "projectRoot":
			strs = []string{st.ProjectRoot}
		case "commit":
			strs = []string{st.TrackedCommit}
		case "label":
			strs = st.Labels
		case "space":
			strs = []string{string(r.Space())}
		case "state":
			strs = []string{r.State()}
		case "administrative":
			flag = &st.Administrative
		case "locked":
			locked := st.Lock != nil
			flag = &locked
		default:
			return false, apiError{msg: fmt.Sprintf("unsupported predicate field %q", p.Field), code: "BAD_REQUEST"}
		}
		ok := matchConstraint(p, strs, flag)
		if p.Exclude != nil && *p.Exclude {
			ok = !ok
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// matchConstraint: stringMatches and enumEquals match any value exactly;
// booleanEquals compares the flag. An empty constraint matches everything.
func matchConstraint(p predicate, values []string, flag *bool) bool {
	c := p.Constraint
	switch {
	case c.BooleanEquals != nil && flag != nil:
		return slices.Contains(*c.BooleanEquals, *flag)
	case c.StringMatches != nil:
		return slices.ContainsFunc(values, func(v string) bool { return slices.Contains(*c.StringMatches, v) })
	case c.EnumEquals != nil:
		return slices.ContainsFunc(values, func(v string) bool { return slices.Contains(*c.EnumEquals, v) })
	}
	return true
}
