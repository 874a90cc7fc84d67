// Package clock is the cloud's clock. It is the wall clock plus an offset that only moves forward, so tests
// (and users rehearsing long waits) can advance time — to see a stopped server start itself after seven
// days, for instance — without waiting.
package clock

import (
	"sync/atomic"
	"time"
)

// Clock is safe for concurrent use.
type Clock struct {
	offset atomic.Int64 // nanoseconds added to the wall clock
}

// Now is the cloud's current time.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d (negative values are ignored: the cloud's time never goes back).
func (c *Clock) Advance(d time.Duration) time.Time {
	if d > 0 {
		c.offset.Add(int64(d))
	}
	return c.Now()
}
