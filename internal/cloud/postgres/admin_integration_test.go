package postgres

import (
	"context"
	"crypto/tls"
	"net/netip"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestAdminLayout proves on every version, as the admin over verify-full TLS with a real client, what
// server-parameters.md §4 says the service's admin may do — schemas in postgres and in new databases, roles,
// databases owned by a new role, grants and default privileges — and what it may not (superuser powers).
// Terraform providers for PostgreSQL objects (cyrilgdn/postgresql without superuser) do exactly these
// statements. Gated by FLEXPG_DOCKER=1.
func TestAdminLayout(t *testing.T) {
	cli := requireDocker(t)
	for _, major := range testMajors {
		t.Run("pg"+major, func(t *testing.T) {
			image := testImageFor(major)
			waitForImage(t, cli, image)
			s, mgmt := startPGServer(t, cli, image, itParams(nil), func(gw netip.Addr) HBAInput { return itHBA(gw, true) })
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			// Twice: a resumed server create repeats it, and the repeat must converge.
			for i := 0; i < 2; i++ {
				if err := EnsureAdminRole(ctx, mgmt, itAdmin, itPassword); err != nil {
					t.Fatalf("EnsureAdminRole run %d: %v", i+1, err)
				}
			}
			testAdminDoesWhatTheServiceAllows(ctx, t, s, mgmt, major)
		})
	}
}

// adminSession is the admin's connection to one database, with assertions that name the statement.
type adminSession struct {
	t    *testing.T
	ctx  context.Context
	conn *pgx.Conn
}

func connectAdmin(ctx context.Context, t *testing.T, s *pgServer, db string) adminSession {
	t.Helper()
	conn, err := s.userConn(ctx, itAdmin, itPassword, db, s.verifyFull(tls.VersionTLS12, 0))
	if err != nil {
		t.Fatalf("admin connects to %s with verify-full: %v", db, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return adminSession{t: t, ctx: ctx, conn: conn}
}

func (a adminSession) exec(sql string) {
	a.t.Helper()
	if _, err := a.conn.Exec(a.ctx, sql); err != nil {
		a.t.Fatalf("admin: %s: %v", sql, err)
	}
}

// refused checks that sql fails with SQLSTATE code (42501 = insufficient_privilege).
func (a adminSession) refused(sql, code string) {
	a.t.Helper()
	_, err := a.conn.Exec(a.ctx, sql)
	if err == nil {
		a.t.Fatalf("admin: %s succeeded, want SQLSTATE %s", sql, code)
	}
	wantSQLState(a.t, err, code)
}

func (a adminSession) value(sql string, args ...any) string {
	a.t.Helper()
	var v string
	if err := a.conn.QueryRow(a.ctx, sql, args...).Scan(&v); err != nil {
		a.t.Fatalf("admin: %s: %v", sql, err)
	}
	return v
}

// want compares one text value; concat_ws shows booleans as t and f.
func (a adminSession) want(sql, want string, args ...any) {
	a.t.Helper()
	if got := a.value(sql, args...); got != want {
		a.t.Errorf("admin: got %q, want %q from: %s", got, want, sql)
	}
}

const publicOwnerSQL = "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public'"

func testAdminDoesWhatTheServiceAllows(ctx context.Context, t *testing.T, s *pgServer, mgmt *pgx.Conn, major string) {
	pg := connectAdmin(ctx, t, s, "postgres")
	pg.want(`SELECT concat_ws(' ', r.rolcanlogin, r.rolsuper, r.rolinherit, r.rolcreatedb, r.rolcreaterole,
		pg_has_role(current_user, 'azure_pg_admin', 'MEMBER'), st.ssl)
		FROM pg_roles r, pg_stat_ssl st WHERE r.rolname = current_user AND st.pid = pg_backend_pid()`,
		"t f t t t t t")
	pg.want(publicOwnerSQL, AdminGroupRole)

	// The schema the cyrilgdn provider fails on without CREATE on database postgres.
	pg.exec("CREATE SCHEMA app_schema")
	pg.exec("CREATE ROLE app LOGIN")
	pg.exec("CREATE ROLE app_reader NOLOGIN")
	pg.exec("GRANT app_reader TO app")
	pg.exec("GRANT USAGE, CREATE ON SCHEMA app_schema TO app")
	pg.want(`SELECT concat_ws(' ', pg_has_role('app', 'app_reader', 'MEMBER'),
		has_schema_privilege('app', 'app_schema', 'USAGE'), has_schema_privilege('app', 'app_schema', 'CREATE'))`,
		"t t t")
	// More administrators, as the service documents.
	pg.exec("CREATE ROLE admin2 LOGIN")
	pg.exec("GRANT azure_pg_admin TO admin2")
	pg.want("SELECT pg_has_role('admin2', 'azure_pg_admin', 'MEMBER')::text", "true")

	// A database owned by the new role. CREATEROLE differs by version: on 15 it lets the admin grant itself any
	// role, but CREATE DATABASE ... OWNER still needs that membership first (what the cyrilgdn provider does);
	// on 16+ the creator gets ADMIN OPTION on the role, and createrole_self_grant adds SET and INHERIT.
	if major == "15" {
		pg.refused("CREATE DATABASE appdb OWNER app", "42501")
		pg.exec("GRANT app TO " + itAdmin)
	} else {
		// Two grants: ADMIN OPTION from the bootstrap superuser, SET and INHERIT from the admin itself.
		pg.want(`SELECT concat_ws(' ', bool_or(admin_option), bool_or(inherit_option), bool_or(set_option))
			FROM pg_auth_members WHERE roleid = 'app'::regrole AND member = current_user::regrole`, "t t t")
	}
	pg.exec("CREATE DATABASE appdb OWNER app")
	pg.want("SELECT datdba::regrole::text FROM pg_database WHERE datname = 'appdb'", "app")

	app := connectAdmin(ctx, t, s, "appdb")
	// CREATE DATABASE copied template1, so public belongs to azure_pg_admin here too; as on the service the
	// database's owner gets no CREATE on it (PostgreSQL's own default would make it the owner).
	app.want(publicOwnerSQL, AdminGroupRole)
	app.want("SELECT has_schema_privilege('app', 'public', 'CREATE')::text", "false")
	app.exec("CREATE TABLE public.admin_table (id int)")
	app.exec("CREATE SCHEMA app_data AUTHORIZATION app")
	app.exec("CREATE TABLE app_data.items (id int)")
	app.exec("GRANT SELECT ON app_data.items TO app_reader")
	app.exec("ALTER DEFAULT PRIVILEGES IN SCHEMA app_data GRANT SELECT ON TABLES TO app_reader")
	app.exec("ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA app_data GRANT INSERT ON TABLES TO app_reader")
	app.exec("CREATE TABLE app_data.later (id int)")
	app.exec("SET ROLE app")
	app.exec("CREATE TABLE app_data.apps_own (id int)")
	app.exec("RESET ROLE")
	app.want(`SELECT concat_ws(' ', has_table_privilege('app_reader', 'app_data.items', 'SELECT'),
		has_table_privilege('app_reader', 'app_data.later', 'SELECT'),
		has_table_privilege('app_reader', 'app_data.apps_own', 'INSERT'),
		(SELECT tableowner FROM pg_tables WHERE schemaname = 'app_data' AND tablename = 'apps_own'))`,
		"t t t app")

	// A database the cloud creates (flexpg_database) comes from template0; the cloud gives its public schema to
	// the group as well.
	if err := CreateDatabase(ctx, mgmt, "clouddb", "", "", itAdmin); err != nil {
		t.Fatalf("CreateDatabase: %v", err)
	}
	cloud := connectAdmin(ctx, t, s, "clouddb")
	cloud.want(publicOwnerSQL, AdminGroupRole)
	cloud.exec("CREATE SCHEMA cloud_schema")
	cloud.exec("CREATE TABLE public.t (id int)")
	tpl, err := connectDatabase(ctx, mgmt, "template1")
	if err != nil {
		t.Fatal(err)
	}
	var tplOwner string
	err = tpl.QueryRow(ctx, publicOwnerSQL).Scan(&tplOwner)
	tpl.Close(ctx) // at once: CREATE DATABASE refuses to copy a template with sessions
	if err != nil || tplOwner != AdminGroupRole {
		t.Fatalf("template1's public schema owner = %q (%v), want %s", tplOwner, err, AdminGroupRole)
	}

	// Still no superuser powers.
	pg.refused("ALTER SYSTEM SET work_mem = '64MB'", "42501")
	pg.refused("SELECT rolpassword FROM pg_authid", "42501")
	pg.refused("SET ROLE "+ManagementRole, "42501")
	pg.refused("GRANT "+ManagementRole+" TO "+itAdmin, "42501")
	pg.refused("ALTER ROLE "+itAdmin+" SUPERUSER", "42501")
	pg.refused("CREATE ROLE wannabe SUPERUSER", "42501")
	// Stock PostgreSQL refuses this on every version; the service allows it on 16+ (a documented difference).
	pg.refused("CREATE ROLE rls_role BYPASSRLS", "42501")

	// The admin drops what it made.
	app.conn.Close(ctx)
	cloud.conn.Close(ctx)
	pg.exec("DROP DATABASE appdb")
	pg.exec("DROP DATABASE clouddb")
	pg.exec("DROP SCHEMA app_schema")
	pg.exec("DROP ROLE app, app_reader, admin2")
	pg.want(`SELECT concat_ws(' ',
		(SELECT count(*) FROM pg_roles WHERE rolname IN ('app', 'app_reader', 'admin2', 'wannabe', 'rls_role')),
		(SELECT count(*) FROM pg_database WHERE datname IN ('appdb', 'clouddb')),
		(SELECT count(*) FROM pg_namespace WHERE nspname = 'app_schema'))`, "0 0 0")
}
