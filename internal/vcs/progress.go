package vcs

import (
	"bytes"
	"regexp"
	"strings"
)

// progressWriter turns git's --progress output ("Receiving objects:  45%
// (450/1000)", rewritten in place with carriage returns) into Progress
// lines prefixed with what is happening, one per whole percent.
type progressWriter struct {
	report func(string)
	prefix string
	buf    bytes.Buffer
	last   string
}

// percentLine matches a git progress line with a percentage.
var percentLine = regexp.MustCompile(`^([A-Za-z ]+):\s+(\d+)%`)

func (w *progressWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	for {
		data := w.buf.Bytes()
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			return len(p), nil
		}
		line := strings.TrimSpace(string(data[:i]))
		w.buf.Next(i + 1)
		if m := percentLine.FindStringSubmatch(strings.TrimPrefix(line, "remote: ")); m != nil {
			if key := m[1] + m[2]; key != w.last {
				w.last = key
				w.report(w.prefix + ": " + strings.ToLower(m[1]) + " " + m[2] + "%")
			}
		}
	}
}
