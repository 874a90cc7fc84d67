package ledger

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// Fault is an instant at which the test injected a fault, on the ledger's Clock.
type Fault struct {
	Name string
	At   time.Duration
}

// Gap is the client-observed write unavailability attributed to one fault (BAR-T2, BAR-T3): the longest
// stretch, between two consecutive acknowledged commits of any writer, that ends after the fault and
// within its window. The window of a fault runs from its instant to the next fault's (or to the end of the
// run, for the last one).
//
// Measuring the longest stretch, rather than only the one that spans the fault instant, keeps the figure
// honest in two cases: a few commits that the dying primary still acknowledged just after the mark would
// otherwise cut the gap short, and writes that block later in the window (sync replication waiting for a
// rebuilt standby) are part of what the fault cost the client. The price is that an unrelated stall within
// the window is charged to the fault; the error is on the safe side for a bar.
//
// When no commit was acknowledged after the fault within its window, the service did not recover in time:
// To is the end of the window, Recovered is false, and the duration is only a lower bound.
type Gap struct {
	Fault Fault
	// From is the end of the last acknowledged commit before the stretch (the run's start if there was
	// none), To the end of the first one after it.
	From, To  time.Duration
	Recovered bool
}

// Duration is the length of the gap.
func (g Gap) Duration() time.Duration { return g.To - g.From }

func (g Gap) String() string {
	s := fmt.Sprintf("%s@%s: %s (%s..%s)", g.Fault.Name, fmtDur(g.Fault.At), fmtDur(g.Duration()), fmtDur(g.From), fmtDur(g.To))
	if !g.Recovered {
		s += " not recovered"
	}
	return s
}

// WriteGaps computes the gap of every fault from the attempts' acknowledged commits. start and end are the
// run's bounds on the same clock. Only acked attempts count, sync-cancelled ones included: an unknown
// attempt that later turned out committed was not seen to succeed by its client. The result is in the
// order of the faults' instants.
func WriteGaps(attempts []Attempt, faults []Fault, start, end time.Duration) []Gap {
	// points are the instants at which a client saw a write succeed, with the run's start as the anchor
	// for a fault that comes before the first acknowledgement.
	points := []time.Duration{start}
	for _, a := range attempts {
		if a.Outcome == Acked {
			points = append(points, a.End)
		}
	}
	slices.Sort(points)
	faults = slices.Clone(faults)
	slices.SortStableFunc(faults, func(a, b Fault) int { return cmp.Compare(a.At, b.At) })

	gaps := make([]Gap, 0, len(faults))
	for i, f := range faults {
		windowEnd := end
		if i+1 < len(faults) {
			windowEnd = faults[i+1].At
		}
		// first is the first acknowledgement strictly after the fault; one at the fault's very instant
		// counts as before it.
		first := sort.Search(len(points), func(j int) bool { return points[j] > f.At })
		before := start
		if first > 0 {
			before = points[first-1]
		}
		if first == len(points) || points[first] > windowEnd {
			gaps = append(gaps, Gap{Fault: f, From: before, To: max(windowEnd, before)})
			continue
		}
		g := Gap{Fault: f, From: before, To: points[first], Recovered: true}
		for j := first + 1; j < len(points) && points[j] <= windowEnd; j++ {
			if d := points[j] - points[j-1]; d > g.Duration() {
				g.From, g.To = points[j-1], points[j]
			}
		}
		gaps = append(gaps, g)
	}
	return gaps
}

// Stats summarises durations: the count, the 50th and 95th percentiles and the maximum.
type Stats struct {
	N             int
	P50, P95, Max time.Duration
}

func (s Stats) String() string {
	if s.N == 0 {
		return "n=0"
	}
	return fmt.Sprintf("n=%d p50=%s p95=%s max=%s", s.N, fmtDur(s.P50), fmtDur(s.P95), fmtDur(s.Max))
}

// Percentiles computes Stats by the nearest-rank method: the p-th percentile is the smallest value that
// at least p % of the values do not exceed, so it is always one of the measured values (with 20 trials,
// p95 is the 19th smallest). ds is not modified.
func Percentiles(ds []time.Duration) Stats {
	if len(ds) == 0 {
		return Stats{}
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(sorted)))) - 1
		return sorted[max(i, 0)]
	}
	return Stats{N: len(sorted), P50: rank(0.50), P95: rank(0.95), Max: sorted[len(sorted)-1]}
}

// GapStats summarises the durations of gaps.
func GapStats(gaps []Gap) Stats {
	ds := make([]time.Duration, len(gaps))
	for i, g := range gaps {
		ds[i] = g.Duration()
	}
	return Percentiles(ds)
}

// fmtDur prints a duration to the millisecond, which is the resolution the bars are stated in.
func fmtDur(d time.Duration) string { return d.Round(time.Millisecond).String() }
