package ledger

import (
	"slices"
	"testing"
)

// att builds a synthetic attempt.
func att(w int, seq int64, o Outcome) Attempt {
	return Attempt{Key: Key{Writer: w, Seq: seq}, Outcome: o, Xid: "100"}
}

func cancelled(a Attempt) Attempt { a.SyncCancelled = true; return a }

func resolved(a Attempt, r Resolution) Attempt { a.Resolution = r; return a }

func keys(ks ...Key) []Key { return ks }

func k(w int, seq int64) Key { return Key{Writer: w, Seq: seq} }

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name     string
		attempts []Attempt
		rows     []Key
		check    func(t *testing.T, r Report)
	}{
		{
			name:     "clean run",
			attempts: []Attempt{att(0, 1, Acked), att(0, 2, Acked), att(1, 1, Failed), att(1, 2, Acked)},
			rows:     keys(k(0, 1), k(0, 2), k(1, 2)),
			check: func(t *testing.T, r Report) {
				want(t, "OK", r.OK(), true)
				want(t, "Attempts", r.Attempts, 4)
				want(t, "Acked", r.Acked, 3)
				want(t, "Failed", r.Failed, 1)
				want(t, "Rows", r.Rows, 3)
			},
		},
		{
			name:     "acked row missing is lost",
			attempts: []Attempt{att(0, 1, Acked), att(0, 2, Acked), att(3, 7, Acked)},
			rows:     keys(k(0, 1)),
			check: func(t *testing.T, r Report) {
				want(t, "OK", r.OK(), false)
				wantKeys(t, "Lost", r.Lost, k(0, 2), k(3, 7))
				want(t, "LostCancelled", r.LostCancelled, 0)
			},
		},
		{
			name:     "lost sync-cancelled commit is told apart",
			attempts: []Attempt{cancelled(att(0, 1, Acked)), cancelled(att(0, 2, Acked)), att(0, 3, Acked)},
			rows:     keys(k(0, 2)),
			check: func(t *testing.T, r Report) {
				want(t, "AckedCancelled", r.AckedCancelled, 2)
				wantKeys(t, "Lost", r.Lost, k(0, 1), k(0, 3))
				want(t, "LostCancelled", r.LostCancelled, 1)
			},
		},
		{
			name:     "row never attempted is phantom",
			attempts: []Attempt{att(0, 1, Acked)},
			rows:     keys(k(0, 1), k(0, 2), k(9, 1)),
			check: func(t *testing.T, r Report) {
				want(t, "OK", r.OK(), false)
				wantKeys(t, "Phantom", r.Phantom, k(0, 2), k(9, 1))
				want(t, "PhantomFailed", r.PhantomFailed, 0)
			},
		},
		{
			name:     "row of a definitely failed attempt is phantom",
			attempts: []Attempt{att(0, 1, Failed), att(0, 2, Acked)},
			rows:     keys(k(0, 1), k(0, 2)),
			check: func(t *testing.T, r Report) {
				wantKeys(t, "Phantom", r.Phantom, k(0, 1))
				want(t, "PhantomFailed", r.PhantomFailed, 1)
			},
		},
		{
			name:     "row twice is a duplicate",
			attempts: []Attempt{att(0, 1, Acked), att(0, 2, Acked)},
			rows:     keys(k(0, 1), k(0, 2), k(0, 2)),
			check: func(t *testing.T, r Report) {
				want(t, "OK", r.OK(), false)
				wantKeys(t, "Duplicates", r.Duplicates, k(0, 2))
				want(t, "Rows", r.Rows, 3)
				wantKeys(t, "Lost", r.Lost)
			},
		},
		{
			name: "unknowns are split by their rows, whatever their resolution",
			attempts: []Attempt{
				resolved(att(0, 1, Unknown), ResolvedCommitted),
				resolved(att(0, 2, Unknown), ResolvedAborted),
				resolved(att(0, 3, Unknown), ResolvedNotThere),
				resolved(att(0, 4, Unknown), ResolvedInProgress),
				att(0, 5, Unknown),
			},
			rows: keys(k(0, 1), k(0, 4)),
			check: func(t *testing.T, r Report) {
				want(t, "OK", r.OK(), true) // an unknown may go either way
				want(t, "Unknown", r.Unknown, 5)
				want(t, "UnknownCommitted", r.UnknownCommitted, 2)
				want(t, "UnknownAbsent", r.UnknownAbsent, 3)
				want(t, "Resolved", r.Resolved, ResolvedCounts{Committed: 1, Aborted: 1, NotThere: 1, InProgress: 1, Unresolved: 1})
				wantKeys(t, "Contradicted", r.Contradicted)
			},
		},
		{
			name: "resolutions the rows refute are contradicted",
			attempts: []Attempt{
				resolved(att(0, 1, Unknown), ResolvedCommitted), // xid reused by a later transaction
				resolved(att(0, 2, Unknown), ResolvedAborted),
				resolved(att(0, 3, Unknown), ResolvedNotThere),
			},
			rows: keys(k(0, 2), k(0, 3)),
			check: func(t *testing.T, r Report) {
				wantKeys(t, "Contradicted", r.Contradicted, k(0, 1), k(0, 2), k(0, 3))
				want(t, "OK", r.OK(), true)
			},
		},
		{
			name:     "empty",
			attempts: nil,
			rows:     nil,
			check: func(t *testing.T, r Report) {
				want(t, "OK", r.OK(), true)
				want(t, "Attempts", r.Attempts, 0)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, Analyze(tt.attempts, tt.rows))
		})
	}
}

func want[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantKeys(t *testing.T, what string, got []Key, want ...Key) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
