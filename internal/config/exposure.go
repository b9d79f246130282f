package config

import (
	"fmt"
	"io/fs"
	"regexp"
)

// tokenLike matches what looks like a credential: a TFC/TFE token, a JWT,
// a URL with a password, or a token/secret/password assignment. The config
// has no keys for secrets, but a comment or a clone URL can still hold one.
var tokenLike = regexp.MustCompile(`(?i)\.atlasv1\.|\beyJ[\w-]{8,}\.[\w-]{8,}\.|://[^/\s:@]+:[^/\s@]+@|\b(token|secret|password|api_key)\b\s*[=:]\s*["']?\S{8,}`)

// ExposureWarning is a one-line warning when a config file that others can
// read (group or world bits set) holds something token-like, or "" when
// not. It never quotes the token.
func ExposureWarning(path string, mode fs.FileMode, data []byte) string {
	if mode.Perm()&0o044 == 0 {
		return ""
	}
	loc := tokenLike.FindIndex(data)
	if loc == nil {
		return ""
	}
	line := 1
	for _, b := range data[:loc[0]] {
		if b == '\n' {
			line++
		}
	}
	return fmt.Sprintf("%s:%d: looks like a secret, and the file is readable by other users (mode %04o); remove it or run chmod 600 %s",
		path, line, mode.Perm(), path)
}
