package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// adminDefaultRoles are the predefined roles the admin login is granted besides the admin group.
var adminDefaultRoles = []string{"pg_read_all_settings", "pg_read_all_stats", "pg_signal_backend"}

// adminAttributes are those of the service's admin login: not a superuser. REPLICATION and BYPASSRLS are left
// alone (CREATE ROLE defaults them off) so repeating EnsureAdminRole does not undo a later documented grant.
const adminAttributes = "LOGIN NOSUPERUSER CREATEDB CREATEROLE INHERIT"

// reservedRoles may never be an admin login.
var reservedRoles = map[string]bool{ManagementRole: true, AdminGroupRole: true, "postgres": true,
	"replication": true, "public": true}

// EnsureAdminRoleVerifier makes login the server's administrator, laid out as on the real service: the group
// role azure_pg_admin exists (NOLOGIN); login exists with LOGIN NOSUPERUSER CREATEDB CREATEROLE INHERIT, has
// the password whose SCRAM verifier is given (from SCRAMVerifier: the API hashes the password when the request
// arrives so the cleartext is never stored), belongs to the group (WITH ADMIN OPTION) and to
// pg_read_all_settings, pg_read_all_stats and pg_signal_backend; the group may create schemas in postgres and
// owns the public schema of postgres and of template1 (so databases the admin creates inherit it); on 16+ the
// admin's createrole_self_grant is "set, inherit" (see adminLayoutSQL). Running it again converges to the same
// state, so a resumed operation can repeat it. The roles and grants happen in one transaction, template1 in a
// second session afterwards.
func EnsureAdminRoleVerifier(ctx context.Context, conn *pgx.Conn, login, verifier string) error {
	role, err := adminIdent(login)
	if err != nil {
		return err
	}
	group, _ := ident("role", AdminGroupRole)
	secret, err := passwordClause(verifier)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := quietSecrets(ctx, tx); err != nil {
			return err
		}
		major, err := serverMajor(ctx, tx)
		if err != nil {
			return err
		}
		if err := ensureRole(ctx, tx, AdminGroupRole, "CREATE ROLE "+group+" NOLOGIN"); err != nil {
			return err
		}
		exists, err := roleExists(ctx, tx, login)
		if err != nil {
			return err
		}
		verb := "CREATE"
		if exists {
			verb = "ALTER"
		}
		if _, err := tx.Exec(ctx, verb+" ROLE "+role+" "+adminAttributes+secret); err != nil {
			// The server's error text never contains the statement, so the verifier stays out of it.
			return fmt.Errorf("postgres: %s admin role %q: %w", strings.ToLower(verb), login, err)
		}
		for _, stmt := range adminLayoutSQL(role, group, major) {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("postgres: admin role %q: %s: %w", login, stmt, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// CREATE DATABASE copies template1; its public schema must already belong to the group.
	return givePublicToAdminGroup(ctx, conn, "template1")
}

// SetPasswordVerifier replaces login's password by the given SCRAM verifier (from SCRAMVerifier).
func SetPasswordVerifier(ctx context.Context, conn *pgx.Conn, login, verifier string) error {
	role, err := adminIdent(login)
	if err != nil {
		return err
	}
	secret, err := passwordClause(verifier)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := quietSecrets(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "ALTER ROLE "+role+secret); err != nil {
			return fmt.Errorf("postgres: set password of %q: %w", login, err)
		}
		return nil
	})
}

func adminIdent(login string) (string, error) {
	lower := strings.ToLower(login)
	if reservedRoles[lower] || strings.HasPrefix(lower, "pg_") {
		return "", fmt.Errorf("postgres: %q is a reserved role name", login)
	}
	return ident("role", login)
}

// passwordClause returns " PASSWORD '<verifier>'". Only a well-formed SCRAM-SHA-256 verifier is accepted:
// PostgreSQL would take anything else as a cleartext password and hash it server-side, which is exactly what
// must not happen. The error does not repeat the value.
func passwordClause(verifier string) (string, error) {
	if !IsSCRAMVerifier(verifier) {
		return "", errors.New("postgres: the password must be given as a SCRAM-SHA-256 verifier")
	}
	lit, err := quoteLiteral(verifier)
	if err != nil {
		return "", err
	}
	return " PASSWORD " + lit, nil
}

// quietSecrets keeps the statements of this transaction out of the server log, whatever log_statement the
// user chose: even a verifier is worth an offline guessing attack.
func quietSecrets(ctx context.Context, tx pgx.Tx) error {
	for _, stmt := range []string{
		"SET LOCAL log_statement = 'none'",
		"SET LOCAL log_min_error_statement = 'panic'",
		"SET LOCAL log_min_duration_statement = -1",
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("postgres: %s: %w", stmt, err)
		}
	}
	return nil
}

func roleExists(ctx context.Context, tx pgx.Tx, name string) (bool, error) {
	var exists bool
	err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", name).Scan(&exists)
	if err != nil {
		return false, fmt.Errorf("postgres: look up role %q: %w", name, err)
	}
	return exists, nil
}

func ensureRole(ctx context.Context, tx pgx.Tx, name, create string) error {
	exists, err := roleExists(ctx, tx, name)
	if err != nil || exists {
		return err
	}
	if _, err := tx.Exec(ctx, create); err != nil {
		return fmt.Errorf("postgres: create role %q: %w", name, err)
	}
	return nil
}
