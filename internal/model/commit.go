package model

import "time"

// Commit is one commit as a log shows it: what a promotion brings in and
// where an environment's branch stands.
type Commit struct {
	SHA     string
	Subject string
	Author  string // "Name <email>"
	Time    time.Time
}

// Short is the abbreviated object name people read.
func (c Commit) Short() string { return ShortSHA(c.SHA) }

// ShortSHA abbreviates an object name to 7 characters.
func ShortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
