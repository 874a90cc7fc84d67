package postgres

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/pki"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

const (
	itAdmin          = "flexadmin"
	itPassword       = "Canary-Pa55word-7f3e"
	itSecondPassword = "Second-Pa55word-91ab"
	// itQuotedName carries a value with a quote, a backslash and double quotes, which the service would
	// refuse but RenderConfig must still write so that PostgreSQL reads it back unchanged.
	itQuotedName  = "log_line_prefix"
	itQuotedValue = `it's a \ "test" `
)

// itParams are the server parameters the integration server starts with: the catalog's PostgreSQL settings
// of a new B1ms server (what the cloud renders) with extra overriding them.
func itParams(extra map[string]string) map[string]string {
	overrides := map[string]string{
		"log_statement": "all", // so the log test can show that password statements stay out
		itQuotedName:    itQuotedValue,
	}
	maps.Copy(overrides, extra)
	sku, _ := spec.LookupSKU("B_Standard_B1ms")
	return spec.EngineParameterValues(spec.ParameterValues(spec.ParameterInput{SKU: sku,
		Compute: spec.ScaledCompute(sku, spec.DefaultScale), StorageMB: spec.DefaultStorageMB, Overrides: overrides}))
}

func itHBA(gw netip.Addr, secure bool, sources ...netip.Prefix) HBAInput {
	if len(sources) == 0 {
		sources = []netip.Prefix{netip.PrefixFrom(gw, 32)}
	}
	return HBAInput{ManagementCIDR: netip.PrefixFrom(gw, 32), UserSources: sources, RequireSecureTransport: secure}
}

func wantSQLState(t *testing.T, err error, code string) *pgconn.PgError {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Fatalf("error %v, want SQLSTATE %s", err, code)
	}
	if pgErr.Code != code {
		t.Fatalf("SQLSTATE %s (%s), want %s", pgErr.Code, pgErr.Message, code)
	}
	return pgErr
}

// TestIntegration runs one real PostgreSQL container from flexpg/postgres:15 and proves the rendered files,
// the management path and the admin role with real clients. Gated by FLEXPG_DOCKER=1.
func TestIntegration(t *testing.T) {
	cli := requireDocker(t)
	waitForImage(t, cli, testImage)
	s, mgmt := startPGServer(t, cli, testImage, itParams(nil), func(gw netip.Addr) HBAInput { return itHBA(gw, true) })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Every subtest logs in as the admin, so it is created here; "admin role" repeats it to prove convergence.
	if err := EnsureAdminRole(ctx, mgmt, itAdmin, itPassword); err != nil {
		t.Fatalf("EnsureAdminRole: %v", err)
	}

	t.Run("management", func(t *testing.T) { testManagement(ctx, t, s, mgmt) })
	t.Run("admin role", func(t *testing.T) { testAdminRole(ctx, t, s, mgmt) })
	t.Run("verifier matches server", func(t *testing.T) { testVerifierMatchesServer(ctx, t, mgmt) })
	t.Run("tls versions", func(t *testing.T) { testTLSVersions(ctx, t, s, mgmt) })
	t.Run("secure transport", func(t *testing.T) { testSecureTransport(ctx, t, s, mgmt) })
	t.Run("source not allowed", func(t *testing.T) { testSourceNotAllowed(ctx, t, s, mgmt) })
	t.Run("settings", func(t *testing.T) { testSettings(ctx, t, s, mgmt) })
	t.Run("databases", func(t *testing.T) { testDatabases(ctx, t, s, mgmt) })
	t.Run("local socket", func(t *testing.T) { testLocalSocket(t, s) })
	t.Run("secrets stay out of the log", func(t *testing.T) { testLogHasNoSecrets(ctx, t, s, mgmt) })
}

// testLocalSocket: docker exec psql as the image's postgres OS user reaches the management role through
// the pg_ident map, and no other role gets in over the socket.
func testLocalSocket(t *testing.T, s *pgServer) {
	out, code := s.exec(t, "postgres", "psql", "-U", ManagementRole, "-d", "postgres", "-Atc", "SELECT current_user")
	if code != 0 || strings.TrimSpace(out) != ManagementRole {
		t.Fatalf("psql as azuresu over the socket: exit %d, output %q", code, out)
	}
	out, code = s.exec(t, "postgres", "psql", "-U", itAdmin, "-d", "postgres", "-Atc", "SELECT 1")
	if code == 0 || !strings.Contains(out, "no pg_hba.conf entry") {
		t.Fatalf("psql as the admin over the socket: exit %d, output %q", code, out)
	}
}

