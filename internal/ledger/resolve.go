package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// pg_xact_status raises invalid_parameter_value for a transaction ID beyond the server's next ID ("is in
// the future", src/backend/utils/adt/xid8funcs.c); the code is generic, but the only parameter of the
// query Resolve sends is that ID, so here it can mean nothing else. A server promoted before the attempt's
// transaction reached it answers exactly that.
const codeInvalidParameterValue = "22023"

// Resolve asks the server dsn reaches (after a failover: the new primary) what became of every unknown
// attempt's transaction, by pg_xact_status (BAR-D3), and records the answers in the attempts. It returns
// the counts over all unknown attempts. A failure to connect or to ask returns an error (the first); an
// attempt whose lookup failed keeps the resolution it had, so a later call may retry it.
//
// The answer is about a transaction ID on that server, not about the attempt: a new primary that never saw
// the attempt's transaction reuses its ID for a later one, and then reports that one's fate. Check therefore
// sets the resolutions against the rows and lists the disagreements (Report.Contradicted).
func (l *Ledger) Resolve(ctx context.Context, dsn string) (ResolvedCounts, error) {
	if _, _, _, err := l.finished(); err != nil {
		return ResolvedCounts{}, err
	}
	conn, err := l.dial(ctx, dsn)
	if err != nil {
		return ResolvedCounts{}, err
	}
	defer conn.Close(context.Background())

	l.mu.Lock()
	defer l.mu.Unlock()
	var counts ResolvedCounts
	var firstErr error
	for i := range l.attempts {
		a := &l.attempts[i]
		if a.Outcome != Unknown {
			continue
		}
		// Once the session is gone the rest stay as they were; an error on one ID does not stop the others.
		if a.Xid != "" && !conn.IsClosed() {
			var status *string
			err := conn.QueryRow(ctx, `SELECT pg_xact_status($1::xid8)`, a.Xid).Scan(&status)
			res, err := resolution(status, err)
			if err == nil {
				a.Resolution = res
			} else if firstErr == nil {
				firstErr = fmt.Errorf("ledger: resolve %s (xid %s): %w", a.Key, a.Xid, err)
			}
		}
		counts.add(a.Resolution)
	}
	return counts, firstErr
}

// resolution maps pg_xact_status's answer (NULL as nil) or error to a Resolution; an error it cannot
// interpret is returned with Unresolved.
func resolution(status *string, err error) (Resolution, error) {
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == codeInvalidParameterValue:
		return ResolvedNotThere, nil
	case err != nil:
		return Unresolved, err
	case status == nil:
		// NULL: the ID is older than the oldest status the server keeps (wraparound horizon), or a
		// special ID; either way the server cannot say it committed there.
		return ResolvedNotThere, nil
	}
	switch *status {
	case "committed":
		return ResolvedCommitted, nil
	case "aborted":
		return ResolvedAborted, nil
	case "in progress":
		return ResolvedInProgress, nil
	}
	return Unresolved, fmt.Errorf("unexpected pg_xact_status %q", *status)
}
