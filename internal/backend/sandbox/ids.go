package sandbox

import "time"

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// idState makes ids monotonic: two runs created in the same millisecond get
// the random part of the first plus one (the ULID spec's monotonic mode),
// so ids sort in creation order like the run lists do.
type idState struct {
	ms   uint64
	rand [16]byte // base-32 digits
}

// newID makes a 26-character ULID from the run's time and the seeded
// generator, so the same seed gives the same ids.
func (e *Engine) newID(at time.Time) string {
	ms := uint64(at.UnixMilli())
	st := &e.ids
	if ms == st.ms {
		for i := len(st.rand) - 1; i >= 0; i-- { // increment, carrying
			st.rand[i]++
			if st.rand[i] < 32 {
				break
			}
			st.rand[i] = 0
		}
	} else {
		st.ms = ms
		for i := range st.rand {
			st.rand[i] = byte(e.rng.IntN(32))
		}
		st.rand[0] &= 0xF // room to increment without overflowing the id
	}
	var b [26]byte
	for i := 9; i >= 0; i-- {
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	for i, d := range st.rand {
		b[10+i] = crockford[d]
	}
	return string(b[:])
}
