package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Replica is one row of a primary's pg_stat_replication: a connected standby (or a running pg_basebackup).
type Replica struct {
	ApplicationName string
	// ClientAddr is where the standby connects from; invalid for a connection over the local socket.
	ClientAddr netip.Addr
	// State is startup, catchup, streaming, backup or stopping.
	State string
	// SyncState is async, potential, sync or quorum: sync means commits wait for this standby.
	SyncState string
	// The standby's positions as it last reported them: WAL sent to it, written, flushed (what a synchronous
	// commit waits for) and replayed. Zero when not known yet.
	Sent, Write, Flush, Replay LSN
}

// ReplicationStatus returns the standbys connected to a primary, by application name, and the primary's
// current WAL position, read after them (so current minus a replica's flush position bounds its lag from
// above). conn must be a primary: pg_current_wal_lsn fails during recovery.
func ReplicationStatus(ctx context.Context, conn *pgx.Conn) ([]Replica, LSN, error) {
	rows, err := conn.Query(ctx, `SELECT application_name, host(client_addr), state, sync_state,
		sent_lsn::text, write_lsn::text, flush_lsn::text, replay_lsn::text
		FROM pg_stat_replication ORDER BY application_name, pid`)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: replication status: %w", err)
	}
	replicas, err := pgx.CollectRows(rows, scanReplica)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: replication status: %w", err)
	}
	var current string
	if err := conn.QueryRow(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&current); err != nil {
		return nil, 0, fmt.Errorf("postgres: current WAL position: %w", err)
	}
	lsn, err := ParseLSN(current)
	if err != nil {
		return nil, 0, err
	}
	return replicas, lsn, nil
}

func scanReplica(row pgx.CollectableRow) (Replica, error) {
	var r Replica
	var addr, state, syncState *string
	var lsns [4]*string
	if err := row.Scan(&r.ApplicationName, &addr, &state, &syncState, &lsns[0], &lsns[1], &lsns[2], &lsns[3]); err != nil {
		return r, err
	}
	if addr != nil {
		a, err := netip.ParseAddr(*addr)
		if err != nil {
			return r, fmt.Errorf("client address %q: %w", *addr, err)
		}
		r.ClientAddr = a
	}
	r.State, r.SyncState = deref(state), deref(syncState)
	for i, dst := range []*LSN{&r.Sent, &r.Write, &r.Flush, &r.Replay} {
		v, err := parseNullLSN(lsns[i])
		if err != nil {
			return r, err
		}
		*dst = v
	}
	return r, nil
}

// Status is what one instance says about itself.
type Status struct {
	// InRecovery is true on a standby (pg_is_in_recovery), false on a primary.
	InRecovery bool
	// Timeline is the instance's timeline: on a primary the one it writes; on a standby the one its WAL
	// receiver last received on, or, with no WAL receiver, the timeline of its last restartpoint. A
	// promotion moves the promoted instance to a new timeline.
	Timeline uint32
	// CurrentLSN is a primary's current WAL write position; zero on a standby.
	CurrentLSN LSN
	// ReceiveLSN is the last WAL position a standby received and flushed from its primary, ReplayLSN the
	// last it applied; zero when not known (a primary, or a standby that never streamed).
	ReceiveLSN, ReplayLSN LSN
	// Receiver is the WAL receiver's status (pg_stat_wal_receiver.status: streaming, starting, waiting, ...),
	// empty when none runs.
	Receiver string
}

// InstanceStatus reads the role, timeline and WAL positions of the instance conn is connected to.
func InstanceStatus(ctx context.Context, conn *pgx.Conn) (Status, error) {
	var st Status
	if err := conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&st.InRecovery); err != nil {
		return st, fmt.Errorf("postgres: instance status: %w", err)
	}
	if !st.InRecovery {
		// The WAL file name starts with the timeline the server inserts WAL on; pg_control_checkpoint would
		// still show the old one until the first checkpoint after a promotion.
		var walfile, current string
		err := conn.QueryRow(ctx, "SELECT pg_walfile_name(l), l::text FROM pg_current_wal_lsn() AS l").Scan(&walfile, &current)
		if err != nil {
			return st, fmt.Errorf("postgres: instance status: %w", err)
		}
		if st.CurrentLSN, err = ParseLSN(current); err != nil {
			return st, err
		}
		if st.Timeline, err = walfileTimeline(walfile); err != nil {
			return st, err
		}
		return st, nil
	}
	var receive, replay, receiver *string
	var receivedTLI *int64
	var checkpointTLI int64
	err := conn.QueryRow(ctx, `SELECT pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text,
		r.status, r.received_tli, c.timeline_id
		FROM pg_control_checkpoint() AS c LEFT JOIN pg_stat_wal_receiver AS r ON true`).
		Scan(&receive, &replay, &receiver, &receivedTLI, &checkpointTLI)
	if err != nil {
		return st, fmt.Errorf("postgres: instance status: %w", err)
	}
	if st.ReceiveLSN, err = parseNullLSN(receive); err != nil {
		return st, err
	}
	if st.ReplayLSN, err = parseNullLSN(replay); err != nil {
		return st, err
	}
	st.Receiver = deref(receiver)
	tli := checkpointTLI
	if receivedTLI != nil && *receivedTLI > 0 {
		tli = *receivedTLI
	}
	st.Timeline = uint32(tli)
	return st, nil
}

// walfileTimeline reads the timeline from a WAL file name: its first 8 of 24 hexadecimal digits.
func walfileTimeline(name string) (uint32, error) {
	if len(name) != 24 {
		return 0, fmt.Errorf("postgres: WAL file name %q is not 24 characters", name)
	}
	tli, err := strconv.ParseUint(name[:8], 16, 32)
	if err != nil {
		return 0, fmt.Errorf("postgres: WAL file name %q: %w", name, err)
	}
	return uint32(tli), nil
}

// replayPoll bounds the pause between two looks at a standby's replay position: short, since a caller waits
// for a standby that is usually only milliseconds behind (a switchover, a test reading its writes back).
const (
	replayPollFirst = 5 * time.Millisecond
	replayPollMax   = 100 * time.Millisecond
)

// WaitReplayed waits until the standby conn is connected to has replayed WAL up to lsn, so what was committed
// on the primary up to there is visible on it. The wait ends with ctx; a server that is not in recovery (and
// never was) is an error at once.
func WaitReplayed(ctx context.Context, conn *pgx.Conn, lsn LSN) error {
	pause := replayPollFirst
	for {
		var replay *string
		if err := conn.QueryRow(ctx, "SELECT pg_last_wal_replay_lsn()::text").Scan(&replay); err != nil {
			return fmt.Errorf("postgres: replay position: %w", err)
		}
		if replay == nil {
			return errors.New("postgres: wait for replay: the server is not a standby")
		}
		got, err := ParseLSN(*replay)
		if err != nil {
			return err
		}
		if got >= lsn {
			return nil
		}
		if err := sleepCtx(ctx, pause); err != nil {
			return fmt.Errorf("postgres: wait for replay of %s (at %s): %w", lsn, got, err)
		}
		pause = min(2*pause, replayPollMax)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
