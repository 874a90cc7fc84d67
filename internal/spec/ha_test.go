package spec

import "testing"

func TestChooseStandbyZone(t *testing.T) {
	none := func(string) bool { return false }
	zoneDown := func(z string) func(string) bool { return func(x string) bool { return x == z } }
	cases := []struct {
		name, location, mode, primary, requested string
		down                                     func(string) bool
		want                                     string
		fails                                    bool
	}{
		{"cloud picks another zone", "westeurope", HAModeZoneRedundant, "1", "", none, "2", false},
		{"the request is honoured", "westeurope", HAModeZoneRedundant, "1", "3", none, "3", false},
		{"a requested zone that is down is avoided", "westeurope", HAModeZoneRedundant, "1", "2", zoneDown("2"), "3", false},
		{"a down zone is skipped", "westeurope", HAModeZoneRedundant, "2", "", zoneDown("1"), "3", false},
		{"same zone", "westeurope", HAModeSameZone, "2", "", none, "2", false},
		{"same zone down", "westeurope", HAModeSameZone, "2", "", zoneDown("2"), "", true},
		{"every other zone down", "westeurope", HAModeZoneRedundant, "1", "", func(z string) bool { return z != "1" }, "", true},
	}
	for _, c := range cases {
		got, err := ChooseStandbyZone(c.location, c.mode, c.primary, c.requested, c.down)
		if (err != nil) != c.fails || got != c.want {
			t.Errorf("%s: got %q, %v; want %q (fails %v)", c.name, got, err, c.want, c.fails)
		}
	}
}

func TestHAChangeBlocked(t *testing.T) {
	for _, c := range []struct {
		state, ha string
		blocked   bool
	}{
		{"Ready", HAStateHealthy, false},
		{"Ready", HAStateNotEnabled, false},
		{"Stopped", HAStateNotEnabled, true},
		{"Restarting", HAStateHealthy, true},
		{"Ready", HAStateFailingOver, true},
	} {
		if got := HAChangeBlocked(c.state, c.ha) != ""; got != c.blocked {
			t.Errorf("%s/%s: blocked %v, want %v", c.state, c.ha, got, c.blocked)
		}
	}
}
