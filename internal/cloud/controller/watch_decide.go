package controller

import "time"

// instanceHealth is what the watcher knows about one instance: what the engine says about its container and
// how the cloud's probes have fared.
type instanceHealth struct {
	Exists  bool // the container exists
	Running bool // the engine reports it running (a paused container is running too)
	Paused  bool
	// ProbeFailures counts the probes in a row that found no answering PostgreSQL while the container ran.
	ProbeFailures int
}

// down reports whether the engine itself says the instance is gone: no confirmation is needed.
func (h instanceHealth) down() bool { return !h.Exists || !h.Running }

// hung reports whether the instance runs but has not answered for long enough to be sure it is not a blip.
func (h instanceHealth) hung(confirm int) bool { return h.Running && h.ProbeFailures >= confirm }

// watchAction is what the watcher does about a server.
type watchAction int

const (
	watchNothing watchAction = iota
	// watchRecover brings the primary back on its own volume: the service's built-in availability.
	watchRecover
)

// watchPolicy holds the thresholds of failure detection.
type watchPolicy struct {
	// Confirm is how many failed probes in a row make a running instance hung: with one probe a second,
	// about three seconds, the "few seconds to rule out a false positive" of seed 002.
	Confirm int
	// Backoff is how long the watcher waits after a failed recovery before it tries again; it doubles with
	// every failure in a row, up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
}

var defaultWatchPolicy = watchPolicy{Confirm: 3, Backoff: time.Second, MaxBackoff: time.Minute}

// decideWatch chooses what to do about a server that should be running and that no operation holds. It is
// pure so its table can be tested: a dead container is acted on at once, a running one only when the probes
// confirm it hangs.
func decideWatch(primary instanceHealth, policy watchPolicy) watchAction {
	if primary.down() || primary.hung(policy.Confirm) {
		return watchRecover
	}
	return watchNothing
}
