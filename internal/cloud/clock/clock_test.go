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
