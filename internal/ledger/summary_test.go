package ledger

import (
	"strings"
	"testing"
	"time"
)

func TestReportSummary(t *testing.T) {
	r := Analyze([]Attempt{
		cancelled(att(0, 1, Acked)), att(0, 2, Acked), att(0, 3, Failed),
		resolved(att(1, 1, Unknown), ResolvedCommitted), resolved(att(1, 2, Unknown), ResolvedNotThere),
	}, keys(k(0, 2), k(0, 3), k(1, 1), k(5, 5)))
	r.RunID, r.Writers, r.Duration = "abc", 2, 2*time.Second
	r.Gaps = []Gap{{Fault: fault("kill", 1000), From: 900 * ms, To: 2100 * ms, Recovered: true}}
	r.GapStats = GapStats(r.Gaps)
	r.Connects, r.ConnectFailures = 9, 4
	wantParts(t, r.Summary(),
		"ledger run abc: 2 writers for 2s: 5 attempts, 2 acked (1.0/s), 1 failed, 2 unknown; 1 acked with a cancelled sync wait",
		"rows 4; lost 1 (1 of them sync-cancelled) [w0/s1], phantom 2 (1 attempted and failed) [w0/s3 w5/s5], duplicates 0",
		"unknown: 1 with a row, 1 without; pg_xact_status: 1 committed, 0 aborted, 1 not there, 0 in progress, 0 unresolved; 0 contradict",
		"write gap over 1 faults: n=1 p50=1.2s p95=1.2s max=1.2s, 0 not recovered [kill@1s: 1.2s (900ms..2.1s)]",
		"writers connected 9 times, 4 of them failed",
	)
}

// wantParts checks that a summary holds every part.
func wantParts(t *testing.T, summary string, parts ...string) {
	t.Helper()
	for _, part := range parts {
		if !strings.Contains(summary, part) {
			t.Errorf("summary lacks %q:\n%s", part, summary)
		}
	}
}

func TestKeyListIsBounded(t *testing.T) {
	var ks []Key
	for i := range 25 {
		ks = append(ks, k(0, int64(i)))
	}
	if got := keyList(ks); strings.Count(got, "w0/") != shownKeys || !strings.HasSuffix(got, " ...]") {
		t.Errorf("keyList of 25 keys = %q", got)
	}
}
