package ledger

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// shownKeys is how many keys of an anomaly list a summary spells out; the count is always complete.
const shownKeys = 10

// Summary renders the report in a few lines for test logs and closing notes: every count, the anomalies'
// first keys, and the write gap percentiles.
func (r Report) Summary() string {
	var b strings.Builder
	perSecond := 0.0
	if r.Duration > 0 {
		perSecond = float64(r.Acked) / r.Duration.Seconds()
	}
	fmt.Fprintf(&b, "ledger run %s: %d writers for %s: %d attempts, %d acked (%.1f/s), %d failed, %d unknown; %d acked with a cancelled sync wait\n",
		r.RunID, r.Writers, fmtDur(r.Duration), r.Attempts, r.Acked, perSecond, r.Failed, r.Unknown, r.AckedCancelled)
	fmt.Fprintf(&b, "rows %d; lost %d (%d of them sync-cancelled)%s, phantom %d (%d attempted and failed)%s, duplicates %d%s\n",
		r.Rows, len(r.Lost), r.LostCancelled, keyList(r.Lost), len(r.Phantom), r.PhantomFailed, keyList(r.Phantom),
		len(r.Duplicates), keyList(r.Duplicates))
	c := r.Resolved
	fmt.Fprintf(&b, "unknown: %d with a row, %d without; pg_xact_status: %d committed, %d aborted, %d not there, %d in progress, %d unresolved; %d contradict the rows%s\n",
		r.UnknownCommitted, r.UnknownAbsent, c.Committed, c.Aborted, c.NotThere, c.InProgress, c.Unresolved,
		len(r.Contradicted), keyList(r.Contradicted))
	unrecovered := 0
	var each []string
	for _, g := range r.Gaps {
		if !g.Recovered {
			unrecovered++
		}
		each = append(each, g.String())
	}
	fmt.Fprintf(&b, "write gap over %d faults: %s, %d not recovered", len(r.Gaps), r.GapStats, unrecovered)
	if len(each) > 0 && len(each) <= shownKeys {
		fmt.Fprintf(&b, " [%s]", strings.Join(each, "; "))
	}
	fmt.Fprintf(&b, "\nwriters connected %d times, %d of them failed", r.Connects, r.ConnectFailures)
	return b.String()
}

// keyList spells out the first keys of a non-empty list.
func keyList(keys []Key) string {
	if len(keys) == 0 {
		return ""
	}
	var names []string
	for _, k := range keys[:min(len(keys), shownKeys)] {
		names = append(names, k.String())
	}
	more := ""
	if len(keys) > shownKeys {
		more = " ..."
	}
	return " [" + strings.Join(names, " ") + more + "]"
}

// Summary renders the sampler's findings in a few lines: per instance the samples, primary answers and
// acknowledged probes, then the overlaps.
func (s *Sampler) Summary() string { return summarizeSamples(s.Samples(), s.cfg.Interval) }

func summarizeSamples(samples []Sample, interval time.Duration) string {
	type tally struct{ samples, primary, acked, late int }
	per := map[string]*tally{}
	for _, smp := range samples {
		t := per[smp.Instance]
		if t == nil {
			t = &tally{}
			per[smp.Instance] = t
		}
		if smp.Late {
			t.late++
			continue
		}
		t.samples++
		if smp.Role == RolePrimary {
			t.primary++
		}
		if smp.Write == WriteAcked {
			t.acked++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "sampler every %s:", fmtDur(interval))
	for _, name := range slices.Sorted(maps.Keys(per)) {
		t := per[name]
		fmt.Fprintf(&b, " %s %d samples, %d primary, %d acked writes (%d late);", name, t.samples, t.primary, t.acked, t.late)
	}
	writers, primaries := TwoWriters(samples, interval), TwoPrimaries(samples, interval)
	fmt.Fprintf(&b, "\ntwo writers: %d%s; two primaries: %d%s", len(writers), firstOverlap(writers, func(s Sample) time.Duration { return s.WriteAt }),
		len(primaries), firstOverlap(primaries, func(s Sample) time.Duration { return s.At }))
	return b.String()
}

func firstOverlap(os []Overlap, at func(Sample) time.Duration) string {
	if len(os) == 0 {
		return ""
	}
	o := os[0]
	return fmt.Sprintf(" (first: %s at %s and %s at %s)", o.First.Instance, fmtDur(at(o.First)), o.Second.Instance, fmtDur(at(o.Second)))
}
