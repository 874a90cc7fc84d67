package ledger

import "time"

// Clock gives instants as offsets from one epoch, read on Go's monotonic clock, so that the durations
// between attempts, faults and samples are immune to wall-clock steps. A Ledger and a Sampler that share a
// Clock put their records on one axis.
type Clock struct{ epoch time.Time }

// NewClock starts a clock at the present instant.
func NewClock() Clock { return Clock{epoch: time.Now()} }

// Now is the time elapsed since the clock's epoch.
func (c Clock) Now() time.Duration { return time.Since(c.epoch) }

// Epoch is the wall-clock instant the clock counts from, to relate its offsets to server logs.
func (c Clock) Epoch() time.Time { return c.epoch }

func (c Clock) isZero() bool { return c.epoch.IsZero() }