// testLogHasNoSecrets (BAR-S4): with log_statement=all the server log shows ordinary statements but neither
// the canary passwords nor their verifiers.
func testLogHasNoSecrets(ctx context.Context, t *testing.T, s *pgServer, mgmt *pgx.Conn) {
	if err := SetPassword(ctx, mgmt, itAdmin, itPassword); err != nil {
		t.Fatal(err)
	}
	var verifier string
	if err := mgmt.QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", itAdmin).Scan(&verifier); err != nil {
		t.Fatal(err)
	}
	// A marker statement after the password change: once it is in the log, everything before it is too, and
	// its presence proves log_statement=all is in force (without it this test could not fail).
	const marker = "statement: SELECT 'flexpg-log-marker'"
	if _, err := mgmt.Exec(ctx, "SELECT 'flexpg-log-marker'"); err != nil {
		t.Fatal(err)
	}
	var logs string
	for deadline := time.Now().Add(10 * time.Second); ; {
		logs = s.allLogs(t)
		if strings.Contains(logs, marker) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("marker statement never reached the log: log_statement=all is not in force")
		}
		time.Sleep(100 * time.Millisecond) // poll step, bounded by deadline
	}
	for _, secret := range []string{itPassword, itSecondPassword, verifier, "SCRAM-SHA-256$", "PASSWORD"} {
		if strings.Contains(logs, secret) {
			t.Errorf("server log contains %.16q", secret)
		}
	}
}

func testManagement(ctx context.Context, t *testing.T, s *pgServer, mgmt *pgx.Conn) {
	var user string
	var super, ssl bool
	err := mgmt.QueryRow(ctx, `SELECT current_user, r.rolsuper, st.ssl FROM pg_roles r, pg_stat_ssl st
		WHERE r.rolname = current_user AND st.pid = pg_backend_pid()`).Scan(&user, &super, &ssl)
	if err != nil {
		t.Fatal(err)
	}
	if user != ManagementRole || !super || !ssl {
		t.Fatalf("management session: user %s super %v ssl %v", user, super, ssl)
	}
	// The management role has no other way in: no certificate means no login, whatever the password.
	_, err = s.userConn(ctx, ManagementRole, "anything", "postgres", s.verifyFull(tls.VersionTLS12, 0))
	wantSQLState(t, err, "28000")
	// A client certificate for azuresu from another CA is refused by the server.
	other, err := pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	crt, key, err := other.IssueClient(ManagementRole)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.ClientTLS(s.fqdn, crt, key)
	if err != nil {
		t.Fatal(err)
	}
	foreign.RootCAs = s.ca.Pool()
	if c, err := Connect(ctx, Target{Host: s.ip, Port: Port, TLS: foreign}); err == nil {
		c.Close(ctx)
		t.Fatal("management login with a foreign client certificate succeeded")
	}
}

