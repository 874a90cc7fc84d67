package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The cloud never cancels a query (pg_cancel_backend, a protocol cancel request): a commit waiting for the
// synchronous standby that is cancelled returns success although the standby may not have its WAL, which is
// exactly the loss HA promises not to have (ha-reliability §6.2, BAR-D4). Fencing and role changes terminate
// sessions or shut the server down instead; a terminated waiter's client gets no acknowledgement. pgx would
// send a cancel request by itself when a query's context ends; the package's sessions cannot (sessionDialsOnly).

// ErrPromotionPending is returned by Promote when the server has not finished promotion within the wait;
// promotion goes on, and InstanceStatus shows when it is done.
var ErrPromotionPending = errors.New("postgres: promotion not finished within the wait")

// Promote makes the standby conn is connected to a primary (pg_promote) and waits up to wait (rounded up to
// whole seconds, at least one) for it to leave recovery. The standby stops streaming, ends recovery where
// its WAL ends and switches to a new timeline. A server that is not in recovery is already a primary, so
// Promote returns nil for it: a resumed operation may repeat it.
func Promote(ctx context.Context, conn *pgx.Conn, wait time.Duration) error {
	var inRecovery bool
	if err := conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil {
		return fmt.Errorf("postgres: promote: %w", err)
	}
	if !inRecovery {
		return nil
	}
	// pg_promote(false) only signals the promotion; the wait is a loop of short statements. A single
	// pg_promote(true, ...) would hold a snapshot for the whole wait, and the WAL the standby replays before
	// it ends recovery (all of it, when replay was paused) can conflict with that snapshot and cancel the
	// statement after max_standby_streaming_delay.
	var signalled bool
	if err := conn.QueryRow(ctx, "SELECT pg_promote(false)").Scan(&signalled); err != nil {
		return fmt.Errorf("postgres: promote: %w", err)
	}
	deadline := time.Now().Add(max(wait, time.Second))
	pause := replayPollFirst
	for {
		if err := conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil {
			return fmt.Errorf("postgres: promote: %w", err)
		}
		if !inRecovery {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w (%s)", ErrPromotionPending, wait)
		}
		if err := sleepCtx(ctx, pause); err != nil {
			return fmt.Errorf("postgres: promote: %w", err)
		}
		pause = min(2*pause, replayPollMax)
	}
}

// TerminateClientBackends ends every client session except the cloud's own (the management role, whatever
// application_name a client claims, which users can set freely) and returns how many it ended. Walsenders and
// background workers are not client backends and keep running. After a role change the old primary's
// clients must reconnect, through the endpoint, to the new one; a session stuck waiting for a synchronous
// standby is ended this way too, never cancelled (see above).
func TerminateClientBackends(ctx context.Context, conn *pgx.Conn) (int, error) {
	var n int
	err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
		AND (usename IS NULL OR usename <> $1)`, ManagementRole).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: terminate client sessions: %w", err)
	}
	return n, nil
}

// Checkpoint runs CHECKPOINT: before a planned switchover, so the old primary's shutdown has little to write
// and the standby little to replay (ha-reliability §1.4). RewindCommand checkpoints its source itself.
func Checkpoint(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, "CHECKPOINT"); err != nil {
		return fmt.Errorf("postgres: checkpoint: %w", err)
	}
	return nil
}
