package ledger

import (
	"sync"
	"time"
)

// pacer spreads the writers' attempts evenly over time to hold a total rate. Each attempt reserves the next
// free slot; a slot is never earlier than the present, so writers that stalled through an outage do not
// burst to catch up afterwards (a burst would hide part of the write gap and overload a fresh primary).
type pacer struct {
	interval time.Duration // zero: no limit

	mu   sync.Mutex
	next time.Duration
}

func newPacer(perSecond float64) *pacer {
	if perSecond <= 0 {
		return &pacer{}
	}
	return &pacer{interval: time.Duration(float64(time.Second) / perSecond)}
}

// reserve takes the next slot and returns how long after now it begins.
func (p *pacer) reserve(now time.Duration) time.Duration {
	if p.interval == 0 {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	slot := max(p.next, now)
	p.next = slot + p.interval
	return slot - now
}
