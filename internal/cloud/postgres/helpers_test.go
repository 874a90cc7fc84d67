package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Conveniences only the tests use: the cloud itself sends verifiers the API made, and never lists databases.

// EnsureAdminRole makes login the server's administrator with password; see EnsureAdminRoleVerifier. The
// password is hashed here, so only its SCRAM verifier is sent.
func EnsureAdminRole(ctx context.Context, conn *pgx.Conn, login, password string) error {
	verifier, err := SCRAMVerifier(password)
	if err != nil {
		return err
	}
	return EnsureAdminRoleVerifier(ctx, conn, login, verifier)
}

// SetPassword replaces login's password, sending only a SCRAM verifier.
func SetPassword(ctx context.Context, conn *pgx.Conn, login, password string) error {
	verifier, err := SCRAMVerifier(password)
	if err != nil {
		return err
	}
	return SetPasswordVerifier(ctx, conn, login, verifier)
}

// ListDatabases returns the user-visible databases by name, without templates and azure_maintenance.
func ListDatabases(ctx context.Context, conn *pgx.Conn) ([]Database, error) {
	rows, err := conn.Query(ctx, databaseColumns+" WHERE NOT (datname = ANY($1)) ORDER BY datname", hiddenDatabases)
	if err != nil {
		return nil, fmt.Errorf("postgres: list databases: %w", err)
	}
	dbs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Database, error) {
		var db Database
		err := row.Scan(&db.Name, &db.Charset, &db.Collation)
		return db, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list databases: %w", err)
	}
	return dbs, nil
}

// PendingRestart lists, by name, the settings changed in the configuration file that only a restart applies.
func PendingRestart(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	rows, err := conn.Query(ctx, "SELECT name FROM pg_settings WHERE pending_restart ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("postgres: read pending restarts: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: read pending restarts: %w", err)
	}
	return names, nil
}
