package ledger

import (
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestResolution(t *testing.T) {
	str := func(s string) *string { return &s }
	future := &pgconn.PgError{Severity: "ERROR", Code: "22023", Message: "transaction ID 99999999 is in the future"}
	tests := []struct {
		name    string
		status  *string
		err     error
		want    Resolution
		wantErr bool
	}{
		{"committed", str("committed"), nil, ResolvedCommitted, false},
		{"aborted", str("aborted"), nil, ResolvedAborted, false},
		{"in progress", str("in progress"), nil, ResolvedInProgress, false},
		{"NULL: status no longer kept", nil, nil, ResolvedNotThere, false},
		{"in the future", nil, fmt.Errorf("query: %w", future), ResolvedNotThere, false},
		{"other server error", nil, &pgconn.PgError{Severity: "ERROR", Code: "42883"}, Unresolved, true},
		{"connection lost", nil, io.ErrUnexpectedEOF, Unresolved, true},
		{"unexpected status", str("sideways"), nil, Unresolved, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolution(tt.status, tt.err)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("resolution = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
