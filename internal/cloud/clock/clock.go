// Package clock is the cloud's clock. It is the wall clock plus an offset that only moves forward, so tests
// (and users rehearsing long waits) can advance time — to see a stopped server start itself after seven
// days, or backups expire — without waiting.
//
// PostgreSQL inside the containers keeps the machine's wall clock: commit timestamps in the WAL are wall
// time. A point-in-time restore is asked for in the cloud's time, so the clock remembers every advance and
// turns a cloud time back into the wall time it stood for (WallTime).
package clock

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock is safe for concurrent use.
type Clock struct {
	offset atomic.Int64 // nanoseconds added to the wall clock

	mu    sync.Mutex
	jumps []jump // every advance, oldest first
}

// jump is one advance: at wall time at, the offset went from before to after.
type jump struct {
	at            time.Time
	before, after time.Duration
}

// Now is the cloud's current time.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d (negative values are ignored: the cloud's time never goes back).
func (c *Clock) Advance(d time.Duration) time.Time {
	if d > 0 {
		c.mu.Lock()
		before := time.Duration(c.offset.Load())
		c.jumps = append(c.jumps, jump{at: time.Now(), before: before, after: before + d})
		c.offset.Add(int64(d))
		c.mu.Unlock()
	}
	return c.Now()
}

// WallTime is the wall time at which the cloud's clock showed t. A time the clock skipped over (inside an
// advance) stands for the wall time of the advance: everything before it happened earlier, nothing at or
// after it had happened yet.
func (c *Clock) WallTime(t time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return wallTime(c.jumps, t)
}

func wallTime(jumps []jump, t time.Time) time.Time {
	var offset time.Duration
	for _, j := range jumps {
		switch {
		case t.Before(j.at.Add(j.before)):
			return t.Add(-offset)
		case t.Before(j.at.Add(j.after)):
			return j.at
		}
		offset = j.after
	}
	return t.Add(-offset)
}
