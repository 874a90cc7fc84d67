package ledger

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Key names one ledger row: the writer that attempted it and that writer's sequence number. Every attempt
// takes a fresh Seq, so a key is attempted at most once and a retry can never be mistaken for the original.
type Key struct {
	Writer int
	Seq    int64
}

func (k Key) String() string { return fmt.Sprintf("w%d/s%d", k.Writer, k.Seq) }

// Outcome is what the client was told about an attempt. Jepsen's lesson (reference §5.1, §6.3): a COMMIT
// whose reply is lost is neither ok nor failed, so the model keeps a third value instead of guessing.
type Outcome int

const (
	// Acked means COMMIT returned success: the row must survive every fault.
	Acked Outcome = iota + 1
	// Failed means the attempt ended before COMMIT was sent, or the server answered COMMIT with an
	// ERROR: the row must not exist.
	Failed
	// Unknown means COMMIT was sent and no verdict came back (connection lost, timeout, FATAL): the row
	// may or may not exist, and Resolve asks the server which.
	Unknown
)

func (o Outcome) String() string {
	switch o {
	case Acked:
		return "acked"
	case Failed:
		return "failed"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Resolution is what pg_xact_status said of an unknown attempt's transaction on the server Resolve asked.
// It complements the outcome rather than replacing it: the client still did not know.
type Resolution int

const (
	// Unresolved: not looked up yet, or the lookup failed.
	Unresolved Resolution = iota
	// ResolvedCommitted: the transaction committed there (acknowledged late).
	ResolvedCommitted
	// ResolvedAborted: the server knows the transaction and it did not commit.
	ResolvedAborted
	// ResolvedNotThere: the server has never seen that transaction ID (it lies in its future) or no longer
	// keeps its status: it was not committed there.
	ResolvedNotThere
	// ResolvedInProgress: a transaction with that ID is running there. After a failover that can only be
	// another transaction that reused the ID, so the answer says nothing about the attempt.
	ResolvedInProgress
)

func (r Resolution) String() string {
	switch r {
	case Unresolved:
		return "unresolved"
	case ResolvedCommitted:
		return "committed"
	case ResolvedAborted:
		return "aborted"
	case ResolvedNotThere:
		return "not-there"
	case ResolvedInProgress:
		return "in-progress"
	}
	return fmt.Sprintf("Resolution(%d)", int(r))
}

// Attempt is one transaction a writer tried: insert row Key, then COMMIT.
type Attempt struct {
	Key
	// Xid is pg_current_xact_id() of the attempt's transaction, read before COMMIT was sent; empty when
	// the INSERT did not return (the attempt then failed before COMMIT).
	Xid string
	// Start and End are on the ledger's Clock: just before BEGIN, and when COMMIT (or the error) returned.
	Start, End time.Duration
	Outcome    Outcome
	// SyncCancelled is set when PostgreSQL sent the warning that it cancelled the wait for synchronous
	// replication during this attempt's COMMIT: the commit is local and "might not have been replicated".
	// On an Acked attempt it marks an acknowledged commit a failover may lose (reference §6.2, BAR-D4).
	SyncCancelled bool
	// Err is why the attempt failed or is unknown; nil when acked.
	Err error
	// Resolution is set by Resolve on Unknown attempts.
	Resolution Resolution
}

// phase is how far an attempt got before it ended, which decides what an error means.
type phase int

const (
	beforeCommit phase = iota // BEGIN or INSERT: nothing can have committed
	inCommit                  // COMMIT was being sent or awaited
)

// classify turns the end of an attempt into its outcome. The rules (reference §6.2, §6.3):
//   - no error: acked, whatever warnings came with it;
//   - an error before COMMIT: failed, because a transaction that never reached COMMIT is rolled back when
//     its session ends;
//   - an error during COMMIT: failed only when the server's answer proves COMMIT did not take effect: it
//     answered ROLLBACK, or an ERROR (PostgreSQL's contract: an ERROR to COMMIT means the transaction
//     rolled back, and the session lives on). A FATAL or PANIC ends the session with the commit's fate
//     undecided, and a lost connection or a timeout tells nothing: unknown.
//
// pgconn.SafeToRetry is deliberately not trusted here. With pgx v5.12, a connection lost while COMMIT's
// reply is awaited can surface as "conn closed", an error that claims nothing was sent: the reader's
// first peek swallows the read error and closes the connection, and the next read then reports the closed
// connection as if it were refused up front (seen in this package's Docker test, with every writer
// waiting in COMMIT when the server was killed; those commits were durable). A COMMIT that really was
// never sent is therefore recorded as unknown too, the safe side: Resolve and Check then find it absent.
func classify(p phase, err error) Outcome {
	if err == nil {
		return Acked
	}
	if p == beforeCommit || errors.Is(err, pgx.ErrTxCommitRollback) {
		return Failed
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && severity(pgErr) == "ERROR" {
		return Failed
	}
	return Unknown
}

// severity prefers the unlocalised severity (sent since PostgreSQL 9.6), so a server with translated
// messages is read the same way.
func severity(e *pgconn.PgError) string {
	if e.SeverityUnlocalized != "" {
		return e.SeverityUnlocalized
	}
	return e.Severity
}

// The warning a backend sends when a query cancel ends its wait for synchronous replication
// (src/backend/replication/syncrep.c, SyncRepWaitForLSN): "canceling wait for synchronous replication due
// to user request", with the detail that the transaction "has already committed locally". It carries no
// SQLSTATE of its own, so it gets the WARNING default 01000, which many other warnings share; the message
// is the only thing that tells it apart, hence the one match on message text in this package. The prefix
// leaves out "due to user request" so that rewordings of the reason still match; it relies on the server's
// lc_messages being English (the cloud's images run with C.UTF-8). The sibling warning for a terminate
// ("canceling the wait ... and terminating connection", 57P01) is never seen by the client: the backend
// stops sending output and the connection closes, which makes the attempt Unknown.
const (
	syncCancelCode          = "01000"
	syncCancelMessagePrefix = "canceling wait for synchronous replication"
)

// isSyncCancel reports whether a notice is the cancelled-sync-wait warning.
func isSyncCancel(n *pgconn.Notice) bool {
	return n.Code == syncCancelCode && strings.HasPrefix(n.Message, syncCancelMessagePrefix)
}
