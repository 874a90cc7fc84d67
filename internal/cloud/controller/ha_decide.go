package controller

import (
	"errors"
	"fmt"
)

// Failover modes.
const (
	FailoverPlanned   = "planned"   // on demand: wait for catch-up, stop the primary cleanly, promote; loses nothing
	FailoverForced    = "forced"    // on demand: stop the primary at once, promote
	FailoverAutomatic = "automatic" // the watcher found the primary dead or hung
)

// candidate is what the cloud knows about an instance that might be promoted.
type candidate struct {
	Name     string
	Healthy  bool // its container runs and it answered the last probe
	ZoneDown bool
	// RecordedSync is true when the cloud recorded this instance as the synchronous standby (HA.SyncStandby)
	// and has not cleared it since: every acknowledged commit is on it.
	RecordedSync bool
	// Timeline is the instance's timeline as last seen (0 when unknown).
	Timeline int
	// LagBytes is how far the instance's flushed WAL was behind the primary when last seen, -1 when unknown.
	// It only ranks eligible candidates (the most advanced wins): a synchronous standby holds every
	// acknowledged commit whatever WAL it has yet to receive, and an asynchronous one is never promoted
	// automatically however close it is.
	LagBytes int64
}

// promotionFacts are the inputs of a promotion decision.
type promotionFacts struct {
	Mode string
	// ServerTimeline is the highest timeline the server has reached (HA.Timeline; 0 before any promotion is
	// recorded, which means timeline 1).
	ServerTimeline int
	// PrimaryFenced is true when the old primary can no longer acknowledge a write: its container is not
	// running or the failover's own fence stops it before the promotion (planned and forced always do).
	PrimaryFenced bool
	Candidates    []candidate
}

// Reasons a promotion is refused.
var (
	errNoCandidate       = errors.New("no standby can be promoted")
	errStaleCandidate    = errors.New("the standby is not recorded as synchronous: promoting it could lose acknowledged commits")
	errTimelineBehind    = errors.New("the standby is on an older timeline than the server")
	errPrimaryNotFenced  = errors.New("the old primary could still acknowledge writes")
	errCandidateUnhealth = errors.New("the standby is not healthy")
)

// choosePromotion picks the instance to promote, or says why none may be: only a healthy instance in a zone
// that is up, on the server's timeline, that the cloud recorded as synchronous (so it holds every commit a
// client was told about), and only once the old primary is fenced. Forced and planned failovers are
// requested by the user of a Healthy server, so the same rules hold; nothing here trusts a guess.
func choosePromotion(f promotionFacts) (string, error) {
	if !f.PrimaryFenced {
		return "", errPrimaryNotFenced
	}
	top := max(f.ServerTimeline, 1)
	var why error = errNoCandidate
	best, bestLag := "", int64(-1)
	for _, c := range f.Candidates {
		switch {
		case !c.Healthy || c.ZoneDown:
			why = fmt.Errorf("%w: %s", errCandidateUnhealth, c.Name)
		case c.Timeline != 0 && c.Timeline < top:
			why = fmt.Errorf("%w: %s is on timeline %d, the server on %d", errTimelineBehind, c.Name, c.Timeline, top)
		case !c.RecordedSync:
			why = fmt.Errorf("%w: %s", errStaleCandidate, c.Name)
		case best == "" || (c.LagBytes >= 0 && (bestLag < 0 || c.LagBytes < bestLag)):
			best, bestLag = c.Name, c.LagBytes
		}
	}
	if best != "" {
		return best, nil
	}
	return "", why
}
