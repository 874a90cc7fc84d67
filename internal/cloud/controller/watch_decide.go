package controller

import "time"

// instanceHealth is what the watcher knows about one instance: what the engine says about its container and
// how the cloud's probes have fared.
type instanceHealth struct {
	Exists  bool // the container exists
	Running bool // the engine reports it running (a paused container is running too)
	Paused  bool
	// ProbeFailures counts the probes in a row that found no answering PostgreSQL while the container ran,
	// and FailingFor is how long ago the first of them was.
	ProbeFailures int
	FailingFor    time.Duration
}

// down reports whether the engine itself says the instance is gone: no confirmation is needed.
func (h instanceHealth) down() bool { return !h.Exists || !h.Running }

// hung reports whether the instance runs but has not answered for long enough to be sure it is not a blip:
// several probes in a row, over a few seconds (the engine's events add looks between the periodic ones, so
// the count alone could be reached too fast).
func (h instanceHealth) hung(p watchPolicy) bool {
	return h.Running && h.ProbeFailures >= p.Confirm && h.FailingFor >= p.ConfirmFor
}

// watchAction is what the watcher does about a server.
type watchAction int

const (
	watchNothing watchAction = iota
	// watchRecover brings the primary back on its own volume: the service's built-in availability.
	watchRecover
	// watchFailover promotes the synchronous standby.
	watchFailover
	// watchRepairStandby brings a lost or unsynchronised standby back (or builds a new one).
	watchRepairStandby
)

// watchFacts are what a watch decision depends on.
type watchFacts struct {
	Primary         instanceHealth
	PrimaryZoneDown bool
	// Standby is nil without HA.
	Standby         *instanceHealth
	StandbyZoneDown bool
	// Promotable is true when choosePromotion accepts the standby (recorded synchronous, on the server's
	// timeline, healthy, in a zone that is up).
	Promotable bool
	// Healthy is true when ha_state is Healthy.
	Healthy bool
}

// watchPolicy holds the thresholds of failure detection.
type watchPolicy struct {
	// Confirm is how many failed probes in a row make a running instance hung: with one probe a second,
	// about three seconds, the "few seconds to rule out a false positive" of seed 002.
	Confirm    int
	ConfirmFor time.Duration
	// Backoff is how long the watcher waits after a failed recovery before it tries again; it doubles with
	// every failure in a row, up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
}

var defaultWatchPolicy = watchPolicy{Confirm: 3, ConfirmFor: 2 * time.Second, Backoff: time.Second, MaxBackoff: time.Minute}

// decideWatch chooses what to do about a server that should be running and that no operation holds. It is
// pure so its table can be tested: a dead container is acted on at once, a running one only when the probes
// confirm it hangs.
func decideWatch(f watchFacts, policy watchPolicy) watchAction {
	primaryLost := f.PrimaryZoneDown || f.Primary.down() || f.Primary.hung(policy)
	switch {
	case primaryLost && f.Standby != nil && f.Promotable:
		return watchFailover
	case primaryLost && f.PrimaryZoneDown:
		return watchNothing // nothing to start it on until the zone is up, and no standby may be promoted
	case primaryLost:
		return watchRecover
	case f.Standby == nil:
		return watchNothing
	case f.StandbyZoneDown || f.Standby.down() || f.Standby.hung(policy) || !f.Healthy:
		return watchRepairStandby
	}
	return watchNothing
}
