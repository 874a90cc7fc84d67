package client

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

const (
	// maxConsecutiveErrors is how many retryable poll failures in a row a waiter absorbs: enough to ride out a
	// restart of the cloud (its operations are durable), few enough to give up on a cloud that is gone.
	maxConsecutiveErrors = 5

	// maxRetryAfter caps a Retry-After so a confused cloud cannot park a waiter for an hour.
	maxRetryAfter = time.Minute

	// maxHints bounds the Retry-After memory of operations nobody waits for.
	maxHints = 1024
)

// schedule is the delay between polls: exponential from floor to ceiling, overridden once by a server hint,
// never below floor.
type schedule struct {
	floor, ceiling time.Duration
	step           time.Duration
	hint           time.Duration
}

func (c *Client) newSchedule() *schedule {
	return &schedule{floor: c.pollMin, ceiling: c.pollMax, step: c.pollMin}
}

// next returns the delay before the next poll and advances the backoff.
func (s *schedule) next() time.Duration {
	d := s.step
	if s.hint > 0 {
		d, s.hint = s.hint, 0
	}
	s.step = min(s.ceiling, s.step*2)
	return max(d, s.floor)
}

// suggest applies a server's Retry-After to the next delay.
func (s *schedule) suggest(d time.Duration) { s.hint = min(d, maxRetryAfter) }

// reset returns to the floor, used when the cloud shows progress so the next change is seen quickly.
func (s *schedule) reset() { s.step = s.floor }

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// retryHints remembers the Retry-After of the 202 that started an operation until Wait takes it.
type retryHints struct {
	mu sync.Mutex
	m  map[string]time.Duration
}

func (h *retryHints) put(id string, d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil || len(h.m) >= maxHints {
		h.m = make(map[string]time.Duration) // forgetting hints only costs an early poll
	}
	h.m[id] = d
}

func (h *retryHints) take(id string) (time.Duration, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	d, ok := h.m[id]
	delete(h.m, id)
	return d, ok
}
