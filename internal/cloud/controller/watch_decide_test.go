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
		if got := decideWatch(watchFacts{Primary: c.primary}, p); got != c.want {
			t.Errorf("%s: action %d, want %d", c.name, got, c.want)
		}
	}
}

func TestDecideWatchWithHA(t *testing.T) {
	p := watchPolicy{Confirm: 3}
	up := instanceHealth{Exists: true, Running: true}
	dead := instanceHealth{Exists: true}
	hung := instanceHealth{Exists: true, Running: true, Paused: true, ProbeFailures: 3}
	cases := []struct {
		name string
		f    watchFacts
		want watchAction
	}{
		{"healthy pair", watchFacts{Primary: up, Standby: &up, Promotable: true, Healthy: true}, watchNothing},
		{"primary killed: fail over", watchFacts{Primary: dead, Standby: &up, Promotable: true, Healthy: true}, watchFailover},
		{"primary hung: fail over", watchFacts{Primary: hung, Standby: &up, Promotable: true, Healthy: true}, watchFailover},
		{"primary's zone down: fail over", watchFacts{Primary: up, PrimaryZoneDown: true, Standby: &up, Promotable: true, Healthy: true}, watchFailover},
		{"primary killed, standby stale: recover in place", watchFacts{Primary: dead, Standby: &up}, watchRecover},
		{"primary's zone down, standby stale: wait", watchFacts{Primary: up, PrimaryZoneDown: true, Standby: &up}, watchNothing},
		{"standby killed: repair it", watchFacts{Primary: up, Standby: &dead, Promotable: true, Healthy: true}, watchRepairStandby},
		{"standby hung: repair it", watchFacts{Primary: up, Standby: &hung, Promotable: true, Healthy: true}, watchRepairStandby},
		{"standby's zone down: replace it", watchFacts{Primary: up, Standby: &up, StandbyZoneDown: true, Healthy: true}, watchRepairStandby},
		{"standby not synchronous after a failed failover: repair", watchFacts{Primary: up, Standby: &up}, watchRepairStandby},
		{"primary blip", watchFacts{Primary: instanceHealth{Exists: true, Running: true, ProbeFailures: 2}, Standby: &up, Promotable: true, Healthy: true}, watchNothing},
	}
	for _, c := range cases {
		if got := decideWatch(c.f, p); got != c.want {
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
