package sandbox

import "time"

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newID makes a 26-character ULID from the run's time and the seeded
// generator, so the same seed gives the same ids.
func (e *Engine) newID(at time.Time) string {
	var b [26]byte
	ms := uint64(at.UnixMilli())
	for i := 9; i >= 0; i-- {
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	for i := 10; i < 26; i++ {
		b[i] = crockford[e.rng.IntN(32)]
	}
	return string(b[:])
}
