package ledger

import (
	"testing"
	"time"
)

func TestPacerSpacesSlotsWithoutCatchUp(t *testing.T) {
	p := newPacer(100) // one slot every 10ms
	ms := time.Millisecond
	steps := []struct {
		now, want time.Duration
	}{
		{0, 0},              // first slot at once
		{0, 10 * ms},        // second caller, same instant: next slot
		{5 * ms, 15 * ms},   // third: slot at 20ms
		{500 * ms, 0},       // after a stall: no backlog of missed slots
		{500 * ms, 10 * ms}, // and spacing resumes from the present
	}
	for i, s := range steps {
		if got := p.reserve(s.now); got != s.want {
			t.Errorf("step %d: reserve(%v) = %v, want %v", i, s.now, got, s.want)
		}
	}
}

func TestPacerUnlimited(t *testing.T) {
	p := newPacer(-1)
	for range 3 {
		if got := p.reserve(0); got != 0 {
			t.Fatalf("unlimited pacer made a caller wait %v", got)
		}
	}
}
