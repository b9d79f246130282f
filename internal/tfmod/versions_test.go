package tfmod

import (
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	avail := []string{"1.0.0", "1.2.0", "1.2.3", "1.3.0", "1.4.0", "2.0.0", "2.1.0-beta.1"}
	for _, tc := range []struct {
		spec                     string
		current, allowed, newest string
		major, outdated          bool
		behind                   int
	}{
		{"1.2.0", "1.2.0", "1.2.0", "2.0.0", true, true, 4},
		{"= 1.2.0", "1.2.0", "1.2.0", "2.0.0", true, true, 4},
		{"~> 1.2", "1.4.0", "1.4.0", "2.0.0", true, true, 1},
		{"~> 1.2.0", "1.2.3", "1.2.3", "2.0.0", true, true, 3},
		{">= 1.0.0, < 1.3.0", "1.2.3", "1.2.3", "2.0.0", true, true, 3},
		{"2.0.0", "2.0.0", "2.0.0", "2.0.0", false, false, 0},
		{"", "2.0.0", "2.0.0", "2.0.0", false, false, 0},
		{"2.1.0-beta.1", "2.1.0-beta.1", "2.1.0-beta.1", "2.0.0", false, false, 0},
	} {
		st, err := Resolve(tc.spec, avail)
		if err != nil {
			t.Fatalf("%q: %v", tc.spec, err)
		}
		if st.Current != tc.current || st.NewestAllowed != tc.allowed || st.Newest != tc.newest || st.Major != tc.major || st.Outdated() != tc.outdated || st.Behind != tc.behind {
			t.Errorf("Resolve(%q) = %+v (outdated %v)", tc.spec, st, st.Outdated())
		}
	}
	if _, err := Resolve("~> banana", avail); err == nil {
		t.Error("a bad constraint resolved")
	}
}

func TestRewriteSpec(t *testing.T) {
	for _, tc := range []struct{ spec, target, want string }{
		{"1.2.0", "1.4.0", "1.4.0"},
		{"v1.2.0", "1.4.0", "v1.4.0"},
		{"= 1.2.0", "1.4.0", "= 1.4.0"},
		{"=1.2.0", "1.4.0", "=1.4.0"},
		{"~> 1.2", "1.4.0", "~> 1.4"},
		{"~> 1.2.0", "1.4.0", "~> 1.4.0"},
		{"~> 1", "2.1.0", "~> 2"},
		{">= 1.2.0, < 2.0.0", "1.4.0", ">= 1.4.0, < 2.0.0"},
		{">= 1.2.0,< 2.0.0", "1.4.0", ">= 1.4.0,< 2.0.0"},
		{"> 1.0.0", "1.4.0", "> 1.0.0"},
	} {
		got, err := RewriteSpec(tc.spec, tc.target)
		if err != nil || got != tc.want {
			t.Errorf("RewriteSpec(%q, %q) = %q, %v; want %q", tc.spec, tc.target, got, err, tc.want)
		}
	}
	for _, spec := range []string{">= 1.0.0, < 2.0.0", "~> banana", "!= 2.1.0"} {
		if got, err := RewriteSpec(spec, "2.1.0"); err == nil {
			t.Errorf("RewriteSpec(%q, 2.1.0) = %q, want an error", spec, got)
		}
	}
}

func TestTagVersions(t *testing.T) {
	tags := []string{"v1.0.0", "v1.2.0", "1.3.0", "vpc/v1.4.0", "rds/v3.0.0", "latest", "v2.0.0-rc.1"}
	for prefix, want := range map[string]string{"v": "1.0.0 1.2.0 2.0.0-rc.1", "": "1.3.0", "vpc/v": "1.4.0"} {
		if got := strings.Join(TagVersions(tags, prefix), " "); got != want {
			t.Errorf("TagVersions(%q) = %q, want %q", prefix, got, want)
		}
	}
}
