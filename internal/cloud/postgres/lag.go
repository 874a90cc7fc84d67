package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SlotLag is how far a read replica's slot is behind its primary's current WAL position.
type SlotLag struct {
	Slot   string
	Active bool // a walsender streams on it now
	// Bytes is the distance from the primary's current position to what the replica replayed (while it
	// streams), else to the slot's restart_lsn: the WAL the primary keeps for it.
	Bytes int64
}

// ReplicaSlotLags reads the lag of every read-replica slot (ReplicaSlotName) of the primary conn is
// connected to. A replica that is stopped or cut off still has its slot, so its lag keeps counting, as the
// service's physical_replication_delay_in_bytes does while replication is inactive.
func ReplicaSlotLags(ctx context.Context, conn *pgx.Conn) ([]SlotLag, error) {
	rows, err := conn.Query(ctx, `SELECT s.slot_name::text, s.active,
		coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), coalesce(r.replay_lsn, s.restart_lsn)), 0)::bigint
		FROM pg_replication_slots AS s LEFT JOIN pg_stat_replication AS r ON r.pid = s.active_pid
		WHERE s.slot_type = 'physical' AND starts_with(s.slot_name::text, $1) ORDER BY 1`, replicaSlotPrefix)
	if err != nil {
		return nil, fmt.Errorf("postgres: replica slot lags: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SlotLag, error) {
		var l SlotLag
		err := row.Scan(&l.Slot, &l.Active, &l.Bytes)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: replica slot lags: %w", err)
	}
	return out, nil
}

// ReplayLagSeconds is, on a standby, the seconds since the last transaction it replayed was committed on its
// primary: it grows while the primary commits nothing, as the service's read replica lag does. It is nil
// when the standby has replayed no transaction since it started (nothing to measure from).
func ReplayLagSeconds(ctx context.Context, conn *pgx.Conn) (*float64, error) {
	var secs *float64
	err := conn.QueryRow(ctx, `SELECT extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8`).Scan(&secs)
	if err != nil {
		return nil, fmt.Errorf("postgres: replay lag: %w", err)
	}
	if secs != nil && *secs < 0 {
		zero := 0.0 // the clocks of two containers on one machine agree; a tiny negative is rounding
		secs = &zero
	}
	return secs, nil
}
