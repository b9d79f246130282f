package tfcapi

import (
	"regexp"
	"strings"
	"testing"
)

// The sanitizers replace what were regular expressions (too slow on every
// workspace of every list page); they must give the same names.
func TestSanitizeMatchesTheRegexpDefinition(t *testing.T) {
	name := regexp.MustCompile(`[^A-Za-z0-9_-]+`)
	tag := regexp.MustCompile(`[^a-z0-9_:-]+`)
	for _, in := range []string{
		"", "network", "prod-payments_api", "Payments API", "a  b", "env:prod", "Ünïcode stack",
		"trailing!!", "!!leading", "x/y/z", "日本", "a\xffb", "BU:Search", "layer:environment",
	} {
		if got, want := sanitizeName(in), name.ReplaceAllString(in, "-"); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
		if got, want := sanitizeTag(in), tag.ReplaceAllString(strings.ToLower(in), "-"); got != want {
			t.Errorf("sanitizeTag(%q) = %q, want %q", in, got, want)
		}
	}
}
