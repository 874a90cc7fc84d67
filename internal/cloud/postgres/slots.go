package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// slotPrefix marks the physical slots the cloud keeps for its HA standbys, so they are told apart from slots
// users create for logical replication.
const slotPrefix = "flexpg_ha_"

// SQLSTATEs the slot functions answer with.
const (
	sqlStateDuplicateObject = "42710" // the slot exists already
	sqlStateUndefinedObject = "42704" // no such slot
	sqlStateObjectInUse     = "55006" // a walsender still holds the slot
)

// slotRetry is the pause between attempts to drop a slot whose walsender is still exiting.
const slotRetry = 20 * time.Millisecond

// SlotName is the name of the primary's physical slot for the standby instance instance (an ID of lowercase
// letters, digits and underscores). PostgreSQL allows only those characters in a slot name, and at most 63 of
// them, so a too long or otherwise unusable instance ID is an error rather than a silently different slot.
func SlotName(instance string) (string, error) {
	if instance == "" {
		return "", errors.New("postgres: empty instance name for a slot")
	}
	name := slotPrefix + instance
	if err := checkSlotName(name); err != nil {
		return "", err
	}
	return name, nil
}

// replicaSlotPrefix marks the physical slots a primary keeps for its read replicas.
const replicaSlotPrefix = "flexpg_rr_"

// ReplicaSlotName is the name of the slot a primary keeps for the read replica server: the server name with
// its hyphens as underscores. A name too long for a slot keeps its start and gets a hash of the whole name,
// so two long names never share a slot.
func ReplicaSlotName(server string) (string, error) {
	if server == "" {
		return "", errors.New("postgres: empty server name for a replica slot")
	}
	name := replicaSlotPrefix + strings.ReplaceAll(server, "-", "_")
	if len(name) > maxIdentifierLen {
		sum := sha256.Sum256([]byte(server))
		suffix := "_" + hex.EncodeToString(sum[:4])
		name = name[:maxIdentifierLen-len(suffix)] + suffix
	}
	if err := checkSlotName(name); err != nil {
		return "", err
	}
	return name, nil
}

func checkSlotName(name string) error { return checkSimpleName("replication slot name", name) }

// EnsurePhysicalSlot creates the physical slot if it does not exist. It reserves WAL at once (the second
// argument of pg_create_physical_replication_slot): the slot protects WAL from the moment it exists, not only
// from the standby's first connection, so a base backup or a rewound standby that connects later still finds
// what it needs. A slot of that name that is not physical is an error.
func EnsurePhysicalSlot(ctx context.Context, conn *pgx.Conn, slot string) error {
	if err := checkSlotName(slot); err != nil {
		return err
	}
	physical, found, err := slotKind(ctx, conn, slot)
	if err != nil || (found && physical) {
		return err
	}
	if found {
		return fmt.Errorf("postgres: replication slot %q exists and is not physical", slot)
	}
	_, err = conn.Exec(ctx, "SELECT pg_create_physical_replication_slot($1, true)", slot)
	if sqlState(err) == sqlStateDuplicateObject {
		return EnsurePhysicalSlot(ctx, conn, slot) // created meanwhile by another session: check its kind
	}
	if err != nil {
		return fmt.Errorf("postgres: create replication slot %q: %w", slot, err)
	}
	return nil
}

// DropPhysicalSlot drops the physical slot if it exists, so the primary stops keeping WAL for a standby that
// is gone. A slot still in use by a walsender cannot be dropped, so that walsender is terminated first (it only
// feeds the standby; commits waiting for the standby keep waiting) and the drop is retried until ctx ends.
// The caller stops the standby first, or it reconnects and takes the slot again.
func DropPhysicalSlot(ctx context.Context, conn *pgx.Conn, slot string) error {
	if err := checkSlotName(slot); err != nil {
		return err
	}
	for {
		physical, found, err := slotKind(ctx, conn, slot)
		if err != nil || !found {
			return err
		}
		if !physical {
			return fmt.Errorf("postgres: replication slot %q is not physical; not dropping it", slot)
		}
		_, err = conn.Exec(ctx, `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots
			WHERE slot_name = $1 AND active_pid IS NOT NULL`, slot)
		if err != nil {
			return fmt.Errorf("postgres: end the walsender of slot %q: %w", slot, err)
		}
		_, err = conn.Exec(ctx, "SELECT pg_drop_replication_slot($1)", slot)
		if err == nil {
			return nil
		}
		switch sqlState(err) {
		case sqlStateUndefinedObject:
			return nil // dropped meanwhile
		case sqlStateObjectInUse:
			if err := sleepCtx(ctx, slotRetry); err != nil {
				return fmt.Errorf("postgres: drop replication slot %q: still in use: %w", slot, err)
			}
		default:
			return fmt.Errorf("postgres: drop replication slot %q: %w", slot, err)
		}
	}
}

// slotKind reports whether the slot exists and whether it is physical.
func slotKind(ctx context.Context, conn *pgx.Conn, slot string) (physical, found bool, err error) {
	var kind string
	err = conn.QueryRow(ctx, "SELECT slot_type FROM pg_replication_slots WHERE slot_name = $1", slot).Scan(&kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("postgres: look up replication slot %q: %w", slot, err)
	}
	return kind == "physical", true, nil
}

// sqlState is the SQLSTATE of a server error, "" for no error or one that did not come from the server.
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// sleepCtx waits d or until ctx ends, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
