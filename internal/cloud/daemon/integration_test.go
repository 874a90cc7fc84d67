package daemon_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
)

const canary = "Canary-Pass-9f3e!"

func needDocker(t *testing.T) {
	t.Helper()
	if os.Getenv("FLEXPG_DOCKER") != "1" {
		t.Skip("cloud integration test: set FLEXPG_DOCKER=1 (make test does) to run it against Docker")
	}
}

func startCloud(t *testing.T) (*cloudtest.Cloud, *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := cloudtest.Start(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if log, err := os.ReadFile(c.Home + "/cloud.log"); err == nil {
				t.Logf("cloud log (tail):\n%s", tail(string(log), 60))
			}
		}
		if err := c.Stop(); err != nil {
			t.Errorf("stop cloud: %v", err)
		}
	})
	return c, client.New(c.Endpoint(), c.Token(), client.WithPollInterval(100*time.Millisecond, 500*time.Millisecond))
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waiter returns a function that waits for the operation a client call returned, failing the test on error.
func waiter(t *testing.T, c *client.Client) func(*model.Operation, error) {
	return func(op *model.Operation, err error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if _, err := c.Do(ctx, op, err, func(o model.Operation) { t.Logf("  %s: %s", o.Kind, o.Step) }); err != nil {
			t.Fatal(err)
		}
	}
}

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// TestPublicServer drives one public-access server through its life and checks every behaviour from a real
// client: firewall, TLS, parameters, databases, scaling, password, stop/start, delete.
func TestPublicServer(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	name := "it-public"
	do := waiter(t, c)
	do(c.PutServer(ctx, name, model.Server{Name: name, Location: "westeurope", Version: "15",
		SKUName: "B_Standard_B1ms", AdministratorLogin: "pgadmin", AdministratorPassword: canary}, true))
	srv, err := c.GetServer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if srv.State != "Ready" || srv.Host != "127.0.0.1" || srv.Port == 0 || srv.FQDN != name+".postgres.flexpg.internal" {
		t.Fatalf("server %+v", srv)
	}
	ca, err := c.GetCACertificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admin := cloudtest.Conn{Server: srv, User: "pgadmin", Password: canary, CAPEM: ca}

	t.Run("no rule means no access", func(t *testing.T) {
		_, err := admin.QueryString(ctx, "select 1")
		if pgCode(err) != "28000" || !strings.Contains(err.Error(), `no pg_hba.conf entry for host "127.0.0.1", user "pgadmin", database "postgres", SSL encryption`) {
			t.Fatalf("want the pg_hba refusal, got %v", err)
		}
	})

	t.Run("firewall rule takes effect within 5 s", func(t *testing.T) {
		do(c.PutFirewallRule(ctx, name, model.FirewallRule{Name: "local", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}))
		applied := time.Now()
		took, err := cloudtest.Eventually(ctx, 5*time.Second, func() error { _, err := admin.QueryString(ctx, "select 1"); return err })
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("rule enforced %s after apply returned (%s after the request)", took, time.Since(applied))
	})

	t.Run("verify-full TLS as a non-superuser admin", func(t *testing.T) {
		got, err := admin.QueryString(ctx, "select current_user || ' ' || rolsuper::text || ' ' || (select version from pg_stat_ssl where pid = pg_backend_pid()) from pg_roles where rolname = current_user")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(got, "pgadmin false TLSv1.") || strings.HasSuffix(got, "TLSv1.1") {
			t.Fatalf("got %q", got)
		}
		if _, err := admin.QueryString(ctx, "select rolname::text from pg_roles where rolname = 'azuresu'"); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.QueryString(ctx, "alter system set work_mem = '8MB'"); err == nil {
			t.Fatal("the admin could ALTER SYSTEM")
		}
	})

	t.Run("psql verify-full", func(t *testing.T) {
		caFile := t.TempDir() + "/ca.crt"
		if err := os.WriteFile(caFile, []byte(ca), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("psql", "-XAtc", "select 42",
			"host="+srv.FQDN+" hostaddr=127.0.0.1 port="+itoa(srv.Port)+" user=pgadmin dbname=postgres sslmode=verify-full sslrootcert="+caFile)
		cmd.Env = append(os.Environ(), "PGPASSWORD="+canary)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "42" {
			t.Fatalf("psql: %v %s", err, out)
		}
	})

	t.Run("TLS 1.1 and plaintext are refused", func(t *testing.T) {
		old := admin
		old.Mode = "tls1.1"
		if _, err := old.QueryString(ctx, "select 1"); err == nil {
			t.Fatal("a TLS 1.1 client connected")
		}
		plain := admin
		plain.Mode = "disable"
		_, err := plain.QueryString(ctx, "select 1")
		if pgCode(err) != "28000" || !strings.Contains(err.Error(), "no encryption") {
			t.Fatalf("plaintext: %v", err)
		}
	})

	t.Run("an address no rule allows is refused", func(t *testing.T) {
		other := admin
		other.SourceIP = "127.0.0.2"
		_, err := other.QueryString(ctx, "select 1")
		if pgCode(err) != "28000" || !strings.Contains(err.Error(), `host "127.0.0.2"`) {
			t.Fatalf("from 127.0.0.2: %v", err)
		}
	})

	t.Run("the machine cannot bypass the host endpoint", func(t *testing.T) {
		info, err := cloud.Runtime().InspectContainer(ctx, cloud.Controller().ContainerName(name))
		if err != nil {
			t.Fatal(err)
		}
		for _, ip := range info.IPs {
			conn, err := net.DialTimeout("tcp", net.JoinHostPort(ip, "5432"), 3*time.Second)
			if err == nil {
				conn.Close()
				t.Fatalf("connected to the container at %s directly, bypassing the firewall", ip)
			}
		}
	})

	t.Run("dynamic and static parameters", func(t *testing.T) {
		do(c.PutConfiguration(ctx, name, "log_min_duration_statement", "1234"))
		if v, err := admin.QueryString(ctx, "show log_min_duration_statement"); err != nil || v != "1234ms" {
			t.Fatalf("dynamic: %q %v", v, err)
		}
		do(c.PutConfiguration(ctx, name, "max_connections", "60"))
		if v, err := admin.QueryString(ctx, "show max_connections"); err != nil || v != "60" {
			t.Fatalf("static: %q %v", v, err)
		}
		do(c.ResetConfiguration(ctx, name, "max_connections"))
		if v, err := admin.QueryString(ctx, "show max_connections"); err != nil || v != "50" {
			t.Fatalf("reset: %q %v", v, err)
		}
		do(c.PutConfiguration(ctx, name, "require_secure_transport", "off"))
		plain := admin
		plain.Mode = "disable"
		if _, err := plain.QueryString(ctx, "select 1"); err != nil {
			t.Fatalf("plaintext with require_secure_transport=off: %v", err)
		}
		do(c.ResetConfiguration(ctx, name, "require_secure_transport"))
		if _, err := plain.QueryString(ctx, "select 1"); err == nil {
			t.Fatal("plaintext accepted after require_secure_transport was reset")
		}
	})

	t.Run("database", func(t *testing.T) {
		do(c.PutDatabase(ctx, name, model.Database{Name: "appdb"}))
		db := admin
		db.Database = "appdb"
		if v, err := db.QueryString(ctx, "select datcollate from pg_database where datname = current_database()"); err != nil || v != "en_US.utf8" {
			t.Fatalf("appdb: %q %v", v, err)
		}
		if err := db.Exec(ctx, "create table t(x int); insert into t values (7)"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("scale compute", func(t *testing.T) {
		s, _ := c.GetServer(ctx, name)
		s.SKUName = "GP_Standard_D2s_v3"
		do(c.PutServer(ctx, name, *s, false))
		if v, err := admin.QueryString(ctx, "show max_connections"); err != nil || v != "859" {
			t.Fatalf("max_connections after scale: %q %v", v, err)
		}
		info, err := cloud.Runtime().InspectContainer(ctx, cloud.Controller().ContainerName(name))
		if err != nil || info.MemoryByte != 1<<30 || info.NanoCPUs != 1e9 {
			t.Fatalf("limits after scale: %+v %v", info, err)
		}
	})

	t.Run("admin password change", func(t *testing.T) {
		s, _ := c.GetServer(ctx, name)
		s.AdministratorPassword = "An0ther-Secret!"
		do(c.PutServer(ctx, name, *s, false))
		if _, err := admin.QueryString(ctx, "select 1"); pgCode(err) != "28P01" {
			t.Fatalf("old password: %v", err)
		}
		admin.Password = "An0ther-Secret!"
		if _, err := admin.QueryString(ctx, "select 1"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("stop and start keep data", func(t *testing.T) {
		do(c.StopServer(ctx, name))
		if s, _ := c.GetServer(ctx, name); s.State != "Stopped" {
			t.Fatalf("state %s", s.State)
		}
		if _, err := admin.QueryString(ctx, "select 1"); err == nil {
			t.Fatal("connected to a stopped server")
		}
		do(c.StartServer(ctx, name))
		db := admin
		db.Database = "appdb"
		if v, err := db.QueryString(ctx, "select x::text from t"); err != nil || v != "7" {
			t.Fatalf("data after restart: %q %v", v, err)
		}
	})

	t.Run("a stopped server starts itself after 7 days", func(t *testing.T) {
		do(c.StopServer(ctx, name))
		if _, err := c.AdvanceClock(ctx, 7*24*time.Hour+time.Minute); err != nil {
			t.Fatal(err)
		}
		waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if _, err := c.WaitServerState(waitCtx, name, func(s *model.Server) bool { return s.State == "Ready" }); err != nil {
			t.Fatal(err)
		}
		if _, err := cloudtest.Eventually(ctx, 10*time.Second, func() error { _, err := admin.QueryString(ctx, "select 1"); return err }); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("no secret in logs or API", func(t *testing.T) {
		logs, _ := c.Logs(ctx, name, 0)
		home, _ := os.ReadFile(cloud.Home + "/cloud.log")
		all, _ := c.ListServers(ctx)
		for where, text := range map[string]string{"server log": logs, "cloud log": string(home), "api": sprint(all)} {
			if strings.Contains(text, canary) || strings.Contains(text, "An0ther-Secret!") {
				t.Errorf("password found in %s", where)
			}
		}
	})

	t.Run("delete leaves nothing", func(t *testing.T) {
		do(c.DeleteServer(ctx, name))
		objs, err := cloud.Runtime().List(ctx, runtime.Labels{runtime.LabelResource: "/flexibleServers/" + name})
		if err != nil || len(objs) != 0 {
			t.Fatalf("left behind: %+v %v", objs, err)
		}
		st, err := c.Status(ctx)
		if err != nil || len(st.Unowned) != 0 {
			t.Fatalf("unowned: %+v %v", st, err)
		}
	})
}
