package ledger

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Report is the checker's verdict on one run: what clients were told, set against what the table holds.
type Report struct {
	RunID    string
	Writers  int
	Duration time.Duration // from the start of the run to Stop

	Attempts, Acked, Failed, Unknown int
	// AckedCancelled counts acked attempts whose COMMIT came with the cancelled-sync-wait warning.
	AckedCancelled int
	// Rows is how many rows of the run the table holds, duplicates included.
	Rows int

	// Lost are acked attempts whose row is missing (BAR-D1: must be empty).
	Lost []Key
	// LostCancelled is how many of Lost were sync-cancelled commits: the loss PostgreSQL warned of
	// (reference §6.2, BAR-D4), told apart from loss nobody was warned of.
	LostCancelled int
	// Phantom are rows that should not exist: never attempted, or attempted and definitely failed.
	Phantom []Key
	// PhantomFailed is how many of Phantom were attempted and failed (the rest were never attempted).
	PhantomFailed int
	// Duplicates are keys the table holds more than once (the primary key forbids it, so any would mean a
	// broken index or a merged history).
	Duplicates []Key

	// UnknownCommitted and UnknownAbsent split the unknown attempts by whether their row exists, which
	// for this workload is the truth about them: each row can only come from its own attempt.
	UnknownCommitted, UnknownAbsent int
	// Resolved counts the unknown attempts by what pg_xact_status said (see Resolve).
	Resolved ResolvedCounts
	// Contradicted are unknown attempts whose resolution disagrees with the table: resolved committed
	// with no row, or aborted or not-there with a row. After a failover the first is expected now and then,
	// because the new primary may have given the lost transaction's ID to a later transaction; it shows
	// how far a client that can only ask pg_xact_status would be misled. Not part of OK.
	Contradicted []Key

	// Gaps are the write gaps of the run's faults, GapStats their summary.
	Gaps     []Gap
	GapStats Stats

	// Connects and ConnectFailures count the writers' connection attempts.
	Connects, ConnectFailures int
}

// ResolvedCounts counts unknown attempts by Resolution.
type ResolvedCounts struct {
	Committed, Aborted, NotThere, InProgress, Unresolved int
}

func (c *ResolvedCounts) add(r Resolution) {
	switch r {
	case ResolvedCommitted:
		c.Committed++
	case ResolvedAborted:
		c.Aborted++
	case ResolvedNotThere:
		c.NotThere++
	case ResolvedInProgress:
		c.InProgress++
	default:
		c.Unresolved++
	}
}

// OK reports whether the run kept every promise: nothing acknowledged was lost, nothing failed or
// unattempted appeared, and nothing appeared twice.
func (r Report) OK() bool {
	return len(r.Lost) == 0 && len(r.Phantom) == 0 && len(r.Duplicates) == 0
}

// Analyze is the checker's core: it compares the attempts with the keys of the rows found (one entry per
// row, so duplicates show). It fills the counts and anomaly lists of the Report, each list sorted by key;
// the run's identity, duration, gaps and connection counts are left for the caller.
func Analyze(attempts []Attempt, rows []Key) Report {
	var r Report
	present := make(map[Key]int, len(rows))
	for _, k := range rows {
		present[k]++
	}
	r.Rows = len(rows)
	attempted := make(map[Key]bool, len(attempts))
	for _, a := range attempts {
		attempted[a.Key] = true
		r.Attempts++
		found := present[a.Key] > 0
		switch a.Outcome {
		case Acked:
			r.Acked++
			if a.SyncCancelled {
				r.AckedCancelled++
			}
			if !found {
				r.Lost = append(r.Lost, a.Key)
				if a.SyncCancelled {
					r.LostCancelled++
				}
			}
		case Failed:
			r.Failed++
			if found {
				r.Phantom = append(r.Phantom, a.Key)
				r.PhantomFailed++
			}
		case Unknown:
			r.Unknown++
			if found {
				r.UnknownCommitted++
			} else {
				r.UnknownAbsent++
			}
			r.Resolved.add(a.Resolution)
			if contradicts(a.Resolution, found) {
				r.Contradicted = append(r.Contradicted, a.Key)
			}
		}
	}
	for k, n := range present {
		if !attempted[k] {
			r.Phantom = append(r.Phantom, k)
		}
		if n > 1 {
			r.Duplicates = append(r.Duplicates, k)
		}
	}
	for _, keys := range [][]Key{r.Lost, r.Phantom, r.Duplicates, r.Contradicted} {
		slices.SortFunc(keys, compareKeys)
	}
	return r
}

// contradicts reports whether an unknown attempt's resolution disagrees with the presence of its row.
// In progress and unresolved claim nothing.
func contradicts(res Resolution, found bool) bool {
	switch res {
	case ResolvedCommitted:
		return !found
	case ResolvedAborted, ResolvedNotThere:
		return found
	}
	return false
}

func compareKeys(a, b Key) int {
	return cmp.Or(cmp.Compare(a.Writer, b.Writer), cmp.Compare(a.Seq, b.Seq))
}

// Check reads the run's rows from the server dsn reaches (after a failover: the new primary) and returns
// the Report, with the write gaps of the marked faults. Call Resolve first to have the unknown attempts'
// resolutions in it.
func (l *Ledger) Check(ctx context.Context, dsn string) (Report, error) {
	attempts, faults, stopped, err := l.finished()
	if err != nil {
		return Report{}, err
	}
	rows, err := l.readRows(ctx, dsn)
	if err != nil {
		return Report{}, err
	}
	r := Analyze(attempts, rows)
	r.RunID = l.runID
	r.Writers = l.cfg.Writers
	r.Duration = stopped - l.started
	r.Gaps = WriteGaps(attempts, faults, l.started, stopped)
	r.GapStats = GapStats(r.Gaps)
	r.Connects = int(l.connects.Load())
	r.ConnectFailures = int(l.connectFailures.Load())
	return r, nil
}

// finished returns the records of a stopped run, or ErrRunning.
func (l *Ledger) finished() ([]Attempt, []Fault, time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		return nil, nil, 0, ErrRunning
	}
	return slices.Clone(l.attempts), slices.Clone(l.faults), l.stopped, nil
}

func (l *Ledger) readRows(ctx context.Context, dsn string) ([]Key, error) {
	conn, err := l.dial(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `SELECT writer, seq FROM `+l.table+` WHERE run = $1`, l.runID)
	if err != nil {
		return nil, fmt.Errorf("ledger: read rows: %w", err)
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Key, error) {
		var k Key
		err := row.Scan(&k.Writer, &k.Seq)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: read rows: %w", err)
	}
	return keys, nil
}

// dial opens one session for the checker or the resolver.
func (l *Ledger) dial(ctx context.Context, dsn string) (*pgx.Conn, error) {
	cfg, err := connConfig(dsn, l.cfg.ConnectTimeout, WriterApplicationName)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("ledger: connect: %w", err)
	}
	return conn, nil
}