func testAdminRole(ctx context.Context, t *testing.T, s *pgServer, mgmt *pgx.Conn) {
	// The admin exists already (created before the subtests): running again must converge, not fail.
	if err := EnsureAdminRole(ctx, mgmt, itAdmin, itPassword); err != nil {
		t.Fatalf("EnsureAdminRole again: %v", err)
	}
	var stored string
	if err := mgmt.QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", itAdmin).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !IsSCRAMVerifier(stored) || strings.Contains(stored, itPassword) {
		t.Fatalf("stored password is not a SCRAM verifier: %.14s...", stored)
	}

	admin, err := s.userConn(ctx, itAdmin, itPassword, "postgres", s.verifyFull(tls.VersionTLS12, 0))
	if err != nil {
		t.Fatalf("admin login with verify-full: %v", err)
	}
	defer admin.Close(ctx)
	var super, createdb, createrole, member, readSettings bool
	err = admin.QueryRow(ctx, `SELECT rolsuper, rolcreatedb, rolcreaterole, pg_has_role('azure_pg_admin', 'member'),
		pg_has_role('pg_read_all_settings', 'member') FROM pg_roles WHERE rolname = current_user`).
		Scan(&super, &createdb, &createrole, &member, &readSettings)
	if err != nil {
		t.Fatal(err)
	}
	if super || !createdb || !createrole || !member || !readSettings {
		t.Fatalf("admin: super=%v createdb=%v createrole=%v azure_pg_admin=%v pg_read_all_settings=%v",
			super, createdb, createrole, member, readSettings)
	}
	_, err = admin.Exec(ctx, "ALTER SYSTEM SET work_mem = '64MB'")
	wantSQLState(t, err, "42501")
	if _, err := admin.Exec(ctx, "CREATE TABLE public.admin_owned (id int)"); err != nil {
		t.Fatalf("admin cannot create in public: %v", err)
	}
	var owner string
	if err := admin.QueryRow(ctx, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public'").Scan(&owner); err != nil || owner != AdminGroupRole {
		t.Fatalf("public schema owner = %q (%v), want %s", owner, err, AdminGroupRole)
	}

	_, err = s.userConn(ctx, itAdmin, itPassword+"x", "postgres", s.verifyFull(tls.VersionTLS12, 0))
	wantSQLState(t, err, "28P01")

	if err := SetPassword(ctx, mgmt, itAdmin, itSecondPassword); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	_, err = s.userConn(ctx, itAdmin, itPassword, "postgres", s.verifyFull(tls.VersionTLS12, 0))
	wantSQLState(t, err, "28P01")
	c, err := s.userConn(ctx, itAdmin, itSecondPassword, "postgres", s.verifyFull(tls.VersionTLS12, 0))
	if err != nil {
		t.Fatalf("login with new password: %v", err)
	}
	c.Close(ctx)
	if err := SetPassword(ctx, mgmt, itAdmin, itPassword); err != nil {
		t.Fatal(err)
	}
	if err := SetPassword(ctx, mgmt, "azuresu", "x"); err == nil {
		t.Fatal("SetPassword on the management role accepted")
	}
}

