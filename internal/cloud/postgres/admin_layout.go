package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The admin layout is what the real service grants its administrator besides the role's attributes
// (server-parameters.md §4): membership of azure_pg_admin, which owns the public schema of every database and
// may create schemas in the postgres database. Stock PostgreSQL cannot give azure_pg_admin the service's
// extension ("members manage objects of any non-restricted role"), so the layout gets as close as ordinary
// grants allow; README.md lists what differs.

// selfGrantMajor is the first major version whose CREATEROLE no longer lets the creator act as the roles it
// creates: from 16 on it gets only ADMIN OPTION on them, and createrole_self_grant exists to add SET and INHERIT.
const selfGrantMajor = 16

// adminSelfGrant makes the roles the admin creates on 16+ roles it can SET ROLE to and inherits from, so
// CREATE DATABASE ... OWNER <new role> and ALTER ... OWNER TO <new role> work without a GRANT first, as they
// do on the service.
const adminSelfGrant = "set, inherit"

// pgDatabaseOwner is the owner PostgreSQL 15+ gives the public schema of template0 (and so of every database
// created from it).
const pgDatabaseOwner = "pg_database_owner"

// adminLayoutSQL returns the statements, run as the management role in the management database, that give
// role (quoted) the admin layout on a server of the given major version; group is azure_pg_admin, quoted.
func adminLayoutSQL(role, group string, major int) []string {
	db, _ := ident("database", ManagementDatabase)
	stmts := []string{
		// ADMIN OPTION lets the admin add more administrators (GRANT azure_pg_admin TO <user>), which the service
		// documents; on 16+ CREATEROLE alone no longer allows granting a role one has no ADMIN OPTION on.
		"GRANT " + group + " TO " + role + " WITH ADMIN OPTION",
		"GRANT " + strings.Join(adminDefaultRoles, ", ") + " TO " + role,
		// CREATE SCHEMA in postgres: PostgreSQL 15+ gives a non-owner only CONNECT and TEMPORARY there.
		"GRANT ALL ON DATABASE " + db + " TO " + group,
		"ALTER SCHEMA public OWNER TO " + group,
	}
	if major >= selfGrantMajor {
		lit, _ := quoteLiteral(adminSelfGrant)
		stmts = append(stmts, "ALTER ROLE "+role+" SET createrole_self_grant = "+lit)
	}
	return stmts
}

// serverMajor returns the server's major version (15, 17, ...).
func serverMajor(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int, error) {
	var num int
	if err := q.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&num); err != nil {
		return 0, fmt.Errorf("postgres: read server version: %w", err)
	}
	return num / 10000, nil
}

// givePublicToAdminGroup makes azure_pg_admin the owner of the public schema of database db, opening a
// second management session there (a schema can only be altered from inside its database). It changes the
// owner only while it is still pg_database_owner, the owner the template gave it: a repeat (a resumed
// operation) then never undoes a later choice of the user, and a database without a public schema is left
// alone.
func givePublicToAdminGroup(ctx context.Context, conn *pgx.Conn, db string) error {
	c, err := connectDatabase(ctx, conn, db)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	group, _ := ident("role", AdminGroupRole)
	return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		var fromTemplate bool
		err := tx.QueryRow(ctx, "SELECT nspowner = $1::regrole FROM pg_namespace WHERE nspname = 'public'",
			pgDatabaseOwner).Scan(&fromTemplate)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !fromTemplate) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("postgres: read owner of the public schema of %q: %w", db, err)
		}
		if _, err := tx.Exec(ctx, "ALTER SCHEMA public OWNER TO "+group); err != nil {
			return fmt.Errorf("postgres: give the public schema of %q to %s: %w", db, AdminGroupRole, err)
		}
		return nil
	})
}

// connectDatabase opens another session like conn (same host, role, TLS and dialer) to database db.
func connectDatabase(ctx context.Context, conn *pgx.Conn, db string) (*pgx.Conn, error) {
	cfg := conn.Config()
	cfg.Database = db
	c, err := connectSession(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect to database %q: %w", db, err)
	}
	return c, nil
}
