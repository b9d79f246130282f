package tfcapi

import (
	"sync"
	"time"
)

// limiter holds each user to TFC's limits over sliding windows: 30
// requests in any second (all of a user's tokens together), and 30 run-list
// reads in any minute. A refused request does not count.
type limiter struct {
	mu   sync.Mutex
	hits map[string][]time.Time // user (or user + "/runs") → request times in the window
}

func newLimiter() *limiter { return &limiter{hits: map[string][]time.Time{}} }

// allow records a request of name at now, or says how long until the
// window that refuses it has room.
func (l *limiter) allow(name string, runList bool, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if reset, ok := l.room(name, now, time.Second, perUserLimit); !ok {
		return reset, false
	}
	if runList {
		if reset, ok := l.room(name+"/runs", now, time.Minute, runListsLimit); !ok {
			return reset, false
		}
		l.hits[name+"/runs"] = append(l.hits[name+"/runs"], now)
	}
	l.hits[name] = append(l.hits[name], now)
	return 0, true
}

// room drops the times that left the window and reports whether another
// request fits, else when the oldest one leaves.
func (l *limiter) room(key string, now time.Time, window time.Duration, limit int) (time.Duration, bool) {
	hits := l.hits[key]
	keep := 0
	for keep < len(hits) && !hits[keep].After(now.Add(-window)) {
		keep++
	}
	hits = hits[keep:]
	l.hits[key] = hits
	if len(hits) < limit {
		return 0, true
	}
	return hits[0].Add(window).Sub(now), false
}
