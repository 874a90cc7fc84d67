package clock

import (
	"testing"
	"time"
)

func TestAdvanceOnlyForward(t *testing.T) {
	var c Clock
	before := c.Now()
	after := c.Advance(7 * 24 * time.Hour)
	if after.Sub(before) < 7*24*time.Hour {
		t.Fatalf("advanced by %s", after.Sub(before))
	}
	back := c.Advance(-48 * time.Hour)
	if back.Before(after) {
		t.Fatal("the clock went back")
	}
}

func TestWallTimeUndoesEachAdvance(t *testing.T) {
	at1 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	at2 := at1.Add(time.Hour)
	jumps := []jump{{at: at1, before: 0, after: 24 * time.Hour}, {at: at2, before: 24 * time.Hour, after: 48 * time.Hour}}
	cases := []struct{ cloud, wall time.Time }{
		{at1.Add(-time.Minute), at1.Add(-time.Minute)},                    // before any advance: the same time
		{at1.Add(time.Hour), at1},                                         // skipped by the first advance
		{at1.Add(24*time.Hour + time.Minute), at1.Add(time.Minute)},       // after the first advance
		{at2.Add(24*time.Hour + time.Millisecond), at2},                   // skipped by the second
		{at2.Add(48*time.Hour + 5*time.Second), at2.Add(5 * time.Second)}, // after both
	}
	for _, c := range cases {
		if got := wallTime(jumps, c.cloud); !got.Equal(c.wall) {
			t.Errorf("wallTime(%s) = %s, want %s", c.cloud, got, c.wall)
		}
	}
	var c Clock
	now := time.Now()
	if d := c.WallTime(now).Sub(now); d != 0 {
		t.Errorf("a clock never advanced maps %s to itself +%s", now, d)
	}
	c.Advance(time.Hour)
	cloud := c.Now()
	if d := time.Since(c.WallTime(cloud)); d < 0 || d > time.Second {
		t.Errorf("after an advance, WallTime(Now()) is %s from the wall clock", d)
	}
}
