package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ReplicationRole is the role a standby streams WAL as, and that pg_basebackup and pg_rewind use to copy a
// primary. It has LOGIN REPLICATION and no password: it authenticates only by a client certificate from the
// cloud's CA with CN=replication, from the addresses in HBAInput.ReplicationSources (reservedRoles keeps the
// name from ever being an admin login).
const ReplicationRole = "replication"

// replicationAttributes: a physical standby needs REPLICATION and nothing else. PASSWORD NULL removes any
// password someone may have set, so a certificate stays the only way in even if pg_hba were wrong. INHERIT,
// because CHECKPOINT checks the privileges of pg_checkpoint, which only an inheriting member has.
const replicationAttributes = "LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT PASSWORD NULL"

// rewindGrants are what pg_rewind needs from a source server when it does not connect as a superuser
// (PostgreSQL 15 and 17 documentation of pg_rewind, Notes): it lists the data directory, stats and reads files
// through these functions. Function privileges belong to one database, so they must be granted in the
// database pg_rewind connects to, ManagementDatabase.
var rewindGrants = []string{
	"pg_catalog.pg_ls_dir(text, boolean, boolean)",
	"pg_catalog.pg_stat_file(text, boolean)",
	"pg_catalog.pg_read_binary_file(text)",
	"pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)",
}

// checkpointRole lets ReplicationRole run CHECKPOINT (predefined since PostgreSQL 15). RewindCommand
// checkpoints the source first: on 15, pg_rewind reads the source's timeline from its control file, which a
// promotion updates only at the next checkpoint, and would otherwise find "no rewind required".
const checkpointRole = "pg_checkpoint"

// EnsureReplicationRole creates ReplicationRole, or resets its attributes, and grants it what a non-superuser
// pg_rewind source needs. conn must be a management connection of the primary (the role and grants then reach
// every standby through WAL) in ManagementDatabase, where the grants are needed. It is idempotent and runs in
// one transaction, so a resumed operation can repeat it.
func EnsureReplicationRole(ctx context.Context, conn *pgx.Conn) error {
	role, _ := ident("role", ReplicationRole)
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var db string
		if err := tx.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil {
			return fmt.Errorf("postgres: replication role: %w", err)
		}
		if db != ManagementDatabase {
			return fmt.Errorf("postgres: replication role: connected to database %q, the rewind grants belong in %q",
				db, ManagementDatabase)
		}
		exists, err := roleExists(ctx, tx, ReplicationRole)
		if err != nil {
			return err
		}
		verb := "CREATE"
		if exists {
			verb = "ALTER"
		}
		stmts := []string{verb + " ROLE " + role + " " + replicationAttributes,
			"GRANT " + checkpointRole + " TO " + role}
		for _, fn := range rewindGrants {
			stmts = append(stmts, "GRANT EXECUTE ON FUNCTION "+fn+" TO "+role)
		}
		for _, stmt := range stmts {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("postgres: replication role: %s: %w", stmt, err)
			}
		}
		return nil
	})
}
