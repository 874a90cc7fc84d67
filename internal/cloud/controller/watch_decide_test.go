package controller

import (
	"testing"
	"time"
)

func TestDecideWatch(t *testing.T) {
	p := watchPolicy{Confirm: 3}
	cases := []struct {
		name    string
		primary instanceHealth
		want    watchAction
	}{
		{"healthy", instanceHealth{Exists: true, Running: true}, watchNothing},
		{"one failed probe is a blip", instanceHealth{Exists: true, Running: true, ProbeFailures: 1}, watchNothing},
		{"two failed probes are not yet sure", instanceHealth{Exists: true, Running: true, ProbeFailures: 2}, watchNothing},
		{"three failed probes: hung", instanceHealth{Exists: true, Running: true, ProbeFailures: 3}, watchRecover},
		{"paused and not answering", instanceHealth{Exists: true, Running: true, Paused: true, ProbeFailures: 3}, watchRecover},
		{"paused but the probes are not confirmed yet", instanceHealth{Exists: true, Running: true, Paused: true, ProbeFailures: 1}, watchNothing},
		{"container exited", instanceHealth{Exists: true}, watchRecover},
		{"container removed", instanceHealth{}, watchRecover},
	}
	for _, c := range cases {
		if got := decideWatch(c.primary, p); got != c.want {
			t.Errorf("%s: action %d, want %d", c.name, got, c.want)
		}
	}
}

func TestRecoveryBackoffDoublesAndResets(t *testing.T) {
	var w watchState
	p := watchPolicy{Backoff: time.Second, MaxBackoff: 5 * time.Second}
	now := time.Unix(0, 0)
	for i, want := range []time.Duration{1, 2, 4, 5, 5} {
		w.backOff("demo", now, p)
		if w.mayTry("demo", now.Add(want*time.Second-time.Millisecond)) || !w.mayTry("demo", now.Add(want*time.Second)) {
			t.Fatalf("failure %d: want the next try after %ds", i+1, want)
		}
	}
	w.recovered("demo")
	if !w.mayTry("demo", now) {
		t.Fatal("a recovered server still waits")
	}
}