// testVerifierMatchesServer has PostgreSQL hash cleartext passwords itself and checks that SCRAMVerifier
// (SASLprep included) computes the same secret from the same salt, for ASCII and for the Unicode cases where
// SASLprep maps, normalises or falls back to the raw bytes.
func testVerifierMatchesServer(ctx context.Context, t *testing.T, mgmt *pgx.Conn) {
	passwords := []string{"pencil", "Sup3r'$ecret\\x", "pässwörd", "I\u00ADX", "a\u00A0b", "\uFB01nal", "e\u0301",
		"\u2168", "密码", "pässw😀rd", "\u05D0a\u05D1", "\u05D0\u05D1", "é\u0007", "\u00AD", "é\uE000",
		// Fallback cases where SASLprep would change the string, so a wrong fallback decision shows.
		"\uFB01\U0001F600", "\u05D0\uFB01\u05D1", "\uFB01\u0007", "\uFB01\uE000", "\uFE8D\uFB01\uFE8D", "\uFE8D1", "1\uFE8D", "\uFE8D\u0020\uFE8E"}
	// These statements carry cleartext on purpose (PostgreSQL must hash it); keep them out of the log.
	for _, stmt := range []string{"SET password_encryption = 'scram-sha-256'", "SET log_statement = 'none'"} {
		if _, err := mgmt.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	defer mgmt.Exec(ctx, "RESET log_statement")
	for i, pw := range passwords {
		role := fmt.Sprintf("scram_probe_%d", i)
		lit, err := quoteLiteral(pw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mgmt.Exec(ctx, "CREATE ROLE "+role+" PASSWORD "+lit); err != nil {
			t.Fatalf("%q: %v", pw, err)
		}
		var stored string
		err = mgmt.QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", role).Scan(&stored)
		if _, dropErr := mgmt.Exec(ctx, "DROP ROLE "+role); dropErr != nil {
			t.Fatal(dropErr)
		}
		if err != nil {
			t.Fatal(err)
		}
		p := parseVerifier(t, stored)
		if got := scramVerifierWithSalt(pw, p.salt, p.iterations); got != stored {
			t.Errorf("%+q: verifier differs from PostgreSQL's", pw)
		}
	}
}

func sslVersion(ctx context.Context, t *testing.T, c *pgx.Conn) string {
	t.Helper()
	var v string
	if err := c.QueryRow(ctx, "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func testTLSVersions(ctx context.Context, t *testing.T, s *pgServer, mgmt *pgx.Conn) {
	tests := []struct {
		name     string
		min, max uint16
		want     string // "" = must fail
	}{
		{"capped at 1.1", tls.VersionTLS10, tls.VersionTLS11, ""},
		{"exactly 1.2", tls.VersionTLS12, tls.VersionTLS12, "TLSv1.2"},
		{"exactly 1.3", tls.VersionTLS13, tls.VersionTLS13, "TLSv1.3"},
		{"default", tls.VersionTLS12, 0, "TLSv1.3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := s.userConn(ctx, itAdmin, itPassword, "postgres", s.verifyFull(tc.min, tc.max))
			if tc.want == "" {
				if err == nil {
					c.Close(ctx)
					t.Fatal("connection succeeded")
				}
				wantProtocolAlert(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(ctx)
			if v := sslVersion(ctx, t, c); v != tc.want {
				t.Fatalf("pg_stat_ssl.version = %s, want %s", v, tc.want)
			}
		})
	}
	// The minimum is a server parameter: raised to TLSv1.3 and reloaded, a 1.2-only client is refused.
	s.reconfigure(t, mgmt, itParams(map[string]string{"ssl_min_protocol_version": "TLSv1.3"}), itHBA(s.gateway, true))
	c, err := s.userConn(ctx, itAdmin, itPassword, "postgres", s.verifyFull(tls.VersionTLS12, tls.VersionTLS12))
	if err == nil {
		c.Close(ctx)
		t.Fatal("TLS 1.2 client accepted with ssl_min_protocol_version=TLSv1.3")
	}
	wantProtocolAlert(t, err)
	s.reconfigure(t, mgmt, itParams(nil), itHBA(s.gateway, true))
	c, err = s.userConn(ctx, itAdmin, itPassword, "postgres", s.verifyFull(tls.VersionTLS12, tls.VersionTLS12))
	if err != nil {
		t.Fatalf("TLS 1.2 client after restoring TLSv1.2 minimum: %v", err)
	}
	c.Close(ctx)
}

// wantProtocolAlert checks that the server refused the handshake with TLS alert 70 (protocol_version), so the
// refusal comes from the server's TLS settings and not from the client or from authentication. crypto/tls
// reports a received alert as a *net.OpError with Op "remote error" around its unexported alert type (a uint8).
func wantProtocolAlert(t *testing.T, err error) {
	t.Helper()
	var opErr *net.OpError
	if !errors.As(err, &opErr) || opErr.Op != "remote error" {
		t.Fatalf("error %v, want a TLS alert from the server", err)
	}
	if v := reflect.ValueOf(opErr.Err); v.Kind() != reflect.Uint8 || v.Uint() != 70 {
		t.Fatalf("alert %v, want protocol_version (70)", opErr.Err)
	}
}

func testSecureTransport(ctx context.Context, t *testing.T, s *pgServer, mgmt *pgx.Conn) {
	_, err := s.userConn(ctx, itAdmin, itPassword, "postgres", nil)
	pgErr := wantSQLState(t, err, "28000")
	if !strings.Contains(pgErr.Message, "no pg_hba.conf entry") {
		t.Fatalf("message %q", pgErr.Message)
	}

	s.reconfigure(t, mgmt, itParams(map[string]string{"require_secure_transport": "off"}), itHBA(s.gateway, false))
	c, err := s.userConn(ctx, itAdmin, itPassword, "postgres", nil)
	if err != nil {
		t.Fatalf("plaintext with require_secure_transport off: %v", err)
	}
	var ssl bool
	if err := c.QueryRow(ctx, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&ssl); err != nil || ssl {
		t.Fatalf("plaintext session reports ssl=%v (%v)", ssl, err)
	}
	c.Close(ctx)

	s.reconfigure(t, mgmt, itParams(nil), itHBA(s.gateway, true))
	_, err = s.userConn(ctx, itAdmin, itPassword, "postgres", nil)
	wantSQLState(t, err, "28000")
}

func testSourceNotAllowed(ctx context.Context, t *testing.T, s *pgServer, mgmt *pgx.Conn) {
	elsewhere := netip.MustParsePrefix("192.0.2.0/24")
	s.reconfigure(t, mgmt, itParams(nil), itHBA(s.gateway, true, elsewhere))
	_, err := s.userConn(ctx, itAdmin, itPassword, "postgres", s.verifyFull(tls.VersionTLS12, 0))
	pgErr := wantSQLState(t, err, "28000")
	if !strings.Contains(pgErr.Message, "no pg_hba.conf entry for host \""+s.gateway.String()+"\"") {
		t.Fatalf("message %q", pgErr.Message)
	}
	// The management path does not depend on user sources.
	c, err := Connect(ctx, s.target())
	if err != nil {
		t.Fatalf("management connection with no user source: %v", err)
	}
	c.Close(ctx)
	s.reconfigure(t, mgmt, itParams(nil), itHBA(s.gateway, true))
}

func testSettings(ctx context.Context, t *testing.T, s *pgServer, mgmt *pgx.Conn) {
	got, err := ShowSettings(ctx, mgmt, []string{"ssl_min_protocol_version", "password_encryption", "TimeZone",
		itQuotedName, "wal_level", "data_directory", "no_such_parameter"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ssl_min_protocol_version": "TLSv1.2", "password_encryption": "scram-sha-256",
		itQuotedName: itQuotedValue, "wal_level": "replica", "data_directory": DataDirectory}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("%s = %q, want %q", name, got[name], v)
		}
	}
	if _, ok := got["TimeZone"]; !ok {
		t.Error("TimeZone missing (pg_settings names are mixed case)")
	}
	if _, ok := got["no_such_parameter"]; ok {
		t.Error("unknown parameter reported")
	}

	pending, err := PendingRestart(ctx, mgmt)
	if err != nil || len(pending) != 0 {
		t.Fatalf("PendingRestart before change = %v, %v", pending, err)
	}
	s.reconfigure(t, mgmt, itParams(map[string]string{"max_connections": "57", "work_mem": "8192"}), itHBA(s.gateway, true))
	pending, err = PendingRestart(ctx, mgmt)
	if err != nil || !slices.Equal(pending, []string{"max_connections"}) {
		t.Fatalf("PendingRestart after static change = %v, %v", pending, err)
	}
	got, err = ShowSettings(ctx, mgmt, []string{"work_mem", "max_connections"})
	if err != nil {
		t.Fatal(err)
	}
	if got["work_mem"] != "8192" || got["max_connections"] == "57" {
		t.Fatalf("after reload: %v (work_mem applies now, max_connections only after restart)", got)
	}
	s.reconfigure(t, mgmt, itParams(nil), itHBA(s.gateway, true))
}

func testDatabases(ctx context.Context, t *testing.T, s *pgServer, mgmt *pgx.Conn) {
	const name = "app-db"
	for i := 0; i < 2; i++ {
		if err := CreateDatabase(ctx, mgmt, name, "UTF8", "en_US.utf8", itAdmin); err != nil {
			t.Fatalf("CreateDatabase run %d: %v", i+1, err)
		}
	}
	db, found, err := GetDatabase(ctx, mgmt, name)
	if err != nil || !found || db != (Database{Name: name, Charset: "UTF8", Collation: "en_US.utf8"}) {
		t.Fatalf("GetDatabase = %+v, %v, %v", db, found, err)
	}
	if err := CreateDatabase(ctx, mgmt, name, "LATIN1", "en_US.utf8", itAdmin); !errors.Is(err, ErrDatabaseMismatch) {
		t.Fatalf("CreateDatabase with another charset: %v, want ErrDatabaseMismatch", err)
	}
	if err := CreateDatabase(ctx, mgmt, "c-db", "", "C", ""); err != nil {
		t.Fatalf("CreateDatabase with collation C: %v", err)
	}
	list, err := ListDatabases(ctx, mgmt)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range list {
		names = append(names, d.Name)
	}
	if !slices.Equal(names, []string{name, "c-db", "postgres"}) {
		t.Fatalf("ListDatabases = %v", names)
	}

	app, err := s.userConn(ctx, itAdmin, itPassword, name, s.verifyFull(tls.VersionTLS12, 0))
	if err != nil {
		t.Fatalf("admin connects to its database: %v", err)
	}
	defer app.Close(ctx)
	if _, err := app.Exec(ctx, "CREATE TABLE t (v text); INSERT INTO t VALUES ('ü')"); err != nil {
		t.Fatal(err)
	}
	if err := DropDatabase(ctx, mgmt, name); err != nil { // the admin is still connected: FORCE ends it
		t.Fatalf("DropDatabase: %v", err)
	}
	if _, found, err := GetDatabase(ctx, mgmt, name); err != nil || found {
		t.Fatalf("database still there after drop (%v)", err)
	}
	if err := DropDatabase(ctx, mgmt, name); err != nil {
		t.Fatalf("DropDatabase of a missing database: %v", err)
	}
	if err := DropDatabase(ctx, mgmt, "c-db"); err != nil {
		t.Fatal(err)
	}
	if err := DropDatabase(ctx, mgmt, "postgres"); err == nil {
		t.Fatal("DropDatabase(postgres) accepted")
	}
}
