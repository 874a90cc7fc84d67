package ledger

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// claimsUnsent stands for pgconn's errors that claim nothing reached the server; during COMMIT pgx may
// report a lost reply that way (see classify).
type claimsUnsent struct{}

func (claimsUnsent) Error() string     { return "conn closed" }
func (claimsUnsent) SafeToRetry() bool { return true }

func TestClassify(t *testing.T) {
	serialization := &pgconn.PgError{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "40001"}
	translated := &pgconn.PgError{Severity: "ERREUR", SeverityUnlocalized: "ERROR", Code: "40001"}
	shutdown := &pgconn.PgError{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: "57P01"}
	tests := []struct {
		name  string
		phase phase
		err   error
		want  Outcome
	}{
		{"commit succeeded", inCommit, nil, Acked},
		{"connection lost before commit", beforeCommit, io.ErrUnexpectedEOF, Failed},
		{"insert refused", beforeCommit, &pgconn.PgError{Severity: "ERROR", Code: "25006"}, Failed},
		{"timeout before commit", beforeCommit, context.DeadlineExceeded, Failed},
		{"commit said to be unsent", inCommit, fmt.Errorf("commit: %w", claimsUnsent{}), Unknown},
		{"commit answered rollback", inCommit, pgx.ErrTxCommitRollback, Failed},
		{"commit answered an error", inCommit, fmt.Errorf("commit: %w", serialization), Failed},
		{"commit error in another language", inCommit, translated, Failed},
		{"connection lost during commit", inCommit, io.ErrUnexpectedEOF, Unknown},
		{"timeout during commit", inCommit, context.DeadlineExceeded, Unknown},
		{"fatal during commit", inCommit, shutdown, Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.phase, tt.err); got != tt.want {
				t.Errorf("classify(%v, %v) = %v, want %v", tt.phase, tt.err, got, tt.want)
			}
		})
	}
}

func TestIsSyncCancel(t *testing.T) {
	const detail = "The transaction has already committed locally, but might not have been replicated to the standby."
	tests := []struct {
		name   string
		notice pgconn.Notice
		want   bool
	}{
		{"cancelled sync wait", pgconn.Notice{Severity: "WARNING", Code: "01000",
			Message: "canceling wait for synchronous replication due to user request", Detail: detail}, true},
		{"terminated sync wait (never reaches the client, but must not count as cancel)", pgconn.Notice{Severity: "WARNING", Code: "57P01",
			Message: "canceling the wait for synchronous replication and terminating connection due to administrator command", Detail: detail}, false},
		{"other warning", pgconn.Notice{Severity: "WARNING", Code: "01000", Message: "there is no transaction in progress"}, false},
		{"same text, other code", pgconn.Notice{Severity: "NOTICE", Code: "00000", Message: "canceling wait for synchronous replication"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isSyncCancel(&tt.notice); got != tt.want {
				t.Errorf("isSyncCancel(%q, %s) = %v, want %v", tt.notice.Message, tt.notice.Code, got, tt.want)
			}
		})
	}
}

func TestOutcomeNames(t *testing.T) {
	for o, want := range map[Outcome]string{Acked: "acked", Failed: "failed", Unknown: "unknown", 0: "Outcome(0)"} {
		if o.String() != want {
			t.Errorf("Outcome %d = %q, want %q", int(o), o, want)
		}
	}
}
