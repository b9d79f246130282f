package tfc

import "time"

// timeLayouts are the forms TFC writes times in: go-tfe's iso8601 decoding
// accepts only a literal Z, while HCP Terraform's own documentation shows
// +00:00 offsets (assessment results, status timestamps) beside
// millisecond Z times (created-at).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05Z07:00"}

// parseTime reads a time in any of those forms. One it cannot read is the
// zero time ("unknown"), never an error: one odd attribute must not cost
// the workspace, its page or the tree.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
